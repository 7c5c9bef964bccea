package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/ltcengine/ltc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// The procedure of docs/operations.md#upgrades, shown on a small process: version 1 waits a moment and ends;
// version 2 adds a step (a reminder timer) behind workflow.GetVersion; version 3 adds it without. A history
// recorded under version 1 replays under version 2, and fails under version 3.

func remind(ctx workflow.Context) error { return workflow.Sleep(ctx, time.Hour) }

func changeV1(ctx workflow.Context) (string, error) {
	if err := workflow.Sleep(ctx, time.Second); err != nil {
		return "", err
	}
	return "done", nil
}

func changeV2(ctx workflow.Context) (string, error) {
	if workflow.GetVersion(ctx, "reminder", workflow.DefaultVersion, 1) == 1 {
		if err := remind(ctx); err != nil {
			return "", err
		}
	}
	return changeV1(ctx)
}

func changeV3(ctx workflow.Context) (string, error) {
	if err := remind(ctx); err != nil {
		return "", err
	}
	return changeV1(ctx)
}

func TestAHistoryRecordedBeforeAChangeReplaysAfterIt(t *testing.T) {
	c, err := client.Dial(client.Options{HostPort: testenv.Temporal(t)})
	require.NoError(t, err)
	defer c.Close()
	queue := "safe-change-" + uuid.NewString()
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflowWithOptions(changeV1, workflow.RegisterOptions{Name: "Change"})
	require.NoError(t, w.Start())
	defer w.Stop()

	ctx := context.Background()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "change-" + uuid.NewString(), TaskQueue: queue}, "Change")
	require.NoError(t, err)
	require.NoError(t, run.Get(ctx, nil))
	history := &historypb.History{}
	it := c.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		history.Events = append(history.Events, ev)
	}

	replay := func(fn any) error {
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflowWithOptions(fn, workflow.RegisterOptions{Name: "Change"})
		return r.ReplayWorkflowHistory(nil, history)
	}
	assert.NoError(t, replay(changeV2), "the change behind GetVersion keeps the old history replayable")
	assert.Error(t, replay(changeV3), "the same change without it breaks the running process")
}
