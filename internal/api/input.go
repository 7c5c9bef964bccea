package api

import (
	"fmt"
	"strings"
	"unicode/utf8"

	validatepb "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"golang.org/x/text/currency"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/encoding"
	encodingproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/ltc"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// checkInput holds a request to the rules every field of its type keeps, whatever message it is in, so a field
// added later is covered the day it is added (api.md, Limits). protovalidate checks what each field declares
// (presence, lengths, ranges, UUIDs); these are the rules of a type:
//
//   - text: valid UTF-8, and no NUL or other control character but tab, line feed and carriage return
//     (PostgreSQL cannot store NUL, and no field of the API means one);
//   - google.type.Date: a real calendar date in the years ltc.MinYear to ltc.MaxYear (ltc.Date.Valid);
//   - google.protobuf.Timestamp: valid (seconds and nanos in range) and in those years too;
//   - ltc.v1.Money: an ISO 4217 currency code (golang.org/x/text/currency).
//
// It also canonicalises every field declared a UUID to lower case, so the ids a request names (its request_id
// above all, which makes the call idempotent and from which lead and decision ids derive) have one spelling.
// skip names fields already refused, whose type rules would only repeat the refusal.
func checkInput(msg proto.Message, skip map[string]bool) []fieldViolation {
	var violations []fieldViolation
	walkInput(msg.ProtoReflect(), "", func(path string, v fieldViolation) {
		if !skip[path] {
			v.Field = path
			violations = append(violations, v)
		}
	})
	return violations
}

// walkInput checks the fields of m, whose path is prefix, reporting each violation.
func walkInput(m protoreflect.Message, prefix string, report func(string, fieldViolation)) {
	if field, problem := typeRule(m.Interface()); problem != "" {
		report(strings.Trim(prefix+"."+field, "."), fieldViolation{Description: problem})
		return
	}
	var uuids []protoreflect.FieldDescriptor
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		path := string(fd.Name())
		if prefix != "" {
			path = prefix + "." + path
		}
		switch {
		case fd.IsList():
			list := v.List()
			for i := range list.Len() {
				walkValue(fd, list.Get(i), fmt.Sprintf("%s[%d]", path, i), report)
			}
		case fd.IsMap():
			v.Map().Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
				key := fmt.Sprintf("%s[%q]", path, k.String())
				if problem := ltc.TextProblem(k.String()); fd.MapKey().Kind() == protoreflect.StringKind && problem != "" {
					report(key, fieldViolation{Description: "key " + problem})
				}
				walkValue(fd.MapValue(), v, key, report)
				return true
			})
		default:
			walkValue(fd, v, path, report)
			if fd.Kind() == protoreflect.StringKind && declaredUUID(fd) {
				uuids = append(uuids, fd)
			}
		}
		return true
	})
	for _, fd := range uuids {
		m.Set(fd, protoreflect.ValueOfString(strings.ToLower(m.Get(fd).String())))
	}
}

// walkValue checks one value of field fd.
func walkValue(fd protoreflect.FieldDescriptor, v protoreflect.Value, path string, report func(string, fieldViolation)) {
	switch fd.Kind() {
	case protoreflect.StringKind:
		if problem := ltc.TextProblem(v.String()); problem != "" {
			report(path, fieldViolation{Description: problem})
		}
	case protoreflect.MessageKind, protoreflect.GroupKind:
		walkInput(v.Message(), path, report)
	}
}

// typeRule says what is wrong with a message of a type that has rules of its own, and in which of its fields
// ("" for the whole message); "" when nothing is.
func typeRule(m proto.Message) (field, problem string) {
	switch m := m.(type) {
	case *date.Date:
		if !(ltc.Date{Year: int(m.Year), Month: int(m.Month), Day: int(m.Day)}).Valid() {
			return "", fmt.Sprintf("must be a calendar date with year (%d-%d), month and day", ltc.MinYear, ltc.MaxYear)
		}
	case *timestamppb.Timestamp:
		if m.CheckValid() != nil || !ltc.ValidTime(m.AsTime()) {
			return "", fmt.Sprintf("must be a valid time in the years %d-%d (nanos 0-999999999)", ltc.MinYear, ltc.MaxYear)
		}
	case *ltcv1.Money:
		// The pattern rule refuses what is not three capital letters; this refuses the codes that are no currency.
		if c := m.GetCurrencyCode(); len(c) == 3 && strings.ToUpper(c) == c {
			if _, err := currency.ParseISO(c); err != nil {
				return "currency_code", fmt.Sprintf("%q is not an ISO 4217 currency code", c)
			}
		}
	}
	return "", ""
}

// declaredUUID reports whether the field's protovalidate rules declare it a UUID.
func declaredUUID(fd protoreflect.FieldDescriptor) bool {
	rules, _ := proto.GetExtension(fd.Options(), validatepb.E_Field).(*validatepb.FieldRules)
	return rules.GetString().GetUuid()
}

// codec decodes requests with gRPC's protobuf codec, but a request of the API that is not well-formed protobuf
// (truncated, or with invalid UTF-8 in a string) is not an error here: gRPC would answer INTERNAL. Its message is
// left empty with the reason as a marker, and the validation interceptor refuses it with INVALID_ARGUMENT.
type codec struct{ encoding.CodecV2 }

func newCodec() codec { return codec{encoding.GetCodecV2(encodingproto.Name)} }

// malformedMarker is the field number of the marker: the highest one protobuf allows, which no message declares.
const malformedMarker protowire.Number = protowire.MaxValidNumber

func (c codec) Unmarshal(data mem.BufferSlice, v any) error {
	err := c.CodecV2.Unmarshal(data, v)
	msg, ok := v.(proto.Message)
	if err == nil || !ok || msg.ProtoReflect().Descriptor().ParentFile().Package() != "ltc.v1" {
		return err
	}
	path, why := locateMalformed(msg.ProtoReflect().Descriptor(), data.Materialize(), "")
	if why == "" {
		why = "is not well-formed protobuf: " + err.Error()
	}
	proto.Reset(msg)
	marker := protowire.AppendTag(nil, malformedMarker, protowire.BytesType)
	msg.ProtoReflect().SetUnknown(protowire.AppendBytes(marker, []byte(path+"\x00"+why)))
	return nil
}

// malformed returns the violation the codec marked a request with, if it did.
func malformed(msg proto.Message) (fieldViolation, bool) {
	b := msg.ProtoReflect().GetUnknown()
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			break
		}
		if num == malformedMarker && typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(b[n:])
			path, why, _ := strings.Cut(string(v), "\x00")
			if path == "" {
				path = string(msg.ProtoReflect().Descriptor().Name())
			}
			return fieldViolation{Field: path, Description: why}, true
		}
		m := protowire.ConsumeFieldValue(num, typ, b[n:])
		if m < 0 {
			break
		}
		b = b[n+m:]
	}
	return fieldViolation{}, false
}

// locateMalformed finds the field of the wire bytes b of a message md whose text is not valid UTF-8, and returns
// its path (under prefix) and the reason; "" when it is something else that is wrong.
func locateMalformed(md protoreflect.MessageDescriptor, b []byte, prefix string) (string, string) {
	counts := map[protowire.Number]int{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return "", ""
		}
		b = b[n:]
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return "", ""
		}
		value := b[:n]
		b = b[n:]
		fd := md.Fields().ByNumber(num)
		if fd == nil || typ != protowire.BytesType {
			continue
		}
		path := prefix + string(fd.Name())
		if fd.IsList() {
			path = fmt.Sprintf("%s[%d]", path, counts[num])
			counts[num]++
		}
		content, _ := protowire.ConsumeBytes(value)
		switch fd.Kind() {
		case protoreflect.StringKind:
			if !utf8.Valid(content) {
				return path, "must be valid UTF-8"
			}
		case protoreflect.MessageKind:
			if !fd.IsMap() {
				if p, why := locateMalformed(fd.Message(), content, path+"."); why != "" {
					return p, why
				}
			}
		}
	}
	return "", ""
}
