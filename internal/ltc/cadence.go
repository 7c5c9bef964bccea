package ltc

import (
	"slices"
	"time"

	"github.com/google/uuid"
)

// WeeklyReport is one submission of the weekly project report (项目周报). A second submission for the same
// period is kept as a revision.
type WeeklyReport struct {
	Period         int       `json:"period"`
	Revision       int       `json:"revision"`
	Progress       string    `json:"progress"`
	WinRate        int       `json:"win_rate"`
	NextSteps      string    `json:"next_steps"`
	RisksAndIssues string    `json:"risks_and_issues,omitempty"`
	HelpNeeded     string    `json:"help_needed,omitempty"`
	SubmittedBy    Person    `json:"submitted_by"`
	SubmittedAt    time.Time `json:"submitted_at"`
}

// Cadence is the deal's weekly reporting from PURSUIT until the close. Period n runs from Start + n×period to
// Start + (n+1)×period; its report is due at its end and flagged missing at the end plus the grace.
type Cadence struct {
	Start   time.Time      `json:"start"`
	Reports []WeeklyReport `json:"reports,omitempty"`
	// Checked counts the periods already checked for a missing report; OverduePeriods are those that had none.
	Checked        int       `json:"checked"`
	OverduePeriods []int     `json:"overdue_periods,omitempty"`
	NextDueAt      time.Time `json:"next_due_at"`
}

// Defaults of the cadence a policy may leave unset.
const (
	DefaultReportPeriod = 7 * 24 * time.Hour
	DefaultReportGrace  = 2 * 24 * time.Hour
)

func (p Policy) reportPeriod() time.Duration {
	if p.ReportPeriod > 0 {
		return time.Duration(p.ReportPeriod)
	}
	return DefaultReportPeriod
}

func (p Policy) reportGrace() time.Duration {
	if p.ReportGrace > 0 {
		return time.Duration(p.ReportGrace)
	}
	return DefaultReportGrace
}

func (c Cadence) has(period int) bool {
	return slices.ContainsFunc(c.Reports, func(r WeeklyReport) bool { return r.Period == period })
}

// periodAt is the period a report at t counts for: the current one, or the previous one while it is in its grace
// and still has no report.
func (c Cadence) periodAt(t time.Time, p Policy) int {
	cur := int(t.Sub(c.Start) / p.reportPeriod())
	if cur >= 1 && t.Before(c.end(cur-1, p).Add(p.reportGrace())) && !c.has(cur-1) {
		return cur - 1
	}
	return cur
}

// end is when period n ends and its report is due.
func (c Cadence) end(n int, p Policy) time.Time {
	return c.Start.Add(time.Duration(n+1) * p.reportPeriod())
}

// nextDue is when the next report is due at t: the end of the first period from t's on without a report.
func (c Cadence) nextDue(t time.Time, p Policy) time.Time {
	n := c.periodAt(t, p)
	for c.has(n) {
		n++
	}
	return c.end(n, p)
}

// CheckDueAt is when the next period's report is checked: its end plus the grace.
func (c Cadence) CheckDueAt(p Policy) time.Time { return c.end(c.Checked, p).Add(p.reportGrace()) }

// LastReport returns the latest submission, if any.
func (c Cadence) LastReport() (WeeklyReport, bool) {
	if len(c.Reports) == 0 {
		return WeeklyReport{}, false
	}
	return c.Reports[len(c.Reports)-1], true
}

// startCadence returns the deal with weekly reporting starting now (on entering PURSUIT).
func (o Opportunity) startCadence(now time.Time, p Policy) Opportunity {
	if o.Cadence != nil { // a reopened deal
		c := o.Cadence.resume(now, p)
		o.Cadence = &c
		return o
	}
	c := Cadence{Start: now}
	c.NextDueAt = c.end(0, p)
	o.Cadence = &c
	return o
}

// CanSubmitWeeklyReport checks that the actor may submit a weekly report now: a core team member (AR, SR, FR),
// from PURSUIT until the close.
func CanSubmitWeeklyReport(a Actor, o Opportunity) error {
	if !o.Team.Core(a.ID) {
		return PermissionDenied("weekly reports of deal %s come from its AR, SR or FR", o.ID)
	}
	if err := o.open(); err != nil {
		return err
	}
	if o.Cadence == nil {
		return o.precondition("weekly reports start in PURSUIT")
	}
	return nil
}

// SubmitWeeklyReport returns the deal with the report counted for its period, as a revision if the period
// already has one.
func (o Opportunity) SubmitWeeklyReport(r WeeklyReport, now time.Time, p Policy) Opportunity {
	c := *o.Cadence
	r.Period = c.periodAt(now, p)
	r.Revision = 0
	for _, x := range c.Reports {
		if x.Period == r.Period {
			r.Revision++
		}
	}
	r.SubmittedAt = now
	c.Reports = append(slices.Clone(c.Reports), r)
	c.NextDueAt = c.nextDue(now, p)
	o.Cadence = &c
	o.UpdatedAt = now
	return o
}

// CheckReport returns the deal after the next period's check at its end plus the grace, and whether that period
// had no report (then it is flagged overdue).
func (o Opportunity) CheckReport(now time.Time, p Policy) (Opportunity, bool) {
	c := *o.Cadence
	period := c.Checked
	missing := !c.has(period)
	if missing {
		c.OverduePeriods = append(slices.Clone(c.OverduePeriods), period)
	}
	c.Checked++
	c.NextDueAt = c.nextDue(now, p)
	o.Cadence = &c
	o.UpdatedAt = now
	return o, missing
}

// MeetingKind is the kind of a project meeting.
type MeetingKind string

// Meeting kinds.
const (
	MeetingKickoff     MeetingKind = "KICKOFF"  // 项目开工会
	MeetingAnalysis    MeetingKind = "ANALYSIS" // 项目分析会
	MeetingNegotiation MeetingKind = "NEGOTIATION"
)

// ActionItem is a follow-up a meeting assigned.
type ActionItem struct {
	Description string `json:"description"`
	Owner       Person `json:"owner"`
	Due         Date   `json:"due"`
}

// Meeting is a recorded project meeting.
type Meeting struct {
	ID          string       `json:"id"`
	Kind        MeetingKind  `json:"kind"`
	Date        Date         `json:"date"`
	Attendees   []Person     `json:"attendees"`
	Conclusions string       `json:"conclusions"`
	ActionItems []ActionItem `json:"action_items,omitempty"`
	RecordedBy  Person       `json:"recorded_by"`
	RecordedAt  time.Time    `json:"recorded_at"`
}

var meetingIDSpace = uuid.MustParse("9c4a1d27-6e3b-4f58-a2d0-8b7e5f1c3a94")

// MeetingID is the id of the meeting recorded by the request.
func MeetingID(requestID string) string {
	return uuid.NewSHA1(meetingIDSpace, []byte(requestID)).String()
}

// CanRecordMeeting checks that the actor may record a meeting now: a team member (the owner before a team
// exists) or a sales manager, at any open stage.
func CanRecordMeeting(a Actor, o Opportunity) error {
	if !o.owns(a) && !o.Team.Member(a.ID) && !o.managedBy(a) {
		return PermissionDenied("meetings of deal %s are recorded by its team or a sales_manager", o.ID)
	}
	return o.open()
}

// RecordMeeting returns the deal with the meeting.
func (o Opportunity) RecordMeeting(m Meeting, now time.Time) Opportunity {
	m.RecordedAt = now
	o.Meetings = append(slices.Clone(o.Meetings), m)
	o.UpdatedAt = now
	return o
}

// SubmitWeeklyReport is a team member's weekly report (or a revision of it); it goes to the team, the sponsor
// and the sales managers only (受控发送).
type SubmitWeeklyReport struct {
	Report WeeklyReport `json:"report"`
}

// Apply records the report.
func (cmd SubmitWeeklyReport) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err == nil {
		err = CanSubmitWeeklyReport(c.Actor, o)
	}
	if err != nil {
		return Change{}, err
	}
	r := cmd.Report
	r.SubmittedBy = c.Actor.Person()
	next := o.SubmitWeeklyReport(r, c.Now, c.Policy)
	last, _ := next.Cadence.LastReport()
	var recipients []string
	for _, m := range next.Team {
		recipients = append(recipients, UserRecipient(m.Person.ID))
	}
	if next.Sponsor != nil {
		recipients = append(recipients, UserRecipient(next.Sponsor.ID))
	}
	return c.change(d, next, nil, EventWeeklyReportSubmitted, last, append(distinct(recipients), RoleRecipient(RoleSalesManager))...), nil
}

// RecordMeeting records an analysis or other project meeting; the owners of its action items are told.
type RecordMeeting struct {
	Meeting Meeting `json:"meeting"`
}

// Apply records the meeting.
func (cmd RecordMeeting) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err == nil {
		err = CanRecordMeeting(c.Actor, o)
	}
	if err != nil {
		return Change{}, err
	}
	m := cmd.Meeting
	m.ID, m.RecordedBy = MeetingID(c.RequestID), c.Actor.Person()
	var recipients []string
	for _, item := range m.ActionItems {
		recipients = append(recipients, UserRecipient(item.Owner.ID))
	}
	next := o.RecordMeeting(m, c.Now)
	return c.change(d, next, nil, EventMeetingRecorded, next.Meetings[len(next.Meetings)-1], recipients...), nil
}

// CheckWeeklyReport is the engine's check of a report period at its end plus the grace: a period without a
// report is flagged overdue, and the AR and the sales managers are told. It applies to the period still unchecked.
type CheckWeeklyReport struct {
	Period int `json:"period"`
}

// Apply checks the period.
func (cmd CheckWeeklyReport) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err != nil {
		return Change{}, err
	}
	if !o.Open() || o.Cadence == nil || o.Cadence.Checked != cmd.Period {
		return Change{}, o.precondition("weekly report period %d is checked already or not running", cmd.Period)
	}
	next, missing := o.CheckReport(c.Now, c.Policy)
	if !missing {
		return c.changeBy(SystemPerson, d, next, nil, "", nil), nil
	}
	return c.changeBy(SystemPerson, d, next, nil, EventWeeklyReportOverdue,
		ReportOverdueDetails{Period: cmd.Period, DueAt: o.Cadence.CheckDueAt(c.Policy)},
		UserRecipient(next.Owner.ID), RoleRecipient(RoleSalesManager)), nil
}
