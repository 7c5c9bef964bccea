package ltc_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

// run applies the command as the actor at the time, failing the test on a refusal.
func apply(t *testing.T, d ltc.Deal, a ltc.Actor, at time.Time, cmd ltc.Command, id string) ltc.Change {
	t.Helper()
	ch, err := ltc.Run(cmd, d, ltc.Context{Actor: a, Now: at, Policy: ltc.DefaultPolicy(), RequestID: id})
	require.NoError(t, err)
	return ch
}

func kindOf(d ltc.Deal, a ltc.Actor, at time.Time, cmd ltc.Command) ltc.Kind {
	_, err := ltc.Run(cmd, d, ltc.Context{Actor: a, Now: at, Policy: ltc.DefaultPolicy(), RequestID: "r"})
	return ltc.KindOf(err)
}

func lostDeal(t *testing.T) ltc.Deal {
	o := validated()
	d := ltc.Deal{Lead: ltc.Lead{ID: o.ID, State: ltc.LeadQualified}, Opportunity: &o}
	return apply(t, d, owner, t0, ltc.CloseOpportunity{Outcome: ltc.OutcomeLost, Reason: "price"}, "close").Deal
}

func reopenTo(s ltc.Stage) ltc.RequestDecision {
	return ltc.RequestDecision{Gate: ltc.GateReopen, Package: ltc.Package{Reopen: &ltc.ReopenPackage{Stage: s, Rationale: "the customer came back"}}}
}

func TestReopen(t *testing.T) {
	d := lostDeal(t)
	day := 24 * time.Hour
	at := t0.Add(10 * day)

	assert.Equal(t, ltc.KindPermission, kindOf(d, rep, at, reopenTo(ltc.StageValidation)), "a rep who does not own it")
	assert.Equal(t, ltc.KindInvalid, kindOf(d, owner, at, reopenTo(ltc.StageBidding)), "not a stage to return to")
	assert.Equal(t, ltc.KindInvalid, kindOf(d, owner, at, ltc.RequestDecision{Gate: ltc.GateReopen}), "no package")
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, owner, at, reopenTo(ltc.StagePursuit)), "no team to pursue with")
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, owner, t0.Add(181*day), reopenTo(ltc.StageValidation)), "outside the window")

	ch := apply(t, d, owner, at, reopenTo(ltc.StageValidation), "reopen")
	dec := *ch.Decision
	assert.Equal(t, ltc.GateReopen, dec.Gate)
	assert.Equal(t, ltc.StageClosed, ch.Deal.Opportunity.Stage, "closed while the decision is pending")
	assert.Equal(t, 1, dec.Authority, "level C's authority")
	d = ch.Deal
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, owner, at, reopenTo(ltc.StageValidation)), "one pending decision")

	decide := ltc.Decide{DecisionID: dec.ID, Verdict: ltc.VerdictApprove, Rationale: "worth it"}
	assert.Equal(t, ltc.KindPermission, kindOf(d, manager, at, decide), "a manager does not decide a REOPEN")
	assert.Equal(t, ltc.KindPermission, kindOf(d, owner, at, decide), "the requester does not decide")
	rejected := apply(t, d, exec1, at, ltc.Decide{DecisionID: dec.ID, Verdict: ltc.VerdictReject, Rationale: "no"}, "no")
	assert.Equal(t, ltc.StageClosed, rejected.Deal.Opportunity.Stage)
	assert.Equal(t, ltc.OutcomeLost, rejected.Deal.Opportunity.Outcome)

	ch = apply(t, d, exec1, at, decide, "yes")
	o := *ch.Deal.Opportunity
	assert.Equal(t, ltc.StageValidation, o.Stage)
	assert.Empty(t, o.Outcome)
	assert.Nil(t, o.ClosedAt)
	assert.Nil(t, o.SummaryDueAt, "the approval waives the summary the close owed")
	require.Len(t, o.Reopenings, 1)
	assert.Equal(t, ltc.OutcomeLost, o.Reopenings[0].Outcome)
	assert.Equal(t, "price", o.Reopenings[0].CloseReason)
	var types []string
	for _, e := range ch.Events {
		types = append(types, e.Type)
	}
	assert.Equal(t, []string{ltc.EventDecisionDecided, ltc.EventOpportunityReopened}, types)
	assert.False(t, ch.Deal.Ended())
	apply(t, ch.Deal, owner, at, ltc.UpdateAssessment{Assessment: ltc.Assessment{WinRate: 40}}, "again")
}

func TestReopenNotWon(t *testing.T) {
	d := lostDeal(t)
	o := *d.Opportunity
	o.Outcome = ltc.OutcomeWon
	d.Opportunity = &o
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, owner, t0, reopenTo(ltc.StageValidation)))
	open := validated()
	assert.Equal(t, ltc.KindPrecondition, kindOf(ltc.Deal{Opportunity: &open}, owner, t0, reopenTo(ltc.StageValidation)))
}

func TestReassign(t *testing.T) {
	lead := ltc.NewLead(ltc.Lead{ID: "L1", Owner: owner.Person(), CreatedBy: manager.Person()}, ltc.DefaultPolicy(), t0)
	d := ltc.Deal{Lead: lead}
	give := ltc.ReassignLead{Owner: rep.Person(), Reason: "territory"}
	assert.Equal(t, ltc.KindPermission, kindOf(d, owner, t0, give))
	assert.Equal(t, ltc.KindInvalid, kindOf(d, manager, t0, ltc.ReassignLead{Owner: rep.Person()}))
	ch := apply(t, d, manager, t0, give, "g")
	assert.Equal(t, rep.ID, ch.Deal.Lead.Owner.ID)
	assert.Equal(t, ltc.EventLeadReassigned, ch.Events[0].Type)
	assert.Equal(t, ltc.KindInvalid, kindOf(ch.Deal, manager, t0, give), "owned already")

	o := validated()
	o.Team = ltc.Team{{Person: owner.Person(), Role: ltc.TeamAR}, {Person: ltc.Person{ID: "sol"}, Role: ltc.TeamSR}, {Person: owner.Person(), Role: ltc.TeamFR}}
	d = ltc.Deal{Opportunity: &o}
	ch = apply(t, d, exec1, t0, ltc.ReassignOwner{Owner: rep.Person(), Reason: "leave"}, "o")
	next := ch.Deal.Opportunity
	assert.Equal(t, rep.ID, next.Owner.ID)
	assert.True(t, next.Team.Holds(rep.ID, ltc.TeamAR))
	assert.True(t, next.Team.Holds(owner.ID, ltc.TeamFR), "only the AR changes")
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, manager, t0, ltc.ReassignOwner{Owner: ltc.Person{ID: "sol"}, Reason: "x"}), "the SR cannot be AR")
	assert.Equal(t, ltc.KindPermission, kindOf(d, rep, t0, ltc.ReassignOwner{Owner: rep.Person(), Reason: "x"}))
}

func TestReassignReview(t *testing.T) {
	o, dec := requested(ltc.LevelB, ltc.DefaultPolicy())
	o.Decisions[0].RequiredReviews = []ltc.ReviewFunction{ltc.FunctionFinance}
	d := ltc.Deal{Opportunity: &o}
	other := ltc.Actor{ID: "fred", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionFinance}}
	assign := ltc.ReassignReview{DecisionID: dec.ID, Function: ltc.FunctionFinance, Reviewer: other.Person(), Reason: "fiona is away"}
	assert.Equal(t, ltc.KindPermission, kindOf(d, owner, t0, assign))
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, manager, t0, ltc.ReassignReview{DecisionID: dec.ID, Function: ltc.FunctionLegal, Reviewer: other.Person(), Reason: "x"}))
	assert.Equal(t, ltc.KindPrecondition, kindOf(d, manager, t0, ltc.ReassignReview{DecisionID: dec.ID, Function: ltc.FunctionFinance, Reviewer: owner.Person(), Reason: "x"}), "the owner never reviews")
	ch := apply(t, d, manager, t0, assign, "a")
	review := ltc.SubmitReview{DecisionID: dec.ID, Function: ltc.FunctionFinance, Result: ltc.ReviewPass}
	assert.Equal(t, ltc.KindPermission, kindOf(ch.Deal, finance, t0, review), "assigned to someone else")
	apply(t, ch.Deal, other, t0, review, "r")
	fns, who := ch.Decision.AssignedReviews()
	assert.Equal(t, []ltc.ReviewFunction{ltc.FunctionFinance}, fns)
	assert.Equal(t, []string{"fred"}, who)
}

// A deal reopened to PURSUIT reports again: its next period starts at the approval and keeps the numbering of the
// periods before the close.
func TestReopenResumesWeeklyReporting(t *testing.T) {
	p := ltc.DefaultPolicy()
	period := time.Duration(p.ReportPeriod)
	o := validated()
	o.Stage = ltc.StageTeamFormation
	o = o.AppointTeam(ltc.Team{{Person: owner.Person(), Role: ltc.TeamAR}, {Person: rep.Person(), Role: ltc.TeamSR},
		{Person: owner.Person(), Role: ltc.TeamFR}}, t0, p)
	o = o.SubmitWeeklyReport(ltc.WeeklyReport{Progress: "p"}, t0.Add(period+72*time.Hour), p) // period 1, past period 0's grace
	d := ltc.Deal{Lead: ltc.Lead{ID: o.ID, State: ltc.LeadQualified}, Opportunity: &o}
	closedAt := t0.Add(2 * period)
	d = apply(t, d, owner, closedAt, ltc.CloseOpportunity{Outcome: ltc.OutcomeAbandoned, Reason: "on hold"}, "close").Deal
	_, ok := d.NextDeadline(p)
	require.True(t, ok, "the summary is owed")

	at := closedAt.Add(30 * 24 * time.Hour)
	ch := apply(t, d, manager, at, reopenTo(ltc.StagePursuit), "reopen")
	ch = apply(t, ch.Deal, exec1, at, ltc.Decide{DecisionID: ch.Decision.ID, Verdict: ltc.VerdictApprove, Rationale: "back on"}, "yes")
	c := ch.Deal.Opportunity.Cadence
	require.NotNil(t, c)
	assert.Equal(t, at.Add(period), c.NextDueAt, "the next report is due a period after the approval")
	assert.Equal(t, 2, c.Checked, "periods 0 and 1 are behind it")
	next, ok := ch.Deal.NextDeadline(p)
	require.True(t, ok)
	assert.Equal(t, at.Add(period+time.Duration(p.ReportGrace)), next.Due, "no missed periods for the time it was closed")
	after := apply(t, ch.Deal, rep, at.Add(time.Hour), ltc.SubmitWeeklyReport{Report: ltc.WeeklyReport{Progress: "again"}}, "r")
	last, _ := after.Deal.Opportunity.Cadence.LastReport()
	assert.Equal(t, 2, last.Period)
}
