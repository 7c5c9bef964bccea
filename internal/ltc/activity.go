package ltc

import (
	"slices"
	"time"

	"github.com/google/uuid"
)

// ActivityKind is the kind of a relationship activity with the customer's people.
type ActivityKind string

// Activity kinds.
const (
	ActivityCompanyVisit     ActivityKind = "COMPANY_VISIT"   // 公司考察
	ActivityExecutiveVisit   ActivityKind = "EXECUTIVE_VISIT" // 高层拜访
	ActivityReferenceVisit   ActivityKind = "REFERENCE_VISIT" // 样板点
	ActivityExhibition       ActivityKind = "EXHIBITION"
	ActivityBusinessExchange ActivityKind = "BUSINESS_EXCHANGE"
	ActivityGift             ActivityKind = "GIFT"
	ActivityHospitality      ActivityKind = "HOSPITALITY"
	ActivityTravel           ActivityKind = "TRAVEL"
	ActivityOther            ActivityKind = "OTHER"
)

// ActivityKinds lists every activity kind.
var ActivityKinds = []ActivityKind{ActivityCompanyVisit, ActivityExecutiveVisit, ActivityReferenceVisit, ActivityExhibition,
	ActivityBusinessExchange, ActivityGift, ActivityHospitality, ActivityTravel, ActivityOther}

// Valued reports whether activities of the kind carry their value: gifts, hospitality and travel, which seed 001
// warns are a compliance risk.
func (k ActivityKind) Valued() bool {
	return k == ActivityGift || k == ActivityHospitality || k == ActivityTravel
}

// ActivityState is where an activity stands.
type ActivityState string

// Activity states.
const (
	ActivityPlanned   ActivityState = "PLANNED"
	ActivityHeld      ActivityState = "HELD"
	ActivityCancelled ActivityState = "CANCELLED"
)

// ComplianceReview is where an activity's LEGAL review stands.
type ComplianceReview string

// Compliance review states.
const (
	ComplianceNotNeeded ComplianceReview = "NOT_NEEDED"
	CompliancePending   ComplianceReview = "PENDING"
	ComplianceApproved  ComplianceReview = "APPROVED"
	ComplianceRejected  ComplianceReview = "REJECTED"
)

// Activity is a relationship activity with the customer's people: what, when, who of ours and of theirs (by
// contact id), the outcome, and for gifts, hospitality and travel the value and the LEGAL review it needs when the
// value is above the policy's threshold.
type Activity struct {
	ID        string       `json:"id"`
	Kind      ActivityKind `json:"kind"`
	Date      Date         `json:"date"`
	OurPeople []Person     `json:"our_people,omitempty"`
	Contacts  []string     `json:"contacts,omitempty"`
	Subject   string       `json:"subject"`
	Outcome   string       `json:"outcome,omitempty"`
	// Value is what a gift, hospitality or travel is worth; other kinds carry none.
	Value           *Money           `json:"value,omitempty"`
	State           ActivityState    `json:"state"`
	Review          ComplianceReview `json:"review"`
	Reviewer        *Person          `json:"reviewer,omitempty"`
	ReviewRationale string           `json:"review_rationale,omitempty"`
	ReviewedAt      *time.Time       `json:"reviewed_at,omitempty"`
	// HeldOn is the date the activity took place.
	HeldOn   *Date     `json:"held_on,omitempty"`
	LoggedBy Person    `json:"logged_by"`
	LoggedAt time.Time `json:"logged_at"`
	// AccountID is the account the activity is with.
	AccountID string `json:"account_id,omitempty"`
	// CompletedBy and CompletedAt say who recorded it held or cancelled, and when.
	CompletedBy *Person    `json:"completed_by,omitempty"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
}

var activityIDSpace = uuid.MustParse("c62f0b8e-47d1-4a3c-b9e5-2f8a6d0c1e73")

// ActivityID is the id of the activity recorded by the request.
func ActivityID(requestID string) string {
	return uuid.NewSHA1(activityIDSpace, []byte(requestID)).String()
}

// NeedsComplianceReview reports whether a gift, hospitality or travel of the value needs a LEGAL review before it
// takes place: its value is above the policy's threshold, or in another currency (there is no conversion).
func NeedsComplianceReview(value Money, p Policy) bool {
	limit := p.complianceReviewAbove()
	return value.Currency != limit.Currency || value.AmountMinor > limit.AmountMinor
}

// OpenActivity returns the account's open activity with the id.
func (a Account) OpenActivity(id string) (Activity, bool) {
	i := slices.IndexFunc(a.OpenActivities, func(x Activity) bool { return x.ID == id })
	if i < 0 {
		return Activity{}, false
	}
	return a.OpenActivities[i], true
}

// RecordActivity records an activity, PLANNED or HELD; its id comes from the request. A gift, hospitality or travel
// that needs a LEGAL review (NeedsComplianceReview) is only planned: it is recorded PENDING review and LEGAL is
// told, and it is held once approved.
type RecordActivity struct {
	Activity Activity `json:"activity"`
}

// Apply records the activity.
func (cmd RecordActivity) Apply(a Account, c Context) (AccountChange, error) {
	if err := a.found(); err != nil {
		return AccountChange{}, err
	}
	if err := a.mayWork(c.Actor, "recording an activity"); err != nil {
		return AccountChange{}, err
	}
	in := cmd.Activity
	if !slices.Contains(ActivityKinds, in.Kind) {
		return AccountChange{}, Invalid("activity kind %q is unknown", in.Kind)
	}
	if in.State != ActivityPlanned && in.State != ActivityHeld {
		return AccountChange{}, Invalid("an activity is recorded PLANNED or HELD, not %q", in.State)
	}
	if !in.Date.Valid() || (in.State == ActivityHeld && !in.Date.onOrBefore(c.Now)) {
		return AccountChange{}, Invalid("an activity needs its calendar date, and a HELD one a date not after today")
	}
	switch {
	case in.Kind.Valued() && in.Value == nil:
		return AccountChange{}, Invalid("a %s carries its value", in.Kind)
	case !in.Kind.Valued() && in.Value != nil:
		return AccountChange{}, Invalid("only a GIFT, HOSPITALITY or TRAVEL carries a value, not a %s", in.Kind)
	case in.Value != nil:
		if err := checkMoney("the activity's value", *in.Value); err != nil {
			return AccountChange{}, err
		}
	}
	if err := checkTexts(textField{"the activity's subject", in.Subject, MaxNameChars, true},
		textField{"the activity's outcome", in.Outcome, MaxTextChars, false}); err != nil {
		return AccountChange{}, err
	}
	if err := a.checkAttendees(in.OurPeople, in.Contacts); err != nil {
		return AccountChange{}, err
	}
	for _, id := range in.Contacts {
		if ct, _ := a.Contact(id); ct.Erased {
			return AccountChange{}, a.precondition("contact %s is erased and takes part in no new activity", id)
		}
	}
	act := Activity{
		ID: ActivityID(c.RequestID), Kind: in.Kind, Date: in.Date, OurPeople: slices.Clone(in.OurPeople),
		Contacts: slices.Clone(in.Contacts), Subject: in.Subject, Outcome: in.Outcome, Value: in.Value, State: in.State,
		Review: ComplianceNotNeeded, LoggedBy: c.Actor.Person(), LoggedAt: c.Now, AccountID: a.ID,
	}
	var recipients []string
	if in.Value != nil && NeedsComplianceReview(*in.Value, c.Policy) {
		if in.State == ActivityHeld {
			limit := c.Policy.complianceReviewAbove()
			return AccountChange{}, a.precondition("a %s of %s (above %s, or in another currency) needs a LEGAL review before it takes place: record it PLANNED, get the review, then complete it",
				in.Kind, in.Value, limit)
		}
		act.Review, recipients = CompliancePending, []string{FunctionRecipient(FunctionLegal)}
	}
	next := a
	if act.State == ActivityHeld {
		heldOn := act.Date
		act.HeldOn = &heldOn
	} else {
		next.OpenActivities = append(slices.Clone(a.OpenActivities), act)
	}
	next.ActivitiesRecorded++
	next.UpdatedAt = c.Now
	ch := c.accountChange(next, EventActivityRecorded, act, recipients...)
	ch.Activity = &act
	return ch, nil
}

// ReviewActivity is LEGAL's review of a planned activity awaiting it: approved or rejected, with the rationale. The
// reviewer has the LEGAL function in a unit holding the account's, and neither logged the activity nor takes part
// in it (separation of duties).
type ReviewActivity struct {
	ActivityID string           `json:"activity_id"`
	Result     ComplianceReview `json:"result"`
	Rationale  string           `json:"rationale"`
}

// Apply records the review; whoever logged the activity and the owner are told.
func (cmd ReviewActivity) Apply(a Account, c Context) (AccountChange, error) {
	x := c.Actor
	if err := a.found(); err != nil {
		return AccountChange{}, err
	}
	unit, functions, ok := ReviewReach(x)
	if !ok || !slices.Contains(functions, FunctionLegal) || !unit.Contains(a.Unit) {
		return AccountChange{}, PermissionDenied("reviewing an activity of account %s needs the reviewer role with the LEGAL function in a unit holding %s",
			a.ID, a.Unit)
	}
	act, ok := a.OpenActivity(cmd.ActivityID)
	if !ok {
		return AccountChange{}, NotFound("activity %s not found among the open activities of account %s", cmd.ActivityID, a.ID)
	}
	switch {
	case act.LoggedBy.ID == x.ID:
		return AccountChange{}, PermissionDenied("reviewing activity %s: you logged it, and nobody reviews their own activity (separation of duties)", act.ID)
	case slices.ContainsFunc(act.OurPeople, func(p Person) bool { return p.ID == x.ID }):
		return AccountChange{}, PermissionDenied("reviewing activity %s: you take part in it, and nobody reviews their own activity (separation of duties)", act.ID)
	}
	if cmd.Result != ComplianceApproved && cmd.Result != ComplianceRejected {
		return AccountChange{}, Invalid("a review approves (APPROVED) or rejects (REJECTED) the activity, not %q", cmd.Result)
	}
	if err := checkTexts(textField{"the review's rationale", cmd.Rationale, MaxTextChars, true}); err != nil {
		return AccountChange{}, err
	}
	if act.Review != CompliancePending {
		return AccountChange{}, a.precondition("activity %s is %s by its review; only a PENDING review is decided", act.ID, act.Review)
	}
	reviewer, now := x.Person(), c.Now
	act.Review, act.Reviewer, act.ReviewRationale, act.ReviewedAt = cmd.Result, &reviewer, cmd.Rationale, &now
	next := a.withOpenActivity(act, c.Now)
	ch := c.accountChange(next, EventActivityReviewed, act, UserRecipient(act.LoggedBy.ID), UserRecipient(a.Owner.ID))
	ch.Activity = &act
	return ch, nil
}

// withOpenActivity returns the account with act replacing the open activity of the same id.
func (a Account) withOpenActivity(act Activity, now time.Time) Account {
	a.OpenActivities = slices.Clone(a.OpenActivities)
	for i := range a.OpenActivities {
		if a.OpenActivities[i].ID == act.ID {
			a.OpenActivities[i] = act
		}
	}
	a.UpdatedAt = now
	return a
}

// CompleteActivity says how a planned activity ended: held on a date with its outcome, or cancelled. It is held
// only once its review, if it needs one, approved it: not while it is PENDING, nor after it was REJECTED (cancel
// it then). Either way it leaves the account's open activities.
type CompleteActivity struct {
	ActivityID string `json:"activity_id"`
	Cancel     bool   `json:"cancel,omitempty"`
	HeldOn     Date   `json:"held_on,omitzero"`
	Outcome    string `json:"outcome,omitempty"`
}

// Apply completes the activity; the owner is told.
func (cmd CompleteActivity) Apply(a Account, c Context) (AccountChange, error) {
	if err := a.found(); err != nil {
		return AccountChange{}, err
	}
	if err := a.mayWork(c.Actor, "completing an activity"); err != nil {
		return AccountChange{}, err
	}
	act, ok := a.OpenActivity(cmd.ActivityID)
	if !ok {
		return AccountChange{}, NotFound("activity %s not found among the open activities of account %s", cmd.ActivityID, a.ID)
	}
	if err := checkTexts(textField{"the activity's outcome", cmd.Outcome, MaxTextChars, false}); err != nil {
		return AccountChange{}, err
	}
	act.Outcome = cmd.Outcome
	if cmd.Cancel {
		act.State = ActivityCancelled
	} else {
		if !cmd.HeldOn.Valid() || !cmd.HeldOn.onOrBefore(c.Now) {
			return AccountChange{}, Invalid("a held activity needs the calendar date it was held on, not after today")
		}
		switch act.Review {
		case CompliancePending:
			return AccountChange{}, a.precondition("activity %s awaits its LEGAL review and takes place only once approved", act.ID)
		case ComplianceRejected:
			return AccountChange{}, a.precondition("activity %s was rejected by its LEGAL review and does not take place; cancel it", act.ID)
		}
		heldOn := cmd.HeldOn
		act.State, act.HeldOn = ActivityHeld, &heldOn
	}
	by, at := c.Actor.Person(), c.Now
	act.CompletedBy, act.CompletedAt, act.AccountID = &by, &at, a.ID
	next := a
	next.OpenActivities = slices.DeleteFunc(slices.Clone(a.OpenActivities), func(x Activity) bool { return x.ID == act.ID })
	next.UpdatedAt = c.Now
	ch := c.accountChange(next, EventActivityCompleted, act, UserRecipient(a.Owner.ID))
	ch.Activity = &act
	return ch, nil
}
