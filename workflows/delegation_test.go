package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/workflows"
)

// TestADelegationEndsByItselfAtItsPeriodsEnd sends a deputy's rulings with the delegations the API found: the
// process checks each against the Update's own time, so the one whose period ended by then is refused without a
// timer, and the one in force records both names.
func TestADelegationEndsByItselfAtItsPeriodsEnd(t *testing.T) {
	now := time.Now() // the test environment's clock starts now
	deputy := ltc.Actor{ID: "dan", Name: "Dan", Roles: []ltc.Role{ltc.RoleSales}}
	ended := ltc.Delegation{ID: "D1", Delegator: exec2, Deputy: deputy.Person(), Start: now.Add(-time.Hour), End: now.Add(150 * time.Second)}
	current := ended
	current.ID, current.End = "D2", now.Add(time.Hour)
	onBehalf := func(id string, dl ltc.Delegation) step {
		return step{name: workflows.UpdateDecide, arg: cmd(req(id, deputy), ltc.Decide{DecisionID: initiationID,
			Verdict: ltc.VerdictApprove, Rationale: "for Eva", OnBehalf: &dl})}
	}
	e, out := runDeal(t, ltc.DefaultPolicy(), assess(), requestInitiation(ltc.LevelB),
		onBehalf("r-d1", ended),   // at 3 minutes: ended at 2.5
		onBehalf("r-d2", current), // at 4 minutes
	)
	assert.Equal(t, ltc.KindPermission, refusedKind(t, out[2]), "the delegation's period ended")
	r := result(t, out[3])
	assert.Equal(t, ltc.DecisionApproved, r.Decision.Status)
	assert.Equal(t, deputy.Person(), *r.Decision.DecidedBy)
	assert.Equal(t, exec2.Person(), *r.Decision.OnBehalfOf)
	assert.Equal(t, 2, r.Decision.DeciderAuthority)
	assert.Equal(t, exec2.ID, r.Opportunity.Sponsor.ID, "the delegator sponsors what their authority approved")
	decided := e.changes[len(e.changes)-1].Events[0]
	assert.Equal(t, ltc.EventDecisionDecided, decided.Type)
	assert.Equal(t, deputy.ID, decided.Actor.ID)
}
