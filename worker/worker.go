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

// New builds a worker with every workflow and activity of the engine registered; log gets the activities' lines
// (a failed write attempt).
func New(c client.Client, taskQueue string, st *store.Store, log *slog.Logger) sdkworker.Worker {
	w := sdkworker.New(c, taskQueue, sdkworker.Options{})
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
