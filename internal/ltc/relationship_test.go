package ltc_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

func day(year int, month time.Month, d int) time.Time {
	return time.Date(year, month, d, 0, 0, 0, 0, time.UTC)
}

// review is the relationship review of the quarter held on the date.
func review(quarter string, heldOn time.Time) ltc.RecordRelationshipReview {
	return ltc.RecordRelationshipReview{Review: ltc.RelationshipReview{Quarter: quarter,
		HeldOn:    ltc.Date{Year: heldOn.Year(), Month: int(heldOn.Month()), Day: heldOn.Day()},
		OurPeople: []ltc.Person{gSales.Person(), gExec1.Person()}, Conclusions: "the CTO values us; procurement does not",
		Actions: "invite procurement to the reference site", LevelAfter: ltc.LevelPreferredSupplier}}
}

// deadlineOf runs the account's next deadline at its time, as the account's process does, and returns the change.
func deadlineOf(t *testing.T, a ltc.Account, p ltc.Policy) (ltc.AccountDeadline, ltc.AccountChange) {
	t.Helper()
	d, ok := a.NextDeadline(p)
	require.True(t, ok, "the account waits for a deadline")
	ch, err := ltc.RunAccount(d.Command, a, ltc.Context{Actor: ltc.Actor{ID: "system"}, Now: d.Due, Policy: p})
	require.NoError(t, err)
	return d, ch
}

func TestTheQuarterlyReviewIsDueOverdueAndEscalated(t *testing.T) {
	p := ltc.DefaultPolicy()
	a := newAccount(t, ltc.GradeS) // at t0, 2 November 2026
	require.NotNil(t, a.Cadence)
	assert.Equal(t, day(2027, 1, 1), a.Cadence.ReviewDue, "due at the end of the quarter")
	assert.Equal(t, "2026-Q4", a.Cadence.Quarter())

	d, ch := deadlineOf(t, a, p)
	assert.Equal(t, day(2027, 1, 15), d.Due, "overdue after the 14 days' grace")
	assert.Equal(t, fmt.Sprintf("review-overdue:%s:2026-Q4:%d", a.ID, t0.UnixNano()), d.Key)
	assert.Equal(t, ltc.MarkReviewOverdue{Due: day(2027, 1, 1)}, d.Command)
	a = ch.Account
	assert.True(t, a.Cadence.Overdue)
	require.Len(t, ch.Events, 1)
	e := ch.Events[0]
	assert.Equal(t, ltc.EventRelationshipReviewOverdue, e.Type)
	assert.Equal(t, ltc.SystemPerson, e.Actor)
	assert.Equal(t, a.ID, e.AccountID)
	assert.Equal(t, []string{"user:g-sam", "user:g-sara", "user:g-fred", "user:g-bea"}, e.Recipients, "the owner and the team")
	assert.JSONEq(t, `{"quarter":"2026-Q4","due_at":"2027-01-01T00:00:00Z"}`, string(e.Data))

	d, ch = deadlineOf(t, a, p)
	assert.Equal(t, day(2027, 1, 22), d.Due, "escalated 7 days later")
	a = ch.Account
	assert.Equal(t, []string{"role:sales_manager@emea/germany"}, ch.Events[0].Recipients, "to the managers of the account's unit")
	assert.Equal(t, ltc.EventRelationshipReviewEscalated, ch.Events[0].Type)

	d, ch = deadlineOf(t, a, p)
	assert.Equal(t, day(2027, 1, 29), d.Due, "then as long again")
	a = ch.Account
	assert.Equal(t, []string{"role:executive@emea/germany"}, ch.Events[0].Recipients, "to the executives in scope")
	assert.JSONEq(t, `{"quarter":"2026-Q4","due_at":"2027-01-01T00:00:00Z","escalations":2}`, string(ch.Events[0].Data))
	assert.Empty(t, a.Deadlines(p), "and no further")

	// The engine's stale changes are refused: the state moved on.
	refused(t, a, ltc.Actor{ID: "system"}, ltc.MarkReviewOverdue{Due: day(2027, 1, 1)}, day(2027, 2, 1), ltc.KindPrecondition, "flagged already")
	refused(t, a, ltc.Actor{ID: "system"}, ltc.EscalateReview{Due: day(2027, 1, 1), Escalations: 1}, day(2027, 2, 1), ltc.KindPrecondition, "changed since")

	// A review of the quarter owed clears it, and the next is due at the end of the next quarter.
	ch = accepted(t, a, gSR, review("2026-Q4", day(2027, 1, 30)), day(2027, 1, 30).Add(10*time.Hour))
	a = ch.Account
	assert.Equal(t, &ltc.ReviewCadence{Since: t0, ReviewDue: day(2027, 4, 1)}, a.Cadence)
	d, _ = a.NextDeadline(p)
	assert.Equal(t, day(2027, 4, 15), d.Due)
	assert.Equal(t, fmt.Sprintf("review-overdue:%s:2027-Q1:%d", a.ID, t0.UnixNano()), d.Key, "one key per occurrence")
	assert.ElementsMatch(t, []string{"user:g-sam", "user:g-sara", "user:g-fred", "user:g-bea"}, ch.Events[0].Recipients)
	refused(t, a, ltc.Actor{ID: "system"}, ltc.MarkReviewOverdue{Due: day(2027, 1, 1)}, day(2027, 4, 15), ltc.KindPrecondition, "was recorded")

	// A review of an earlier quarter, recorded late, moves nothing back.
	late := accepted(t, a, gSales, review("2026-Q3", day(2027, 2, 2)), day(2027, 2, 2).Add(time.Hour)).Account
	assert.Equal(t, day(2027, 4, 1), late.Cadence.ReviewDue)
	assert.Len(t, late.Reviews, 2)
}

func TestAReviewOwedIsClearedByTheReviewWhileEscalated(t *testing.T) {
	p := ltc.DefaultPolicy()
	a := newAccount(t, ltc.GradeA)
	_, ch := deadlineOf(t, a, p)
	_, ch = deadlineOf(t, ch.Account, p)
	require.Equal(t, 1, ch.Account.Cadence.Escalations)
	a = accepted(t, ch.Account, gSales, review("2026-Q4", day(2027, 1, 25)), day(2027, 1, 25).Add(time.Hour)).Account
	assert.False(t, a.Cadence.Overdue)
	assert.Zero(t, a.Cadence.Escalations)
	d, _ := a.NextDeadline(p)
	assert.Equal(t, ltc.MarkReviewOverdue{Due: day(2027, 4, 1)}, d.Command)
}

func TestTheCadenceFollowsTheGrade(t *testing.T) {
	p := ltc.DefaultPolicy()
	assert.Empty(t, newAccount(t, ltc.GradeB).Deadlines(p), "a B account owes no reviews")

	// Made A with fewer than the grace days left of the quarter, the first review is due at the end of the next.
	b := newAccount(t, ltc.GradeC)
	a := accepted(t, b, gExec1, ltc.GradeAccount{Grade: ltc.GradeA, Rationale: "won the frame contract"}, day(2026, 12, 20)).Account
	assert.Equal(t, day(2027, 4, 1), a.Cadence.ReviewDue)
	a = accepted(t, b, gExec1, ltc.GradeAccount{Grade: ltc.GradeA, Rationale: "won the frame contract"}, day(2026, 12, 18)).Account
	assert.Equal(t, day(2027, 1, 1), a.Cadence.ReviewDue, "exactly the grace left: this quarter's")

	// S to A keeps the cadence; B ends it; A again starts a new one.
	s := newAccount(t, ltc.GradeS)
	_, ch := deadlineOf(t, s, p)
	overdue := ch.Account
	kept := accepted(t, overdue, gExec1, ltc.GradeAccount{Grade: ltc.GradeA, Rationale: "smaller"}, day(2027, 1, 16)).Account
	assert.Equal(t, overdue.Cadence, kept.Cadence)
	ended := accepted(t, overdue, gExec1, ltc.GradeAccount{Grade: ltc.GradeB, Rationale: "lost the tender"}, day(2027, 1, 16)).Account
	assert.Nil(t, ended.Cadence)
	assert.Empty(t, ended.Deadlines(p))
	refused(t, ended, ltc.Actor{ID: "system"}, ltc.EscalateReview{Due: day(2027, 1, 1)}, day(2027, 1, 22), ltc.KindPrecondition, "changed since")
	again := accepted(t, ended, gExec1, ltc.GradeAccount{Grade: ltc.GradeA, Rationale: "back"}, day(2027, 2, 10)).Account
	assert.Equal(t, &ltc.ReviewCadence{Since: day(2027, 2, 10), ReviewDue: day(2027, 4, 1)}, again.Cadence)

	// The policy sets the grace and the escalation.
	p.ReviewGrace, p.ReviewEscalateAfter = ltc.Duration(24*time.Hour), ltc.Duration(48*time.Hour)
	d, ch := deadlineOf(t, s, p)
	assert.Equal(t, day(2027, 1, 2), d.Due)
	d, _ = deadlineOf(t, ch.Account, p)
	assert.Equal(t, day(2027, 1, 4), d.Due)
}

func TestRecordRelationshipReview(t *testing.T) {
	a := withContacts(t, newAccount(t, ltc.GradeS), 1, false)
	now := day(2026, 12, 10).Add(9 * time.Hour)
	r := review("2026-Q4", day(2026, 12, 10))
	r.Review.Contacts = []string{a.Contacts[0].ID}
	ch := accepted(t, a, gBid, r, now)
	require.Len(t, ch.Account.Reviews, 1)
	got := ch.Account.Reviews[0]
	assert.Equal(t, gBid.Person(), got.By)
	assert.Equal(t, now, got.At)
	assert.Equal(t, ltc.LevelPreferredSupplier, got.LevelAfter)
	assert.Equal(t, day(2027, 4, 1), ch.Account.Cadence.ReviewDue)

	with := func(change func(*ltc.RelationshipReview)) ltc.RecordRelationshipReview {
		cmd := review("2026-Q4", day(2026, 12, 10))
		change(&cmd.Review)
		return cmd
	}
	for name, c := range map[string]struct {
		a    ltc.Account
		x    ltc.Actor
		cmd  ltc.RecordRelationshipReview
		kind ltc.Kind
		says string
	}{
		"a second review of the quarter": {ch.Account, gSales, review("2026-Q4", day(2026, 12, 10)), ltc.KindPrecondition, "review of 2026-Q4 is recorded already"},
		"a rep outside the team":         {a, gRep, review("2026-Q4", day(2026, 12, 10)), ltc.KindPermission, "recording a relationship review"},
		"a quarter to come":              {a, gSales, review("2027-Q1", day(2026, 12, 10)), ltc.KindInvalid, "held on a date in that quarter or after it"},
		"held after today":               {a, gSales, review("2026-Q4", day(2026, 12, 11)), ltc.KindInvalid, "not after today"},
		"a quarter that is none":         {a, gSales, review("2026-Q5", day(2026, 12, 10)), ltc.KindInvalid, `quarter "2026-Q5"`},
		"a quarter written otherwise":    {a, gSales, review("2026Q4", day(2026, 12, 10)), ltc.KindInvalid, `quarter "2026Q4"`},
		"no conclusions":                 {a, gSales, with(func(r *ltc.RelationshipReview) { r.Conclusions = "" }), ltc.KindInvalid, "conclusions is required"},
		"a level that is none":           {a, gSales, with(func(r *ltc.RelationshipReview) { r.LevelAfter = "FRIEND" }), ltc.KindInvalid, `"FRIEND" is not one of`},
		"a stranger attending":           {a, gSales, with(func(r *ltc.RelationshipReview) { r.Contacts = []string{"nobody"} }), ltc.KindInvalid, "is no contact of account"},
	} {
		t.Run(name, func(t *testing.T) { refused(t, c.a, c.x, c.cmd, now, c.kind, c.says) })
	}
	b := accepted(t, newAccount(t, ltc.GradeB), gSales, review("2026-Q4", day(2026, 12, 10)), now).Account
	assert.Len(t, b.Reviews, 1, "a B account may hold reviews")
	assert.Nil(t, b.Cadence, "and still owes none")
}

func TestAssessRelationship(t *testing.T) {
	a := newAccount(t, ltc.GradeA)
	assessment := ltc.RelationshipAssessment{Level: ltc.LevelPreferredSupplier, Communication: 4, BusinessFit: 3,
		JointUndertakings: 1, Identification: 2, Rationale: "no joint project yet"}
	first := accepted(t, a, gSR, ltc.AssessRelationship{Assessment: assessment}, t0).Account
	assessment.Level, assessment.JointUndertakings = ltc.LevelStrategicSupplier, 3
	second := accepted(t, first, gManager, ltc.AssessRelationship{Assessment: assessment}, t0.Add(time.Hour)).Account
	require.Len(t, second.RelationshipHistory, 2)
	assert.Equal(t, ltc.LevelPreferredSupplier, second.RelationshipHistory[0].Level, "the history keeps every assessment")
	assert.Equal(t, second.RelationshipHistory[1], *second.Relationship, "the latest is the current one")
	assert.Equal(t, gManager.Person(), second.Relationship.By)

	for name, c := range map[string]struct {
		change func(*ltc.RelationshipAssessment)
		says   string
	}{
		"no level":                     {func(r *ltc.RelationshipAssessment) { r.Level = "" }, `level "" is not one of`},
		"communication of 0":           {func(r *ltc.RelationshipAssessment) { r.Communication = 0 }, "communication is scored 1 to 5, not 0"},
		"business fit of 6":            {func(r *ltc.RelationshipAssessment) { r.BusinessFit = 6 }, "business_fit is scored 1 to 5, not 6"},
		"joint undertakings of -1":     {func(r *ltc.RelationshipAssessment) { r.JointUndertakings = -1 }, "joint_undertakings is scored 1 to 5, not -1"},
		"identification of 9":          {func(r *ltc.RelationshipAssessment) { r.Identification = 9 }, "identification is scored 1 to 5, not 9"},
		"a rationale with a NUL in it": {func(r *ltc.RelationshipAssessment) { r.Rationale = "\x00" }, "rationale must not contain control character"},
	} {
		t.Run(name, func(t *testing.T) {
			cmd := ltc.AssessRelationship{Assessment: assessment}
			c.change(&cmd.Assessment)
			refused(t, a, gSR, cmd, t0, ltc.KindInvalid, c.says)
		})
	}
	refused(t, a, gRep, ltc.AssessRelationship{Assessment: assessment}, t0, ltc.KindPermission, "assessing the relationship")
}

func TestSetAccountPlan(t *testing.T) {
	a := newAccount(t, ltc.GradeS)
	plan := func(year int, orders int64) ltc.SetAccountPlan {
		return ltc.SetAccountPlan{Plan: ltc.AccountPlan{Year: year, TargetLevel: ltc.LevelStrategicSupplier,
			TargetOrders: ltc.Money{Currency: "EUR", AmountMinor: orders}, Objectives: "a joint lab"}}
	}
	a = accepted(t, a, gSales, plan(2027, 10_000_000_00), t0).Account
	a = accepted(t, a, gSales, plan(2026, 5_000_000_00), t0).Account
	a = accepted(t, a, gManager, plan(2027, 12_000_000_00), t0).Account
	require.Len(t, a.Plans, 2, "one plan a year; a plan set again replaces its year's")
	assert.Equal(t, []int{2026, 2027}, []int{a.Plans[0].Year, a.Plans[1].Year}, "in the order of the years")
	assert.Equal(t, int64(12_000_000_00), a.Plan.TargetOrders.AmountMinor, "the plan is the latest year's")
	assert.Equal(t, gManager.Person(), a.Plan.By)

	refused(t, a, gSales, plan(2025, 1), t0, ltc.KindInvalid, "this year (2026) or a later one")
	refused(t, a, gSales, plan(2300, 1), t0, ltc.KindInvalid, "up to 2199")
	refused(t, a, gSales, ltc.SetAccountPlan{Plan: ltc.AccountPlan{Year: 2027, TargetLevel: "BEST", TargetOrders: ltc.Money{Currency: "EUR"}}},
		t0, ltc.KindInvalid, `target level "BEST"`)
	refused(t, a, gSales, ltc.SetAccountPlan{Plan: ltc.AccountPlan{Year: 2027, TargetLevel: ltc.LevelPartner}}, t0, ltc.KindInvalid, "target orders needs an ISO 4217 currency")
	refused(t, a, gRep, plan(2027, 1), t0, ltc.KindPermission, "planning the relationship")
}

func TestSatisfactionAndItsTrend(t *testing.T) {
	a := newAccount(t, ltc.GradeA)
	_, ok := a.Trend()
	assert.False(t, ok, "no trend before two periods are scored")
	score := func(period string, points int) ltc.RecordSatisfaction {
		return ltc.RecordSatisfaction{Score: ltc.SatisfactionScore{Period: period, Score: points, Respondents: 12}}
	}
	a = accepted(t, a, gSales, score("2026-Q4", 70), t0).Account
	a = accepted(t, a, gSales, score("2026-Q2", 80), t0).Account
	trend, ok := a.Trend()
	require.True(t, ok)
	assert.Equal(t, -10, trend, "periods are ordered by period, not by when they were recorded")
	a = accepted(t, a, gSR, score("2026-Q4", 85), t0).Account
	trend, _ = a.Trend()
	assert.Equal(t, 5, trend, "a period scored again replaces its score")
	assert.Len(t, a.Satisfaction, 2)

	refused(t, a, gSales, score("2027-Q1", 50), t0, ltc.KindInvalid, "no quarter begun")
	refused(t, a, gSales, score("Q4", 50), t0, ltc.KindInvalid, `period "Q4"`)
	refused(t, a, gSales, score("2026-Q4", 101), t0, ltc.KindInvalid, "0 to 100, not 101")
	refused(t, a, gSales, ltc.RecordSatisfaction{Score: ltc.SatisfactionScore{Period: "2026-Q4", Score: 50}}, t0, ltc.KindInvalid, "respondents")
	refused(t, a, gRep, score("2026-Q4", 50), t0, ltc.KindPermission, "recording satisfaction")
}

func TestQuarterOf(t *testing.T) {
	for at, want := range map[time.Time]string{
		day(2026, 1, 1):                       "2026-Q1",
		day(2026, 3, 31).Add(23 * time.Hour):  "2026-Q1",
		day(2026, 4, 1):                       "2026-Q2",
		day(2026, 12, 31).Add(23 * time.Hour): "2026-Q4",
		time.Date(2027, 1, 1, 7, 0, 0, 0, time.FixedZone("CST", 8*3600)): "2026-Q4", // UTC, not the local calendar
	} {
		assert.Equal(t, want, ltc.QuarterOf(at), at.String())
	}
}
