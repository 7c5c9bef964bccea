package api

import (
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/ltc"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

func reopenPackageToProto(p ltc.ReopenPackage) *ltcv1.ReopenPackage {
	return &ltcv1.ReopenPackage{Stage: toEnum[ltcv1.Stage](ltcv1.Stage_value, p.Stage, "STAGE_"), Rationale: p.Rationale}
}

// each converts every item of a list; an empty list is nil.
func each[T, P any](items []T, convert func(T) P) []P {
	var out []P
	for _, item := range items {
		out = append(out, convert(item))
	}
	return out
}

func reopeningToProto(r ltc.Reopening) *ltcv1.Reopening {
	return &ltcv1.Reopening{
		DecisionId: r.DecisionID, Outcome: toEnum[ltcv1.Outcome](ltcv1.Outcome_value, r.Outcome, "OUTCOME_"),
		CloseReason: r.CloseReason, CloseTime: timeToProto(r.ClosedAt), Summary: summaryToProto(r.Summary),
		SummaryDueTime: timeToProto(r.SummaryDueAt), SummaryOverdue: r.SummaryOverdue,
		Stage: toEnum[ltcv1.Stage](ltcv1.Stage_value, r.Stage, "STAGE_"), ReopenTime: timestamppb.New(r.ReopenedAt),
	}
}

func assignmentToProto(a ltc.ReviewAssignment) *ltcv1.ReviewAssignment {
	return &ltcv1.ReviewAssignment{Function: toEnum[ltcv1.ReviewFunction](ltcv1.ReviewFunction_value, a.Function, "REVIEW_FUNCTION_"),
		Reviewer: personToProto(a.Reviewer), AssignedBy: personToProto(a.AssignedBy), Reason: a.Reason,
		AssignTime: timestamppb.New(a.AssignedAt)}
}

func personFromProto(p *ltcv1.Person) ltc.Person { return ltc.Person{ID: p.GetId(), Name: p.GetName()} }
