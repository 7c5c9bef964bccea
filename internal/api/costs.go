package api

import (
	"context"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ltcengine/ltc/internal/ltc"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// hideCosts clears the costs from every answer to a caller who does not read costs (ltc.ReadsCosts: FINANCE
// reviewers, executives, admins): a line's unit cost and cost amount, a package's cost total and a product's
// standard cost, wherever the answer holds them (a deal, a decision, an event, a replayed answer). The package's
// gross margin stays.
func hideCosts() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
		resp, err := next(ctx, req)
		if msg, ok := resp.(proto.Message); ok && err == nil && !ltc.ReadsCosts(actorOf(ctx)) {
			clearCosts(msg.ProtoReflect())
		}
		return resp, err
	}
}

var (
	lineItemName = (&ltcv1.LineItem{}).ProtoReflect().Descriptor().FullName()
	totalsName   = (&ltcv1.PackageTotals{}).ProtoReflect().Descriptor().FullName()
	productName  = (&ltcv1.Product{}).ProtoReflect().Descriptor().FullName()
	// holdsCosts memoises, per message type, whether it may hold a line item or totals, so that the walk skips
	// what cannot.
	holdsCosts sync.Map // protoreflect.FullName → bool
)

func clearCosts(m protoreflect.Message) {
	switch m.Descriptor().FullName() {
	case lineItemName:
		fields := m.Descriptor().Fields()
		m.Clear(fields.ByName("unit_cost"))
		m.Clear(fields.ByName("cost_amount"))
		return
	case totalsName:
		m.Clear(m.Descriptor().Fields().ByName("cost_total"))
		return
	case productName:
		m.Clear(m.Descriptor().Fields().ByName("standard_cost"))
		return
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Message() == nil || fd.IsMap() || !mayHoldCosts(fd.Message()) {
			return true
		}
		if fd.IsList() {
			for i, list := 0, v.List(); i < list.Len(); i++ {
				clearCosts(list.Get(i).Message())
			}
			return true
		}
		clearCosts(v.Message())
		return true
	})
}

// mayHoldCosts reports whether a message of type md may hold a line item or totals.
func mayHoldCosts(md protoreflect.MessageDescriptor) bool {
	if known, ok := holdsCosts.Load(md.FullName()); ok {
		return known.(bool)
	}
	holds := reachesCosts(md, map[protoreflect.FullName]bool{})
	holdsCosts.Store(md.FullName(), holds)
	return holds
}

func reachesCosts(md protoreflect.MessageDescriptor, seen map[protoreflect.FullName]bool) bool {
	name := md.FullName()
	if name == lineItemName || name == totalsName || name == productName {
		return true
	}
	if seen[name] {
		return false
	}
	seen[name] = true
	for i, fields := 0, md.Fields(); i < fields.Len(); i++ {
		if f := fields.Get(i); f.Message() != nil && !f.IsMap() && reachesCosts(f.Message(), seen) {
			return true
		}
	}
	return false
}
