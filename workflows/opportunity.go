package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/ltcengine/ltc/internal/ltc"
)

// OpportunityWorkflow is the process of one deal (MO, 管理机会点), started by the lead's qualification in stage
// VALIDATION, where it waits: the stages, gates and closes beyond it are not built yet.
func OpportunityWorkflow(ctx workflow.Context, in OpportunityInput) (ltc.Opportunity, error) {
	o := in.Opportunity
	err := workflow.Await(ctx, func() bool { return o.Stage == ltc.StageClosed })
	return o, err
}
