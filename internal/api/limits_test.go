package api

import (
	"strings"
	"testing"

	validatepb "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"github.com/stretchr/testify/assert"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/ltcengine/ltc/internal/ltc"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// TestEveryTextAndListOfEveryRequestHasABound walks the request messages of every RPC of ltc.v1 and checks that
// each text declares a maximum length (or is a UUID, or one of a fixed set) and each list a maximum count with
// bounded items (api.md, Limits): nothing a caller sends is unbounded.
func TestEveryTextAndListOfEveryRequestHasABound(t *testing.T) {
	seen := map[protoreflect.FullName]bool{}
	var check func(md protoreflect.MessageDescriptor)
	check = func(md protoreflect.MessageDescriptor) {
		if seen[md.FullName()] || md.ParentFile().Package() != "ltc.v1" {
			return
		}
		seen[md.FullName()] = true
		fields := md.Fields()
		for i := range fields.Len() {
			fd := fields.Get(i)
			rules, _ := proto.GetExtension(fd.Options(), validatepb.E_Field).(*validatepb.FieldRules)
			if fd.IsList() {
				assert.NotZero(t, rules.GetRepeated().GetMaxItems(), "%s: a list needs max_items", fd.FullName())
				rules = rules.GetRepeated().GetItems()
			}
			if fd.Kind() == protoreflect.StringKind {
				s := rules.GetString()
				assert.True(t, s.GetMaxLen() > 0 || s.GetUuid() || len(s.GetIn()) > 0 || boundedPattern(s.GetPattern()),
					"%s: a text needs max_len (or uuid, in, or an anchored pattern without unbounded repeats)", fd.FullName())
			}
			if fd.Message() != nil {
				check(fd.Message())
			}
		}
	}
	file := ltcv1.File_ltc_v1_lead_proto
	services := 0
	protoregistry.GlobalFiles.RangeFilesByPackage(file.Package(), func(f protoreflect.FileDescriptor) bool {
		for i := range f.Services().Len() {
			services++
			methods := f.Services().Get(i).Methods()
			for j := range methods.Len() {
				check(methods.Get(j).Input())
			}
		}
		return true
	})
	assert.GreaterOrEqual(t, services, 4)
}

// boundedPattern reports whether a pattern matches only texts of bounded length: anchored at both ends, with no
// unbounded repeat.
func boundedPattern(p string) bool {
	return strings.HasPrefix(p, "^") && strings.HasSuffix(p, "$") && !strings.ContainsAny(p, "*+") && !strings.Contains(p, ",}")
}

// TestMoneyBoundIsTheDomains: the bound the proto declares on amounts is ltc.MaxAmountMinor.
func TestMoneyBoundIsTheDomains(t *testing.T) {
	fd := (&ltcv1.Money{}).ProtoReflect().Descriptor().Fields().ByName("amount_minor")
	rules, _ := proto.GetExtension(fd.Options(), validatepb.E_Field).(*validatepb.FieldRules)
	assert.Equal(t, int64(ltc.MaxAmountMinor), rules.GetInt64().GetLte())
}
