package api

import (
	"context"

	"github.com/ltcengine/ltc/internal/ltc"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
	"github.com/ltcengine/ltc/workflows"
)

func (s leadService) ReassignLead(ctx context.Context, req *ltcv1.ReassignLeadRequest) (*ltcv1.ReassignLeadResponse, error) {
	actor := actorOf(ctx)
	request, err := newRequest(actor, workflows.UpdateReassignLead, req.RequestId, req)
	if err != nil {
		return nil, err
	}
	cmd := ltc.ReassignLead{Owner: personFromProto(req.Owner), Reason: req.Reason}
	lead, err := send[ltc.Lead](ctx, s.Server, change{
		method: workflows.UpdateReassignLead, dealID: req.LeadId, processes: leadProcesses(req.LeadId), request: request,
		arg: command(request, cmd),
		ended: s.leadEnded(req.LeadId, actor, func(a ltc.Actor, l ltc.Lead) error {
			return ltc.CanReassignLead(a, l, cmd.Owner, cmd.Reason)
		}),
	})
	if err != nil {
		return nil, err
	}
	return &ltcv1.ReassignLeadResponse{Lead: leadToProto(lead)}, nil
}

func (s opportunityService) ReassignOwner(ctx context.Context, req *ltcv1.ReassignOwnerRequest) (*ltcv1.ReassignOwnerResponse, error) {
	o, err := s.dealResponse(ctx, workflows.UpdateReassignOwner, req.OpportunityId, req.RequestId, req,
		ltc.ReassignOwner{Owner: personFromProto(req.Owner), Reason: req.Reason})
	if err != nil {
		return nil, err
	}
	return &ltcv1.ReassignOwnerResponse{Opportunity: o}, nil
}

func (s decisionService) ReassignReview(ctx context.Context, req *ltcv1.ReassignReviewRequest) (*ltcv1.ReassignReviewResponse, error) {
	d, err := s.changeDecision(ctx, workflows.UpdateReassignReview, req.DecisionId, req.RequestId, req, ltc.ReassignReview{
		DecisionID: req.DecisionId, Reviewer: personFromProto(req.Reviewer), Reason: req.Reason,
		Function: fromEnum[ltc.ReviewFunction](ltcv1.ReviewFunction_name, int32(req.Function), "REVIEW_FUNCTION_")})
	if err != nil {
		return nil, err
	}
	return &ltcv1.ReassignReviewResponse{Decision: d}, nil
}
