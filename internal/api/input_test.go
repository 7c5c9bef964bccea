package api_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
	"github.com/ltcengine/ltc/workflows"
)

// violations returns the fields a refusal's google.rpc.BadRequest names.
func violations(t *testing.T, err error) []string {
	t.Helper()
	st := requireCode(t, err, codes.InvalidArgument, "invalid request")
	var fields []string
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.FieldViolations {
				fields = append(fields, v.Field)
				assert.NotEmpty(t, v.Description)
			}
		}
	}
	return fields
}

// recorded counts what the engine holds: events in the log, and Updates the deal's process accepted.
func recorded(t *testing.T, e *testenv.Engine, dealID string) (events, updates int) {
	t.Helper()
	page, err := e.Store.Events(context.Background(), store.EventQuery{Limit: 10_000})
	require.NoError(t, err)
	return len(page.Events), updatesAccepted(t, e, workflows.DealWorkflowID(dealID))
}

// rawCodec sends bytes as they are, to put malformed protobuf on the wire.
type rawCodec struct{}

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(v.([]byte))}, nil
}
func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	return proto.Unmarshal(data.Materialize(), v.(proto.Message))
}
func (rawCodec) Name() string { return "proto" }

// TestBadInputIsRefusedPerFieldBeforeAnythingIsRecorded sends bad text, dates, times, amounts, currencies, event
// types and bytes to the RPCs that take them: each is INVALID_ARGUMENT at once, naming the field, and leaves no
// event, no request record, no lead process and no Update in the deal's process.
func TestBadInputIsRefusedPerFieldBeforeAnythingIsRecorded(t *testing.T) {
	e := startWithPolicy(t, func(p *ltc.Policy) { p.Version = "test-bad-input" })
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	reports := ltcv1.NewReportServiceClient(e.Conn)
	id := qualifiedDeal(t, e)
	events, updates := recorded(t, e, id)

	createWith := func(change func(*ltcv1.CreateLeadRequest)) *ltcv1.CreateLeadRequest {
		r := createRequest()
		change(r)
		return r
	}
	var requestIDs []string
	for name, c := range map[string]struct {
		req    *ltcv1.CreateLeadRequest
		fields []string
	}{
		"NUL in the title": {createWith(func(r *ltcv1.CreateLeadRequest) { r.Title = "5G\x00core" }), []string{"title"}},
		"NUL in the customer and a control character in the owner's name": {createWith(func(r *ltcv1.CreateLeadRequest) {
			r.Customer.Name, r.Owner = "Acme\x00", &ltcv1.Person{Id: "sam", Name: "Sam\x1b[31m"}
		}), []string{"customer.name", "owner.name"}},
		"February 30th":        {createWith(func(r *ltcv1.CreateLeadRequest) { r.ExpectedCloseDate.Day = 30; r.ExpectedCloseDate.Month = 2 }), []string{"expected_close_date"}},
		"year 10000":           {createWith(func(r *ltcv1.CreateLeadRequest) { r.ExpectedCloseDate.Year = 10000 }), []string{"expected_close_date"}},
		"an empty date":        {createWith(func(r *ltcv1.CreateLeadRequest) { r.ExpectedCloseDate = &date.Date{} }), []string{"expected_close_date"}},
		"no ISO 4217 currency": {createWith(func(r *ltcv1.CreateLeadRequest) { r.EstimatedValue.CurrencyCode = "ZZZ" }), []string{"estimated_value.currency_code"}},
		"an amount past 10^15": {createWith(func(r *ltcv1.CreateLeadRequest) { r.EstimatedValue.AmountMinor = 1e15 + 1 }), []string{"estimated_value.amount_minor"}},
		"int64's largest":      {createWith(func(r *ltcv1.CreateLeadRequest) { r.EstimatedValue.AmountMinor = 1<<63 - 1 }), []string{"estimated_value.amount_minor"}},
		"a long description":   {createWith(func(r *ltcv1.CreateLeadRequest) { r.Description = strings.Repeat("x", 4001) }), []string{"description"}},
	} {
		start := time.Now()
		_, err := leads.CreateLead(e.As(t, mia), c.req)
		assert.ElementsMatch(t, c.fields, violations(t, err), name)
		assert.Less(t, time.Since(start), 2*time.Second, "%s: refused at once, holding nothing", name)
		requestIDs = append(requestIDs, c.req.RequestId)
		_, err = e.Temporal.DescribeWorkflowExecution(context.Background(), workflows.DealWorkflowID(ltc.LeadID(c.req.RequestId)), "")
		var notFound *serviceerror.NotFound
		assert.ErrorAs(t, err, &notFound, "%s: no lead process", name)
	}

	badDate := &date.Date{Year: 2027, Month: 2, Day: 30}
	meeting := &ltcv1.Meeting{Kind: ltcv1.MeetingKind_MEETING_KIND_KICKOFF, Date: badDate, Conclusions: "go",
		Attendees:   []*ltcv1.Person{{Id: "sam"}},
		ActionItems: []*ltcv1.ActionItem{{Description: "call", Owner: &ltcv1.Person{Id: "sam"}, DueDate: &date.Date{}}}}
	meetingReq := &ltcv1.RecordMeetingRequest{RequestId: uuid.NewString(), OpportunityId: id, Meeting: meeting}
	_, err := deals.RecordMeeting(e.As(t, sam), meetingReq)
	assert.ElementsMatch(t, []string{"meeting.date", "meeting.action_items[0].due_date"}, violations(t, err))
	bidReq := &ltcv1.SubmitBidRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Bid: &ltcv1.Bid{Price: eur(1), Date: badDate, Reference: "B"}}
	_, err = deals.SubmitBid(e.As(t, sam), bidReq)
	assert.Equal(t, []string{"bid.date"}, violations(t, err))
	contractReq := &ltcv1.SignContractRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Contract: &ltcv1.Contract{Number: "C", Date: &date.Date{Year: 2027}, Amount: eur(1)}}
	_, err = deals.SignContract(e.As(t, sam), contractReq)
	assert.Equal(t, []string{"contract.date"}, violations(t, err))
	handoverReq := &ltcv1.ScheduleHandoverRequest{RequestId: uuid.NewString(), OpportunityId: id,
		ScheduleTime: &timestamppb.Timestamp{Seconds: time.Now().Unix(), Nanos: 1_000_000_000}, Attendees: team()}
	_, err = deals.ScheduleHandover(e.As(t, sam), handoverReq)
	assert.Equal(t, []string{"schedule_time"}, violations(t, err), "invalid nanos")
	handoverReq.ScheduleTime = &timestamppb.Timestamp{Seconds: 1 << 40}
	_, err = deals.ScheduleHandover(e.As(t, sam), handoverReq)
	assert.Equal(t, []string{"schedule_time"}, violations(t, err), "past year 9999")
	requestIDs = append(requestIDs, meetingReq.RequestId, bidReq.RequestId, contractReq.RequestId, handoverReq.RequestId)

	_, err = reports.GetPipelineReport(e.As(t, mia), &ltcv1.GetPipelineReportRequest{
		StartTime: timestamppb.New(time.Now()), EndTime: &timestamppb.Timestamp{Seconds: 253402300800}})
	assert.Equal(t, []string{"end_time"}, violations(t, err), "year 10000")

	_, err = deals.ListEvents(e.As(t, sam), &ltcv1.ListEventsRequest{Types: []string{ltc.EventLeadCreated, strings.Repeat("x", 1<<20)}})
	assert.Equal(t, []string{"types[1]"}, violations(t, err), "a megabyte type")
	_, err = deals.ListEvents(e.As(t, sam), &ltcv1.ListEventsRequest{Types: []string{"lead.invented"}})
	assert.Equal(t, []string{"types[0]"}, violations(t, err), "an unknown type")

	// Bytes gRPC's codec cannot decode: invalid UTF-8 in a string, and truncated protobuf.
	good, err := proto.Marshal(createRequest())
	require.NoError(t, err)
	badUTF8 := protowire.AppendString(protowire.AppendTag(nil, 3, protowire.BytesType), "5G \xff core")
	for name, c := range map[string]struct {
		wire  []byte
		field string
	}{
		"invalid UTF-8": {append(good, badUTF8...), "title"},
		"truncated":     {good[:len(good)-3], "CreateLeadRequest"},
	} {
		err := e.Conn.Invoke(e.As(t, sam), "/ltc.v1.LeadService/CreateLead", c.wire, &ltcv1.CreateLeadResponse{},
			grpc.ForceCodecV2(rawCodec{}))
		assert.Equal(t, []string{c.field}, violations(t, err), name)
	}

	gotEvents, gotUpdates := recorded(t, e, id)
	assert.Equal(t, events, gotEvents, "no event recorded")
	assert.Equal(t, updates, gotUpdates, "no Update in the deal's history")
	for _, rid := range requestIDs {
		_, err := e.Store.Request(context.Background(), rid)
		assert.ErrorIs(t, err, store.ErrNotFound, "no request record")
	}
}

// TestRequestIDsAreCanonicalUUIDs sends one request_id in upper case, then in lower case: one lead, one process,
// the second call answered as a retry of the first.
func TestRequestIDsAreCanonicalUUIDs(t *testing.T) {
	e := testenv.StartEngine(t)
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	req := createRequest()
	req.RequestId = strings.ToUpper(req.RequestId)
	first, err := leads.CreateLead(e.As(t, sam), req)
	require.NoError(t, err)
	assert.Equal(t, ltc.LeadID(strings.ToLower(req.RequestId)), first.Lead.Id, "the lead id derives from the lower-case id")
	req.RequestId = strings.ToLower(req.RequestId)
	again, err := leads.CreateLead(e.As(t, sam), req)
	require.NoError(t, err)
	assert.Equal(t, first.Lead.Id, again.Lead.Id)
	list, err := leads.ListLeads(e.As(t, sam), &ltcv1.ListLeadsRequest{})
	require.NoError(t, err)
	assert.Len(t, list.Leads, 1)

	_, err = leads.GetLead(e.As(t, sam), &ltcv1.GetLeadRequest{Id: strings.ToUpper(first.Lead.Id)})
	require.NoError(t, err, "an id in upper case names the same lead")
}

// TestEditedPageTokensAreInvalidArgument: a page token edited (as the old JSON tokens could be, to carry an id
// that is no UUID) or made up is INVALID_ARGUMENT naming page_token, not INTERNAL; the token as issued pages on.
func TestEditedPageTokensAreInvalidArgument(t *testing.T) {
	e := testenv.StartEngine(t)
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	for range 2 {
		_, err := leads.CreateLead(e.As(t, sam), createRequest())
		require.NoError(t, err)
	}
	first, err := leads.ListLeads(e.As(t, sam), &ltcv1.ListLeadsRequest{PageSize: 1})
	require.NoError(t, err)
	require.NotEmpty(t, first.NextPageToken)
	edited := []byte(first.NextPageToken)
	edited[10] ^= 0x01
	for name, token := range map[string]string{
		"edited":        string(edited),
		"old JSON kind": base64.RawURLEncoding.EncodeToString([]byte(`{"t":"2026-10-01T00:00:00Z","id":"not-a-uuid"}`)),
	} {
		_, err := leads.ListLeads(e.As(t, sam), &ltcv1.ListLeadsRequest{PageSize: 1, PageToken: token})
		assert.Equal(t, []string{"page_token"}, violations(t, err), name)
	}
	second, err := leads.ListLeads(e.As(t, sam), &ltcv1.ListLeadsRequest{PageSize: 1, PageToken: first.NextPageToken})
	require.NoError(t, err)
	require.Len(t, second.Leads, 1)
	assert.NotEqual(t, first.Leads[0].Id, second.Leads[0].Id)
}

// TestListsFindCustomersInAnyCaseAndOverdueDeals: ListLeads and ListOpportunities match 'Ölund' to 'ÅSA ÖLUND'
// (the cluster runs with the C locale), and ListOpportunities takes the overdue filter.
func TestListsFindCustomersInAnyCaseAndOverdueDeals(t *testing.T) {
	e := testenv.StartEngine(t)
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	req := createRequest()
	req.Customer.Name = "ÅSA ÖLUND AB"
	created, err := leads.CreateLead(e.As(t, sam), req)
	require.NoError(t, err)
	_, err = leads.QualifyLead(e.As(t, mia), qualifyRequest(created.Lead.Id))
	require.NoError(t, err)

	ls, err := leads.ListLeads(e.As(t, sam), &ltcv1.ListLeadsRequest{Customer: "ölund"})
	require.NoError(t, err)
	require.Len(t, ls.Leads, 1)
	os, err := deals.ListOpportunities(e.As(t, sam), &ltcv1.ListOpportunitiesRequest{Customer: "Åsa Ö"})
	require.NoError(t, err)
	require.Len(t, os.Opportunities, 1)
	assert.Equal(t, created.Lead.Id, os.Opportunities[0].Id)
	late, err := deals.ListOpportunities(e.As(t, sam), &ltcv1.ListOpportunitiesRequest{OverdueOnly: true})
	require.NoError(t, err)
	assert.Empty(t, late.Opportunities, "a deal just qualified owes nothing yet")
}
