package ltc

import (
	"fmt"
	"time"
)

// Deadline is a time a deal waits for, and the engine's own change when it passes.
type Deadline struct {
	Due time.Time
	// Key names the change in the request record: one per deal and occurrence, so a change made twice (a
	// retried write) is recorded once.
	Key     string
	Command Command
}

// Deadlines are the times the deal waits for now, in this order: the lead SLA; the pending decision's SLA, the
// handover SLA, the weekly report check, the project summary's SLA, then those of the contract's execution.
func (d Deal) Deadlines(p Policy) []Deadline {
	if d.Opportunity == nil {
		if l := d.Lead; l.Open() && !l.Overdue {
			return []Deadline{{l.SLADueAt, "lead-overdue:" + l.ID, MarkLeadOverdue{}}}
		}
		return nil
	}
	o := *d.Opportunity
	var ds []Deadline
	if dec, ok := o.Pending(); ok && !dec.Overdue {
		key := fmt.Sprintf("escalate:%s:%d", dec.ID, dec.Escalations+1)
		if dec.Authority == MaxAuthority {
			key = "overdue:" + dec.ID
		}
		ds = append(ds, Deadline{dec.DueAt, key, EscalateDecision{DecisionID: dec.ID, Escalations: dec.Escalations}})
	}
	if o.Stage == StageHandover && o.HandoverDueAt != nil && !o.HandoverOverdue {
		ds = append(ds, Deadline{*o.HandoverDueAt, "handover-overdue:" + o.ID, MarkHandoverOverdue{}})
	}
	if c := o.Cadence; c != nil && o.Open() && reportingStage(o.Stage) {
		ds = append(ds, Deadline{c.CheckDueAt(p), fmt.Sprintf("report-check:%s:%d", o.ID, c.Checked), CheckWeeklyReport{Period: c.Checked}})
	}
	if !o.Open() && o.Summary == nil && o.SummaryDueAt != nil && !o.SummaryOverdue {
		ds = append(ds, Deadline{*o.SummaryDueAt, "summary-overdue:" + o.ID, MarkSummaryOverdue{}})
	}
	return append(ds, o.executionDeadlines(p)...)
}

// NextDeadline is the earliest deadline the deal waits for, if any (the first of Deadlines on a tie).
func (d Deal) NextDeadline(p Policy) (Deadline, bool) {
	ds := d.Deadlines(p)
	if len(ds) == 0 {
		return Deadline{}, false
	}
	earliest := ds[0]
	for _, x := range ds[1:] {
		if x.Due.Before(earliest.Due) {
			earliest = x
		}
	}
	return earliest, true
}

// AccountDeadline is a time an account waits for, and the engine's own change when it passes.
type AccountDeadline struct {
	Due time.Time
	// Key names the change in the request record: one per account and occurrence, as Deadline.Key.
	Key     string
	Command AccountCommand
}

// Deadlines are the times the account waits for now: while it is S or A, its owed relationship review's grace, or
// once the review is overdue its next escalation.
func (a Account) Deadlines(p Policy) []AccountDeadline {
	cad := a.Cadence
	if cad == nil {
		return nil
	}
	occurrence := fmt.Sprintf("%s:%s:%d", a.ID, cad.Quarter(), cad.Since.UnixNano())
	if !cad.Overdue {
		return []AccountDeadline{{cad.OverdueAt(p), "review-overdue:" + occurrence, MarkReviewOverdue{Due: cad.ReviewDue}}}
	}
	if cad.Escalations < MaxReviewEscalations {
		next := cad.Escalations + 1
		return []AccountDeadline{{cad.OverdueAt(p).Add(time.Duration(next) * p.reviewEscalateAfter()),
			fmt.Sprintf("review-escalate:%s:%d", occurrence, next), EscalateReview{Due: cad.ReviewDue, Escalations: cad.Escalations}}}
	}
	return nil
}

// NextDeadline is the earliest deadline the account waits for, if any.
func (a Account) NextDeadline(p Policy) (AccountDeadline, bool) {
	ds := a.Deadlines(p)
	if len(ds) == 0 {
		return AccountDeadline{}, false
	}
	earliest := ds[0]
	for _, x := range ds[1:] {
		if x.Due.Before(earliest.Due) {
			earliest = x
		}
	}
	return earliest, true
}
