package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

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

// changeDeal sends the command of a caller's request to the deal's process and returns the deal (and decision)
// after it. Each RPC that changes a deal is this call with the command its request makes.
func (s *Server) changeDeal(ctx context.Context, method, dealID, requestID string, req proto.Message, cmd ltc.Command) (workflows.DealResult, error) {
	request, err := newRequest(actorOf(ctx), method, requestID, req)
	if err != nil {
		return workflows.DealResult{}, err
	}
	return send[workflows.DealResult](ctx, s, change{
		method: method, dealID: dealID, request: request, arg: command(request, cmd),
		processes: []string{workflows.DealWorkflowID(dealID), workflows.OpportunityWorkflowID(dealID)},
		ended: func(ctx context.Context) error {
			o, err := s.deal(ctx, dealID)
			if err != nil {
				return err
			}
			return ltc.FailedPrecondition("deal %s is %s (%s) with its project summary in; its process has ended and takes no changes "+
				"but a REOPEN request (a deal closed without a win, within the policy's window)", dealID, o.Stage, o.Outcome)
		},
	})
}

// changeDecision sends a change of a decision to its deal's process.
func (s *Server) changeDecision(ctx context.Context, method, decisionID, requestID string, req proto.Message, cmd ltc.Command) (*ltcv1.Decision, error) {
	d, err := s.decision(ctx, decisionID)
	if err != nil {
		return nil, err
	}
	res, err := s.changeDeal(ctx, method, d.OpportunityID, requestID, req, cmd)
	if err != nil {
		return nil, err
	}
	return decisionToProto(*res.Decision), nil
}

// answered is the recorded answer to a request made before (ok), so that a retry is answered as the first call
// was even when what the API looks up before sending a command (the catalogue, the exchange rates) has changed
// since. A request id used for another request is ALREADY_EXISTS, as it is once sent.
func (s *Server) answered(ctx context.Context, method, requestID string, req proto.Message) (workflows.DealResult, bool, error) {
	var res workflows.DealResult
	request, err := newRequest(actorOf(ctx), method, requestID, req)
	if err != nil {
		return res, false, err
	}
	ok, err := s.answerFromRecord(ctx, change{method: method, request: request}, &res)
	return res, ok, err
}

// recordAnswer records the answer the API gave to a request the deal's process did not record (see
// store.RecordAnswer).
func (s *Server) recordAnswer(ctx context.Context, method, requestID string, req proto.Message, result workflows.DealResult) error {
	request, err := newRequest(actorOf(ctx), method, requestID, req)
	if err != nil {
		return err
	}
	doc, err := json.Marshal(result)
	if err != nil {
		return fmt.Errorf("encode the answer to request %s: %w", requestID, err)
	}
	return s.store.RecordAnswer(ctx, store.Request{ID: requestID, Method: method, PayloadHash: request.PayloadHash,
		DealID: result.Opportunity.ID, Result: doc, ActorID: request.Actor.ID})
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
	if err := ltc.CanReadDeal(actorOf(ctx), o); err != nil {
		return nil, err
	}
	return &ltcv1.GetOpportunityResponse{Opportunity: opportunityToProto(actorOf(ctx), o)}, nil
}

func (s opportunityService) ListOpportunities(ctx context.Context, req *ltcv1.ListOpportunitiesRequest) (*ltcv1.ListOpportunitiesResponse, error) {
	actor := actorOf(ctx)
	if err := ltc.CanRead(actor); err != nil {
		return nil, err
	}
	deals, next, err := s.store.ListOpportunities(ctx, store.OpportunityFilter{
		Stage:       fromEnum[ltc.Stage](ltcv1.Stage_name, int32(req.Stage), "STAGE_"),
		Outcome:     fromEnum[ltc.Outcome](ltcv1.Outcome_name, int32(req.Outcome), "OUTCOME_"),
		Level:       fromEnum[ltc.ProjectLevel](ltcv1.ProjectLevel_name, int32(req.Level), "PROJECT_LEVEL_"),
		OwnerID:     req.OwnerId,
		AccountID:   req.AccountId,
		Customer:    req.Customer,
		OverdueOnly: req.OverdueOnly,
		MemberID:    mine(actor, req.Mine),
		Reader:      &actor,
	}, pageSize(req.PageSize), req.PageToken)
	if err != nil {
		return nil, listError(err)
	}
	resp := &ltcv1.ListOpportunitiesResponse{NextPageToken: next}
	for _, o := range deals {
		resp.Opportunities = append(resp.Opportunities, opportunityToProto(actor, o))
	}
	return resp, nil
}

func (s opportunityService) UpdateAssessment(ctx context.Context, req *ltcv1.UpdateAssessmentRequest) (*ltcv1.UpdateAssessmentResponse, error) {
	assessment := assessmentFromProto(req.Assessment)
	if len(assessment.DecisionContacts) > 0 {
		if _, err := s.dealAccount(ctx, req.OpportunityId, assessment.DecisionContacts); err != nil {
			return nil, err
		}
	}
	o, err := s.dealResponse(ctx, workflows.UpdateAssessment, req.OpportunityId, req.RequestId, req, ltc.UpdateAssessment{Assessment: assessment})
	if err != nil {
		return nil, err
	}
	return &ltcv1.UpdateAssessmentResponse{Opportunity: o}, nil
}

func (s opportunityService) AppointTeam(ctx context.Context, req *ltcv1.AppointTeamRequest) (*ltcv1.AppointTeamResponse, error) {
	o, err := s.dealResponse(ctx, workflows.UpdateAppointTeam, req.OpportunityId, req.RequestId, req, ltc.AppointTeam{Team: teamFromProto(req.Members)})
	if err != nil {
		return nil, err
	}
	return &ltcv1.AppointTeamResponse{Opportunity: o}, nil
}

func (s opportunityService) CloseOpportunity(ctx context.Context, req *ltcv1.CloseOpportunityRequest) (*ltcv1.CloseOpportunityResponse, error) {
	o, err := s.dealResponse(ctx, workflows.UpdateCloseOpportunity, req.OpportunityId, req.RequestId, req, ltc.CloseOpportunity{Reason: req.Reason,
		Outcome: fromEnum[ltc.Outcome](ltcv1.Outcome_name, int32(req.Outcome), "OUTCOME_")})
	if err != nil {
		return nil, err
	}
	return &ltcv1.CloseOpportunityResponse{Opportunity: o}, nil
}

func (s decisionService) RequestDecision(ctx context.Context, req *ltcv1.RequestDecisionRequest) (*ltcv1.RequestDecisionResponse, error) {
	gate := fromEnum[ltc.Gate](ltcv1.Gate_name, int32(req.Gate), "GATE_")
	pkg := packageFromProto(req)
	if want := map[ltc.Gate]bool{ltc.GateInitiation: pkg.Initiation != nil, ltc.GateATB: pkg.Bid != nil,
		ltc.GateATC: pkg.Contract != nil, ltc.GateReopen: pkg.Reopen != nil,
		ltc.GateChangeOrder: pkg.ChangeOrder != nil, ltc.GateWriteOff: pkg.WriteOff != nil}; !want[gate] {
		return nil, invalidArgument(fieldViolation{"package", "the package must match the gate: initiation for INITIATION, bid for ATB, contract for ATC, " +
			"reopen for REOPEN, change_order for CHANGE_ORDER, write_off for WRITE_OFF"})
	}
	if gate == ltc.GateReopen {
		res, err := s.requestReopen(ctx, req, pkg)
		if err != nil {
			return nil, err
		}
		return &ltcv1.RequestDecisionResponse{Decision: decisionToProto(*res.Decision)}, nil
	}
	if res, ok, err := s.answered(ctx, workflows.UpdateRequestDecision, req.RequestId, req); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return &ltcv1.RequestDecisionResponse{Decision: decisionToProto(*res.Decision)}, nil
	}
	var value ltc.Money // the package's value, whose currency the level's exchange rate is of
	if pkg.Bid != nil || pkg.Contract != nil {
		var err error
		if pkg, err = s.priceLines(ctx, pkg); err != nil {
			return nil, err
		}
		priced, err := pkg.Priced()
		if err != nil {
			return nil, toStatus(err)
		}
		if priced.Bid != nil {
			value = priced.Bid.ProposedPrice
		} else {
			value = priced.Contract.FinalPrice
		}
	}
	if pkg.Initiation != nil {
		// The deciders see the account's standing and the decision chain's contacts as they are now.
		o, err := s.deal(ctx, req.OpportunityId)
		if err != nil {
			return nil, err
		}
		if o.Assessment != nil {
			value = o.Assessment.Value
		}
		if o.Customer.AccountID != "" {
			var chain []ltc.DecisionContact
			if o.Assessment != nil {
				chain = o.Assessment.DecisionContacts
			}
			a, err := s.account(ctx, o.Customer.AccountID)
			if err != nil {
				return nil, err
			}
			if a.Relationship != nil {
				pkg.Initiation.RelationshipLevel = a.Relationship.Level
			}
			pkg.Initiation.KeyContacts = a.KeyContacts(chain)
		}
	}
	rates, err := s.levelRates(ctx, value)
	if err != nil {
		return nil, err
	}
	res, err := s.changeDeal(ctx, workflows.UpdateRequestDecision, req.OpportunityId, req.RequestId, req, ltc.RequestDecision{Gate: gate, Package: pkg, Rates: rates})
	if err != nil {
		return nil, err
	}
	return &ltcv1.RequestDecisionResponse{Decision: decisionToProto(*res.Decision)}, nil
}

func (s decisionService) SubmitReview(ctx context.Context, req *ltcv1.SubmitReviewRequest) (*ltcv1.SubmitReviewResponse, error) {
	cmd := ltc.SubmitReview{DecisionID: req.DecisionId, Comments: req.Comments,
		Function: fromEnum[ltc.ReviewFunction](ltcv1.ReviewFunction_name, int32(req.Function), "REVIEW_FUNCTION_"),
		Result:   fromEnum[ltc.ReviewResult](ltcv1.ReviewResult_name, int32(req.Result), "REVIEW_RESULT_")}
	// A retry is answered from its request record before any look-up: the delegation it was made under may have
	// ended or been revoked since.
	if res, ok, err := s.answered(ctx, workflows.UpdateSubmitReview, req.RequestId, req); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return &ltcv1.SubmitReviewResponse{Decision: decisionToProto(*res.Decision)}, nil
	}
	var err error
	if cmd.OnBehalf, err = s.reviewsFor(ctx, cmd); err != nil {
		return nil, err
	}
	d, err := s.changeDecision(ctx, workflows.UpdateSubmitReview, req.DecisionId, req.RequestId, req, cmd)
	if err != nil {
		return nil, err
	}
	return &ltcv1.SubmitReviewResponse{Decision: d}, nil
}

func (s decisionService) Decide(ctx context.Context, req *ltcv1.DecideRequest) (*ltcv1.DecideResponse, error) {
	cmd := ltc.Decide{DecisionID: req.DecisionId, Conditions: req.Conditions, Rationale: req.Rationale,
		Verdict: fromEnum[ltc.Verdict](ltcv1.Verdict_name, int32(req.Verdict), "VERDICT_"),
		Level:   fromEnum[ltc.ProjectLevel](ltcv1.ProjectLevel_name, int32(req.Level), "PROJECT_LEVEL_")}
	// A retry is answered from its request record before any look-up, as RequestDecision's: the delegation it was
	// made under may have ended or been revoked since.
	if res, ok, err := s.answered(ctx, workflows.UpdateDecide, req.RequestId, req); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return &ltcv1.DecideResponse{Decision: decisionToProto(*res.Decision)}, nil
	}
	var err error
	if cmd.OnBehalf, err = s.decidesFor(ctx, cmd); err != nil {
		return nil, err
	}
	d, err := s.changeDecision(ctx, workflows.UpdateDecide, req.DecisionId, req.RequestId, req, cmd)
	if err != nil {
		return nil, err
	}
	return &ltcv1.DecideResponse{Decision: d}, nil
}

func (s decisionService) WithdrawDecision(ctx context.Context, req *ltcv1.WithdrawDecisionRequest) (*ltcv1.WithdrawDecisionResponse, error) {
	d, err := s.changeDecision(ctx, workflows.UpdateWithdrawDecision, req.DecisionId, req.RequestId, req, ltc.WithdrawDecision{DecisionID: req.DecisionId, Reason: req.Reason})
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
	o, err := s.deal(ctx, d.OpportunityID)
	if err != nil {
		return nil, err
	}
	if err := ltc.CanReadDecision(actorOf(ctx), o, d); err != nil && !s.readsAsDeputy(ctx, o, d) {
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
		Reader:        &actor,
	}
	if req.PendingForMe {
		filter.PendingFor = &actor
		var err error
		if filter.Delegations, err = s.store.DelegationsTo(ctx, actor.ID, time.Now()); err != nil {
			return nil, err
		}
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

// dealResponse sends a change of the deal and returns the deal after it, whole as GetOpportunity returns it (the
// process answers without its content): a caller changes a risk or reads a meeting from the answer as from a Get.
func (s opportunityService) dealResponse(ctx context.Context, method, dealID, requestID string, req proto.Message, cmd ltc.Command) (*ltcv1.Opportunity, error) {
	res, err := s.changeDeal(ctx, method, dealID, requestID, req, cmd)
	if err == nil {
		res.Opportunity, err = s.store.Whole(ctx, res.Opportunity)
	}
	if err != nil {
		return nil, err
	}
	return opportunityToProto(actorOf(ctx), res.Opportunity), nil
}

func (s opportunityService) AddRisk(ctx context.Context, req *ltcv1.AddRiskRequest) (*ltcv1.AddRiskResponse, error) {
	o, err := s.dealResponse(ctx, workflows.UpdateAddRisk, req.OpportunityId, req.RequestId, req, ltc.AddRisk{Risk: riskFromProto(req.Risk)})
	if err != nil {
		return nil, err
	}
	return &ltcv1.AddRiskResponse{Opportunity: o}, nil
}

func (s opportunityService) UpdateRisk(ctx context.Context, req *ltcv1.UpdateRiskRequest) (*ltcv1.UpdateRiskResponse, error) {
	if req.Risk.Id == "" {
		return nil, invalidArgument(fieldViolation{"risk.id", "names the risk to change"})
	}
	o, err := s.dealResponse(ctx, workflows.UpdateRisk, req.OpportunityId, req.RequestId, req, ltc.UpdateRisk{Risk: riskFromProto(req.Risk)})
	if err != nil {
		return nil, err
	}
	return &ltcv1.UpdateRiskResponse{Opportunity: o}, nil
}

func (s opportunityService) SubmitBid(ctx context.Context, req *ltcv1.SubmitBidRequest) (*ltcv1.SubmitBidResponse, error) {
	o, err := s.dealResponse(ctx, workflows.UpdateSubmitBid, req.OpportunityId, req.RequestId, req, ltc.SubmitBid{Bid: ltc.Bid{Price: moneyFromProto(req.Bid.Price),
		Date: dateFromProto(req.Bid.Date), Reference: req.Bid.Reference}})
	if err != nil {
		return nil, err
	}
	return &ltcv1.SubmitBidResponse{Opportunity: o}, nil
}

func (s opportunityService) RecordTenderResult(ctx context.Context, req *ltcv1.RecordTenderResultRequest) (*ltcv1.RecordTenderResultResponse, error) {
	o, err := s.dealResponse(ctx, workflows.UpdateTenderResult, req.OpportunityId, req.RequestId, req, ltc.RecordTenderResult{Result: ltc.TenderResult{
		Result: fromEnum[ltc.Tender](ltcv1.Tender_name, int32(req.Result.Result), "TENDER_"),
		Winner: req.Result.Winner, Reason: req.Result.Reason}})
	if err != nil {
		return nil, err
	}
	return &ltcv1.RecordTenderResultResponse{Opportunity: o}, nil
}

func (s opportunityService) SignContract(ctx context.Context, req *ltcv1.SignContractRequest) (*ltcv1.SignContractResponse, error) {
	o, err := s.dealResponse(ctx, workflows.UpdateSignContract, req.OpportunityId, req.RequestId, req, ltc.SignContract{Contract: ltc.Contract{Number: req.Contract.Number,
		Date: dateFromProto(req.Contract.Date), Amount: moneyFromProto(req.Contract.Amount), PaymentTerms: paymentTermsFromProto(req.Contract.PaymentTerms)}})
	if err != nil {
		return nil, err
	}
	return &ltcv1.SignContractResponse{Opportunity: o}, nil
}

func (s opportunityService) ScheduleHandover(ctx context.Context, req *ltcv1.ScheduleHandoverRequest) (*ltcv1.ScheduleHandoverResponse, error) {
	o, err := s.dealResponse(ctx, workflows.UpdateScheduleHandover, req.OpportunityId, req.RequestId, req, ltc.ScheduleHandover{Handover: ltc.Handover{ScheduledFor: req.ScheduleTime.AsTime(),
		Attendees: teamFromProto(req.Attendees)}})
	if err != nil {
		return nil, err
	}
	return &ltcv1.ScheduleHandoverResponse{Opportunity: o}, nil
}

func (s opportunityService) CompleteHandover(ctx context.Context, req *ltcv1.CompleteHandoverRequest) (*ltcv1.CompleteHandoverResponse, error) {
	o, err := s.dealResponse(ctx, workflows.UpdateCompleteHandover, req.OpportunityId, req.RequestId, req, ltc.CompleteHandover{Record: ltc.HandoverRecord{KeyTerms: req.Record.KeyTerms,
		Commitments: req.Record.Commitments, RisksHandedOver: req.Record.RisksHandedOver, OpenIssues: req.Record.OpenIssues}})
	if err != nil {
		return nil, err
	}
	return &ltcv1.CompleteHandoverResponse{Opportunity: o}, nil
}

func (s opportunityService) SubmitProjectSummary(ctx context.Context, req *ltcv1.SubmitProjectSummaryRequest) (*ltcv1.SubmitProjectSummaryResponse, error) {
	o, err := s.dealResponse(ctx, workflows.UpdateProjectSummary, req.OpportunityId, req.RequestId, req, ltc.SubmitProjectSummary{Summary: ltc.ProjectSummary{WinLossReasons: req.Summary.WinLossReasons,
		Lessons: req.Summary.Lessons, WinRateAccuracy: req.Summary.WinRateAccuracy}})
	if err != nil {
		return nil, err
	}
	return &ltcv1.SubmitProjectSummaryResponse{Opportunity: o}, nil
}

func (s opportunityService) ListEvents(ctx context.Context, req *ltcv1.ListEventsRequest) (*ltcv1.ListEventsResponse, error) {
	actor := actorOf(ctx)
	if err := ltc.CanRead(actor); err != nil {
		return nil, err
	}
	for i, typ := range req.Types {
		if !slices.Contains(ltc.EventTypes, typ) {
			return nil, invalidArgument(fieldViolation{fmt.Sprintf("types[%d]", i),
				fmt.Sprintf("%q is not an event type of the catalogue (see ltc.v1.Event.type)", typ)})
		}
	}
	limit := int(req.PageSize)
	if limit == 0 {
		limit = 100
	}
	page, err := s.store.Events(ctx, store.EventQuery{AfterSequence: req.AfterSequence, DealID: req.DealId,
		AccountID: req.AccountId, Types: req.Types, Limit: limit, Reader: &actor})
	if err != nil {
		return nil, err
	}
	resp := &ltcv1.ListEventsResponse{NextAfterSequence: page.Next}
	for _, e := range page.Events {
		resp.Events = append(resp.Events, s.eventToProto(actor, e))
	}
	return resp, nil
}

func (s opportunityService) SubmitWeeklyReport(ctx context.Context, req *ltcv1.SubmitWeeklyReportRequest) (*ltcv1.SubmitWeeklyReportResponse, error) {
	o, err := s.dealResponse(ctx, workflows.UpdateWeeklyReport, req.OpportunityId, req.RequestId, req, ltc.SubmitWeeklyReport{Report: ltc.WeeklyReport{Progress: req.Report.Progress, WinRate: int(req.Report.WinRate),
		NextSteps: req.Report.NextSteps, RisksAndIssues: req.Report.RisksAndIssues, HelpNeeded: req.Report.HelpNeeded}})
	if err != nil {
		return nil, err
	}
	return &ltcv1.SubmitWeeklyReportResponse{Opportunity: o}, nil
}

func (s opportunityService) RecordMeeting(ctx context.Context, req *ltcv1.RecordMeetingRequest) (*ltcv1.RecordMeetingResponse, error) {
	o, err := s.dealResponse(ctx, workflows.UpdateRecordMeeting, req.OpportunityId, req.RequestId, req, ltc.RecordMeeting{Meeting: meetingFromProto(req.Meeting)})
	if err != nil {
		return nil, err
	}
	return &ltcv1.RecordMeetingResponse{Opportunity: o}, nil
}

// dealAccount is the account of the deal, checked to hold every contact of the decision chain.
func (s *Server) dealAccount(ctx context.Context, dealID string, chain []ltc.DecisionContact) (ltc.Account, error) {
	o, err := s.deal(ctx, dealID)
	if err != nil {
		return ltc.Account{}, err
	}
	if o.Customer.AccountID == "" {
		return ltc.Account{}, ltc.FailedPrecondition("deal %s names no account, so its decision chain names no contacts", dealID)
	}
	a, err := s.account(ctx, o.Customer.AccountID)
	if err != nil {
		return a, err
	}
	var bad []fieldViolation
	for i, c := range chain {
		if _, ok := a.Contact(c.ContactID); !ok {
			bad = append(bad, fieldViolation{fmt.Sprintf("assessment.decision_contacts[%d].contact_id", i),
				fmt.Sprintf("contact %s is not a contact of account %s", c.ContactID, a.ID)})
		}
	}
	if len(bad) > 0 {
		return a, invalidArgument(bad...)
	}
	return a, nil
}

// mine is the member a list of "my deals" selects: the caller, when they ask for their own.
func mine(actor ltc.Actor, asked bool) string {
	if !asked {
		return ""
	}
	return actor.ID
}
