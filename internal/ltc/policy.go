package ltc

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Policy is the versioned configuration of the process: project-level thresholds, the authority, reviews and SLA
// of each level's gates, and the cadences. A lead or deal keeps the policy it started with, carried in its
// process input, so a policy change never rewrites a running deal's rules.
type Policy struct {
	Version string `json:"version"`
	// LeadSLA is how long a lead may stay NEW before it is flagged overdue and the owner's manager notified.
	LeadSLA Duration `json:"lead_sla"`
	// LevelA and LevelB say which deals are of level A and B; every other deal is level C.
	LevelA LevelRule `json:"level_a"`
	LevelB LevelRule `json:"level_b"`
	// Levels holds, per project level, the authority, reviews and SLA of its ATB and ATC decisions.
	Levels map[ProjectLevel]LevelPolicy `json:"levels"`
	// InitiationReviews are the professional reviews an INITIATION decision needs (none by default).
	InitiationReviews []ReviewFunction `json:"initiation_reviews"`
	// BidTolerancePercent is how far below the ATB-approved price a bid may go, in percent.
	BidTolerancePercent float64 `json:"bid_tolerance_percent"`
	// HandoverSLA is how long after signing the handover must be complete; SummarySLA how long after a close the
	// project summary is owed. Zero (a policy written before they existed) means the default.
	HandoverSLA Duration `json:"handover_sla,omitempty"`
	SummarySLA  Duration `json:"summary_sla,omitempty"`
	// ReportPeriod is the weekly report's period and ReportGrace how long after its end a missing report is
	// flagged. Zero means the default.
	ReportPeriod Duration `json:"report_period,omitempty"`
	ReportGrace  Duration `json:"report_grace,omitempty"`
	// ComplianceReviewAbove is the value above which a gift, hospitality or travel for a customer's people needs a
	// LEGAL review before it takes place; a value in another currency always needs it (no conversion). Unset (no
	// currency) means the default.
	ComplianceReviewAbove Money `json:"compliance_review_above,omitzero"`
	// ReviewGrace is how long after its quarter's end a missing relationship review of an S or A account is
	// flagged overdue, and ReviewEscalateAfter how long after that it goes to the sales managers, then as long
	// again to the executives. Zero means the default.
	ReviewGrace         Duration `json:"review_grace,omitempty"`
	ReviewEscalateAfter Duration `json:"review_escalate_after,omitempty"`
	// ReceivableEscalateAfter is how long an overdue invoice waits before each escalation: to the sales managers,
	// then to the executives in scope. Zero is DefaultReceivableEscalateAfter.
	ReceivableEscalateAfter Duration `json:"receivable_escalate_after,omitempty"`
	// ReopenWindow is how long after its close a deal closed without a win may be reopened (gate REOPEN). Zero (a
	// policy written before it existed, which deals started under keep) means the default.
	ReopenWindow Duration `json:"reopen_window,omitempty"`
	// BaseCurrency is the ISO 4217 currency the level thresholds are in and into which finance's exchange rates
	// convert (ReferenceDataService). Unset means DefaultBaseCurrency (EUR).
	BaseCurrency string `json:"base_currency,omitempty"`
	// MarginFloors is the lowest gross margin, in percent, an ATB or ATC package of each project level may have
	// without being a special price (特价), and FamilyMarginFloors the lowest margin of a package's lines of a
	// product family. Unset: no floor.
	MarginFloors       map[ProjectLevel]Percent `json:"margin_floors,omitempty"`
	FamilyMarginFloors map[string]Percent       `json:"family_margin_floors,omitempty"`
}

// Defaults of the SLAs a policy may leave unset.
const (
	DefaultHandoverSLA = 14 * 24 * time.Hour
	DefaultSummarySLA  = 30 * 24 * time.Hour
)

// Defaults of the account rules a policy may leave unset: the compliance threshold is 500.00 CNY, the currency
// the policy's level thresholds are written in (domain.md's examples).
var DefaultComplianceReviewAbove = Money{Currency: "CNY", AmountMinor: 500_00}

// Defaults of the relationship review cadence a policy may leave unset.
const (
	DefaultReviewGrace         = 14 * 24 * time.Hour
	DefaultReviewEscalateAfter = 7 * 24 * time.Hour
)

func (p Policy) complianceReviewAbove() Money {
	if p.ComplianceReviewAbove.Currency != "" {
		return p.ComplianceReviewAbove
	}
	return DefaultComplianceReviewAbove
}

func (p Policy) reviewGrace() time.Duration {
	if p.ReviewGrace > 0 {
		return time.Duration(p.ReviewGrace)
	}
	return DefaultReviewGrace
}

func (p Policy) reviewEscalateAfter() time.Duration {
	if p.ReviewEscalateAfter > 0 {
		return time.Duration(p.ReviewEscalateAfter)
	}
	return DefaultReviewEscalateAfter
}

func (p Policy) handoverSLA() time.Duration {
	if p.HandoverSLA > 0 {
		return time.Duration(p.HandoverSLA)
	}
	return DefaultHandoverSLA
}

func (p Policy) summarySLA() time.Duration {
	if p.SummarySLA > 0 {
		return time.Duration(p.SummarySLA)
	}
	return DefaultSummarySLA
}

// LevelRule makes a deal of a level when its value reaches MinValueMinor (in minor units of the deal's
// currency; no conversion between currencies) or its customer has one of Grades.
type LevelRule struct {
	MinValueMinor int64           `json:"min_value_minor"`
	Grades        []CustomerGrade `json:"grades"`
}

// LevelPolicy is what a project level asks of its decisions.
type LevelPolicy struct {
	// Authority is the executive authority level that decides (1 office, 2 region, 3 corporate).
	Authority int `json:"authority"`
	// Reviews are the professional reviews required before an approval.
	Reviews []ReviewFunction `json:"reviews"`
	// DecisionSLA is how long a decision may wait before it escalates.
	DecisionSLA Duration `json:"decision_sla"`
}

// Duration is a time.Duration written as text ("72h") in policy files.
type Duration time.Duration

// MarshalJSON writes the duration as text.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration written as text, or as a number of nanoseconds (as processes started before
// policies were files recorded it).
func (d *Duration) UnmarshalJSON(b []byte) error {
	var ns int64
	if json.Unmarshal(b, &ns) == nil {
		*d = Duration(ns)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be text such as \"72h\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// DefaultPolicy is the policy of domain.md.
func DefaultPolicy() Policy {
	day := 24 * time.Hour
	return Policy{
		Version: "default-2",
		LeadSLA: Duration(14 * day),
		LevelA:  LevelRule{MinValueMinor: 10_000_000_00, Grades: []CustomerGrade{GradeS}},
		LevelB:  LevelRule{MinValueMinor: 1_000_000_00, Grades: []CustomerGrade{GradeA}},
		Levels: map[ProjectLevel]LevelPolicy{
			LevelA: {Authority: 3, DecisionSLA: Duration(7 * day),
				Reviews: []ReviewFunction{FunctionFinance, FunctionLegal, FunctionDelivery, FunctionSolution}},
			LevelB: {Authority: 2, DecisionSLA: Duration(5 * day),
				Reviews: []ReviewFunction{FunctionFinance, FunctionLegal, FunctionDelivery}},
			LevelC: {Authority: 1, DecisionSLA: Duration(3 * day), Reviews: []ReviewFunction{FunctionFinance}},
		},
		HandoverSLA:  Duration(DefaultHandoverSLA),
		SummarySLA:   Duration(DefaultSummarySLA),
		ReportPeriod: Duration(DefaultReportPeriod),
		ReportGrace:  Duration(DefaultReportGrace),

		ComplianceReviewAbove: DefaultComplianceReviewAbove,
		ReviewGrace:           Duration(DefaultReviewGrace),
		ReviewEscalateAfter:   Duration(DefaultReviewEscalateAfter),
		ReopenWindow:          Duration(DefaultReopenWindow),
		BaseCurrency:          DefaultBaseCurrency,
		MarginFloors:          map[ProjectLevel]Percent{LevelA: "15", LevelB: "15", LevelC: "15"},
	}
}

// ParsePolicy reads a policy from JSON and checks it is complete.
func ParsePolicy(b []byte) (Policy, error) {
	var p Policy
	if err := json.Unmarshal(b, &p); err != nil {
		return Policy{}, fmt.Errorf("policy: %w", err)
	}
	return p, p.Validate()
}

// Validate checks that the policy names a version and sets everything a deal needs.
func (p Policy) Validate() error {
	if p.Version == "" {
		return fmt.Errorf("policy: version is required")
	}
	if problem := TextProblem(p.Version); problem != "" || len(p.Version) > 100 {
		return fmt.Errorf("policy: version %q must be text of at most 100 bytes (%s)", p.Version, problem)
	}
	for level, rule := range map[ProjectLevel]LevelRule{LevelA: p.LevelA, LevelB: p.LevelB} {
		if rule.MinValueMinor < 0 || rule.MinValueMinor > MaxAmountMinor {
			return fmt.Errorf("policy %s: level_%s min_value_minor must be 0-%d", p.Version, strings.ToLower(string(level)), MaxAmountMinor)
		}
	}
	if p.LeadSLA <= 0 {
		return fmt.Errorf("policy %s: lead_sla must be positive", p.Version)
	}
	if c := p.ComplianceReviewAbove; c.Currency != "" || c.AmountMinor != 0 {
		if problem := MoneyProblem(c); problem != "" {
			return fmt.Errorf("policy %s: compliance_review_above %s", p.Version, problem)
		}
	}
	if p.BaseCurrency != "" {
		if problem := CurrencyProblem(p.BaseCurrency); problem != "" {
			return fmt.Errorf("policy %s: base_currency %s", p.Version, problem)
		}
	}
	for _, d := range []struct {
		name  string
		value Duration
	}{{"review_grace", p.ReviewGrace}, {"review_escalate_after", p.ReviewEscalateAfter}, {"reopen_window", p.ReopenWindow}} {
		if d.value < 0 {
			return fmt.Errorf("policy %s: %s must not be negative (zero means the default)", p.Version, d.name)
		}
	}
	for level, floor := range p.MarginFloors {
		if !slices.Contains([]ProjectLevel{LevelA, LevelB, LevelC}, level) {
			return fmt.Errorf("policy %s: margin_floors names unknown level %q", p.Version, level)
		}
		if _, err := ParsePercent(floor, -100); err != nil {
			return fmt.Errorf("policy %s: margin_floors %s: %v", p.Version, level, err)
		}
	}
	for family, floor := range p.FamilyMarginFloors {
		if strings.TrimSpace(family) == "" {
			return fmt.Errorf("policy %s: family_margin_floors names an empty family", p.Version)
		}
		if _, err := ParsePercent(floor, -100); err != nil {
			return fmt.Errorf("policy %s: family_margin_floors %s: %v", p.Version, family, err)
		}
	}
	if p.BidTolerancePercent < 0 || p.BidTolerancePercent >= 100 {
		return fmt.Errorf("policy %s: bid_tolerance_percent must be 0 or more and under 100", p.Version)
	}
	for _, level := range []ProjectLevel{LevelA, LevelB, LevelC} {
		lp, ok := p.Levels[level]
		if !ok {
			return fmt.Errorf("policy %s: level %s is missing", p.Version, level)
		}
		if lp.Authority < 1 || lp.Authority > MaxAuthority {
			return fmt.Errorf("policy %s: level %s authority must be 1-%d", p.Version, level, MaxAuthority)
		}
		if lp.DecisionSLA <= 0 {
			return fmt.Errorf("policy %s: level %s decision_sla must be positive", p.Version, level)
		}
		for _, f := range lp.Reviews {
			if !slices.Contains(ReviewFunctions, f) {
				return fmt.Errorf("policy %s: level %s has unknown review %q", p.Version, level, f)
			}
		}
	}
	return nil
}

// LevelFor is the project level the policy gives a deal of this value and customer grade.
func (p Policy) LevelFor(value Money, grade CustomerGrade) ProjectLevel {
	switch {
	case value.AmountMinor >= p.LevelA.MinValueMinor || slices.Contains(p.LevelA.Grades, grade):
		return LevelA
	case value.AmountMinor >= p.LevelB.MinValueMinor || slices.Contains(p.LevelB.Grades, grade):
		return LevelB
	}
	return LevelC
}
