package api

import (
	"context"
	"errors"

	"google.golang.org/protobuf/proto"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
	"github.com/ltcengine/ltc/workflows"
)

type opportunityService struct {
	ltcv1.UnimplementedOpportunityServiceServer
	*Server
}

type decisionService struct {
	ltcv1.UnimplementedDecisionServiceServer
	*Server
}

// changeDeal sends a change to the deal's process and returns the deal (and decision) after it.
func (s *Server) changeDeal(ctx context.Context, method, dealID, requestID string, req proto.Message, arg func(workflows.Request) any) (workflows.DealResult, error) {
	request, err := newRequest(actorOf(ctx), method, requestID, req)
	if err != nil {
		return workflows.DealResult{}, err
	}
	return send[workflows.DealResult](ctx, s, change{
		method: method, workflowID: workflows.OpportunityWorkflowID(dealID), request: request, arg: arg(request),
		ended: func(ctx context.Context) error {
			if _, err := s.deal(ctx, dealID); err != nil {
				return err
			}
			return ltc.FailedPrecondition("the process of deal %s has ended; it takes no changes", dealID)
		},
	})
}

// changeDecision sends a change of a decision to its deal's process.
func (s *Server) changeDecision(ctx context.Context, method, decisionID, requestID string, req proto.Message, arg func(workflows.Request) any) (*ltcv1.Decision, error) {
	d, err := s.decision(ctx, decisionID)
	if err != nil {
		return nil, err
	}
	res, err := s.changeDeal(ctx, method, d.OpportunityID, requestID, req, arg)
	if err != nil {
		return nil, err
	}
	return decisionToProto(*res.Decision), nil
}

func (s *Server) deal(ctx context.Context, id string) (ltc.Opportunity, error) {
	o, err := s.store.Opportunity(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return o, ltc.NotFound("deal %s not found", id)
	}
	return o, err
}

func (s *Server) decision(ctx context.Context, id string) (ltc.Decision, error) {
	d, err := s.store.Decision(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return d, ltc.NotFound("decision %s not found", id)
	}
	return d, err
}

func (s opportunityService) GetOpportunity(ctx context.Context, req *ltcv1.GetOpportunityRequest) (*ltcv1.GetOpportunityResponse, error) {
	if err := ltc.CanRead(actorOf(ctx)); err != nil {
		return nil, err
	}
	o, err := s.deal(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	return &ltcv1.GetOpportunityResponse{Opportunity: opportunityToProto(o)}, nil
}

func (s opportunityService) ListOpportunities(ctx context.Context, req *ltcv1.ListOpportunitiesRequest) (*ltcv1.ListOpportunitiesResponse, error) {
	if err := ltc.CanRead(actorOf(ctx)); err != nil {
		return nil, err
	}
	deals, next, err := s.store.ListOpportunities(ctx, store.OpportunityFilter{
		Stage:    fromEnum[ltc.Stage](ltcv1.Stage_name, int32(req.Stage), "STAGE_"),
		Outcome:  fromEnum[ltc.Outcome](ltcv1.Outcome_name, int32(req.Outcome), "OUTCOME_"),
		Level:    fromEnum[ltc.ProjectLevel](ltcv1.ProjectLevel_name, int32(req.Level), "PROJECT_LEVEL_"),
		OwnerID:  req.OwnerId,
		Customer: req.Customer,
	}, pageSize(req.PageSize), req.PageToken)
	if err != nil {
		return nil, listError(err)
	}
	resp := &ltcv1.ListOpportunitiesResponse{NextPageToken: next}
	for _, o := range deals {
		resp.Opportunities = append(resp.Opportunities, opportunityToProto(o))
	}
	return resp, nil
}

func (s opportunityService) UpdateAssessment(ctx context.Context, req *ltcv1.UpdateAssessmentRequest) (*ltcv1.UpdateAssessmentResponse, error) {
	res, err := s.changeDeal(ctx, workflows.UpdateAssessment, req.OpportunityId, req.RequestId, req, func(r workflows.Request) any {
		return workflows.AssessOpportunity{Request: r, Assessment: assessmentFromProto(req.Assessment)}
	})
	if err != nil {
		return nil, err
	}
	return &ltcv1.UpdateAssessmentResponse{Opportunity: opportunityToProto(res.Opportunity)}, nil
}

func (s opportunityService) AppointTeam(ctx context.Context, req *ltcv1.AppointTeamRequest) (*ltcv1.AppointTeamResponse, error) {
	res, err := s.changeDeal(ctx, workflows.UpdateAppointTeam, req.OpportunityId, req.RequestId, req, func(r workflows.Request) any {
		return workflows.AppointTeam{Request: r, Team: teamFromProto(req.Members)}
	})
	if err != nil {
		return nil, err
	}
	return &ltcv1.AppointTeamResponse{Opportunity: opportunityToProto(res.Opportunity)}, nil
}

func (s opportunityService) CloseOpportunity(ctx context.Context, req *ltcv1.CloseOpportunityRequest) (*ltcv1.CloseOpportunityResponse, error) {
	res, err := s.changeDeal(ctx, workflows.UpdateCloseOpportunity, req.OpportunityId, req.RequestId, req, func(r workflows.Request) any {
		return workflows.CloseOpportunity{Request: r, Reason: req.Reason,
			Outcome: fromEnum[ltc.Outcome](ltcv1.Outcome_name, int32(req.Outcome), "OUTCOME_")}
	})
	if err != nil {
		return nil, err
	}
	return &ltcv1.CloseOpportunityResponse{Opportunity: opportunityToProto(res.Opportunity)}, nil
}

func (s decisionService) RequestDecision(ctx context.Context, req *ltcv1.RequestDecisionRequest) (*ltcv1.RequestDecisionResponse, error) {
	gate := fromEnum[ltc.Gate](ltcv1.Gate_name, int32(req.Gate), "GATE_")
	if gate == ltc.GateInitiation && req.GetInitiation() == nil {
		return nil, invalidArgument(fieldViolation{"initiation", "an INITIATION request carries the initiation package"})
	}
	res, err := s.changeDeal(ctx, workflows.UpdateRequestDecision, req.OpportunityId, req.RequestId, req, func(r workflows.Request) any {
		u := workflows.RequestDecision{Request: r, Gate: gate}
		if p := req.GetInitiation(); p != nil {
			u.Initiation = &ltc.InitiationPackage{Rationale: p.Rationale,
				ProposedLevel: fromEnum[ltc.ProjectLevel](ltcv1.ProjectLevel_name, int32(p.ProposedLevel), "PROJECT_LEVEL_")}
		}
		return u
	})
	if err != nil {
		return nil, err
	}
	return &ltcv1.RequestDecisionResponse{Decision: decisionToProto(*res.Decision)}, nil
}

func (s decisionService) SubmitReview(ctx context.Context, req *ltcv1.SubmitReviewRequest) (*ltcv1.SubmitReviewResponse, error) {
	d, err := s.changeDecision(ctx, workflows.UpdateSubmitReview, req.DecisionId, req.RequestId, req, func(r workflows.Request) any {
		return workflows.SubmitReview{Request: r, DecisionID: req.DecisionId, Comments: req.Comments,
			Function: fromEnum[ltc.ReviewFunction](ltcv1.ReviewFunction_name, int32(req.Function), "REVIEW_FUNCTION_"),
			Result:   fromEnum[ltc.ReviewResult](ltcv1.ReviewResult_name, int32(req.Result), "REVIEW_RESULT_")}
	})
	if err != nil {
		return nil, err
	}
	return &ltcv1.SubmitReviewResponse{Decision: d}, nil
}

func (s decisionService) Decide(ctx context.Context, req *ltcv1.DecideRequest) (*ltcv1.DecideResponse, error) {
	d, err := s.changeDecision(ctx, workflows.UpdateDecide, req.DecisionId, req.RequestId, req, func(r workflows.Request) any {
		return workflows.Decide{Request: r, DecisionID: req.DecisionId, Conditions: req.Conditions, Rationale: req.Rationale,
			Verdict: fromEnum[ltc.Verdict](ltcv1.Verdict_name, int32(req.Verdict), "VERDICT_"),
			Level:   fromEnum[ltc.ProjectLevel](ltcv1.ProjectLevel_name, int32(req.Level), "PROJECT_LEVEL_")}
	})
	if err != nil {
		return nil, err
	}
	return &ltcv1.DecideResponse{Decision: d}, nil
}

func (s decisionService) WithdrawDecision(ctx context.Context, req *ltcv1.WithdrawDecisionRequest) (*ltcv1.WithdrawDecisionResponse, error) {
	d, err := s.changeDecision(ctx, workflows.UpdateWithdrawDecision, req.DecisionId, req.RequestId, req, func(r workflows.Request) any {
		return workflows.WithdrawDecision{Request: r, DecisionID: req.DecisionId, Reason: req.Reason}
	})
	if err != nil {
		return nil, err
	}
	return &ltcv1.WithdrawDecisionResponse{Decision: d}, nil
}

func (s decisionService) GetDecision(ctx context.Context, req *ltcv1.GetDecisionRequest) (*ltcv1.GetDecisionResponse, error) {
	if err := ltc.CanRead(actorOf(ctx)); err != nil {
		return nil, err
	}
	d, err := s.decision(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	return &ltcv1.GetDecisionResponse{Decision: decisionToProto(d)}, nil
}

func (s decisionService) ListDecisions(ctx context.Context, req *ltcv1.ListDecisionsRequest) (*ltcv1.ListDecisionsResponse, error) {
	actor := actorOf(ctx)
	if err := ltc.CanRead(actor); err != nil {
		return nil, err
	}
	filter := store.DecisionFilter{
		OpportunityID: req.OpportunityId,
		Status:        fromEnum[ltc.DecisionStatus](ltcv1.DecisionStatus_name, int32(req.Status), "DECISION_STATUS_"),
	}
	if req.PendingForMe {
		filter.PendingFor = &actor
	}
	decisions, next, err := s.store.ListDecisions(ctx, filter, pageSize(req.PageSize), req.PageToken)
	if err != nil {
		return nil, listError(err)
	}
	resp := &ltcv1.ListDecisionsResponse{NextPageToken: next}
	for _, d := range decisions {
		resp.Decisions = append(resp.Decisions, decisionToProto(d))
	}
	return resp, nil
}

// listError answers a bad page token as INVALID_ARGUMENT.
func listError(err error) error {
	if errors.Is(err, store.ErrBadPageToken) {
		return invalidArgument(fieldViolation{"page_token", err.Error()})
	}
	return err
}
