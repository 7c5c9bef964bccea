package api

import (
	"testing"

	"buf.build/go/protovalidate"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"

	"github.com/ltcengine/ltc/internal/ltc"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// FuzzCreateLeadRequest feeds arbitrary wire bytes through the validation and the conversion of CreateLead:
// nothing panics, malformed bytes are marked for INVALID_ARGUMENT rather than failing the codec, and whatever passes
// validation (declared and by type) converts into a lead the domain accepts as well formed.
// `go test` runs the seeds; `go test -fuzz FuzzCreateLeadRequest ./internal/api` searches further.
func FuzzCreateLeadRequest(f *testing.F) {
	good := &ltcv1.CreateLeadRequest{RequestId: "7b0c5a8e-2f4d-4c1a-9e3b-5d6f7a8b9c01",
		Customer: &ltcv1.Customer{Name: "Acme", Grade: ltcv1.CustomerGrade_CUSTOMER_GRADE_A}, Title: "t",
		Source: ltcv1.LeadSource_LEAD_SOURCE_REFERRAL, EstimatedValue: &ltcv1.Money{CurrencyCode: "EUR", AmountMinor: 100}}
	seed, _ := proto.Marshal(good)
	f.Add(seed)
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x03, 'a', 'b', 'c'})
	v, err := protovalidate.New()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(append(seed, 0x1a, 0x02, 0xff, 0xfe)) // a title of invalid UTF-8
	f.Fuzz(func(t *testing.T, b []byte) {
		var decoded ltcv1.CreateLeadRequest
		if err := newCodec().Unmarshal(mem.BufferSlice{mem.SliceBuffer(b)}, &decoded); err != nil {
			t.Fatalf("the codec failed on a request of the API instead of marking it: %v", err)
		}
		var req ltcv1.CreateLeadRequest
		if proto.Unmarshal(b, &req) != nil {
			if _, marked := malformed(&decoded); !marked {
				t.Fatal("malformed bytes decoded without the marker")
			}
			return
		}
		if v.Validate(&req) != nil || len(checkInput(&req, nil)) > 0 {
			return
		}
		if d := req.ExpectedCloseDate; d != nil && !dateFromProto(d).Valid() {
			t.Fatalf("a valid request has an impossible date: %v", d)
		}
		if problem := ltc.TextProblem(req.Title + req.Description + req.Customer.GetName()); problem != "" {
			t.Fatalf("a valid request has bad text: %s", problem)
		}
		c := customerFromProto(req.Customer)
		if c.Name == "" || c.Grade == "" {
			t.Fatalf("a valid request converted to a customer without name or grade: %+v", c)
		}
		m := moneyFromProto(req.EstimatedValue)
		if len(m.Currency) != 3 || m.AmountMinor < 0 {
			t.Fatalf("a valid request converted to bad money: %+v", m)
		}
		if got := customerToProto(c); got.Grade != req.Customer.Grade {
			t.Fatalf("grade does not round-trip: %v -> %v", req.Customer.Grade, got.Grade)
		}
		src := fromEnum[ltc.LeadSource](ltcv1.LeadSource_name, int32(req.Source), "LEAD_SOURCE_")
		if toEnum[ltcv1.LeadSource](ltcv1.LeadSource_value, src, "LEAD_SOURCE_") != req.Source {
			t.Fatalf("source does not round-trip: %v", req.Source)
		}
	})
}
