package ltc

import (
	"fmt"
	"github.com/cockroachdb/apd/v3"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Gate is a decision gate: INITIATION (立项), ATB (approve to bid), ATC (approve to contract).
type Gate string

// Gates.
const (
	GateInitiation Gate = "INITIATION"
	GateATB        Gate = "ATB"
	GateATC        Gate = "ATC"
)

// DecisionStatus is where a decision stands.
type DecisionStatus string

// Decision statuses.
const (
	DecisionPending                DecisionStatus = "PENDING"
	DecisionApproved               DecisionStatus = "APPROVED"
	DecisionApprovedWithConditions DecisionStatus = "APPROVED_WITH_CONDITIONS"
	DecisionRejected               DecisionStatus = "REJECTED"
	DecisionReturned               DecisionStatus = "RETURNED"
	DecisionWithdrawn              DecisionStatus = "WITHDRAWN"
)

// Verdict is what a decider decides (综合评审 / 决策).
type Verdict string

// Ruling is a decider's decision: the verdict, the conditions of an approval with conditions, why, and for
// INITIATION the level fixed (empty confirms the proposed one).
type Ruling struct {
	Verdict    Verdict      `json:"verdict"`
	Level      ProjectLevel `json:"level,omitempty"`
	Conditions []string     `json:"conditions,omitempty"`
	Rationale  string       `json:"rationale"`
}

// Verdicts.
const (
	VerdictApprove               Verdict = "APPROVE"
	VerdictApproveWithConditions Verdict = "APPROVE_WITH_CONDITIONS"
	VerdictReject                Verdict = "REJECT"
	VerdictReturn                Verdict = "RETURN"
)

// ReviewResult is a professional review's finding (专业评审).
type ReviewResult string

// Review results.
const (
	ReviewPass             ReviewResult = "PASS"
	ReviewPassWithConcerns ReviewResult = "PASS_WITH_CONCERNS"
	ReviewFail             ReviewResult = "FAIL"
)

// ManagerAuthority is the authority a decision needs when a sales manager decides it (INITIATION of level C).
// Executives of any level may decide it too.
const ManagerAuthority = 0

// Review is one professional review of a decision. A failed review informs the decider; it decides nothing.
type Review struct {
	Function    ReviewFunction `json:"function"`
	Result      ReviewResult   `json:"result"`
	Comments    string         `json:"comments,omitempty"`
	Reviewer    Person         `json:"reviewer"`
	SubmittedAt time.Time      `json:"submitted_at"`
	// OnBehalfOf is the delegator a deputy reviewed for (Delegation); Reviewer is the deputy.
	OnBehalfOf *Person `json:"on_behalf_of,omitempty"`
}

// InitiationPackage is what the INITIATION gate decides on.
type InitiationPackage struct {
	ProposedLevel ProjectLevel `json:"proposed_level"`
	Rationale     string       `json:"rationale"`
	Assessment    Assessment   `json:"assessment"`
	// RelationshipLevel and KeyContacts are the account's standing with us and the decision chain's contacts as
	// they stood when the decision was requested (the API takes them from the account).
	RelationshipLevel RelationshipLevel `json:"relationship_level,omitempty"`
	KeyContacts       []KeyContact      `json:"key_contacts,omitempty"`
}

// KeyContact is a contact of the deal's decision chain as the deciders see it: its role in this deal and how it
// stands with us, without personal data.
type KeyContact struct {
	ContactID     string      `json:"contact_id"`
	Role          ContactRole `json:"role"`
	Attitude      Attitude    `json:"attitude,omitempty"`
	HiddenDecider bool        `json:"hidden_decider,omitempty"`
	RisingStar    bool        `json:"rising_star,omitempty"`
	Holder        *Person     `json:"holder,omitempty"`
	Strength      int         `json:"strength,omitempty"`
	Erased        bool        `json:"erased,omitempty"`
}

// KeyContacts are the deal's decision-chain contacts as the account holds them now; a contact the account does
// not hold (a mistake the API refuses) is left out.
func (a Account) KeyContacts(chain []DecisionContact) []KeyContact {
	var out []KeyContact
	for _, dc := range chain {
		ct, ok := a.Contact(dc.ContactID)
		if !ok {
			continue
		}
		out = append(out, KeyContact{ContactID: ct.ID, Role: dc.Role, Attitude: ct.Attitude, HiddenDecider: ct.HiddenDecider,
			RisingStar: ct.RisingStar, Holder: ct.Holder, Strength: ct.Strength, Erased: ct.Erased})
	}
	return out
}

// BidPackage is what the ATB gate decides on.
type BidPackage struct {
	Strategy      string `json:"strategy"`
	ProposedPrice Money  `json:"proposed_price"`
	// GrossMarginPercent is the estimated gross margin, in percent.
	GrossMarginPercent  float64 `json:"gross_margin_percent"`
	PaymentTerms        string  `json:"payment_terms"`
	DeliveryFeasibility string  `json:"delivery_feasibility"`
	// WinRate is the estimated chance to win, in percent.
	WinRate int `json:"win_rate"`
	// LineItems make the price: with them, ProposedPrice and GrossMarginPercent are their computed totals.
	LineItems []LineItem `json:"line_items,omitempty"`
	Totals    *Totals    `json:"totals,omitempty"`
	// SpecialPriceRationale says why a package below its margin floor is worth it (a special price, 特价).
	SpecialPriceRationale string `json:"special_price_rationale,omitempty"`
}

// ContractPackage is what the ATC gate decides on.
type ContractPackage struct {
	FinalPrice         Money   `json:"final_price"`
	GrossMarginPercent float64 `json:"gross_margin_percent"`
	PaymentTerms       string  `json:"payment_terms"`
	Deviations         string  `json:"deviations,omitempty"`
	ContractReference  string  `json:"contract_reference"`
	// LineItems make the price: with them, FinalPrice and GrossMarginPercent are their computed totals.
	LineItems             []LineItem `json:"line_items,omitempty"`
	Totals                *Totals    `json:"totals,omitempty"`
	SpecialPriceRationale string     `json:"special_price_rationale,omitempty"`
}

// Package is the material a decision is taken on: the gate's own part (one of Initiation, Bid, Contract) and,
// for ATB and ATC, the risk register as it stood when the decision was requested.
type Package struct {
	Initiation *InitiationPackage `json:"initiation,omitempty"`
	Bid        *BidPackage        `json:"bid,omitempty"`
	Contract   *ContractPackage   `json:"contract,omitempty"`
	Reopen     *ReopenPackage     `json:"reopen,omitempty"`
	// ChangeOrder and WriteOff are the packages of the gates of a contract in execution.
	ChangeOrder *ChangeOrderPackage `json:"change_order,omitempty"`
	WriteOff    *WriteOffPackage    `json:"write_off,omitempty"`
	Risks       []Risk              `json:"risks,omitempty"`
}

// gateRule is how a gate moves the deal: the stages a request may come from (the second one asks again for a
// new approval), the stage while it is pending, where an approval leads, and how a rejection closes the deal.
// A return or a withdrawal goes back to the stage the request came from.
type gateRule struct {
	from    []Stage
	review  Stage
	approve Stage
	reject  Outcome
}

var gateRules = map[Gate]gateRule{
	GateInitiation: {from: []Stage{StageValidation}, review: StageInitiationReview, approve: StageTeamFormation, reject: OutcomeNotPursued},
	GateATB:        {from: []Stage{StagePursuit, StageBidding}, review: StageATBReview, approve: StageBidding, reject: OutcomeNoBid},
	GateATC:        {from: []Stage{StageNegotiation, StageContractSigning}, review: StageATCReview, approve: StageContractSigning, reject: OutcomeAbandoned},
}

// Decision is one request for a gate decision and what became of it. It records who decided, when, with what
// authority, on which package, and why.
type Decision struct {
	ID            string `json:"id"`
	OpportunityID string `json:"opportunity_id"`
	// DealTitle is the deal's title, for the inboxes of those who decide and review it.
	DealTitle string         `json:"deal_title,omitempty"`
	Gate      Gate           `json:"gate"`
	Status    DecisionStatus `json:"status"`
	Package   Package        `json:"package"`
	// Level is the project level the requirements come from: the higher of the proposed (or the deal's) level
	// and the policy's level for the package.
	Level ProjectLevel `json:"level"`
	// ProposedLevel is the level the requester proposed (INITIATION), or the deal's level (ATB, ATC).
	ProposedLevel ProjectLevel `json:"proposed_level,omitempty"`
	// PolicyLevel is the level the policy gives the package's value and the customer's grade; it is a floor on
	// who decides.
	PolicyLevel     ProjectLevel     `json:"policy_level,omitempty"`
	RequiredReviews []ReviewFunction `json:"required_reviews"`
	// RequiredAuthority is the authority the gate asks for; Authority is where it stands after escalations.
	RequiredAuthority int       `json:"required_authority"`
	Authority         int       `json:"authority"`
	SLA               Duration  `json:"sla"`
	DueAt             time.Time `json:"due_at"`
	Escalations       int       `json:"escalations"`
	Overdue           bool      `json:"overdue"`
	Reviews           []Review  `json:"reviews,omitempty"`
	RequestedBy       Person    `json:"requested_by"`
	RequestedAt       time.Time `json:"requested_at"`
	// StageBefore is the stage the deal returns to on RETURN or withdrawal.
	StageBefore Stage   `json:"stage_before"`
	DecidedBy   *Person `json:"decided_by,omitempty"`
	// OnBehalfOf is the delegator a deputy decided for (Delegation); DecidedBy is the deputy, DeciderAuthority the
	// delegator's.
	OnBehalfOf       *Person    `json:"on_behalf_of,omitempty"`
	DecidedAt        *time.Time `json:"decided_at,omitempty"`
	DeciderAuthority int        `json:"decider_authority,omitempty"`
	Conditions       []string   `json:"conditions,omitempty"`
	Rationale        string     `json:"rationale,omitempty"`
	// ConfirmedLevel is the level the INITIATION decider fixed (the proposed one or another).
	ConfirmedLevel ProjectLevel `json:"confirmed_level,omitempty"`
	// PendingOnBehalfOf is set by an inbox only (never recorded): the decision is there as the deputy of this person.
	PendingOnBehalfOf *Person `json:"pending_on_behalf_of,omitempty"`
	// Assignments name the reviewers managers assigned reviews to, oldest first (ReassignReview).
	Assignments []ReviewAssignment `json:"assignments,omitempty"`
	// LevelValue is the package's value in the policy's base currency, converted at LevelRate, when it is in
	// another currency: the value the policy's level came from (deals under RulesEconomics).
	LevelValue *Money        `json:"level_value,omitempty"`
	LevelRate  *ExchangeRate `json:"level_rate,omitempty"`
	// Margin is how an ATB or ATC package's gross margin stands against the policy's floor; a special price
	// needs one authority level more and a FINANCE review.
	Margin *MarginCheck `json:"margin,omitempty"`
}

// decisionIDSpace derives a decision's id from the request that opened it, so a retried request finds it.
var decisionIDSpace = uuid.MustParse("0d7b2c64-9a1e-4f3b-8c55-6e2a9f4d1b07")

// DecisionID is the id of the decision opened by the request.
func DecisionID(requestID string) string {
	return uuid.NewSHA1(decisionIDSpace, []byte(requestID)).String()
}

// MissingReviews are the required reviews not yet submitted, in the order the policy lists them.
func (d Decision) MissingReviews() []ReviewFunction {
	var missing []ReviewFunction
	for _, f := range d.RequiredReviews {
		if !slices.ContainsFunc(d.Reviews, func(r Review) bool { return r.Function == f }) {
			missing = append(missing, f)
		}
	}
	return missing
}

// Deciders names who may decide the decision now, as notification recipients.
func (d Decision) Deciders() []string {
	if d.Authority == ManagerAuthority {
		return []string{RoleRecipient(RoleSalesManager), AuthorityRecipient(1)}
	}
	return []string{AuthorityRecipient(d.Authority)}
}

// CanRequestDecision checks that the actor may open a decision of the gate on the deal now, with the package.
func CanRequestDecision(a Actor, o Opportunity, gate Gate, pkg Package) error {
	rule, ok := gateRules[gate]
	if !ok {
		return Invalid("unknown gate %q", gate)
	}
	if !o.owns(a) && !o.managedBy(a) {
		return PermissionDenied("requesting %s on deal %s needs its AR (owner) or the sales_manager role for %s", gate, o.ID, o.Unit)
	}
	if d, ok := o.Pending(); ok {
		return o.precondition("the deal is held with a pending %s decision (%s); decide or withdraw it first", d.Gate, d.ID)
	}
	if err := o.inStage("requesting "+string(gate), rule.from...); err != nil {
		return err
	}
	switch gate {
	case GateInitiation:
		if pkg.Initiation == nil {
			return Invalid("an INITIATION request needs the initiation package")
		}
		if o.Assessment == nil {
			return o.precondition("requesting INITIATION needs the VALIDATION assessment (UpdateAssessment) first")
		}
	case GateATB:
		if pkg.Bid == nil {
			return Invalid("an ATB request needs the bid package")
		}
	case GateATC:
		if pkg.Contract == nil {
			return Invalid("an ATC request needs the contract package")
		}
	}
	if gate != GateInitiation && len(o.Risks) == 0 {
		return o.precondition("requesting %s needs at least one assessed risk in the risk register (AddRisk)", gate)
	}
	return nil
}

// RequestDecision returns the deal in the gate's review stage with the decision the request opens, on the terms
// GateTerms gives with the rates; it is RequestDecision.Apply without the actor's checks, for tests and seeds. A
// package the terms refuse leaves the deal as it was, with no decision (an empty id).
func (o Opportunity) RequestDecision(id string, gate Gate, pkg Package, p Policy, by Person, now time.Time, rates ...ExchangeRate) (Opportunity, Decision) {
	pkg, err := pkg.Priced()
	var terms Terms
	if err == nil {
		terms, err = o.GateTerms(gate, pkg, p, rates)
	}
	if err != nil {
		return o, Decision{}
	}
	return o.requestDecision(id, gate, pkg, terms, by, now)
}

// Terms are what a gate asks of a request: the level its requirements come from, the authority, the reviews and
// the SLA, with how the level and the margin were found.
type Terms struct {
	Level, ProposedLevel, PolicyLevel ProjectLevel
	Reviews                           []ReviewFunction
	Authority                         int
	SLA                               Duration
	LevelValue                        *Money
	LevelRate                         *ExchangeRate
	Margin                            *MarginCheck
}

// GateTerms are the terms of a request of the gate with the package. The level is the higher of the proposed level
// (INITIATION) or the deal's level (ATB, ATC) and the level the policy gives the package's value (the
// assessment's, the bid's or the contract's price, in the policy's base currency at the rate in force, for deals
// under RulesEconomics) with the customer's grade; the authority, reviews and SLA come from the policy for that
// level. An ATB or ATC package below the policy's margin floor is a special price: it needs a rationale, one
// authority level more (corporate stays corporate) and a FINANCE review.
func (o Opportunity) GateTerms(gate Gate, pkg Package, p Policy, rates []ExchangeRate) (Terms, error) {
	t := Terms{ProposedLevel: o.Level}
	var value Money
	switch gate {
	case GateInitiation:
		t.ProposedLevel, t.Reviews, value = pkg.Initiation.ProposedLevel, p.InitiationReviews, o.Assessment.Value
	case GateATB:
		value = pkg.Bid.ProposedPrice
	case GateATC:
		value = pkg.Contract.FinalPrice
	}
	t.Level = t.ProposedLevel
	if o.governed() {
		levelValue := value
		if o.Rules >= RulesEconomics && value.Currency != "" && value.Currency != p.Base() {
			i := slices.IndexFunc(rates, func(r ExchangeRate) bool { return r.From == value.Currency && r.To == p.Base() })
			if i < 0 {
				return Terms{}, o.precondition("requesting %s needs the exchange rate of %s into the base currency %s in force today, to find the project level; FINANCE sets it (SetExchangeRates)",
					gate, value.Currency, p.Base())
			}
			converted, err := Convert(value, rates[i].Rate, p.Base())
			if err != nil {
				return Terms{}, err
			}
			rate := rates[i]
			levelValue, t.LevelValue, t.LevelRate = converted, &converted, &rate
		}
		t.PolicyLevel = p.LevelFor(levelValue, o.Customer.Grade)
		t.Level = higher(t.ProposedLevel, t.PolicyLevel)
	}
	lp := p.Levels[t.Level]
	if gate != GateInitiation {
		t.Reviews = slices.Clone(lp.Reviews)
	}
	t.Authority, t.SLA = lp.Authority, lp.DecisionSLA
	if gate == GateInitiation && t.Level == LevelC {
		t.Authority = ManagerAuthority
	}
	if o.Rules >= RulesEconomics && (gate == GateATB || gate == GateATC) {
		margin, items, rationale, field := pkg.margin()
		t.Margin = p.CheckMargin(t.Level, margin, items)
		if t.Margin != nil && t.Margin.SpecialPrice {
			if strings.TrimSpace(rationale) == "" {
				floor := fmt.Sprintf("level %s", t.Level)
				if t.Margin.Family != "" {
					floor = fmt.Sprintf("product family %s", t.Margin.Family)
				}
				return Terms{}, Invalid("%s.special_price_rationale: the gross margin of %s %% is %s points below the %s floor of %s %%; a special price needs a rationale for the FINANCE review",
					field, t.Margin.MarginPercent, t.Margin.ShortfallPoints, floor, t.Margin.FloorPercent)
			}
			t.Authority = SpecialPriceAuthority(t.Authority)
			if !slices.Contains(t.Reviews, FunctionFinance) {
				t.Reviews = append(t.Reviews, FunctionFinance)
			}
		}
	}
	return t, nil
}

// margin is an ATB or ATC package's gross margin (computed from its lines, or as stated), its lines, its
// special-price rationale and the request field that holds it.
func (pkg Package) margin() (Percent, []LineItem, string, string) {
	switch {
	case pkg.Bid != nil && pkg.Bid.Totals != nil:
		return pkg.Bid.Totals.GrossMarginPercent, pkg.Bid.LineItems, pkg.Bid.SpecialPriceRationale, "bid"
	case pkg.Bid != nil:
		return MarginPercent(pkg.Bid.GrossMarginPercent), nil, pkg.Bid.SpecialPriceRationale, "bid"
	case pkg.Contract != nil && pkg.Contract.Totals != nil:
		return pkg.Contract.Totals.GrossMarginPercent, pkg.Contract.LineItems, pkg.Contract.SpecialPriceRationale, "contract"
	case pkg.Contract != nil:
		return MarginPercent(pkg.Contract.GrossMarginPercent), nil, pkg.Contract.SpecialPriceRationale, "contract"
	}
	return "", nil, "", ""
}

// Priced is the package with its line items' amounts and totals computed, and its price and gross margin set
// from them: a package with lines may leave its price and margin unset, or state the ones the lines make.
func (pkg Package) Priced() (Package, error) {
	price := func(field string, stated *Money, statedMargin *float64, items []LineItem) ([]LineItem, *Totals, error) {
		if len(items) == 0 {
			if stated.Currency == "" {
				return nil, nil, Invalid("%s: is required without line items", pricedField(field))
			}
			return nil, nil, nil
		}
		lines, totals, err := CheckLineItems(field+".line_items", items)
		if err != nil {
			return nil, nil, err
		}
		if stated.Currency != "" && *stated != totals.Net {
			return nil, nil, Invalid("%s: is %s, but the line items come to %s; leave it unset to take the lines' total", pricedField(field), *stated, totals.Net)
		}
		m, _, _ := apd.NewFromString(string(totals.GrossMarginPercent))
		if *statedMargin != 0 && MarginPercent(*statedMargin) != totals.GrossMarginPercent {
			return nil, nil, Invalid("%s.gross_margin_percent: is %s, but the line items make %s; leave it unset to take the lines' margin", field, MarginPercent(*statedMargin), totals.GrossMarginPercent)
		}
		*stated = totals.Net
		if m != nil {
			*statedMargin, _ = m.Float64()
		}
		return lines, &totals, nil
	}
	var err error
	if pkg.Bid != nil {
		b := *pkg.Bid
		if b.LineItems, b.Totals, err = price("bid", &b.ProposedPrice, &b.GrossMarginPercent, b.LineItems); err != nil {
			return Package{}, err
		}
		pkg.Bid = &b
	}
	if pkg.Contract != nil {
		c := *pkg.Contract
		if c.LineItems, c.Totals, err = price("contract", &c.FinalPrice, &c.GrossMarginPercent, c.LineItems); err != nil {
			return Package{}, err
		}
		pkg.Contract = &c
	}
	return pkg, nil
}

func pricedField(pkg string) string {
	if pkg == "bid" {
		return "bid.proposed_price"
	}
	return "contract.final_price"
}

// requestDecision returns the deal in the gate's review stage with the decision the request opens on the terms.
func (o Opportunity) requestDecision(id string, gate Gate, pkg Package, t Terms, by Person, now time.Time) (Opportunity, Decision) {
	switch gate {
	case GateInitiation:
		in := *pkg.Initiation
		in.Assessment = *o.Assessment
		pkg.Initiation = &in
	default:
		pkg.Risks = slices.Clone(o.Risks)
	}
	d := Decision{
		ID: id, OpportunityID: o.ID, DealTitle: o.Title, Gate: gate, Status: DecisionPending, Package: pkg, Level: t.Level,
		ProposedLevel: t.ProposedLevel, PolicyLevel: t.PolicyLevel,
		RequiredReviews:   slices.Clone(t.Reviews),
		RequiredAuthority: t.Authority, Authority: t.Authority,
		SLA: t.SLA, DueAt: now.Add(time.Duration(t.SLA)),
		RequestedBy: by, RequestedAt: now, StageBefore: o.Stage,
		LevelValue: t.LevelValue, LevelRate: t.LevelRate, Margin: t.Margin,
	}
	o = o.withDecision(d)
	o.Stage = gateRules[gate].review
	o.UpdatedAt = now
	return o, d
}

func pendingDecision(o Opportunity, id string) (Decision, error) {
	d, ok := o.Decision(id)
	if !ok {
		return d, NotFound("decision %s not found on deal %s", id, o.ID)
	}
	if err := o.open(); err != nil && d.Gate != GateReopen && !contractGate(d.Gate) {
		return d, err
	}
	if d.Status != DecisionPending {
		return d, o.precondition("decision %s is %s; only a PENDING decision takes reviews, decisions or withdrawal", id, d.Status)
	}
	return d, nil
}

// CanReview checks that the actor may submit the review of function f on the decision now: a reviewer of that
// function whose unit holds the deal, independent of the deal (separation of duties), for a review the decision
// asks for and has not had.
func CanReview(a Actor, o Opportunity, decisionID string, f ReviewFunction) error {
	if !a.Has(RoleReviewer) || !slices.Contains(a.Functions, f) {
		return PermissionDenied("submitting a %s review needs the reviewer role with the %s function", f, f)
	}
	if !a.Unit.Contains(o.Unit) {
		return PermissionDenied("deal %s belongs to %s, outside your unit %s", o.ID, o.Unit, a.Unit)
	}
	if d, ok := o.Decision(decisionID); ok && o.governed() {
		if err := independent(a, o, d, "reviewing"); err != nil {
			return err
		}
	}
	d, err := pendingDecision(o, decisionID)
	if err != nil {
		return err
	}
	if !slices.Contains(d.RequiredReviews, f) {
		return o.precondition("decision %s does not ask for a %s review (asks for: %s)", d.ID, f, joinFunctions(d.RequiredReviews))
	}
	if slices.ContainsFunc(d.Reviews, func(r Review) bool { return r.Function == f }) {
		return o.precondition("the %s review of decision %s is already in", f, d.ID)
	}
	return d.assignedTo(a, f)
}

// SubmitReview returns the deal with the review added to its decision.
func (o Opportunity) SubmitReview(decisionID string, r Review) (Opportunity, Decision) {
	d, _ := o.Decision(decisionID)
	d.Reviews = append(slices.Clone(d.Reviews), r)
	o = o.withDecision(d)
	o.UpdatedAt = r.SubmittedAt
	return o, d
}

// CanDecide checks that the actor may take the ruling on the decision now: an executive of sufficient authority
// whose scope holds the deal (for a decision a sales manager may take, a sales manager of its unit too),
// independent of the deal (separation of duties); for an approval, every required review in. Rejection and
// return are allowed at any time. An INITIATION decider may fix a level below the policy's only with a rationale.
func CanDecide(a Actor, o Opportunity, decisionID string, r Ruling) error {
	d, ok := o.Decision(decisionID)
	if ok && !mayDecide(a, o, d) {
		return PermissionDenied("deciding %s %s of deal %s needs %s whose scope holds %s (authority 1: the office, 2: the region, 3: the company)",
			d.Gate, d.ID, o.ID, describeAuthority(d.Authority), o.Unit)
	}
	if ok && (o.governed() || d.Gate == GateReopen) { // REOPEN came after the rules: it always keeps them
		if err := independent(a, o, d, "deciding"); err != nil {
			return err
		}
	}
	d, err := pendingDecision(o, decisionID)
	if err != nil {
		return err
	}
	v := r.Verdict
	if v == VerdictApprove || v == VerdictApproveWithConditions {
		if missing := d.MissingReviews(); len(missing) > 0 {
			return o.precondition("approving %s %s needs the %s review(s) first", d.Gate, d.ID, joinFunctions(missing))
		}
		if contractGate(d.Gate) {
			if err := o.canApproveContractGate(d); err != nil {
				return err
			}
		}
		if r.Level != "" && d.Gate != GateInitiation && o.governed() {
			return Invalid("only an INITIATION decision fixes the project level; %s %s decides on the deal's level", d.Gate, d.ID)
		}
		if d.PolicyLevel != "" && r.Level != "" && higher(r.Level, d.PolicyLevel) != r.Level && strings.TrimSpace(r.Rationale) == "" {
			return Invalid("fixing level %s below the policy's level %s needs a rationale", r.Level, d.PolicyLevel)
		}
	}
	return nil
}

// mayDecide reports whether the actor holds the authority the decision needs now, within its scope. The admin
// role repairs but never decides a gate.
func mayDecide(a Actor, o Opportunity, d Decision) bool {
	if a.Has(RoleAdmin) && !o.governed() && d.Gate != GateReopen {
		return true // the rules deals started under before RulesGovernance (REOPEN came after them)
	}
	if d.Authority == ManagerAuthority && a.Manages(o.Unit) {
		return true
	}
	return a.ExecutiveOver(o.Unit) && a.Authority >= max(d.Authority, 1)
}

func describeAuthority(level int) string {
	if level == ManagerAuthority {
		return "a sales_manager or an executive"
	}
	return fmt.Sprintf("an executive of authority %d or higher", level)
}

// Decide returns the deal after the verdict. An approval moves to the gate's next stage: INITIATION fixes the
// project level (the decider's, else the proposed one), ATB the bid envelope, ATC the contract amount. A
// rejection closes the deal (NOT_PURSUED, NO_BID, ABANDONED); a return goes back to the stage it came from.
func (o Opportunity) Decide(decisionID string, r Ruling, by Actor, now time.Time, p Policy) (Opportunity, Decision) {
	v, level, rationale := r.Verdict, r.Level, r.Rationale
	d, _ := o.Decision(decisionID)
	if d.Gate == GateReopen {
		return o.decideReopen(d, r, by, now, p)
	}
	if contractGate(d.Gate) {
		return o.decideContractGate(d, r, by, now)
	}
	rule := gateRules[d.Gate]
	status := map[Verdict]DecisionStatus{
		VerdictApprove: DecisionApproved, VerdictApproveWithConditions: DecisionApprovedWithConditions,
		VerdictReject: DecisionRejected, VerdictReturn: DecisionReturned,
	}[v]
	d = d.close(status, by.Person(), by.Authority, rationale, now)
	d.Conditions = slices.Clone(r.Conditions)
	switch v {
	case VerdictApprove, VerdictApproveWithConditions:
		switch d.Gate {
		case GateInitiation:
			if level == "" {
				level = d.ProposedLevel
				if level == "" {
					level = d.Level // decisions opened before the proposed level was kept apart
				}
			}
			d.ConfirmedLevel = level
			o.Level = level
			if o.governed() {
				sponsor := by.Person()
				o.Sponsor = &sponsor
			}
		case GateATB:
			price := d.Package.Bid.ProposedPrice
			o.ApprovedBidPrice = &price
		case GateATC:
			amount := d.Package.Contract.FinalPrice
			o.ApprovedContractAmount = &amount
		}
		if d.Gate != GateInitiation && o.governed() {
			o.Level = higher(o.Level, d.Level) // the package's price raised the project's level
		}
		o.Stage = rule.approve
	case VerdictReject:
		o = o.withDecision(d)
		return o.Close(rule.reject, string(d.Gate)+" rejected: "+rationale, by.Person(), now, p), d
	case VerdictReturn:
		o.Stage = d.StageBefore
	}
	o = o.withDecision(d)
	o.UpdatedAt = now
	return o, d
}

func (d Decision) close(status DecisionStatus, by Person, authority int, rationale string, now time.Time) Decision {
	d.Status = status
	d.DecidedBy = &by
	d.DecidedAt = &now
	d.DeciderAuthority = authority
	d.Rationale = rationale
	return d
}

// CanWithdraw checks that the actor may withdraw the decision now: its requester or an admin.
func CanWithdraw(a Actor, o Opportunity, decisionID string) error {
	d, ok := o.Decision(decisionID)
	if ok && d.RequestedBy.ID != a.ID && !a.Has(RoleAdmin) {
		return PermissionDenied("only the requester (%s) may withdraw decision %s", d.RequestedBy.ID, d.ID)
	}
	_, err := pendingDecision(o, decisionID)
	return err
}

// Withdraw returns the deal back in the stage before the decision, the decision withdrawn.
func (o Opportunity) Withdraw(decisionID, reason string, by Person, now time.Time) (Opportunity, Decision) {
	d, _ := o.Decision(decisionID)
	d = d.close(DecisionWithdrawn, by, 0, reason, now)
	o = o.withDecision(d)
	o.Stage = d.StageBefore
	o.UpdatedAt = now
	return o, d
}

// Escalate returns the deal after its pending decision's SLA passed: the decision goes up one authority level
// and its SLA restarts, or, at the top level, it is flagged overdue. It is never decided automatically.
func (o Opportunity) Escalate(now time.Time) (Opportunity, Decision) {
	d, _ := o.Pending()
	if d.Authority < MaxAuthority {
		d.Authority++
		d.Escalations++
		d.DueAt = now.Add(time.Duration(d.SLA))
	} else {
		d.Overdue = true
	}
	o = o.withDecision(d)
	o.UpdatedAt = now
	return o, d
}

// AuthorityRecipient addresses a notification to the executives of an authority level (and those above, who
// may also decide).
func AuthorityRecipient(level int) string { return fmt.Sprintf("authority:%d", level) }

func joinFunctions(fs []ReviewFunction) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}

// RequestDecision asks for a gate's decision (INITIATION, ATB or ATC) with its package; the deciders and the
// reviewers it needs are told.
type RequestDecision struct {
	Gate    Gate    `json:"gate"`
	Package Package `json:"package"`
	// Rates are the exchange rates into the policy's base currency in force when the request was made, which the
	// API looks up for the package's currency (a deal under RulesEconomics finds its level in the base currency).
	Rates []ExchangeRate `json:"rates,omitempty"`
}

// Apply opens the decision.
func (cmd RequestDecision) Apply(d Deal, c Context) (Change, error) {
	if cmd.Gate == GateReopen {
		return cmd.reopenRequest(d, c)
	}
	if contractGate(cmd.Gate) {
		return cmd.requestContractGate(d, c)
	}
	o, err := d.opportunity()
	if err == nil {
		err = CanRequestDecision(c.Actor, o, cmd.Gate, cmd.Package)
	}
	var pkg Package
	if err == nil {
		pkg, err = cmd.Package.Priced()
	}
	var terms Terms
	if err == nil {
		terms, err = o.GateTerms(cmd.Gate, pkg, c.Policy, cmd.Rates)
	}
	if err != nil {
		return Change{}, err
	}
	next, decision := o.requestDecision(DecisionID(c.RequestID), cmd.Gate, pkg, terms, c.Actor.Person(), c.Now)
	recipients := decision.Deciders()
	for _, f := range decision.RequiredReviews {
		recipients = append(recipients, FunctionRecipient(f))
	}
	return c.change(d, next, &decision, EventDecisionRequested, decision, recipients...), nil
}

// SubmitReview is a reviewer's review of a pending decision for their function.
type SubmitReview struct {
	DecisionID string         `json:"decision_id"`
	Function   ReviewFunction `json:"function"`
	Result     ReviewResult   `json:"result"`
	Comments   string         `json:"comments,omitempty"`
	// OnBehalf is the delegation a deputy reviews under, as the API found it in force; nil for one's own review.
	OnBehalf *Delegation `json:"on_behalf,omitempty"`
}

// Apply records the review; the requester is told (and the delegator, of a deputy's review).
func (cmd SubmitReview) Apply(d Deal, c Context) (Change, error) {
	if cmd.OnBehalf != nil {
		return cmd.applyFor(d, c)
	}
	o, err := d.opportunity()
	if err == nil {
		err = CanReview(c.Actor, o, cmd.DecisionID, cmd.Function)
	}
	if err != nil {
		return Change{}, err
	}
	r := Review{Function: cmd.Function, Result: cmd.Result, Comments: cmd.Comments, Reviewer: c.Actor.Person(), SubmittedAt: c.Now}
	next, decision := o.SubmitReview(cmd.DecisionID, r)
	return c.change(d, next, &decision, EventReviewSubmitted, ReviewDetails{DecisionID: decision.ID, Review: r},
		UserRecipient(decision.RequestedBy.ID)), nil
}

// Decide is an executive's ruling on a pending decision: approve (with conditions), reject or return.
type Decide struct {
	DecisionID string       `json:"decision_id"`
	Verdict    Verdict      `json:"verdict"`
	Level      ProjectLevel `json:"level,omitempty"`
	Conditions []string     `json:"conditions,omitempty"`
	Rationale  string       `json:"rationale"`
	// OnBehalf is the delegation a deputy decides under, as the API found it in force; nil for one's own ruling.
	OnBehalf *Delegation `json:"on_behalf,omitempty"`
}

func (cmd Decide) ruling() Ruling {
	return Ruling{Verdict: cmd.Verdict, Level: cmd.Level, Conditions: cmd.Conditions, Rationale: cmd.Rationale}
}

// Apply records the ruling and moves the deal as it says; the requester is told (and the delegator, of a
// deputy's ruling).
func (cmd Decide) Apply(d Deal, c Context) (Change, error) {
	if cmd.OnBehalf != nil {
		return cmd.applyFor(d, c)
	}
	o, err := d.opportunity()
	if err == nil {
		err = CanDecide(c.Actor, o, cmd.DecisionID, cmd.ruling())
	}
	if err != nil {
		return Change{}, err
	}
	next, decision := o.Decide(cmd.DecisionID, cmd.ruling(), c.Actor, c.Now, c.Policy)
	return c.executed(o, c.reopened(o, c.change(d, next, &decision, EventDecisionDecided, decision, UserRecipient(decision.RequestedBy.ID)))), nil
}

// WithdrawDecision withdraws a pending decision; its deciders are told.
type WithdrawDecision struct {
	DecisionID string `json:"decision_id"`
	Reason     string `json:"reason,omitempty"`
}

// Apply withdraws the decision.
func (cmd WithdrawDecision) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err == nil {
		err = CanWithdraw(c.Actor, o, cmd.DecisionID)
	}
	if err != nil {
		return Change{}, err
	}
	next, decision := o.Withdraw(cmd.DecisionID, cmd.Reason, c.Actor.Person(), c.Now)
	return c.change(d, next, &decision, EventDecisionWithdrawn, decision, decision.Deciders()...), nil
}

// EscalateDecision is the engine's change when a pending decision's SLA passed: it moves up one authority level,
// its new deciders told, or at the top it is flagged overdue, the deciders and the requester told. It applies only
// to the decision as it was when its SLA started (Escalations counts the moves before).
type EscalateDecision struct {
	DecisionID  string `json:"decision_id"`
	Escalations int    `json:"escalations"`
}

// Apply escalates the decision.
func (cmd EscalateDecision) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err != nil {
		return Change{}, err
	}
	due, pending := o.Pending()
	if !pending || due.ID != cmd.DecisionID || due.Escalations != cmd.Escalations || due.Overdue {
		return Change{}, o.precondition("decision %s changed since its SLA started", cmd.DecisionID)
	}
	next, decision := o.Escalate(c.Now)
	typ, recipients := EventDecisionEscalated, decision.Deciders()
	if decision.Overdue {
		typ, recipients = EventDecisionOverdue, append(recipients, UserRecipient(due.RequestedBy.ID))
	}
	return c.changeBy(SystemPerson, d, next, &decision, typ, EscalationDetails{
		DecisionID: due.ID, AuthorityBefore: due.Authority, Authority: decision.Authority, DueAt: decision.DueAt,
	}, recipients...), nil
}
