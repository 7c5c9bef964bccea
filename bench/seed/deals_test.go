package seed_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/bench/seed"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestSeededDealsAreSpreadAndFollowTheRules(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, testenv.Database(t), 4, nil)
	require.NoError(t, err)
	defer st.Close()
	first, err := seed.Deals(ctx, st, 0, 1500)
	require.NoError(t, err)
	more, err := seed.Deals(ctx, st, 1500, 3000)
	require.NoError(t, err, "a database grows in place")
	assert.Equal(t, 1500, first.Leads)
	assert.Equal(t, 3000, first.Leads+more.Leads)

	stages, outcomes, levels := map[ltc.Stage]int{}, map[ltc.Outcome]int{}, map[ltc.ProjectLevel]int{}
	deals, token := 0, ""
	for {
		page, next, err := st.ListOpportunities(ctx, store.OpportunityFilter{}, 200, token)
		require.NoError(t, err)
		for _, listed := range page {
			o, err := st.Opportunity(ctx, listed.ID) // a page carries summaries, without decisions
			require.NoError(t, err)
			deals++
			stages[o.Stage]++
			outcomes[o.Outcome]++
			levels[o.Level]++
			_, pending := o.Pending()
			review := strings.HasSuffix(string(o.Stage), "_REVIEW")
			assert.Equal(t, review, pending, "deal %s in %s has a pending decision exactly when it waits on a gate", o.ID, o.Stage)
			assert.False(t, o.UpdatedAt.After(seed.Epoch), "no step after the epoch")
		}
		if token = next; token == "" {
			break
		}
	}
	assert.Equal(t, first.Opportunities+more.Opportunities, deals)
	assert.InDelta(t, 0.9, float64(deals)/3000, 0.03, "about a tenth stay leads")
	for _, s := range []ltc.Stage{ltc.StageValidation, ltc.StageInitiationReview, ltc.StageTeamFormation, ltc.StagePursuit,
		ltc.StageATBReview, ltc.StageBidding, ltc.StageNegotiation, ltc.StageATCReview, ltc.StageContractSigning,
		ltc.StageHandover, ltc.StageExecution, ltc.StageClosed} {
		assert.Positive(t, stages[s], "some deals in %s", s)
	}
	for _, o := range []ltc.Outcome{ltc.OutcomeWon, ltc.OutcomeLost, ltc.OutcomeNoBid, ltc.OutcomeNotPursued, ltc.OutcomeAbandoned, ltc.OutcomeCancelled} {
		assert.Positive(t, outcomes[o], "some deals closed %s", o)
	}
	assert.Greater(t, levels[ltc.LevelC], levels[ltc.LevelB])
	assert.Greater(t, levels[ltc.LevelB], levels[ltc.LevelA])
	assert.InDelta(t, 0.2, float64(outcomes[ltc.OutcomeWon])/3000, 0.06, "about a fifth won")

	// The won deals' contracts run to cash: their invoices, as the cash report sums them, are the contracts' own.
	statuses, invoiced, collected := map[ltc.ContractStatus]int{}, map[string]int64{}, map[string]int64{}
	overdue := 0
	token = ""
	for {
		page, next, err := st.ListContracts(ctx, store.ContractFilter{Reach: ltc.Reach{All: true}, Today: seed.Epoch}, 200, token)
		require.NoError(t, err)
		for _, o := range page {
			statuses[o.Execution.Status]++
			for _, inv := range o.Execution.Invoices {
				invoiced[inv.Amount.Currency] += inv.Amount.AmountMinor
				collected[inv.Amount.Currency] += inv.Paid()
				if inv.Overdue && inv.Outstanding() > 0 {
					overdue++
				}
			}
		}
		if token = next; token == "" {
			break
		}
	}
	assert.Positive(t, statuses[ltc.ContractCompleted], "some contracts paid in full and closed")
	assert.Positive(t, statuses[ltc.ContractExecution], "some contracts still running")
	assert.Positive(t, overdue, "some invoices overdue")
	rows, err := st.CashReport(ctx, store.CashFilter{From: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), To: seed.Epoch,
		AsOf: seed.Epoch, Reach: ltc.Reach{All: true}})
	require.NoError(t, err)
	reported, reportedPaid := map[string]int64{}, map[string]int64{}
	for _, r := range rows {
		reported[r.Currency] += r.Invoiced
		reportedPaid[r.Currency] += r.Collected
	}
	assert.Equal(t, invoiced, reported, "the cash report's invoiced is what the contracts invoiced")
	assert.Equal(t, collected, reportedPaid, "and its collected what they were paid")

	exec := ltc.Actor{ID: "eva", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 2}
	inbox, _, err := st.ListDecisions(ctx, store.DecisionFilter{PendingFor: &exec}, 50, "")
	require.NoError(t, err)
	assert.NotEmpty(t, inbox)
	events, err := st.Events(ctx, store.EventQuery{DealID: seed.DealID(7), Limit: 100})
	require.NoError(t, err)
	require.NotEmpty(t, events.Events)
	assert.Equal(t, ltc.EventLeadCreated, events.Events[0].Type)
}

// BenchmarkDeal measures making one deal (without writing it): go test -bench Deal ./bench/seed
func BenchmarkDeal(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		if _, err := seed.MakeDeal(i); err != nil {
			b.Fatal(err)
		}
	}
}
