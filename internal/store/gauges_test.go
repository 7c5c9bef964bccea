package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

// The open deals of the gauges are the deals open for sales: a WON deal whose contract is in EXECUTION is not
// counted, nor a closed one.
func TestOpenDealsGaugeLeavesOutDealsInExecution(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	eur := ltc.Money{Currency: "EUR", AmountMinor: 1_000_00}
	for _, d := range []struct {
		stage   ltc.Stage
		outcome ltc.Outcome
	}{{ltc.StagePursuit, ""}, {ltc.StageHandover, ""}, {ltc.StageExecution, ltc.OutcomeWon}, {ltc.StageClosed, ltc.OutcomeLost}} {
		fixtureDeal{o: deal(ltc.LevelC, "sam", day(11, 2), eur, d.stage, d.outcome),
			changes: [][3]any{{string(ltc.StageValidation), string(d.stage), day(11, 3)}}}.write(t, s)
	}
	writeContract(t, s, "emea", "sam", ltc.Execution{Status: ltc.ContractExecution, Amount: eur})

	g, err := s.Gauges(ctx)
	require.NoError(t, err)
	open := map[ltc.Stage]int{}
	for _, d := range g.OpenDeals {
		open[d.Stage] += d.Count
	}
	assert.Equal(t, map[ltc.Stage]int{ltc.StagePursuit: 1, ltc.StageHandover: 1}, open)
}
