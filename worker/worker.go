// Package worker runs the engine's Temporal worker: the LTC workflows and their activities on one task queue.
package worker

import (
	"context"
	"log/slog"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/ltcengine/ltc/activities"
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
