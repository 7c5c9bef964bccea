package ltc_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

func TestEveryLimitOfAnAccountIsRefusedNamingIt(t *testing.T) {
	when := day(2026, 12, 10).Add(9 * time.Hour)
	full := func(change func(*ltc.Account)) ltc.Account {
		a := withContacts(t, newAccount(t, ltc.GradeA), 1, false)
		change(&a)
		return a
	}
	quarters := func(n int) []string {
		var qs []string
		for i := range n {
			qs = append(qs, fmt.Sprintf("%d-Q%d", 1970+i/4, i%4+1))
		}
		return qs
	}
	team := func(n int) ltc.Team {
		var t ltc.Team
		for i := range n {
			t = append(t, ltc.TeamMember{Person: ltc.Person{ID: fmt.Sprintf("m%d", i)}, Role: ltc.TeamBidManager})
		}
		return t
	}
	planned := gift(full(func(*ltc.Account) {}), cny(100_00), ltc.ActivityPlanned)
	planned.Activity.Contacts = nil // each account here has contacts of its own
	for name, c := range map[string]struct {
		a    ltc.Account
		x    ltc.Actor
		cmd  ltc.AccountCommand
		says string
	}{
		"contacts": {full(func(a *ltc.Account) {
			for i := len(a.Contacts); i < ltc.MaxContacts; i++ {
				a.Contacts = append(a.Contacts, ltc.Contact{ID: fmt.Sprintf("c%d", i), AccountID: a.ID, Name: "c"})
			}
		}), gSales, ltc.AddContact{Contact: ltc.Contact{Name: "one more"}}, "at most 500 contacts and this change would make 501"},
		"grade changes": {full(func(a *ltc.Account) {
			for len(a.GradeHistory) < ltc.MaxGradeChanges {
				a.GradeHistory = append(a.GradeHistory, a.GradeHistory[0])
			}
		}), gExec1, ltc.GradeAccount{Grade: ltc.GradeS, Rationale: "again"}, "at most 100 grade changes"},
		"relationship assessments": {full(func(a *ltc.Account) {
			for range ltc.MaxRelationshipAssessments {
				a.RelationshipHistory = append(a.RelationshipHistory, ltc.RelationshipAssessment{Level: ltc.LevelVendor})
			}
		}), gSales, ltc.AssessRelationship{Assessment: ltc.RelationshipAssessment{Level: ltc.LevelVendor, Communication: 1,
			BusinessFit: 1, JointUndertakings: 1, Identification: 1}}, "at most 100 relationship assessments"},
		"yearly plans": {full(func(a *ltc.Account) {
			for i := range ltc.MaxAccountPlans {
				a.Plans = append(a.Plans, ltc.AccountPlan{Year: 2026 + i})
			}
		}), gSales, ltc.SetAccountPlan{Plan: ltc.AccountPlan{Year: 2100, TargetLevel: ltc.LevelPartner, TargetOrders: ltc.Money{Currency: "EUR"}}},
			"at most 20 yearly plans"},
		"relationship reviews": {full(func(a *ltc.Account) {
			for _, q := range quarters(ltc.MaxRelationshipReviews) {
				a.Reviews = append(a.Reviews, ltc.RelationshipReview{Quarter: q})
			}
		}), gSales, review("2026-Q4", day(2026, 12, 10)), "at most 100 relationship reviews"},
		"satisfaction scores": {full(func(a *ltc.Account) {
			for _, q := range quarters(ltc.MaxSatisfactionScores) {
				a.Satisfaction = append(a.Satisfaction, ltc.SatisfactionScore{Period: q})
			}
		}), gSales, ltc.RecordSatisfaction{Score: ltc.SatisfactionScore{Period: "2026-Q4", Score: 1, Respondents: 1}}, "at most 200 satisfaction scores"},
		"open activities": {full(func(a *ltc.Account) {
			for i := range ltc.MaxOpenActivities {
				a.OpenActivities = append(a.OpenActivities, ltc.Activity{ID: fmt.Sprintf("a%d", i), State: ltc.ActivityPlanned})
			}
		}), gSales, planned, "at most 100 open activities"},
		"team members": {full(func(*ltc.Account) {}), gManager, ltc.UpdateAccount{Fields: []string{"team"}, Team: team(ltc.MaxAccountTeam + 1)},
			"at most 50 team members"},
		"the process's bytes": {full(func(a *ltc.Account) {
			for _, q := range quarters(ltc.MaxRelationshipReviews - 1) {
				a.Reviews = append(a.Reviews, ltc.RelationshipReview{Quarter: q, Conclusions: strings.Repeat("结论", ltc.MaxTextChars/2)})
			}
		}), gSales, ltc.AddContact{Contact: ltc.Contact{Name: "one more"}}, "an account's process holds at most 1048576 bytes"},
	} {
		t.Run(name, func(t *testing.T) {
			refused(t, c.a, c.x, c.cmd, when, ltc.KindPrecondition, c.says)
		})
	}

	// One below each the change is taken.
	below := full(func(a *ltc.Account) {
		for i := len(a.Contacts); i < ltc.MaxContacts-1; i++ {
			a.Contacts = append(a.Contacts, ltc.Contact{ID: fmt.Sprintf("c%d", i), AccountID: a.ID, Name: "c"})
		}
		for i := range ltc.MaxOpenActivities - 1 {
			a.OpenActivities = append(a.OpenActivities, ltc.Activity{ID: fmt.Sprintf("a%d", i), State: ltc.ActivityPlanned})
		}
	})
	assert.Len(t, accepted(t, below, gSales, ltc.AddContact{Contact: ltc.Contact{Name: "the last one"}}, when).Account.Contacts, ltc.MaxContacts)
	assert.Len(t, accepted(t, below, gSales, planned, when).Account.OpenActivities, ltc.MaxOpenActivities)
	assert.Len(t, accepted(t, below, gManager, ltc.UpdateAccount{Fields: []string{"team"}, Team: team(ltc.MaxAccountTeam)}, when).Account.Team, ltc.MaxAccountTeam)

	// An account past a limit (a limit lowered, say) still takes changes that do not grow it.
	over := full(func(a *ltc.Account) {
		for i := len(a.Contacts); i <= ltc.MaxContacts; i++ {
			a.Contacts = append(a.Contacts, ltc.Contact{ID: fmt.Sprintf("c%d", i), AccountID: a.ID, Name: "c"})
		}
	})
	accepted(t, over, gSales, ltc.UpdateContact{ContactID: "c7", Fields: []string{"role"}, Contact: ltc.Contact{Role: ltc.ContactUser}}, when)
}

func TestTheEnginesOwnChangesOfAnAccountAreNeverRefusedForSize(t *testing.T) {
	a := newAccount(t, ltc.GradeS)
	for i := range ltc.MaxContacts + 1 {
		a.Contacts = append(a.Contacts, ltc.Contact{ID: fmt.Sprintf("c%d", i), Name: strings.Repeat("名", ltc.MaxNameChars)})
	}
	for i := range ltc.MaxRelationshipReviews {
		a.Reviews = append(a.Reviews, ltc.RelationshipReview{Quarter: fmt.Sprint(i), Conclusions: strings.Repeat("结论", ltc.MaxTextChars/2)})
	}
	_, ch := deadlineOf(t, a, ltc.DefaultPolicy())
	assert.True(t, ch.Account.Cadence.Overdue, "a deadline's change is taken whatever the account's size")
	_, err := runAccount(a, gSales, ltc.AddContact{Contact: ltc.Contact{Name: "but people's changes are refused"}}, t0)
	assert.Equal(t, ltc.KindPrecondition, ltc.KindOf(err))
	require.Error(t, err)
}
