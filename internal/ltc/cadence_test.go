package ltc_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

func TestWeeklyReportPeriodsRevisionsAndChecks(t *testing.T) {
	p := ltc.DefaultPolicy()
	day := 24 * time.Hour
	o := pursuit() // PURSUIT began at t0
	require.NotNil(t, o.Cadence)
	assert.Equal(t, t0.Add(7*day), o.Cadence.NextDueAt)
	assert.Equal(t, t0.Add(9*day), o.Cadence.CheckDueAt(p), "period 0 is checked at its end plus the grace")

	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanSubmitWeeklyReport(rep, o)))
	assert.NoError(t, ltc.CanSubmitWeeklyReport(sara, o), "the SR reports too")
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanSubmitWeeklyReport(owner, validated())), "no team before PURSUIT")
	closed := o.Close(ltc.OutcomeLost, "x", owner.Person(), t0, p)
	assert.Equal(t, ltc.KindPrecondition, ltc.KindOf(ltc.CanSubmitWeeklyReport(owner, closed)), "until the close")

	o = o.SubmitWeeklyReport(ltc.WeeklyReport{Progress: "demo done"}, t0.Add(2*day), p)
	o = o.SubmitWeeklyReport(ltc.WeeklyReport{Progress: "demo done, pricing sent"}, t0.Add(3*day), p)
	r := o.Cadence.Reports
	require.Len(t, r, 2)
	assert.Equal(t, []int{0, 0}, []int{r[0].Period, r[1].Period})
	assert.Equal(t, 1, r[1].Revision, "a second report in the period is a revision")
	assert.Equal(t, t0.Add(14*day), o.Cadence.NextDueAt, "period 0 is covered: period 1 is due next")

	o, missing := o.CheckReport(t0.Add(9*day), p)
	assert.False(t, missing)
	o, missing = o.CheckReport(t0.Add(16*day), p)
	assert.True(t, missing, "period 1 had no report")
	assert.Equal(t, []int{1}, o.Cadence.OverduePeriods)
	assert.Equal(t, t0.Add(23*day), o.Cadence.CheckDueAt(p), "the next period is checked on time")

	// A report in period 3's first two days counts for period 2 while period 2 is in its grace and has none.
	o = o.SubmitWeeklyReport(ltc.WeeklyReport{Progress: "late"}, t0.Add(22*day), p)
	assert.Equal(t, 2, o.Cadence.Reports[2].Period)
	last, ok := o.Cadence.LastReport()
	require.True(t, ok)
	assert.Equal(t, "late", last.Progress)
}

func TestMeetings(t *testing.T) {
	o := pursuit()
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanRecordMeeting(rep, o)))
	require.NoError(t, ltc.CanRecordMeeting(fred, o))
	o = o.RecordMeeting(ltc.Meeting{ID: "M1", Kind: ltc.MeetingKickoff, Conclusions: "go"}, t0)
	require.Len(t, o.Meetings, 1)
	assert.Equal(t, t0, o.Meetings[0].RecordedAt)
	closed := o.Close(ltc.OutcomeLost, "x", owner.Person(), t0, ltc.DefaultPolicy())
	assert.Equal(t, ltc.KindPrecondition, ltc.KindOf(ltc.CanRecordMeeting(fred, closed)))
}

func TestAWeeklyReportGoesToTheTeamTheSponsorAndTheManagersOnly(t *testing.T) {
	o := pursuit()
	require.NotNil(t, o.Sponsor, "the INITIATION approver sponsors the deal")
	c, err := ltc.Run(ltc.SubmitWeeklyReport{Report: ltc.WeeklyReport{Progress: "p", NextSteps: "n", WinRate: 40}},
		ltc.Deal{Opportunity: &o}, ltc.Context{Actor: owner, Now: t0.Add(time.Hour), Policy: ltc.DefaultPolicy(), RequestID: "r"})
	require.NoError(t, err)
	require.Len(t, c.Events, 1)
	assert.Equal(t, []string{"user:sam", "user:sara", "user:fred", "user:" + o.Sponsor.ID, "role:sales_manager@/"}, c.Events[0].Recipients)
}
