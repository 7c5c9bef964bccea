package workflows_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	"github.com/ltcengine/ltc/workflows"
)

// TestRecordedHistoriesReplay replays every history recorded from a real server (go test ./internal/api
// -record-histories writes them) against the current workflow code: a change that would break a running
// process fails here.
func TestRecordedHistoriesReplay(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflow(workflows.DealWorkflow)
	replayer.RegisterWorkflow(workflows.LeadWorkflow)
	replayer.RegisterWorkflow(workflows.OpportunityWorkflow)
	replayer.RegisterWorkflow(workflows.AccountWorkflow)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(nil, f))
		})
	}
}
