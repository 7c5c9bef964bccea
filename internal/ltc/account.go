package ltc

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Account is a customer organisation (客户, MCR) as its process holds it: its grade and the history of it, our team
// and standing there, its people (contacts, without their notes), the relationship assessed, planned and reviewed,
// its satisfaction, and the activities not yet held. Accounts live on: an account's process never ends.
type Account struct {
	ID       string        `json:"id"`
	Name     string        `json:"name"`
	Grade    CustomerGrade `json:"grade"`
	Industry string        `json:"industry,omitempty"`
	// Region is the customer's region, as free text (our organisation is Unit).
	Region string `json:"region,omitempty"`
	// Unit is our org unit that owns the account; its managers and the executives whose scope holds it govern it.
	Unit Unit `json:"unit,omitempty"`
	// Owner is the account manager.
	Owner Person `json:"owner"`
	// Team is the account team; for S and A accounts an iron triangle (AR, SR, FR) is expected but not forced.
	Team Team `json:"team,omitempty"`
	// Target says the account is on the target account list ("100T"), which management keeps.
	Target   bool           `json:"target,omitempty"`
	Supplier SupplierStatus `json:"supplier"`
	// GradeHistory records every grade the account was given, the first at its creation, oldest first.
	GradeHistory []GradeChange `json:"grade_history,omitempty"`
	// Relationship is the current assessment of our organisational relationship; RelationshipHistory holds every
	// assessment, the current one last.
	Relationship        *RelationshipAssessment  `json:"relationship,omitempty"`
	RelationshipHistory []RelationshipAssessment `json:"relationship_history,omitempty"`
	// Plans are the yearly relationship plans, one a year in the order of the years; Plan is the latest year's.
	Plan    *AccountPlan         `json:"plan,omitempty"`
	Plans   []AccountPlan        `json:"plans,omitempty"`
	Reviews []RelationshipReview `json:"reviews,omitempty"`
	// Cadence is the quarterly relationship review owed while the account is of grade S or A.
	Cadence *ReviewCadence `json:"cadence,omitempty"`
	// Satisfaction holds one score a period, in the order of the periods.
	Satisfaction []SatisfactionScore `json:"satisfaction,omitempty"`
	// Contacts are the customer's people, erased ones included; the process keeps them without their notes.
	Contacts []Contact `json:"contacts,omitempty"`
	// OpenActivities are the activities planned and not yet held or cancelled; held and cancelled ones leave the
	// state for the read model. ActivitiesRecorded counts every activity recorded.
	OpenActivities     []Activity `json:"open_activities,omitempty"`
	ActivitiesRecorded int        `json:"activities_recorded,omitempty"`
	CreatedBy          Person     `json:"created_by"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

// SupplierState is our standing as a supplier at the customer (seed 002: only short-listed suppliers are invited
// to bid).
type SupplierState string

// Supplier states.
const (
	SupplierNone        SupplierState = "NONE"
	SupplierRegistered  SupplierState = "REGISTERED"
	SupplierCertified   SupplierState = "CERTIFIED"
	SupplierShortListed SupplierState = "SHORT_LISTED"
)

// SupplierStates lists every supplier state.
var SupplierStates = []SupplierState{SupplierNone, SupplierRegistered, SupplierCertified, SupplierShortListed}

// SupplierStatus is our supplier state at the customer and when it expires, if it does.
type SupplierStatus struct {
	Status  SupplierState `json:"status"`
	Expires *Date         `json:"expires,omitempty"`
}

// GradeChange is one grade given to the account: from which (none at creation), to which, why, by whom, when.
type GradeChange struct {
	From      CustomerGrade `json:"from,omitempty"`
	To        CustomerGrade `json:"to"`
	Rationale string        `json:"rationale,omitempty"`
	By        Person        `json:"by"`
	At        time.Time     `json:"at"`
}

// CustomerGrades lists every customer grade.
var CustomerGrades = []CustomerGrade{GradeS, GradeA, GradeB, GradeC}

// Strategic reports whether the grade is S or A: such accounts are graded by executives and reviewed quarterly.
func (g CustomerGrade) Strategic() bool { return g == GradeS || g == GradeA }

// AccountCommand is a change someone (or the engine, at a deadline) asks of an account, the counterpart of Command
// for deals. Each command type is one change of the account's process, grouped in this package's files by topic
// (account.go, contact.go, relationship.go, activity.go).
type AccountCommand interface {
	// Apply applies the rules: the change the command makes to the account now, or why it may not. It is pure,
	// as Command.Apply is.
	Apply(a Account, c Context) (AccountChange, error)
}

// AccountChange is what an accepted account command does: the account after it, the contact and the activity it
// touched (whole, for the read model: the contact with its notes, an activity even once it left the account's
// state) and the events it produces.
type AccountChange struct {
	Account  Account   `json:"account"`
	Contact  *Contact  `json:"contact,omitempty"`
	Activity *Activity `json:"activity,omitempty"`
	// NotesChanged says Contact.Notes are the contact's notes now (it was added, its notes updated, or it was
	// erased); otherwise the read model keeps the notes it has, which the process does not know.
	NotesChanged bool    `json:"notes_changed,omitempty"`
	Events       []Event `json:"events,omitempty"`
}

var accountIDSpace = uuid.MustParse("3e8d2a71-c4f9-4b06-9a5e-1d7c6b2f8e40")

// AccountID is the id of the account created by the request, so a retried create finds the same account and
// process.
func AccountID(requestID string) string {
	return uuid.NewSHA1(accountIDSpace, []byte(requestID)).String()
}

// Bounds of an account's texts and lists, in characters and items, as the API bounds a deal's.
const (
	MaxNameChars  = 200  // names, titles, subjects, departments, quarters
	MaxShortChars = 100  // industry, region
	MaxTextChars  = 4000 // notes, rationales, conclusions, objectives, outcomes
	MaxEmailChars = 254
	MaxPhoneChars = 50
	MaxListItems  = 50 // the people and contacts of an activity or a review
)

// Readers are the people named on the account who read it wherever their unit: owner, team and creator.
func (a Account) Readers() []string {
	return distinct(append(a.Members(), a.CreatedBy.ID))
}

// Members are the account's owner and team: they never grade it S or A (separation of duties).
func (a Account) Members() []string {
	ids := []string{a.Owner.ID}
	for _, m := range a.Team {
		ids = append(ids, m.Person.ID)
	}
	return distinct(ids)
}

// CanRead reports whether the actor reads the account: its readers, the sales managers and executives whose scope
// holds its unit, systems with the read scope there, admins (as for deals), and the reviewers in scope, who review
// its activities.
func (a Account) CanRead(x Actor) bool { return AccountReach(x).Covers(a.Unit, a.Readers()) }

// AccountReach is what accounts the actor reads: a deal's readers' (DealReach) and the reviewers', within the unit
// they review in. Get and every list of accounts apply the same reach.
func AccountReach(x Actor) Reach {
	r := DealReach(x)
	if unit, _, ok := ReviewReach(x); ok {
		r.Units = append(r.Units, unit)
	}
	return r.normal()
}

// CanReadPersonalData reports whether the actor reads the personal data of the account's contacts (names, titles,
// departments, emails, phones, notes): its readers and the sales managers and executives whose scope holds its unit.
// Reviewers, systems and admins read the account without it.
func (a Account) CanReadPersonalData(x Actor) bool {
	return slices.Contains(a.Readers(), x.ID) || a.inScope(x)
}

// WithoutPersonalData is the account as read by someone who may read it but not its contacts' personal data.
func (a Account) WithoutPersonalData() Account {
	a.Contacts = slices.Clone(a.Contacts)
	for i := range a.Contacts {
		a.Contacts[i] = a.Contacts[i].Anonymous()
	}
	return a
}

// owns reports whether the actor is the account's owner.
func (a Account) owns(x Actor) bool { return a.Owner.ID == x.ID }

// inScope reports whether the actor governs the account: a sales manager or an executive whose scope holds its unit.
func (a Account) inScope(x Actor) bool { return x.Manages(a.Unit) || x.ExecutiveOver(a.Unit) }

// works reports whether the actor works the account: its owner, a member of its team, or one who governs it.
func (a Account) works(x Actor) bool { return a.owns(x) || a.Team.Member(x.ID) || a.inScope(x) }

// mayWork checks that the actor works the account, for the change named what.
func (a Account) mayWork(x Actor, what string) error {
	if !a.works(x) {
		return PermissionDenied("%s of account %s needs its owner, its team, or a sales_manager or executive whose scope holds %s",
			what, a.ID, a.Unit)
	}
	return nil
}

// found refuses a command on an account that was never created (the zero account).
func (a Account) found() error {
	if a.ID == "" {
		return NotFound("account not found: it has not been created")
	}
	return nil
}

// precondition refuses a change of the account with FAILED_PRECONDITION. Every such refusal of an account goes
// through here, so each says what is missing, then where the account stands (its grade).
func (a Account) precondition(format string, args ...any) error {
	return FailedPrecondition(format+"; account %s is grade %s", append(args, a.ID, a.Grade)...)
}

// canGrade checks that the actor may move the account's grade from from (none at creation) to to. Grading an
// account S or A, or taking it from S or A, needs an executive whose scope holds its unit and who is neither its
// owner nor on its team: nobody grades their own account strategic, nor ends its reviews. B and C are the owner's,
// the sales managers' and the executives' in scope.
func (a Account) canGrade(x Actor, from, to CustomerGrade) error {
	if !slices.Contains(CustomerGrades, to) {
		return Invalid("grade %q is not one of S, A, B, C", to)
	}
	if from.Strategic() || to.Strategic() {
		what := "grading account " + a.ID + " " + string(to)
		if from != "" {
			what = "grading account " + a.ID + " from " + string(from) + " to " + string(to)
		}
		switch {
		case !x.ExecutiveOver(a.Unit):
			return PermissionDenied("%s needs an executive whose scope holds %s", what, a.Unit)
		case a.owns(x):
			return PermissionDenied("%s: you own the account, and nobody grades their own account strategic (separation of duties)", what)
		case a.Team.Member(x.ID):
			return PermissionDenied("%s: you are on its team, and nobody grades their own account strategic (separation of duties)", what)
		}
		return nil
	}
	if !a.owns(x) && !a.inScope(x) {
		return PermissionDenied("grading account %s %s needs its owner, or a sales_manager or executive whose scope holds %s", a.ID, to, a.Unit)
	}
	return nil
}

// graded returns the account with the grade given by the actor now, recorded in its history; the review cadence
// starts when the account becomes S or A and ends when it becomes B or C.
func (a Account) graded(to CustomerGrade, rationale string, by Person, now time.Time, p Policy) Account {
	from := a.Grade
	a.Grade = to
	a.GradeHistory = append(slices.Clone(a.GradeHistory), GradeChange{From: from, To: to, Rationale: rationale, By: by, At: now})
	switch {
	case to.Strategic() && !from.Strategic():
		a.Cadence = newReviewCadence(now, p)
	case !to.Strategic():
		a.Cadence = nil
	}
	a.UpdatedAt = now
	return a
}

// textField is a text of a command with its bound in characters.
type textField struct {
	name     string
	value    string
	max      int
	required bool
}

// checkTexts refuses the first text that is missing though required, is no text the engine takes, or is too long.
func checkTexts(fields ...textField) error {
	for _, f := range fields {
		if f.required && strings.TrimSpace(f.value) == "" {
			return Invalid("%s is required", f.name)
		}
		if problem := TextProblem(f.value); problem != "" {
			return Invalid("%s %s", f.name, problem)
		}
		if n := utf8.RuneCountInString(f.value); n > f.max {
			return Invalid("%s has %d characters; at most %d are taken", f.name, n, f.max)
		}
	}
	return nil
}

// checkPerson refuses a person without an id, or with an id or name the engine does not take.
func checkPerson(field string, p Person) error {
	return checkTexts(textField{field + " id", p.ID, MaxNameChars, true}, textField{field + " name", p.Name, MaxNameChars, false})
}

// checkMoney refuses an amount the engine does not take.
func checkMoney(field string, m Money) error {
	if problem := MoneyProblem(m); problem != "" {
		return Invalid("%s %s", field, problem)
	}
	return nil
}

// checkAccountTeam checks an account team: known roles, a person for each, no role twice for one person. The iron
// triangle is not forced, and the team's size is a limit (MaxAccountTeam), which RunAccount checks.
func checkAccountTeam(t Team) error {
	if err := t.validMembers(); err != nil {
		return err
	}
	for i, m := range t {
		if err := checkPerson("team member "+string(m.Role), m.Person); err != nil {
			return Invalid("team member %d: %v", i, err)
		}
	}
	return nil
}

// checkSupplier checks a supplier status: a known state, and an expiry only for a state that can expire.
func checkSupplier(s SupplierStatus) error {
	if !slices.Contains(SupplierStates, s.Status) {
		return Invalid("supplier status %q is not one of NONE, REGISTERED, CERTIFIED, SHORT_LISTED", s.Status)
	}
	if s.Expires != nil && (s.Status == SupplierNone || !s.Expires.Valid()) {
		return Invalid("a supplier status expires on a calendar date, and NONE does not expire")
	}
	return nil
}

// AccountDetails are an account's own fields as its events carry them (account.created, account.updated): no
// contact, so no personal data.
type AccountDetails struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Grade    CustomerGrade  `json:"grade"`
	Industry string         `json:"industry,omitempty"`
	Region   string         `json:"region,omitempty"`
	Unit     Unit           `json:"unit,omitempty"`
	Owner    Person         `json:"owner"`
	Team     Team           `json:"team,omitempty"`
	Target   bool           `json:"target,omitempty"`
	Supplier SupplierStatus `json:"supplier"`
}

// Details are the account's own fields.
func (a Account) Details() AccountDetails {
	return AccountDetails{ID: a.ID, Name: a.Name, Grade: a.Grade, Industry: a.Industry, Region: a.Region, Unit: a.Unit,
		Owner: a.Owner, Team: a.Team, Target: a.Target, Supplier: a.Supplier}
}

// Account is the account the details describe, without what they do not carry.
func (d AccountDetails) Account() Account {
	return Account{ID: d.ID, Name: d.Name, Grade: d.Grade, Industry: d.Industry, Region: d.Region, Unit: d.Unit,
		Owner: d.Owner, Team: d.Team, Target: d.Target, Supplier: d.Supplier}
}

// people are the owner and the team as notification recipients.
func (a Account) people() []string {
	var recipients []string
	for _, id := range a.Members() {
		recipients = append(recipients, UserRecipient(id))
	}
	return recipients
}

// accountEvent is an event of the account by actor, addressed within the account's unit.
func (c Context) accountEvent(a Account, typ string, actor Person, data any, recipients ...string) Event {
	return Event{
		AccountID: a.ID, Type: typ, Actor: actor, RequestID: c.RequestID,
		Recipients: InUnit(distinct(recipients), a.Unit), Data: EventData(data), OccurredAt: c.Now,
	}
}

// accountChange is the change of the account to next, with one event of type typ carrying data, by the actor.
func (c Context) accountChange(next Account, typ string, data any, recipients ...string) AccountChange {
	return AccountChange{Account: next, Events: []Event{c.accountEvent(next, typ, c.Actor.Person(), data, recipients...)}}
}

// CreateAccount records a new account, owned by Owner in Unit: sales people create accounts of their own unit that
// they own; sales managers and executives create them within their scope, for anyone. Only they put an account on
// the target list, and grading it S or A at once needs an executive in scope who neither owns it nor is on its team,
// and a rationale. The account's id comes from the request.
type CreateAccount struct {
	Name     string         `json:"name"`
	Grade    CustomerGrade  `json:"grade"`
	Industry string         `json:"industry,omitempty"`
	Region   string         `json:"region,omitempty"`
	Unit     Unit           `json:"unit,omitempty"`
	Owner    Person         `json:"owner"`
	Team     Team           `json:"team,omitempty"`
	Target   bool           `json:"target,omitempty"`
	Supplier SupplierStatus `json:"supplier,omitzero"`
	// GradeRationale says why the account has its grade; it is required for S and A.
	GradeRationale string `json:"grade_rationale,omitempty"`
	// Lead is set when the account is made for a new customer that a lead names (CreateLead without an account):
	// whoever may create the lead (CanCreateLead) makes the account with the grade the lead declares, recorded as
	// declared with the lead, so that a lead's creation works as it did before accounts. Changing the grade later
	// follows GradeAccount's rules.
	Lead string `json:"lead,omitempty"`
}

// Apply creates the account; its owner and team are told.
func (cmd CreateAccount) Apply(a Account, c Context) (AccountChange, error) {
	x := c.Actor
	if a.ID != "" {
		return AccountChange{}, Conflict("account %s exists already", a.ID)
	}
	if cmd.Lead == "" && !x.HasAny(RoleSales, RoleSalesManager, RoleExecutive) {
		return AccountChange{}, PermissionDenied("creating an account needs the sales, sales_manager or executive role")
	}
	if cmd.Supplier.Status == "" {
		cmd.Supplier.Status = SupplierNone
	}
	next := Account{
		ID: AccountID(c.RequestID), Name: cmd.Name, Industry: cmd.Industry, Region: cmd.Region, Unit: cmd.Unit,
		Owner: cmd.Owner, Team: cmd.Team, Target: cmd.Target, Supplier: cmd.Supplier,
		CreatedBy: x.Person(), CreatedAt: c.Now,
	}
	if _, err := ParseUnit(cmd.Unit.String()); err != nil {
		return AccountChange{}, Invalid("%v", err)
	}
	if cmd.Lead != "" {
		cmd.GradeRationale = "declared with lead " + cmd.Lead
	} else if !next.inScope(x) {
		switch {
		case cmd.Unit != x.Unit:
			return AccountChange{}, PermissionDenied("an account of %s is created by a sales person of that unit, or a sales_manager or executive whose scope holds it; you are in %s",
				cmd.Unit, x.Unit)
		case cmd.Owner.ID != x.ID:
			return AccountChange{}, PermissionDenied("only a sales_manager or executive whose scope holds %s creates an account owned by someone else (owner %q)",
				cmd.Unit, cmd.Owner.ID)
		case cmd.Target:
			return AccountChange{}, PermissionDenied("the target account list is kept by the sales managers and executives whose scope holds %s", cmd.Unit)
		}
	}
	if !slices.Contains(CustomerGrades, cmd.Grade) {
		return AccountChange{}, Invalid("grade %q is not one of S, A, B, C", cmd.Grade)
	}
	if cmd.Lead == "" {
		if err := next.canGrade(x, "", cmd.Grade); err != nil {
			return AccountChange{}, err
		}
	}
	if err := checkTexts(textField{"the account's name", cmd.Name, MaxNameChars, true},
		textField{"industry", cmd.Industry, MaxShortChars, false}, textField{"region", cmd.Region, MaxShortChars, false},
		textField{"the grade's rationale", cmd.GradeRationale, MaxTextChars, cmd.Grade.Strategic()}); err != nil {
		return AccountChange{}, err
	}
	if err := checkPerson("owner", cmd.Owner); err != nil {
		return AccountChange{}, err
	}
	if err := checkAccountTeam(cmd.Team); err != nil {
		return AccountChange{}, err
	}
	if err := checkSupplier(cmd.Supplier); err != nil {
		return AccountChange{}, err
	}
	next = next.graded(cmd.Grade, cmd.GradeRationale, x.Person(), c.Now, c.Policy)
	return c.accountChange(next, EventAccountCreated, next.Details(), next.people()...), nil
}

// Fields of an account UpdateAccount changes.
const (
	AccountFieldName     = "name"
	AccountFieldIndustry = "industry"
	AccountFieldRegion   = "region"
	AccountFieldOwner    = "owner"
	AccountFieldTeam     = "team"
	AccountFieldTarget   = "target"
	AccountFieldSupplier = "supplier"
)

// UpdateAccount changes the fields of the account that Fields names (name, industry, region, owner, team, target,
// supplier) to the command's values; the others stay. The owner, the AR, SR and FR of its team and the sales
// managers and executives in scope update an account; only the last change its owner or its place on the target
// list, which are management's.
type UpdateAccount struct {
	Fields   []string       `json:"fields"`
	Name     string         `json:"name,omitempty"`
	Industry string         `json:"industry,omitempty"`
	Region   string         `json:"region,omitempty"`
	Owner    Person         `json:"owner,omitzero"`
	Team     Team           `json:"team,omitempty"`
	Target   bool           `json:"target,omitempty"`
	Supplier SupplierStatus `json:"supplier,omitzero"`
}

// Apply updates the account; its owner (before and after) and team are told.
func (cmd UpdateAccount) Apply(a Account, c Context) (AccountChange, error) {
	x := c.Actor
	if err := a.found(); err != nil {
		return AccountChange{}, err
	}
	if !a.owns(x) && !a.Team.Core(x.ID) && !a.inScope(x) {
		return AccountChange{}, PermissionDenied("updating account %s needs its owner, its AR, SR or FR, or a sales_manager or executive whose scope holds %s",
			a.ID, a.Unit)
	}
	if len(cmd.Fields) == 0 {
		return AccountChange{}, Invalid("an update names the fields it changes (name, industry, region, owner, team, target, supplier)")
	}
	next := a
	for _, f := range cmd.Fields {
		var err error
		switch f {
		case AccountFieldName:
			next.Name, err = cmd.Name, checkTexts(textField{"the account's name", cmd.Name, MaxNameChars, true})
		case AccountFieldIndustry:
			next.Industry, err = cmd.Industry, checkTexts(textField{"industry", cmd.Industry, MaxShortChars, false})
		case AccountFieldRegion:
			next.Region, err = cmd.Region, checkTexts(textField{"region", cmd.Region, MaxShortChars, false})
		case AccountFieldOwner, AccountFieldTarget:
			if !a.inScope(x) {
				return AccountChange{}, PermissionDenied("the %s of account %s is changed by a sales_manager or executive whose scope holds %s",
					f, a.ID, a.Unit)
			}
			if f == AccountFieldOwner {
				next.Owner, err = cmd.Owner, checkPerson("owner", cmd.Owner)
			} else {
				next.Target = cmd.Target
			}
		case AccountFieldTeam:
			next.Team, err = slices.Clone(cmd.Team), checkAccountTeam(cmd.Team)
		case AccountFieldSupplier:
			next.Supplier, err = cmd.Supplier, checkSupplier(cmd.Supplier)
		default:
			err = Invalid("unknown account field %q (name, industry, region, owner, team, target, supplier)", f)
		}
		if err != nil {
			return AccountChange{}, err
		}
	}
	next.UpdatedAt = c.Now
	recipients := append(a.people(), next.people()...)
	return c.accountChange(next, EventAccountUpdated,
		AccountUpdateDetails{Fields: distinct(cmd.Fields), Before: a.Details(), After: next.Details()}, recipients...), nil
}

// GradeAccount gives the account a grade, with the rationale, which is required. S and A, and leaving them, need
// an executive in scope who neither owns the account nor is on its team; B and C the owner, the sales managers or
// the executives in scope. Becoming S or A starts the quarterly relationship review; becoming B or C ends it.
type GradeAccount struct {
	Grade     CustomerGrade `json:"grade"`
	Rationale string        `json:"rationale"`
}

// Apply grades the account; its owner and team and the sales managers are told.
func (cmd GradeAccount) Apply(a Account, c Context) (AccountChange, error) {
	if err := a.found(); err != nil {
		return AccountChange{}, err
	}
	if err := a.canGrade(c.Actor, a.Grade, cmd.Grade); err != nil {
		return AccountChange{}, err
	}
	if err := checkTexts(textField{"the grade's rationale", cmd.Rationale, MaxTextChars, true}); err != nil {
		return AccountChange{}, err
	}
	if cmd.Grade == a.Grade {
		return AccountChange{}, a.precondition("the account has grade %s already", cmd.Grade)
	}
	next := a.graded(cmd.Grade, cmd.Rationale, c.Actor.Person(), c.Now, c.Policy)
	return c.accountChange(next, EventAccountGraded, next.GradeHistory[len(next.GradeHistory)-1],
		append(next.people(), RoleRecipient(RoleSalesManager))...), nil
}
