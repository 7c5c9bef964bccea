package ltc

import (
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// ContactRole is a contact's role in the customer's decisions.
type ContactRole string

// Contact roles.
const (
	ContactDecisionMaker ContactRole = "DECISION_MAKER"
	ContactInfluencer    ContactRole = "INFLUENCER"
	ContactEvaluator     ContactRole = "EVALUATOR"
	ContactUser          ContactRole = "USER"
	ContactGatekeeper    ContactRole = "GATEKEEPER"
	ContactCoach         ContactRole = "COACH"
)

// ContactRoles lists every contact role.
var ContactRoles = []ContactRole{ContactDecisionMaker, ContactInfluencer, ContactEvaluator, ContactUser, ContactGatekeeper, ContactCoach}

// Attitude is a contact's attitude to us (seed 001).
type Attitude string

// Attitudes.
const (
	AttitudeValuesUs  Attitude = "VALUES_US"  // 重视
	AttitudeAcceptsUs Attitude = "ACCEPTS_US" // 接受
	AttitudeCommodity Attitude = "COMMODITY"  // 商品
	AttitudeThreat    Attitude = "THREAT"     // 威胁
)

// Attitudes lists every attitude.
var Attitudes = []Attitude{AttitudeValuesUs, AttitudeAcceptsUs, AttitudeCommodity, AttitudeThreat}

// MaxStrength is the strongest relationship a holder has with a contact (0 is none).
const MaxStrength = 5

// Contact is one of the customer's people (关键客户关系): who they are (personal data: name, title, department,
// email, phone, notes), where they stand in the power map (reports-to, role, the hidden-decider and rising-star
// flags, attitude) and who of ours holds the relationship, how strongly. Role and attitude may be unknown ("").
type Contact struct {
	ID         string `json:"id"`
	AccountID  string `json:"account_id"`
	Name       string `json:"name,omitempty"`
	Title      string `json:"title,omitempty"`
	Department string `json:"department,omitempty"`
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
	// ReportsTo is the id of the contact of the same account this one reports to, or "".
	ReportsTo     string      `json:"reports_to,omitempty"`
	Role          ContactRole `json:"role,omitempty"`
	HiddenDecider bool        `json:"hidden_decider,omitempty"` // 隐形决策链
	RisingStar    bool        `json:"rising_star,omitempty"`    // 明日之星
	Attitude      Attitude    `json:"attitude,omitempty"`
	Holder        *Person     `json:"holder,omitempty"`
	Strength      int         `json:"strength,omitempty"`
	// Notes are kept in the read model only: the account's process holds its contacts without them.
	Notes    string     `json:"notes,omitempty"`
	Erased   bool       `json:"erased,omitempty"`
	ErasedAt *time.Time `json:"erased_at,omitempty"`
}

var contactIDSpace = uuid.MustParse("a7c3e915-0b2d-4f68-8e41-5d9b2c7f3a06")

// ContactID is the id of the contact added by the request.
func ContactID(requestID string) string {
	return uuid.NewSHA1(contactIDSpace, []byte(requestID)).String()
}

// Anonymous is the contact without its personal data: what an erased contact keeps, and what someone reads who may
// read the account but not its people.
func (ct Contact) Anonymous() Contact {
	ct.Name, ct.Title, ct.Department, ct.Email, ct.Phone, ct.Notes = "", "", "", "", "", ""
	return ct
}

// details are what the contact's events carry of it.
func (ct Contact) details(fields ...string) ContactDetails {
	return ContactDetails{ContactID: ct.ID, ReportsTo: ct.ReportsTo, Role: ct.Role, HiddenDecider: ct.HiddenDecider,
		RisingStar: ct.RisingStar, Attitude: ct.Attitude, Holder: ct.Holder, Strength: ct.Strength, Erased: ct.Erased,
		Fields: fields}
}

// Contact returns the account's contact with the id.
func (a Account) Contact(id string) (Contact, bool) {
	i := slices.IndexFunc(a.Contacts, func(ct Contact) bool { return ct.ID == id })
	if i < 0 {
		return Contact{}, false
	}
	return a.Contacts[i], true
}

// withContact returns the account with ct replacing the contact of the same id, or added after the others.
func (a Account) withContact(ct Contact, now time.Time) Account {
	contacts := slices.Clone(a.Contacts)
	if i := slices.IndexFunc(contacts, func(x Contact) bool { return x.ID == ct.ID }); i >= 0 {
		contacts[i] = ct
	} else {
		contacts = append(contacts, ct)
	}
	a.Contacts = contacts
	a.UpdatedAt = now
	return a
}

// checkContact checks the contact's fields, and that it reports to another contact of the account without
// closing a cycle of reports-to.
func (a Account) checkContact(ct Contact) error {
	if err := checkTexts(textField{"the contact's name", ct.Name, MaxNameChars, true},
		textField{"title", ct.Title, MaxNameChars, false}, textField{"department", ct.Department, MaxNameChars, false},
		textField{"email", ct.Email, MaxEmailChars, false}, textField{"phone", ct.Phone, MaxPhoneChars, false},
		textField{"notes", ct.Notes, MaxTextChars, false}); err != nil {
		return err
	}
	if ct.Role != "" && !slices.Contains(ContactRoles, ct.Role) {
		return Invalid("contact role %q is not one of DECISION_MAKER, INFLUENCER, EVALUATOR, USER, GATEKEEPER, COACH", ct.Role)
	}
	if ct.Attitude != "" && !slices.Contains(Attitudes, ct.Attitude) {
		return Invalid("attitude %q is not one of VALUES_US, ACCEPTS_US, COMMODITY, THREAT", ct.Attitude)
	}
	if ct.Strength < 0 || ct.Strength > MaxStrength {
		return Invalid("a relationship's strength is 0 (none) to %d, not %d", MaxStrength, ct.Strength)
	}
	if ct.Holder != nil {
		if err := checkPerson("the relationship's holder", *ct.Holder); err != nil {
			return err
		}
	} else if ct.Strength > 0 {
		return Invalid("a relationship of strength %d needs its holder (who of ours holds it)", ct.Strength)
	}
	return a.checkReportsTo(ct)
}

// checkReportsTo checks that the contact reports to nobody, or to another contact of the account that does not
// report to it, directly or through others.
func (a Account) checkReportsTo(ct Contact) error {
	if ct.ReportsTo == "" {
		return nil
	}
	if ct.ReportsTo == ct.ID {
		return Invalid("contact %s cannot report to itself", ct.ID)
	}
	boss, ok := a.Contact(ct.ReportsTo)
	if !ok {
		return Invalid("contact %s reports to %s, which is no contact of account %s", ct.ID, ct.ReportsTo, a.ID)
	}
	// The account's reports-to are without cycles, so the walk up from the boss ends within len(a.Contacts) steps.
	for range a.Contacts {
		if boss.ReportsTo == ct.ID {
			return Invalid("contact %s cannot report to %s, who reports to it: reports-to makes no cycle", ct.ID, ct.ReportsTo)
		}
		if boss, ok = a.Contact(boss.ReportsTo); !ok {
			break
		}
	}
	return nil
}

// AddContact adds one of the customer's people to the account; its id comes from the request. The owner, the
// team and the sales managers and executives in scope add contacts.
type AddContact struct {
	Contact Contact `json:"contact"`
}

// Apply adds the contact.
func (cmd AddContact) Apply(a Account, c Context) (AccountChange, error) {
	if err := a.found(); err != nil {
		return AccountChange{}, err
	}
	if err := a.mayWork(c.Actor, "adding a contact"); err != nil {
		return AccountChange{}, err
	}
	ct := cmd.Contact
	ct.ID, ct.AccountID, ct.Erased, ct.ErasedAt = ContactID(c.RequestID), a.ID, false, nil
	if err := a.checkContact(ct); err != nil {
		return AccountChange{}, err
	}
	ch := c.accountChange(a.withContact(ct, c.Now), EventContactAdded, ct.details())
	ch.Contact, ch.NotesChanged = &ct, true
	return ch, nil
}

// Fields of a contact UpdateContact changes.
const (
	ContactFieldName          = "name"
	ContactFieldTitle         = "title"
	ContactFieldDepartment    = "department"
	ContactFieldEmail         = "email"
	ContactFieldPhone         = "phone"
	ContactFieldReportsTo     = "reports_to"
	ContactFieldRole          = "role"
	ContactFieldHiddenDecider = "hidden_decider"
	ContactFieldRisingStar    = "rising_star"
	ContactFieldAttitude      = "attitude"
	ContactFieldHolder        = "holder"
	ContactFieldStrength      = "strength"
	ContactFieldNotes         = "notes"
)

// ContactFields lists the fields UpdateContact changes.
var ContactFields = []string{
	ContactFieldName, ContactFieldTitle, ContactFieldDepartment, ContactFieldEmail, ContactFieldPhone,
	ContactFieldReportsTo, ContactFieldRole, ContactFieldHiddenDecider, ContactFieldRisingStar, ContactFieldAttitude,
	ContactFieldHolder, ContactFieldStrength, ContactFieldNotes,
}

// UpdateContact changes the fields of the contact that Fields names (ContactFields) to Contact's values; the others
// stay. An erased contact is not updated: its person asked to be forgotten.
type UpdateContact struct {
	ContactID string   `json:"contact_id"`
	Fields    []string `json:"fields"`
	Contact   Contact  `json:"contact"`
}

// Apply updates the contact.
func (cmd UpdateContact) Apply(a Account, c Context) (AccountChange, error) {
	if err := a.found(); err != nil {
		return AccountChange{}, err
	}
	if err := a.mayWork(c.Actor, "updating a contact"); err != nil {
		return AccountChange{}, err
	}
	ct, ok := a.Contact(cmd.ContactID)
	if !ok {
		return AccountChange{}, NotFound("contact %s not found on account %s", cmd.ContactID, a.ID)
	}
	if ct.Erased {
		return AccountChange{}, a.precondition("contact %s is erased and takes no changes", ct.ID)
	}
	if len(cmd.Fields) == 0 {
		return AccountChange{}, Invalid("an update names the fields it changes (%s)", strings.Join(ContactFields, ", "))
	}
	v, notes := cmd.Contact, false
	for _, f := range cmd.Fields {
		switch f {
		case ContactFieldName:
			ct.Name = v.Name
		case ContactFieldTitle:
			ct.Title = v.Title
		case ContactFieldDepartment:
			ct.Department = v.Department
		case ContactFieldEmail:
			ct.Email = v.Email
		case ContactFieldPhone:
			ct.Phone = v.Phone
		case ContactFieldReportsTo:
			ct.ReportsTo = v.ReportsTo
		case ContactFieldRole:
			ct.Role = v.Role
		case ContactFieldHiddenDecider:
			ct.HiddenDecider = v.HiddenDecider
		case ContactFieldRisingStar:
			ct.RisingStar = v.RisingStar
		case ContactFieldAttitude:
			ct.Attitude = v.Attitude
		case ContactFieldHolder:
			ct.Holder = v.Holder
		case ContactFieldStrength:
			ct.Strength = v.Strength
		case ContactFieldNotes:
			ct.Notes, notes = v.Notes, true
		default:
			return AccountChange{}, Invalid("unknown contact field %q (%s)", f, strings.Join(ContactFields, ", "))
		}
	}
	if err := a.checkContact(ct); err != nil {
		return AccountChange{}, err
	}
	ch := c.accountChange(a.withContact(ct, c.Now), EventContactUpdated, ct.details(distinct(cmd.Fields)...))
	ch.Contact, ch.NotesChanged = &ct, notes
	return ch, nil
}

// EraseContact removes a contact's personal data for a privacy request: it keeps its id, its place in the power
// map and its holder, so the account's history stays whole, and nothing else. The owner, the sales managers and
// executives in scope, and admins erase contacts: a privacy request is administration, and erasing grants no
// access to anything.
type EraseContact struct {
	ContactID string `json:"contact_id"`
	// Reference names the privacy request (a ticket number); the event records it.
	Reference string `json:"reference,omitempty"`
}

// Apply erases the contact.
func (cmd EraseContact) Apply(a Account, c Context) (AccountChange, error) {
	x := c.Actor
	if err := a.found(); err != nil {
		return AccountChange{}, err
	}
	if !a.owns(x) && !a.inScope(x) && !x.Has(RoleAdmin) {
		return AccountChange{}, PermissionDenied("erasing a contact of account %s needs its owner, a sales_manager or executive whose scope holds %s, or an admin",
			a.ID, a.Unit)
	}
	ct, ok := a.Contact(cmd.ContactID)
	if !ok {
		return AccountChange{}, NotFound("contact %s not found on account %s", cmd.ContactID, a.ID)
	}
	if ct.Erased {
		return AccountChange{}, a.precondition("contact %s is erased already", ct.ID)
	}
	now := c.Now
	ct = ct.Anonymous()
	ct.Erased, ct.ErasedAt = true, &now
	if err := checkTexts(textField{"the privacy request's reference", cmd.Reference, MaxNameChars, false}); err != nil {
		return AccountChange{}, err
	}
	details := ct.details()
	details.Reference = cmd.Reference
	ch := c.accountChange(a.withContact(ct, c.Now), EventContactErased, details)
	ch.Contact, ch.NotesChanged = &ct, true
	return ch, nil
}
