package api

import (
	"context"
	"errors"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ltcengine/ltc/internal/auth"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
	"github.com/ltcengine/ltc/workflows"
)

type leadService struct {
	ltcv1.UnimplementedLeadServiceServer
	*Server
}

func (s leadService) CreateLead(ctx context.Context, req *ltcv1.CreateLeadRequest) (*ltcv1.CreateLeadResponse, error) {
	actor := actorOf(ctx)
	owner := actor.Person()
	if req.Owner != nil {
		owner = ltc.Person{ID: req.Owner.Id, Name: req.Owner.Name}
	}
	unit := actor.Unit
	if req.OrgUnit != "" {
		var err error
		if unit, err = ltc.ParseUnit(req.OrgUnit); err != nil {
			return nil, invalidArgument(fieldViolation{"org_unit", err.Error()})
		}
	}
	if err := ltc.CanCreateLead(actor, owner, unit); err != nil {
		return nil, err
	}
	request, err := newRequest(actor, workflows.UpdateCreateLead, req.RequestId, req)
	if err != nil {
		return nil, err
	}
	id := ltc.LeadID(req.RequestId)
	customer, err := s.leadAccount(ctx, req, id, owner, unit)
	if err != nil {
		return nil, err
	}
	lead := ltc.Lead{
		ID:                id,
		Customer:          customer,
		Title:             req.Title,
		Description:       req.Description,
		Source:            fromEnum[ltc.LeadSource](ltcv1.LeadSource_name, int32(req.Source), "LEAD_SOURCE_"),
		EstimatedValue:    moneyFromProto(req.EstimatedValue),
		ExpectedCloseDate: dateFromProto(req.ExpectedCloseDate),
		Owner:             owner,
		Unit:              unit,
		CreatedBy:         actor.Person(),
	}
	start := s.temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       workflows.DealWorkflowID(lead.ID),
		TaskQueue:                s.taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.DealWorkflow, workflows.DealInput{Lead: lead, Policy: s.policy, Request: request})
	created, err := send[ltc.Lead](ctx, s.Server, change{
		method: workflows.UpdateCreateLead, dealID: lead.ID, processes: []string{workflows.DealWorkflowID(lead.ID)},
		request: request, arg: request, recordFirst: true,
		issue: func(ctx context.Context, opts client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
			return s.temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
				StartWorkflowOperation: start, UpdateOptions: opts,
			})
		},
	})
	if err != nil {
		return nil, err
	}
	return &ltcv1.CreateLeadResponse{Lead: leadToProto(created)}, nil
}

// leadAccount is the customer of a new lead, as its account has it: the account the request names, which the
// caller must be able to read; or, for a new customer, the account of the same normalised name and region, or one
// created for it (owned by the lead's owner in the lead's unit, graded as the lead declares: ltc.CreateAccount.Lead).
// A retried CreateLead finds the account its first attempt made.
func (s leadService) leadAccount(ctx context.Context, req *ltcv1.CreateLeadRequest, leadID string, owner ltc.Person, unit ltc.Unit) (ltc.Customer, error) {
	if req.AccountId != "" {
		a, err := s.readableAccount(ctx, req.AccountId)
		if err != nil {
			return ltc.Customer{}, err
		}
		return accountCustomer(a), nil
	}
	c := customerFromProto(req.Customer)
	existing, err := s.store.AccountByKey(ctx, c.Name, c.Region)
	if errors.Is(err, store.ErrNotFound) {
		var a ltc.Account
		a, _, err = s.createAccount(ctx, req.RequestId+"/account", req, ltc.CreateAccount{Name: c.Name, Grade: c.Grade,
			Industry: c.Industry, Region: c.Region, Unit: unit, Owner: owner, Lead: leadID})
		if err == nil {
			return accountCustomer(a), nil
		}
		if status.Code(err) != codes.AlreadyExists {
			return ltc.Customer{}, err
		}
		// Created meanwhile by another request: the lead names it.
		existing, err = s.store.AccountByKey(ctx, c.Name, c.Region)
	}
	if err != nil {
		return ltc.Customer{}, err
	}
	a, err := s.account(ctx, existing)
	if err != nil {
		return ltc.Customer{}, err
	}
	return accountCustomer(a), nil
}

// accountCustomer is the account as a lead names its customer.
func accountCustomer(a ltc.Account) ltc.Customer {
	return ltc.Customer{AccountID: a.ID, Name: a.Name, Grade: a.Grade, Industry: a.Industry, Region: a.Region}
}

func (s leadService) GetLead(ctx context.Context, req *ltcv1.GetLeadRequest) (*ltcv1.GetLeadResponse, error) {
	if err := ltc.CanRead(actorOf(ctx)); err != nil {
		return nil, err
	}
	lead, err := s.lead(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	if err := ltc.CanReadLead(actorOf(ctx), lead); err != nil {
		return nil, err
	}
	return &ltcv1.GetLeadResponse{Lead: leadToProto(lead)}, nil
}

func (s leadService) ListLeads(ctx context.Context, req *ltcv1.ListLeadsRequest) (*ltcv1.ListLeadsResponse, error) {
	actor := actorOf(ctx)
	if err := ltc.CanRead(actor); err != nil {
		return nil, err
	}
	filter := store.LeadFilter{
		State:       fromEnum[ltc.LeadState](ltcv1.LeadState_name, int32(req.State), "LEAD_STATE_"),
		OwnerID:     req.OwnerId,
		AccountID:   req.AccountId,
		Customer:    req.Customer,
		OverdueOnly: req.OverdueOnly,
		Reader:      &actor,
	}
	leads, next, err := s.store.ListLeads(ctx, filter, pageSize(req.PageSize), req.PageToken)
	if err != nil {
		return nil, listError(err)
	}
	resp := &ltcv1.ListLeadsResponse{NextPageToken: next}
	for _, l := range leads {
		resp.Leads = append(resp.Leads, leadToProto(l))
	}
	return resp, nil
}

func (s leadService) QualifyLead(ctx context.Context, req *ltcv1.QualifyLeadRequest) (*ltcv1.QualifyLeadResponse, error) {
	actor := actorOf(ctx)
	request, err := newRequest(actor, workflows.UpdateQualifyLead, req.RequestId, req)
	if err != nil {
		return nil, err
	}
	res, err := send[workflows.QualifyLeadResult](ctx, s.Server, change{
		method: workflows.UpdateQualifyLead, dealID: req.LeadId, processes: leadProcesses(req.LeadId), request: request,
		arg:   command(request, ltc.QualifyLead{Qualification: qualificationFromProto(req.Qualification)}),
		ended: s.leadEnded(req.LeadId, actor, ltc.CanQualifyLead),
	})
	if err != nil {
		return nil, err
	}
	return &ltcv1.QualifyLeadResponse{Lead: leadToProto(res.Lead), Opportunity: opportunityToProto(actor, res.Opportunity)}, nil
}

func (s leadService) DisqualifyLead(ctx context.Context, req *ltcv1.DisqualifyLeadRequest) (*ltcv1.DisqualifyLeadResponse, error) {
	actor := actorOf(ctx)
	request, err := newRequest(actor, workflows.UpdateDisqualifyLead, req.RequestId, req)
	if err != nil {
		return nil, err
	}
	lead, err := send[ltc.Lead](ctx, s.Server, change{
		method: workflows.UpdateDisqualifyLead, dealID: req.LeadId, processes: leadProcesses(req.LeadId), request: request,
		arg:   command(request, ltc.DisqualifyLead{Reason: req.Reason}),
		ended: s.leadEnded(req.LeadId, actor, ltc.CanDisqualifyLead),
	})
	if err != nil {
		return nil, err
	}
	return &ltcv1.DisqualifyLeadResponse{Lead: leadToProto(lead)}, nil
}

// leadProcesses are the processes a lead's changes go to: its deal's, or the lead's own of an earlier version.
func leadProcesses(id string) []string {
	return []string{workflows.DealWorkflowID(id), workflows.LeadWorkflowID(id)}
}

func (s leadService) lead(ctx context.Context, id string) (ltc.Lead, error) {
	lead, err := s.store.Lead(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return lead, ltc.NotFound("lead %s not found", id)
	}
	return lead, err
}

// leadEnded explains a call on a lead whose process is not running: the lead is unknown, or closed, in which case
// the rule itself names what is wrong (who may, and which state it is in).
func (s leadService) leadEnded(id string, actor ltc.Actor, rule func(ltc.Actor, ltc.Lead) error) func(context.Context) error {
	return func(ctx context.Context) error {
		lead, err := s.lead(ctx, id)
		if err != nil {
			return err
		}
		if err := rule(actor, lead); err != nil {
			return err
		}
		return ltc.FailedPrecondition("lead %s is %s and its process has ended", id, lead.State)
	}
}

// pageSize applies the default page size.
func pageSize(n int32) int {
	if n <= 0 {
		return 50
	}
	return int(n)
}

// actorOf returns the caller; the auth interceptor guarantees there is one.
func actorOf(ctx context.Context) ltc.Actor {
	a, _ := auth.ActorFrom(ctx)
	return a
}
