package workflows

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// LeadWorkflow is the process of one lead (ML, 管理线索): it records the lead, waits for it to be qualified or
// disqualified, flags it overdue when the lead SLA passes (the lead stays open), and on qualification starts the
// deal's OpportunityWorkflow. It is started by update-with-start together with the CreateLead Update.
func LeadWorkflow(ctx workflow.Context, in LeadInput) (ltc.Lead, error) {
	p := &leadProcess{in: in, mu: workflow.NewMutex(ctx)}
	if err := p.setup(ctx); err != nil {
		return ltc.Lead{}, err
	}
	return p.run(ctx)
}

type leadProcess struct {
	in   LeadInput
	lead ltc.Lead
	// created is the lead as first recorded (the CreateLead result); createErr is why recording it failed.
	created   *ltc.Lead
	createErr error
	// mu serialises changes: each one checks its rule, records, then updates the state, with no other in between.
	mu workflow.Mutex
}

func (p *leadProcess) setup(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandler(ctx, UpdateCreateLead, p.awaitCreated); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateQualifyLead, p.qualify,
		workflow.UpdateHandlerOptions{Validator: p.validateQualify}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateDisqualifyLead, p.disqualify,
		workflow.UpdateHandlerOptions{Validator: p.validateDisqualify})
}

func (p *leadProcess) run(ctx workflow.Context) (ltc.Lead, error) {
	if err := p.create(ctx); err != nil {
		_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
		return ltc.Lead{}, err
	}
	closed := func() bool { return !p.lead.Open() }
	due := p.lead.SLADueAt.Sub(workflow.Now(ctx))
	if ok, err := workflow.AwaitWithTimeout(ctx, due, closed); err != nil {
		return p.lead, err
	} else if !ok {
		if err := p.markOverdue(ctx); err != nil {
			return p.lead, err
		}
	}
	if err := workflow.Await(ctx, closed); err != nil {
		return p.lead, err
	}
	return p.lead, workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

func (p *leadProcess) create(ctx workflow.Context) error {
	lead := ltc.NewLead(p.in.Lead, p.in.Policy, workflow.Now(ctx))
	err := record(ctx, store.Change{
		Request: requestRecord(p.in.Request, UpdateCreateLead, lead.ID, lead),
		Lead:    &lead,
		Events: []ltc.Event{{
			DealID: lead.ID, Type: ltc.EventLeadCreated, Actor: p.in.Request.Actor.Person(), RequestID: p.in.Request.ID,
			StageAfter: string(lead.State), Data: ltc.EventData(lead), OccurredAt: lead.CreatedAt,
		}},
	})
	if err != nil {
		p.createErr = err
		return err
	}
	p.lead, p.created = lead, &lead
	return nil
}

// awaitCreated answers the CreateLead Update once the lead is recorded. Like every Update of the engine it returns
// no value: the caller's result is in the request record, written with the change.
func (p *leadProcess) awaitCreated(ctx workflow.Context, _ Request) error {
	if err := workflow.Await(ctx, func() bool { return p.created != nil || p.createErr != nil }); err != nil {
		return err
	}
	return p.createErr
}

func (p *leadProcess) check(rule func(ltc.Actor, ltc.Lead) error, a ltc.Actor) error {
	if p.created == nil {
		return refusal(ltc.FailedPrecondition("lead %s is still being created; retry", p.in.Lead.ID))
	}
	return refusal(rule(a, p.lead))
}

func (p *leadProcess) validateQualify(_ workflow.Context, u QualifyLead) error {
	return p.check(ltc.CanQualifyLead, u.Request.Actor)
}

func (p *leadProcess) validateDisqualify(_ workflow.Context, u DisqualifyLead) error {
	return p.check(ltc.CanDisqualifyLead, u.Request.Actor)
}

func (p *leadProcess) qualify(ctx workflow.Context, u QualifyLead) error {
	if err := p.mu.Lock(ctx); err != nil {
		return err
	}
	defer p.mu.Unlock()
	if err := p.check(ltc.CanQualifyLead, u.Request.Actor); err != nil {
		return err
	}
	now := workflow.Now(ctx)
	lead := p.lead.Qualify(u.Qualification, p.lead.ID, now)
	opp := ltc.NewOpportunity(lead, now)
	actor := u.Request.Actor.Person()
	err := record(ctx, store.Change{
		Request:     requestRecord(u.Request, UpdateQualifyLead, lead.ID, QualifyLeadResult{Lead: lead, Opportunity: opp}),
		Lead:        &lead,
		Opportunity: &opp,
		Events: []ltc.Event{{
			DealID: lead.ID, Type: ltc.EventLeadQualified, Actor: actor, RequestID: u.Request.ID,
			StageBefore: string(p.lead.State), StageAfter: string(lead.State), Data: ltc.EventData(u.Qualification),
			OccurredAt: now,
		}, {
			DealID: opp.ID, Type: ltc.EventOpportunityCreated, Actor: actor, RequestID: u.Request.ID,
			StageAfter: string(opp.Stage), Data: ltc.EventData(opp), OccurredAt: now,
		}},
	})
	if err != nil {
		return err
	}
	// The deal's process outlives the lead's: it is abandoned, not ended, when this workflow completes.
	child := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            OpportunityWorkflowID(opp.ID),
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	})
	started := workflow.ExecuteChildWorkflow(child, OpportunityWorkflow, OpportunityInput{Opportunity: opp, Policy: p.in.Policy})
	if err := started.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		return err
	}
	p.lead = lead
	return nil
}

func (p *leadProcess) disqualify(ctx workflow.Context, u DisqualifyLead) error {
	if err := p.mu.Lock(ctx); err != nil {
		return err
	}
	defer p.mu.Unlock()
	if err := p.check(ltc.CanDisqualifyLead, u.Request.Actor); err != nil {
		return err
	}
	now := workflow.Now(ctx)
	lead := p.lead.Disqualify(u.Reason, now)
	err := record(ctx, store.Change{
		Request: requestRecord(u.Request, UpdateDisqualifyLead, lead.ID, lead),
		Lead:    &lead,
		Events: []ltc.Event{{
			DealID: lead.ID, Type: ltc.EventLeadDisqualified, Actor: u.Request.Actor.Person(), RequestID: u.Request.ID,
			StageBefore: string(p.lead.State), StageAfter: string(lead.State),
			Data: ltc.EventData(map[string]string{"reason": u.Reason}), OccurredAt: now,
		}},
	})
	if err != nil {
		return err
	}
	p.lead = lead
	return nil
}

// markOverdue flags the lead past its SLA and notifies its owner and the sales managers. The lead stays open.
func (p *leadProcess) markOverdue(ctx workflow.Context) error {
	if err := p.mu.Lock(ctx); err != nil {
		return err
	}
	defer p.mu.Unlock()
	if !p.lead.Open() {
		return nil
	}
	now := workflow.Now(ctx)
	lead := p.lead.MarkOverdue(now)
	err := record(ctx, store.Change{
		Request: requestRecord(Request{ID: "lead-overdue:" + lead.ID}, "LeadOverdue", lead.ID, lead),
		Lead:    &lead,
		Events: []ltc.Event{{
			DealID: lead.ID, Type: ltc.EventLeadOverdue, Actor: ltc.SystemPerson,
			StageBefore: string(lead.State), StageAfter: string(lead.State),
			Recipients: ltc.InUnit([]string{ltc.UserRecipient(lead.Owner.ID), ltc.RoleRecipient(ltc.RoleSalesManager)}, lead.Unit),
			Data:       ltc.EventData(map[string]any{"sla_due_at": lead.SLADueAt}), OccurredAt: now,
		}},
	})
	if err != nil {
		return err
	}
	p.lead = lead
	return nil
}
