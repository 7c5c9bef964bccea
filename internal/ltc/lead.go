package ltc

import (
	"time"

	"github.com/google/uuid"
)

// LeadState is where a lead stands.
type LeadState string

// Lead states.
const (
	LeadNew          LeadState = "NEW"
	LeadQualified    LeadState = "QUALIFIED"
	LeadDisqualified LeadState = "DISQUALIFIED"
)

// LeadSource says where a lead came from.
type LeadSource string

// Lead sources.
const (
	SourceCustomerStrategy LeadSource = "CUSTOMER_STRATEGY" // 客户发展战略
	SourceIndustryAnalysis LeadSource = "INDUSTRY_ANALYSIS" // 行业分析
	SourceCustomerNeed     LeadSource = "CUSTOMER_NEED"     // 客户需求
	SourceOwnStrategy      LeadSource = "OWN_STRATEGY"      // 自身战略
	SourceMarketingEvent   LeadSource = "MARKETING_EVENT"
	SourceReferral         LeadSource = "REFERRAL"
	SourceOther            LeadSource = "OTHER"
)

// Urgency is how soon the customer will buy.
type Urgency string

// Urgencies.
const (
	UrgencyHot  Urgency = "HOT"
	UrgencyWarm Urgency = "WARM"
	UrgencyCold Urgency = "COLD"
)

// Qualification is the assessment recorded when a lead is qualified.
type Qualification struct {
	BudgetConfirmed    bool    `json:"budget_confirmed"`
	DecisionChainKnown bool    `json:"decision_chain_known"`
	Urgency            Urgency `json:"urgency"`
	Notes              string  `json:"notes,omitempty"`
}

// Lead is a possible deal before it becomes an opportunity (ML, 管理线索).
type Lead struct {
	ID                string     `json:"id"`
	State             LeadState  `json:"state"`
	Customer          Customer   `json:"customer"`
	Title             string     `json:"title"`
	Description       string     `json:"description,omitempty"`
	Source            LeadSource `json:"source"`
	EstimatedValue    Money      `json:"estimated_value"`
	ExpectedCloseDate Date       `json:"expected_close_date"`
	Owner             Person     `json:"owner"`
	// Unit is the org unit of the lead's owner; the deal made from it keeps it.
	Unit                   Unit           `json:"unit,omitempty"`
	CreatedBy              Person         `json:"created_by"`
	Qualification          *Qualification `json:"qualification,omitempty"`
	DisqualificationReason string         `json:"disqualification_reason,omitempty"`
	OpportunityID          string         `json:"opportunity_id,omitempty"`
	Overdue                bool           `json:"overdue"`
	SLADueAt               time.Time      `json:"sla_due_at"`
	PolicyVersion          string         `json:"policy_version"`
	CreatedAt              time.Time      `json:"created_at"`
	UpdatedAt              time.Time      `json:"updated_at"`
}

// Open reports whether the lead still waits for qualification.
func (l Lead) Open() bool { return l.State == LeadNew }

// CanCreateLead checks that the actor may create a lead owned by owner in unit: sales people create their own
// leads in their own unit; managers and systems may create a lead for someone else within their unit, admins
// anywhere.
func CanCreateLead(a Actor, owner Person, unit Unit) error {
	if !a.HasAny(RoleSales, RoleSalesManager, RoleSystem, RoleAdmin) {
		return PermissionDenied("creating a lead needs the sales, sales_manager, system or admin role")
	}
	if owner.ID != a.ID && !a.HasAny(RoleSalesManager, RoleSystem, RoleAdmin) {
		return PermissionDenied("only a sales_manager, system or admin may create a lead owned by someone else (owner %q)", owner.ID)
	}
	switch {
	case a.Has(RoleAdmin):
	case a.HasAny(RoleSalesManager, RoleSystem) && a.Unit.Contains(unit):
	case unit != a.Unit:
		return PermissionDenied("a lead of %s is created by someone of that unit, or a sales_manager or system above it; you are in %s", unit, a.Unit)
	}
	return nil
}

// CanRead checks that the actor may read leads, deals and decisions: anyone holding a role of the organisation.
func CanRead(a Actor) error {
	if len(a.Roles) == 0 {
		return PermissionDenied("reading needs a role")
	}
	return nil
}

// CanQualifyLead checks that the actor may qualify the lead now: a sales manager of its unit (or an admin), on
// a NEW lead.
func CanQualifyLead(a Actor, l Lead) error {
	if !a.Manages(l.Unit) && !a.Has(RoleAdmin) {
		return PermissionDenied("qualifying lead %s needs the sales_manager role for %s", l.ID, l.Unit)
	}
	return leadOpen(l, "qualified")
}

// CanDisqualifyLead checks that the actor may disqualify the lead now: a sales manager, an admin, or the sales
// person who owns it, on a NEW lead.
func CanDisqualifyLead(a Actor, l Lead) error {
	owner := a.Has(RoleSales) && l.Owner.ID == a.ID
	if !owner && !a.Manages(l.Unit) && !a.Has(RoleAdmin) {
		return PermissionDenied("disqualifying lead %s needs the sales_manager role for %s or ownership of the lead (owner %q)", l.ID, l.Unit, l.Owner.ID)
	}
	return leadOpen(l, "disqualified")
}

func leadOpen(l Lead, verb string) error {
	if !l.Open() {
		return FailedPrecondition("lead %s is %s; only a NEW lead can be %s", l.ID, l.State, verb)
	}
	return nil
}

// NewLead is the lead as created at time now under policy p.
func NewLead(l Lead, p Policy, now time.Time) Lead {
	l.State = LeadNew
	l.PolicyVersion = p.Version
	l.CreatedAt = now
	l.UpdatedAt = now
	l.SLADueAt = now.Add(time.Duration(p.LeadSLA))
	return l
}

// Qualify returns the lead qualified with q into the opportunity opportunityID.
func (l Lead) Qualify(q Qualification, opportunityID string, now time.Time) Lead {
	l.State = LeadQualified
	l.Qualification = &q
	l.OpportunityID = opportunityID
	l.UpdatedAt = now
	return l
}

// Disqualify returns the lead disqualified for reason.
func (l Lead) Disqualify(reason string, now time.Time) Lead {
	l.State = LeadDisqualified
	l.DisqualificationReason = reason
	l.UpdatedAt = now
	return l
}

// MarkOverdue returns the lead flagged as past its SLA.
func (l Lead) MarkOverdue(now time.Time) Lead {
	l.Overdue = true
	l.UpdatedAt = now
	return l
}

// CanReadReports checks that the actor may read pipeline reports: executives, sales managers, systems and admins.
func CanReadReports(a Actor) error {
	if !a.HasAny(RoleExecutive, RoleSalesManager, RoleSystem, RoleAdmin) {
		return PermissionDenied("pipeline reports are for executives, sales managers, systems and admins")
	}
	return nil
}

// leadIDSpace derives a lead's id from its CreateLead request id, so a retried create finds the same lead and
// process even when the first attempt's answer was lost.
var leadIDSpace = uuid.MustParse("6f3c1e9a-51c2-4a7e-9d8e-2b1f0c7a4d35")

// LeadID is the id of the lead created by the request; the deal made from the lead keeps it.
func LeadID(requestID string) string { return uuid.NewSHA1(leadIDSpace, []byte(requestID)).String() }

// CreateLead records a new lead. Who may create it is checked by the API before the lead's process starts (the
// process starts with the lead); the lead is in its owner's unit, open for the policy's lead SLA.
type CreateLead struct {
	Lead Lead `json:"lead"`
}

// Apply creates the lead.
func (cmd CreateLead) Apply(_ Deal, c Context) (Change, error) {
	lead := NewLead(cmd.Lead, c.Policy, c.Now)
	return Change{Deal: Deal{Lead: lead}, Events: []Event{
		c.leadEvent(Lead{}, lead, EventLeadCreated, c.Actor.Person(), lead),
	}}, nil
}

// QualifyLead turns the lead into a deal in stage VALIDATION (the opportunity keeps the lead's id).
type QualifyLead struct {
	Qualification Qualification `json:"qualification"`
}

// Apply qualifies the lead.
func (cmd QualifyLead) Apply(d Deal, c Context) (Change, error) {
	if err := CanQualifyLead(c.Actor, d.Lead); err != nil {
		return Change{}, err
	}
	lead := d.Lead.Qualify(cmd.Qualification, d.Lead.ID, c.Now)
	o := NewOpportunity(lead, c.Now, c.Rules)
	actor := c.Actor.Person()
	return Change{Deal: Deal{Lead: lead, Opportunity: &o}, Events: []Event{
		c.leadEvent(d.Lead, lead, EventLeadQualified, actor, cmd.Qualification),
		{DealID: o.ID, Type: EventOpportunityCreated, Actor: actor, RequestID: c.RequestID,
			StageAfter: string(o.Stage), Data: EventData(o), OccurredAt: c.Now},
	}}, nil
}

// DisqualifyLead closes the lead without a deal.
type DisqualifyLead struct {
	Reason string `json:"reason"`
}

// Apply disqualifies the lead.
func (cmd DisqualifyLead) Apply(d Deal, c Context) (Change, error) {
	if err := CanDisqualifyLead(c.Actor, d.Lead); err != nil {
		return Change{}, err
	}
	lead := d.Lead.Disqualify(cmd.Reason, c.Now)
	return Change{Deal: Deal{Lead: lead}, Events: []Event{
		c.leadEvent(d.Lead, lead, EventLeadDisqualified, c.Actor.Person(), ReasonDetails{Reason: cmd.Reason}),
	}}, nil
}

// MarkLeadOverdue is the engine's change when the lead SLA passed with the lead still open: the lead is flagged
// and its owner and the sales managers are told. The lead stays open.
type MarkLeadOverdue struct{}

// Apply flags the lead.
func (MarkLeadOverdue) Apply(d Deal, c Context) (Change, error) {
	if err := leadOpen(d.Lead, "flagged overdue"); err != nil {
		return Change{}, err
	}
	if d.Lead.Overdue {
		return Change{}, Conflict("lead %s is flagged overdue already", d.Lead.ID)
	}
	lead := d.Lead.MarkOverdue(c.Now)
	return Change{Deal: Deal{Lead: lead}, Events: []Event{
		c.leadEvent(d.Lead, lead, EventLeadOverdue, SystemPerson, LeadOverdueDetails{SLADueAt: lead.SLADueAt},
			UserRecipient(lead.Owner.ID), RoleRecipient(RoleSalesManager)),
	}}, nil
}
