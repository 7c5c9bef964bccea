package workflows

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// The two processes a deal had before DealWorkflow: a LeadWorkflow per lead, which started the deal's
// OpportunityWorkflow as a child on qualification. Processes started so still run until they end, on the same
// commands and rules as DealWorkflow, and their recorded histories replay (TestRecordedHistoriesReplay); new deals
// start as DealWorkflow.

// LeadWorkflow is a lead's process of an earlier version: it records the lead, flags it overdue when the lead SLA
// passes, and on qualification starts the deal's OpportunityWorkflow.
func LeadWorkflow(ctx workflow.Context, in LeadInput) (ltc.Lead, error) {
	p := newProcess(ctx, in.Policy, nil, 0)
	p.qualified = p.startOpportunity
	if err := p.setup(ctx, leadCommands); err != nil {
		return ltc.Lead{}, err
	}
	if err := p.create(ctx, in.Request, in.Lead); err != nil {
		_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
		return ltc.Lead{}, err
	}
	closed := func() bool { return !p.deal.Lead.Open() }
	due := p.deal.Lead.SLADueAt.Sub(workflow.Now(ctx))
	if ok, err := workflow.AwaitWithTimeout(ctx, due, closed); err != nil {
		return p.deal.Lead, err
	} else if !ok {
		d, _ := p.deal.NextDeadline(p.policy)
		if err := p.system(ctx, d); err != nil {
			return p.deal.Lead, err
		}
	}
	if err := workflow.Await(ctx, closed); err != nil {
		return p.deal.Lead, err
	}
	return p.deal.Lead, workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// startOpportunity starts the deal's OpportunityWorkflow, which outlives the lead's: it is abandoned, not ended,
// when the lead's process completes.
func (p *process) startOpportunity(ctx workflow.Context, o ltc.Opportunity) error {
	child := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            OpportunityWorkflowID(o.ID),
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	})
	started := workflow.ExecuteChildWorkflow(child, OpportunityWorkflow, OpportunityInput{Opportunity: o, Policy: p.policy})
	return started.GetChildWorkflowExecution().Get(ctx, nil)
}

// OpportunityWorkflow is a deal's process of an earlier version, from VALIDATION (started by its LeadWorkflow) to
// the project summary.
func OpportunityWorkflow(ctx workflow.Context, in OpportunityInput) (ltc.Opportunity, error) {
	p := newProcess(ctx, in.Policy, in.Applied, in.Revision)
	o := in.Opportunity
	p.deal, p.created = ltc.Deal{Opportunity: &o}, &store.Request{}
	p.numbered = workflow.GetVersion(ctx, numberedWrites, workflow.DefaultVersion, 1) == 1
	if err := p.setup(ctx, dealCommands); err != nil {
		return o, err
	}
	again := func() error {
		return workflow.NewContinueAsNewError(ctx, OpportunityWorkflow, OpportunityInput{Opportunity: *p.deal.Opportunity, Policy: p.policy, Applied: p.applied, Revision: p.revision})
	}
	var err error
	if workflow.GetVersion(ctx, keptAlarmTimer, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		err = p.runStartingTimers(ctx, again)
	} else {
		err = p.run(ctx, again)
	}
	return *p.deal.Opportunity, err
}

// numberedWrites versions OpportunityWorkflow's writes: from version 1 each carries the process's revision.
const numberedWrites = "numbered-writes"

// keptAlarmTimer versions OpportunityWorkflow's run: from version 1 the deadline's timer is kept across changes.
const keptAlarmTimer = "kept-alarm-timer"

// runStartingTimers is run as it was before version 1 of keptAlarmTimer: it started a new timer after every
// change. Deals recorded before that version replay through it.
func (p *process) runStartingTimers(ctx workflow.Context, again func() error) error {
	for !p.deal.Ended() {
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return err
			}
			return again()
		}
		rev := p.rev
		changed := func() bool { return p.rev != rev }
		d, ok := p.deal.NextDeadline(p.policy)
		if !ok {
			if err := workflow.Await(ctx, changed); err != nil {
				return err
			}
			continue
		}
		if wait := d.Due.Sub(workflow.Now(ctx)); wait > 0 {
			if woke, err := workflow.AwaitWithTimeout(ctx, wait, changed); err != nil || woke {
				if err != nil {
					return err
				}
				continue
			}
		}
		if err := p.system(ctx, d); err != nil {
			return err
		}
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}
