package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/workflows"
)

func report(id string, by ltc.Actor, after time.Duration) step {
	return step{after: after, name: workflows.UpdateWeeklyReport, arg: cmd(req(id, by), ltc.SubmitWeeklyReport{Report: ltc.WeeklyReport{Progress: "progress " + id, WinRate: 60, NextSteps: "next"}})}
}

func TestForgottenWeeklyReportIsFlaggedOnTimeAndTheNextPeriodGoesOn(t *testing.T) {
	day := 24 * time.Hour
	// PURSUIT starts with the 4th step (minute 4). Reports: day 2 (period 0), day 3 (its revision), none for
	// period 1 (days 7-14, grace to day 16), day 17 (period 2), none for period 3. Then a meeting on day 31.
	s := steps(toPursuit()[:4], []step{
		report("r1", sales, 2*day), report("r2", fred, day), report("r3", sales, 14*day),
		{after: 14 * day, name: workflows.UpdateRecordMeeting, arg: cmd(req("r-m", fred), ltc.RecordMeeting{Meeting: ltc.Meeting{Kind: ltc.MeetingAnalysis, Conclusions: "price pressure", ActionItems: []ltc.ActionItem{
			{Description: "revise BOQ", Owner: ltc.Person{ID: "sara"}}}}})},
	})
	e, out := runDeal(t, ltc.DefaultPolicy(), s...)
	pursuitAt := result(t, out[3]).Opportunity.Cadence.Start

	assert.Equal(t, 1, result(t, out[5]).Opportunity.Cadence.Reports[1].Revision)
	var overdue []ltc.Event
	for _, c := range e.changes {
		for _, ev := range c.Events {
			if ev.Type == ltc.EventWeeklyReportOverdue {
				overdue = append(overdue, ev)
			}
		}
	}
	require.Len(t, overdue, 2, "periods 1 and 3 went without a report")
	assert.Equal(t, pursuitAt.Add(16*day), overdue[0].OccurredAt, "period 1: flagged at due (day 14) + grace (2 days)")
	assert.Equal(t, pursuitAt.Add(30*day), overdue[1].OccurredAt, "period 3: day 28 + 2")
	assert.Equal(t, []string{"user:sam", "role:sales_manager@/"}, overdue[0].Recipients)
	third := result(t, out[6]).Opportunity.Cadence
	assert.Equal(t, 2, third.Reports[2].Period, "the next period started on time")
	assert.Equal(t, []int{1}, third.OverduePeriods)
	meeting := result(t, out[7]).Opportunity
	assert.Equal(t, []int{1, 3}, meeting.Cadence.OverduePeriods, "period 3 had no report either by day 30")
	assert.Empty(t, meeting.Meetings[0].ActionItems, "the process keeps no content")
	recorded := out[7].recorded
	require.Len(t, recorded.Content, 1, "the meeting's content is written beside the deal")
	assert.Equal(t, "revise BOQ", recorded.Content[0].Item.(ltc.Meeting).ActionItems[0].Description)
}
