package ltc_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

// run applies the command to the deal as the process does.
func run(t *testing.T, o ltc.Opportunity, a ltc.Actor, cmd ltc.Command, requestID string) (ltc.Change, error) {
	t.Helper()
	return ltc.Run(cmd, ltc.Deal{Opportunity: &o}, ltc.Context{Actor: a, Now: t0.Add(time.Hour), Policy: ltc.DefaultPolicy(), RequestID: requestID})
}

// items is content as the read model keeps it: each item's JSON by kind and key.
func items(content []ltc.Content) ltc.ContentItems {
	all := ltc.ContentItems{}
	for _, c := range content {
		if all[c.Kind] == nil {
			all[c.Kind] = map[string]json.RawMessage{}
		}
		b, _ := json.Marshal(c.Item)
		all[c.Kind][c.Key] = b
	}
	return all
}

func meeting(conclusions string) ltc.RecordMeeting {
	return ltc.RecordMeeting{Meeting: ltc.Meeting{Kind: ltc.MeetingAnalysis, Date: ltc.Date{Year: 2027, Month: 1, Day: 5},
		Attendees: []ltc.Person{fred.Person()}, Conclusions: conclusions,
		ActionItems: []ltc.ActionItem{{Description: "revise the BOQ", Owner: sara.Person()}}}}
}

func TestTheProcessKeepsOnlyWhatTheRulesNeed(t *testing.T) {
	o := pursuit()
	require.Equal(t, ltc.RulesExecution, o.Rules, "new deals are bounded, with the economics and the execution")
	wholeDeal := o // the same changes without the limits' rules
	var content []ltc.Content
	steps := []struct {
		a   ltc.Actor
		cmd ltc.Command
	}{
		{fred, meeting("price pressure from the incumbent")},
		{owner, ltc.SubmitWeeklyReport{Report: ltc.WeeklyReport{Progress: "demo done", WinRate: 55, NextSteps: "BOQ", HelpNeeded: "a reference"}}},
		{fred, ltc.AddRisk{Risk: ltc.Risk{Description: "FX exposure", Category: ltc.RiskFinancial, Probability: ltc.RiskMedium,
			Impact: ltc.RiskHigh, Owner: fred.Person(), Mitigation: "hedge", Status: ltc.RiskOpen}}},
	}
	for i, s := range steps {
		c, err := run(t, o, s.a, s.cmd, "r"+string(rune('0'+i)))
		require.NoError(t, err)
		whole, err := s.cmd.Apply(ltc.Deal{Opportunity: &wholeDeal}, ltc.Context{Actor: s.a, Now: t0.Add(time.Hour), Policy: ltc.DefaultPolicy(), RequestID: "r" + string(rune('0'+i))})
		require.NoError(t, err)
		require.Len(t, c.Content, 1, "each change adds one item of content")
		content = append(content, c.Content...)
		o = *c.Deal.Opportunity
		assert.Equal(t, whole.Events, c.Events, "the events carry the whole item")

		filled, err := o.WithContent(items(content))
		require.NoError(t, err)
		wholeDeal = *whole.Deal.Opportunity
		filled.ContentBytes = wholeDeal.ContentBytes
		assert.Equal(t, wholeDeal, filled, "the process's deal with its content is the whole deal")
	}
	state, _ := json.Marshal(o)
	for _, text := range []string{"price pressure", "revise the BOQ", "demo done", "a reference", "FX exposure", "hedge"} {
		assert.NotContains(t, string(state), text, "the process's state holds no content")
	}
	assert.Len(t, o.Meetings, 1)
	assert.Equal(t, ltc.MeetingAnalysis, o.Meetings[0].Kind, "what the rules need stays")
	assert.Equal(t, 55, o.Cadence.Reports[0].WinRate)
	assert.Equal(t, ltc.RiskOpen, o.Risks[0].Status)
	var bytes int64
	for _, c := range content {
		b, _ := json.Marshal(c.Item)
		bytes += int64(len(b))
	}
	assert.Equal(t, bytes, o.ContentBytes, "the content's bytes are counted")

	// A replaced risk replaces its content and counts again.
	r := o.Risks[0]
	r.Description = "FX exposure, hedged in part"
	c, err := run(t, o, fred, ltc.UpdateRisk{Risk: r}, "r9")
	require.NoError(t, err)
	require.Len(t, c.Content, 1)
	assert.Equal(t, "FX exposure, hedged in part", c.Content[0].Item.(ltc.Risk).Description)
	assert.Empty(t, c.Deal.Opportunity.Risks[0].Description)
	assert.Greater(t, c.Deal.Opportunity.ContentBytes, o.ContentBytes)
}

func TestEveryLimitOfADealIsRefusedNamingIt(t *testing.T) {
	full := func(change func(*ltc.Opportunity)) ltc.Opportunity {
		o := withRisk(pursuit())
		change(&o)
		return o
	}
	lean := ltc.Meeting{ID: "m", Kind: ltc.MeetingAnalysis, RecordedBy: fred.Person()}
	team := func(n int) ltc.Team {
		t := ltc.Team{{Person: owner.Person(), Role: ltc.TeamAR}, {Person: sara.Person(), Role: ltc.TeamSR}, {Person: fred.Person(), Role: ltc.TeamFR}}
		for len(t) < n {
			t = append(t, ltc.TeamMember{Person: ltc.Person{ID: "m" + strings.Repeat("x", len(t))}, Role: ltc.TeamBidManager})
		}
		return t
	}
	withdrawn := func(o *ltc.Opportunity, n int) {
		for range n {
			var d ltc.Decision
			*o, d = o.RequestDecision("D"+strings.Repeat("x", len(o.Decisions)), ltc.GateATB, bidPkg, ltc.DefaultPolicy(), owner.Person(), t0)
			*o, _ = o.Withdraw(d.ID, "again", owner.Person(), t0)
		}
	}
	for name, c := range map[string]struct {
		deal ltc.Opportunity
		a    ltc.Actor
		cmd  ltc.Command
		says string
	}{
		"meetings": {full(func(o *ltc.Opportunity) {
			for range ltc.MaxMeetings {
				o.Meetings = append(o.Meetings, lean)
			}
		}), fred, meeting("one more"), "at most 200 meetings"},
		"risks": {full(func(o *ltc.Opportunity) {
			for len(o.Risks) < ltc.MaxRisks {
				o.Risks = append(o.Risks, o.Risks[0])
			}
		}), fred, ltc.AddRisk{Risk: ltc.Risk{Description: "one more", Category: ltc.RiskLegal, Probability: ltc.RiskLow,
			Impact: ltc.RiskLow, Owner: fred.Person(), Status: ltc.RiskOpen}}, "at most 100 risks"},
		"weekly reports": {full(func(o *ltc.Opportunity) {
			for range ltc.MaxWeeklyReports {
				o.Cadence.Reports = append(o.Cadence.Reports, ltc.WeeklyReport{Period: 0, Revision: len(o.Cadence.Reports)})
			}
		}), owner, ltc.SubmitWeeklyReport{Report: ltc.WeeklyReport{Progress: "p", NextSteps: "n"}}, "at most 500 weekly reports"},
		"gate decisions": {full(func(o *ltc.Opportunity) { withdrawn(o, ltc.MaxDecisions-1) }), owner,
			ltc.RequestDecision{Gate: ltc.GateATB, Package: bidPkg}, "at most 30 gate decisions"},
		"team members": {full(func(*ltc.Opportunity) {}), manager, ltc.AppointTeam{Team: team(ltc.MaxTeam + 1)}, "at most 50 team members"},
		"content": {full(func(o *ltc.Opportunity) { o.ContentBytes = ltc.MaxContentBytes - 100 }), fred, meeting("a few more bytes"),
			"bytes of meetings, weekly reports and risk texts"},
		"the process's bytes": {full(func(o *ltc.Opportunity) {
			huge := ltc.Assessment{WinRate: 50, Value: eur(1), Notes: strings.Repeat("n", ltc.MaxProcessBytes)}
			o.Assessment = &huge
		}), fred, ltc.AddRisk{Risk: ltc.Risk{Description: "r", Category: ltc.RiskLegal, Probability: ltc.RiskLow,
			Impact: ltc.RiskLow, Owner: fred.Person(), Status: ltc.RiskOpen}}, "a deal's process holds at most"},
	} {
		_, err := run(t, c.deal, c.a, c.cmd, "req-"+name)
		require.Error(t, err, name)
		assert.Equal(t, ltc.KindPrecondition, ltc.KindOf(err), "%s: %v", name, err)
		assert.ErrorContains(t, err, c.says, name)
		assert.ErrorContains(t, err, "is in PURSUIT", name)
	}

	// One below each count limit the change is taken.
	below := full(func(o *ltc.Opportunity) {
		for range ltc.MaxMeetings - 1 {
			o.Meetings = append(o.Meetings, lean)
		}
		withdrawn(o, ltc.MaxDecisions-2)
	})
	_, err := run(t, below, fred, meeting("the last one"), "req-last")
	require.NoError(t, err)
	_, err = run(t, below, owner, ltc.RequestDecision{Gate: ltc.GateATB, Package: bidPkg}, "req-last-gate")
	require.NoError(t, err)
	_, err = run(t, below, manager, ltc.AppointTeam{Team: team(ltc.MaxTeam)}, "req-team")
	require.NoError(t, err)
}

func TestTheEnginesOwnChangesAreNeverRefusedForSize(t *testing.T) {
	o := withRisk(pursuit())
	o, d := o.RequestDecision("ATB1", ltc.GateATB, bidPkg, ltc.DefaultPolicy(), owner.Person(), t0)
	o.ContentBytes = ltc.MaxContentBytes + 1
	huge := ltc.Assessment{WinRate: 50, Value: eur(1), Notes: strings.Repeat("n", ltc.MaxProcessBytes)}
	o.Assessment = &huge
	for range ltc.MaxMeetings + 1 {
		o.Meetings = append(o.Meetings, ltc.Meeting{ID: "m"})
	}
	c, err := ltc.Run(ltc.EscalateDecision{DecisionID: d.ID}, ltc.Deal{Opportunity: &o},
		ltc.Context{Actor: ltc.Actor{ID: "system"}, Now: d.DueAt, Policy: ltc.DefaultPolicy()})
	require.NoError(t, err, "a deadline's change is taken whatever the deal's size")
	assert.Equal(t, ltc.EventDecisionEscalated, c.Events[0].Type)
	_, err = run(t, o, fred, meeting("but people's changes are refused"), "req-m")
	assert.Equal(t, ltc.KindPrecondition, ltc.KindOf(err))
}

func TestDealsStartedBeforeTheLimitsKeepTheirRules(t *testing.T) {
	o := withRisk(pursuit())
	o.Rules = ltc.RulesGovernance
	for range ltc.MaxMeetings {
		o.Meetings = append(o.Meetings, ltc.Meeting{ID: "m"})
	}
	c, err := run(t, o, fred, meeting("kept whole"), "req-m")
	require.NoError(t, err, "no limit for a deal recorded under earlier rules, so its history replays")
	assert.Empty(t, c.Content)
	assert.Equal(t, "kept whole", c.Deal.Opportunity.Meetings[ltc.MaxMeetings].Conclusions, "and its process keeps the content")
}
