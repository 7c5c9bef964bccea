package ltc

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// RelationshipLevel is our organisational relationship with the customer (组织客户关系), from vendor up to partner.
type RelationshipLevel string

// Relationship levels, from the lowest.
const (
	LevelVendor            RelationshipLevel = "VENDOR"
	LevelPreferredSupplier RelationshipLevel = "PREFERRED_SUPPLIER"
	LevelStrategicSupplier RelationshipLevel = "STRATEGIC_SUPPLIER"
	LevelPartner           RelationshipLevel = "PARTNER"
)

// RelationshipLevels lists every relationship level, from the lowest.
var RelationshipLevels = []RelationshipLevel{LevelVendor, LevelPreferredSupplier, LevelStrategicSupplier, LevelPartner}

// MaxDimension is the highest score of a dimension of the relationship's assessment (1 is the lowest).
const MaxDimension = 5

// RelationshipAssessment is one assessment of the organisational relationship: its level and seed 001's four
// dimensions, each 1 to 5: communication with the organisation and its key people, business fit, joint
// undertakings, and identification with the organisation, its culture and brand.
type RelationshipAssessment struct {
	Level             RelationshipLevel `json:"level"`
	Communication     int               `json:"communication"`
	BusinessFit       int               `json:"business_fit"`
	JointUndertakings int               `json:"joint_undertakings"`
	Identification    int               `json:"identification"`
	Rationale         string            `json:"rationale,omitempty"`
	By                Person            `json:"by"`
	At                time.Time         `json:"at"`
}

// AccountPlan is the relationship plan of a year for an S or A account: the level to reach, the orders to win,
// and the objectives.
type AccountPlan struct {
	Year         int               `json:"year"`
	TargetLevel  RelationshipLevel `json:"target_level"`
	TargetOrders Money             `json:"target_orders"`
	Objectives   string            `json:"objectives,omitempty"`
	By           Person            `json:"by"`
	At           time.Time         `json:"at"`
}

// RelationshipReview is the quarter's relationship analysis meeting (客户关系分析会): when it was held, who attended
// (our people, and the customer's by contact id), what it concluded, the actions, and the level it found.
type RelationshipReview struct {
	// Quarter is the calendar quarter reviewed, written "2026-Q4"; an account has one review a quarter.
	Quarter     string            `json:"quarter"`
	HeldOn      Date              `json:"held_on"`
	OurPeople   []Person          `json:"our_people,omitempty"`
	Contacts    []string          `json:"contacts,omitempty"`
	Conclusions string            `json:"conclusions"`
	Actions     string            `json:"actions,omitempty"`
	LevelAfter  RelationshipLevel `json:"level_after,omitempty"`
	By          Person            `json:"by"`
	At          time.Time         `json:"at"`
}

// SatisfactionScore is the customer's satisfaction survey of a period: a score from 0 to 100 and how many
// answered.
type SatisfactionScore struct {
	// Period is the calendar quarter surveyed, written "2026-Q4"; a second score of a period replaces the first.
	Period      string    `json:"period"`
	Score       int       `json:"score"`
	Respondents int       `json:"respondents"`
	By          Person    `json:"by"`
	At          time.Time `json:"at"`
}

// ReviewCadence is the quarterly relationship review an S or A account owes: due at the end of a calendar quarter
// (UTC), flagged overdue the policy's ReviewGrace later, then escalated after ReviewEscalateAfter to the sales
// managers and as long again to the executives in scope. A review of the quarter due (or a later one) clears it.
type ReviewCadence struct {
	// Since is when the account last became S or A.
	Since time.Time `json:"since"`
	// ReviewDue is the end of the quarter whose review is owed.
	ReviewDue   time.Time `json:"review_due"`
	Overdue     bool      `json:"overdue,omitempty"`
	Escalations int       `json:"escalations,omitempty"`
}

// MaxReviewEscalations is how often a missing review is escalated: to the sales managers, then to the executives.
const MaxReviewEscalations = 2

// Quarter is the quarter whose review is owed.
func (r ReviewCadence) Quarter() string { return QuarterOf(r.ReviewDue.Add(-time.Nanosecond)) }

// OverdueAt is when the owed review is flagged overdue.
func (r ReviewCadence) OverdueAt(p Policy) time.Time { return r.ReviewDue.Add(p.reviewGrace()) }

// newReviewCadence is the cadence of an account that becomes S or A now: its first review is due at the end of
// the quarter, or of the next one when less than the grace remains of this one.
func newReviewCadence(now time.Time, p Policy) *ReviewCadence {
	due := quarterEnd(now)
	if due.Sub(now) < p.reviewGrace() {
		due = quarterEnd(due)
	}
	return &ReviewCadence{Since: now, ReviewDue: due}
}

// QuarterOf is the calendar quarter of t in UTC, written "2026-Q4".
func QuarterOf(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())-1)/3+1)
}

// quarterStart is when the quarter written q begins (UTC), or false when q is no quarter of the years MinYear to
// MaxYear written as QuarterOf writes it.
func quarterStart(q string) (time.Time, bool) {
	var year, n int
	if _, err := fmt.Sscanf(q, "%d-Q%d", &year, &n); err != nil || n < 1 || n > 4 || year < MinYear || year > MaxYear ||
		fmt.Sprintf("%d-Q%d", year, n) != q {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(3*n-2), 1, 0, 0, 0, 0, time.UTC), true
}

// quarterEnd is when the quarter of t ends (UTC): the beginning of the next.
func quarterEnd(t time.Time) time.Time {
	t = t.UTC()
	first := (int(t.Month())-1)/3*3 + 1
	return time.Date(t.Year(), time.Month(first+3), 1, 0, 0, 0, 0, time.UTC)
}

// onOrBefore reports whether the date is the day of t (UTC) or earlier.
func (d Date) onOrBefore(t time.Time) bool {
	return !time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC).After(t)
}

// checkLevel refuses a relationship level that is not one of RelationshipLevels ("" only where optional).
func checkLevel(field string, l RelationshipLevel, optional bool) error {
	if (optional && l == "") || slices.Contains(RelationshipLevels, l) {
		return nil
	}
	return Invalid("%s %q is not one of VENDOR, PREFERRED_SUPPLIER, STRATEGIC_SUPPLIER, PARTNER", field, l)
}

// Trend is how the account's satisfaction moved: the latest period's score less the one before, in points; ok is
// false until two periods are scored.
func (a Account) Trend() (points int, ok bool) {
	n := len(a.Satisfaction)
	if n < 2 {
		return 0, false
	}
	return a.Satisfaction[n-1].Score - a.Satisfaction[n-2].Score, true
}

// AssessRelationship records an assessment of the organisational relationship; it becomes the current one.
type AssessRelationship struct {
	Assessment RelationshipAssessment `json:"assessment"`
}

// Apply records the assessment; the owner is told.
func (cmd AssessRelationship) Apply(a Account, c Context) (AccountChange, error) {
	if err := a.found(); err != nil {
		return AccountChange{}, err
	}
	if err := a.mayWork(c.Actor, "assessing the relationship"); err != nil {
		return AccountChange{}, err
	}
	r := cmd.Assessment
	if err := checkLevel("the relationship's level", r.Level, false); err != nil {
		return AccountChange{}, err
	}
	for _, d := range []struct {
		name  string
		score int
	}{{"communication", r.Communication}, {"business_fit", r.BusinessFit}, {"joint_undertakings", r.JointUndertakings},
		{"identification", r.Identification}} {
		if d.score < 1 || d.score > MaxDimension {
			return AccountChange{}, Invalid("%s is scored 1 to %d, not %d", d.name, MaxDimension, d.score)
		}
	}
	if err := checkTexts(textField{"the assessment's rationale", r.Rationale, MaxTextChars, false}); err != nil {
		return AccountChange{}, err
	}
	r.By, r.At = c.Actor.Person(), c.Now
	next := a
	next.RelationshipHistory = append(slices.Clone(a.RelationshipHistory), r)
	next.Relationship = &r
	next.UpdatedAt = c.Now
	return c.accountChange(next, EventRelationshipAssessed, r, UserRecipient(a.Owner.ID)), nil
}

// SetAccountPlan sets the relationship plan of a year, this year or a later one; a plan set again for its year
// replaces the earlier one.
type SetAccountPlan struct {
	Plan AccountPlan `json:"plan"`
}

// Apply sets the plan; the owner and team are told.
func (cmd SetAccountPlan) Apply(a Account, c Context) (AccountChange, error) {
	if err := a.found(); err != nil {
		return AccountChange{}, err
	}
	if err := a.mayWork(c.Actor, "planning the relationship"); err != nil {
		return AccountChange{}, err
	}
	p := cmd.Plan
	if year := c.Now.UTC().Year(); p.Year < year || p.Year > MaxYear {
		return AccountChange{}, Invalid("a plan is for this year (%d) or a later one up to %d, not %d", year, MaxYear, p.Year)
	}
	if err := checkLevel("the plan's target level", p.TargetLevel, false); err != nil {
		return AccountChange{}, err
	}
	if err := checkMoney("the plan's target orders", p.TargetOrders); err != nil {
		return AccountChange{}, err
	}
	if err := checkTexts(textField{"the plan's objectives", p.Objectives, MaxTextChars, false}); err != nil {
		return AccountChange{}, err
	}
	p.By, p.At = c.Actor.Person(), c.Now
	plans := slices.DeleteFunc(slices.Clone(a.Plans), func(x AccountPlan) bool { return x.Year == p.Year })
	i, _ := slices.BinarySearchFunc(plans, p.Year, func(x AccountPlan, year int) int { return x.Year - year })
	next := a
	next.Plans = slices.Insert(plans, i, p)
	latest := next.Plans[len(next.Plans)-1]
	next.Plan = &latest
	next.UpdatedAt = c.Now
	return c.accountChange(next, EventAccountPlanSet, p, a.people()...), nil
}

// RecordRelationshipReview records the relationship review of a quarter, held in that quarter or after it and
// not after today; an account has one review a quarter. A review of the quarter owed, or of a later one, moves the
// cadence to the end of the quarter after the one reviewed and clears an overdue review.
type RecordRelationshipReview struct {
	Review RelationshipReview `json:"review"`
}

// Apply records the review; the owner and team are told.
func (cmd RecordRelationshipReview) Apply(a Account, c Context) (AccountChange, error) {
	if err := a.found(); err != nil {
		return AccountChange{}, err
	}
	if err := a.mayWork(c.Actor, "recording a relationship review"); err != nil {
		return AccountChange{}, err
	}
	r := cmd.Review
	start, ok := quarterStart(r.Quarter)
	if !ok {
		return AccountChange{}, Invalid("quarter %q is no quarter written like 2026-Q4 (years %d-%d)", r.Quarter, MinYear, MaxYear)
	}
	if !r.HeldOn.Valid() || r.HeldOn.onOrBefore(start.Add(-time.Nanosecond)) || !r.HeldOn.onOrBefore(c.Now) {
		return AccountChange{}, Invalid("the review of %s is held on a date in that quarter or after it, and not after today", r.Quarter)
	}
	if err := checkTexts(textField{"the review's conclusions", r.Conclusions, MaxTextChars, true},
		textField{"the review's actions", r.Actions, MaxTextChars, false}); err != nil {
		return AccountChange{}, err
	}
	if err := checkLevel("the level after the review", r.LevelAfter, true); err != nil {
		return AccountChange{}, err
	}
	if err := a.checkAttendees(r.OurPeople, r.Contacts); err != nil {
		return AccountChange{}, err
	}
	if slices.ContainsFunc(a.Reviews, func(x RelationshipReview) bool { return x.Quarter == r.Quarter }) {
		return AccountChange{}, a.precondition("the relationship review of %s is recorded already", r.Quarter)
	}
	r.By, r.At = c.Actor.Person(), c.Now
	next := a
	next.Reviews = append(slices.Clone(a.Reviews), r)
	if cad := a.Cadence; cad != nil {
		if due := quarterEnd(quarterEnd(start)); due.After(cad.ReviewDue) {
			next.Cadence = &ReviewCadence{Since: cad.Since, ReviewDue: due}
		}
	}
	next.UpdatedAt = c.Now
	return c.accountChange(next, EventRelationshipReviewRecorded, r, a.people()...), nil
}

// checkAttendees checks the people of ours and the account's contacts (by id) who attend a review or an activity.
func (a Account) checkAttendees(ours []Person, contacts []string) error {
	if len(ours) > MaxListItems || len(contacts) > MaxListItems {
		return Invalid("at most %d of our people and %d contacts attend", MaxListItems, MaxListItems)
	}
	for _, p := range ours {
		if err := checkPerson("our attendee", p); err != nil {
			return err
		}
	}
	for _, id := range contacts {
		if _, ok := a.Contact(id); !ok {
			return Invalid("contact %s is no contact of account %s", id, a.ID)
		}
	}
	return nil
}

// RecordSatisfaction records the satisfaction score of a quarter begun; a second score of a quarter replaces the
// first.
type RecordSatisfaction struct {
	Score SatisfactionScore `json:"score"`
}

// Apply records the score; the owner is told.
func (cmd RecordSatisfaction) Apply(a Account, c Context) (AccountChange, error) {
	if err := a.found(); err != nil {
		return AccountChange{}, err
	}
	if err := a.mayWork(c.Actor, "recording satisfaction"); err != nil {
		return AccountChange{}, err
	}
	s := cmd.Score
	if start, ok := quarterStart(s.Period); !ok || start.After(c.Now) {
		return AccountChange{}, Invalid("period %q is no quarter begun, written like 2026-Q4", s.Period)
	}
	if s.Score < 0 || s.Score > 100 {
		return AccountChange{}, Invalid("a satisfaction score is 0 to 100, not %d", s.Score)
	}
	if s.Respondents < 1 {
		return AccountChange{}, Invalid("a satisfaction score needs its respondents (at least 1, not %d)", s.Respondents)
	}
	s.By, s.At = c.Actor.Person(), c.Now
	scores := slices.DeleteFunc(slices.Clone(a.Satisfaction), func(x SatisfactionScore) bool { return x.Period == s.Period })
	i, _ := slices.BinarySearchFunc(scores, s.Period, func(x SatisfactionScore, period string) int {
		return strings.Compare(x.Period, period)
	})
	next := a
	next.Satisfaction = slices.Insert(scores, i, s)
	next.UpdatedAt = c.Now
	return c.accountChange(next, EventSatisfactionRecorded, s, UserRecipient(a.Owner.ID)), nil
}

// MarkReviewOverdue is the engine's change when the owed relationship review's grace passed without it: the
// review is flagged overdue and the owner and team are told. It applies only to the review due at Due, not yet
// flagged.
type MarkReviewOverdue struct {
	Due time.Time `json:"due"`
}

// Apply flags the review.
func (cmd MarkReviewOverdue) Apply(a Account, c Context) (AccountChange, error) {
	if err := a.found(); err != nil {
		return AccountChange{}, err
	}
	cad := a.Cadence
	if cad == nil || !cad.ReviewDue.Equal(cmd.Due) || cad.Overdue {
		return AccountChange{}, a.precondition("the relationship review due %s was recorded, flagged already, or is no longer owed",
			cmd.Due.UTC().Format(time.RFC3339))
	}
	next := a
	next.Cadence = &ReviewCadence{Since: cad.Since, ReviewDue: cad.ReviewDue, Overdue: true}
	next.UpdatedAt = c.Now
	return AccountChange{Account: next, Events: []Event{c.accountEvent(next, EventRelationshipReviewOverdue, SystemPerson,
		ReviewDueDetails{Quarter: cad.Quarter(), DueAt: cad.ReviewDue}, a.people()...)}}, nil
}

// EscalateReview is the engine's change when an overdue relationship review is still missing ReviewEscalateAfter
// later: the first escalation goes to the sales managers, the second, as long again later, to the executives
// whose scope holds the account. It applies only to the review due at Due after Escalations escalations.
type EscalateReview struct {
	Due         time.Time `json:"due"`
	Escalations int       `json:"escalations"`
}

// Apply escalates the review.
func (cmd EscalateReview) Apply(a Account, c Context) (AccountChange, error) {
	if err := a.found(); err != nil {
		return AccountChange{}, err
	}
	cad := a.Cadence
	if cad == nil || !cad.ReviewDue.Equal(cmd.Due) || !cad.Overdue || cad.Escalations != cmd.Escalations ||
		cad.Escalations >= MaxReviewEscalations {
		return AccountChange{}, a.precondition("the overdue relationship review due %s changed since its escalation %d was set",
			cmd.Due.UTC().Format(time.RFC3339), cmd.Escalations+1)
	}
	next := a
	escalated := *cad
	escalated.Escalations++
	next.Cadence = &escalated
	next.UpdatedAt = c.Now
	to := RoleRecipient(RoleSalesManager)
	if escalated.Escalations == MaxReviewEscalations {
		to = RoleRecipient(RoleExecutive)
	}
	return AccountChange{Account: next, Events: []Event{c.accountEvent(next, EventRelationshipReviewEscalated, SystemPerson,
		ReviewDueDetails{Quarter: cad.Quarter(), DueAt: cad.ReviewDue, Escalations: escalated.Escalations}, to)}}, nil
}
