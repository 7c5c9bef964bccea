package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/workflows"
)

// TestChangesADiscardedTaskWroteAreAdoptedInTheDatabaseOrder: the database holds a change at the revision the
// process is about to write (committed by a workflow task Temporal discarded, which the process never saw). The
// process adopts it, writes its own change on top as the next revision, with a time that does not go back, and a
// retry of the adopted request changes nothing.
func TestChangesADiscardedTaskWroteAreAdoptedInTheDatabaseOrder(t *testing.T) {
	e := newEnv(t)
	in := dealInput(ltc.DefaultPolicy())
	later := time.Now().Add(24 * time.Hour).UTC()
	phantom := in.Deal.Opportunity.UpdateAssessment(ltc.Assessment{WinRate: 30, Value: ltc.Money{Currency: "EUR", AmountMinor: 1}}, later)
	e.behind = func(c store.Change) *store.Behind {
		if c.Revision == 1 {
			return &store.Behind{Revision: 1, Opportunity: phantom, Requests: []string{"r-phantom"}}
		}
		return nil
	}
	mine := e.update(time.Minute, workflows.UpdateAssessment, "r-assess", cmd(req("r-assess", sales), ltc.UpdateAssessment{Assessment: ltc.Assessment{WinRate: 55, Value: ltc.Money{Currency: "EUR", AmountMinor: 3_000_000_00}}}))
	retried := e.update(2*time.Minute, workflows.UpdateAssessment, "r-phantom", cmd(req("r-phantom", sales), ltc.UpdateAssessment{Assessment: ltc.Assessment{WinRate: 30, Value: ltc.Money{Currency: "EUR", AmountMinor: 1}}}))
	var st workflows.DealState
	e.RegisterDelayedCallback(func() {
		v, err := e.QueryWorkflow(workflows.QueryDeal)
		require.NoError(t, err)
		require.NoError(t, v.Get(&st))
		e.CancelWorkflow()
	}, 3*time.Minute)
	e.ExecuteWorkflow(workflows.DealWorkflow, in)

	require.True(t, mine.done && retried.done)
	require.NoError(t, mine.err)
	require.NoError(t, retried.err)
	require.Len(t, e.changes, 1, "the process wrote its own change once; the adopted one is not written again")
	c := e.changes[0]
	assert.Equal(t, int64(2), c.Revision, "written on top of the adopted revision")
	assert.Equal(t, 55, c.Opportunity.Assessment.WinRate)
	assert.False(t, c.Events[0].OccurredAt.Before(later), "the change's time does not go back before the adopted one")
	assert.Equal(t, []string{"r-phantom", "r-assess"}, st.Applied, "the process's order is the database's")
	assert.Equal(t, int64(2), st.Revision)
}
