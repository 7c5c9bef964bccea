// Package worker runs the engine's Temporal worker: the LTC workflows and their activities on one task queue.
package worker

import (
	"context"
	"fmt"
	"log/slog"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/ltcengine/ltc/activities"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/workflows"
)

// Options are the engine's worker options. Workflow-task pollers scale with the server's feedback: with the SDK's
// fixed two, the first tasks of new deals (on the task queue, not a worker's sticky one) waited behind the others'
// under 50 concurrent clients: CreateLead took 3.6 s at the median and total throughput fell to 0.65 of that at
// 10 clients; with scaling pollers 1.07 of it (bench, the bounded load).
func Options() sdkworker.Options {
	return sdkworker.Options{
		WorkflowTaskPollerBehavior: sdkworker.NewPollerBehaviorAutoscaling(sdkworker.PollerBehaviorAutoscalingOptions{}),
	}
}

// New builds a worker with every workflow and activity of the engine registered; log gets the activities' lines
// (a failed write attempt).
func New(c client.Client, taskQueue string, st *store.Store, log *slog.Logger) sdkworker.Worker {
	w := sdkworker.New(c, taskQueue, Options())
	w.RegisterWorkflow(workflows.DealWorkflow)
	w.RegisterWorkflow(workflows.LeadWorkflow)
	w.RegisterWorkflow(workflows.OpportunityWorkflow)
	w.RegisterWorkflow(workflows.AccountWorkflow)
	w.RegisterActivity(&activities.Activities{Store: st, Log: log})
	return w
}

// Run runs a worker until ctx ends.
func Run(ctx context.Context, c client.Client, taskQueue string, st *store.Store, log *slog.Logger) error {
	w := New(c, taskQueue, st, log)
	if err := w.Start(); err != nil {
		return err
	}
	<-ctx.Done()
	w.Stop()
	return nil
}

// StartAccountProcesses starts the process of every S and A account that has none yet (made by the migration from
// the deals recorded before accounts), so that their relationship-review cadence runs. Starting a process that
// runs already changes nothing, so every worker may do it when it starts.
func StartAccountProcesses(ctx context.Context, c client.Client, taskQueue string, st *store.Store, policy ltc.Policy) error {
	accounts, err := st.StrategicAccountsWithoutProcess(ctx)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID: workflows.AccountWorkflowID(a.ID), TaskQueue: taskQueue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
			WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		}, workflows.AccountWorkflow, workflows.AccountInput{ID: a.ID, Policy: policy, Account: &a})
		if err != nil {
			return fmt.Errorf("start the process of account %s: %w", a.ID, err)
		}
	}
	return nil
}
