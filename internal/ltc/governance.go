package ltc

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Unit is an org unit (组织): a path from the region down to the representative office, such as "emea/germany".
// The empty unit is the whole company, written "/" in tokens and on the command line. Every person and every
// deal belongs to a unit; a deal keeps the unit its owner had when it started.
type Unit string

// Company is the unit that holds every other.
const Company Unit = ""

// unitSegment is one level of a unit path: lower-case letters, digits and dashes.
var unitSegment = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// MaxUnitDepth is how deep unit paths go: region, office, and two levels below.
const MaxUnitDepth = 4

// ParseUnit reads a unit path; "/" is the whole company.
func ParseUnit(s string) (Unit, error) {
	if s == "/" {
		return Company, nil
	}
	if s == "" {
		return "", fmt.Errorf("an org unit is required (a path such as emea/germany, or / for the whole company)")
	}
	parts := strings.Split(s, "/")
	if len(parts) > MaxUnitDepth {
		return "", fmt.Errorf("org unit %q is deeper than %d levels", s, MaxUnitDepth)
	}
	for _, p := range parts {
		if !unitSegment.MatchString(p) {
			return "", fmt.Errorf("org unit %q: each level is 1-40 lower-case letters, digits or dashes, separated by /", s)
		}
	}
	return Unit(s), nil
}

// String writes the unit as ParseUnit reads it.
func (u Unit) String() string {
	if u == Company {
		return "/"
	}
	return string(u)
}

// Contains reports whether v is u or lies below it.
func (u Unit) Contains(v Unit) bool {
	return u == Company || v == u || strings.HasPrefix(string(v), string(u)+"/")
}

// Region is the unit's first level (the company for the company).
func (u Unit) Region() Unit {
	region, _, _ := strings.Cut(string(u), "/")
	return Unit(region)
}

// ScopeRead is the token scope that lets a system read the deals of its unit.
const ScopeRead = "read"

// ExecutiveScope is the unit within which an executive decides and reads: their office at authority 1, their
// region at 2, the company at 3. ok is false for someone who is not an executive.
func (a Actor) ExecutiveScope() (Unit, bool) {
	if !a.Has(RoleExecutive) || a.Authority < 1 {
		return "", false
	}
	switch a.Authority {
	case 1:
		return a.Unit, true
	case 2:
		return a.Unit.Region(), true
	}
	return Company, true
}

// Manages reports whether the actor is a sales manager of a unit that holds u.
func (a Actor) Manages(u Unit) bool { return a.Has(RoleSalesManager) && a.Unit.Contains(u) }

// ExecutiveOver reports whether the actor is an executive whose scope holds u.
func (a Actor) ExecutiveOver(u Unit) bool {
	scope, ok := a.ExecutiveScope()
	return ok && scope.Contains(u)
}

// Reach is what an actor may read: everything, the deals of some units (and the units below them), and the deals
// the person is named on (as owner, team member, sponsor or creator). The API checks single reads with Covers and
// the store turns the same reach into the condition of its list queries, so a page or a count never shows what a
// Get would refuse.
type Reach struct {
	All    bool
	Units  []Unit
	Person string
}

// Covers reports whether the reach holds a deal of the unit that names readers.
func (r Reach) Covers(u Unit, readers []string) bool {
	if r.All || slices.Contains(readers, r.Person) {
		return true
	}
	return slices.ContainsFunc(r.Units, func(scope Unit) bool { return scope.Contains(u) })
}

// DealReach is who reads a lead's or a deal's content (受控发送): its team, owner, creator and sponsor, the sales
// managers of its unit, the executives whose scope holds it, systems granted the read scope within their unit,
// and admins (who repair).
func DealReach(a Actor) Reach {
	r := Reach{All: a.Has(RoleAdmin), Person: a.ID}
	if scope, ok := a.ExecutiveScope(); ok {
		r.Units = append(r.Units, scope)
	}
	if a.Has(RoleSalesManager) || (a.Has(RoleSystem) && slices.Contains(a.Scopes, ScopeRead)) {
		r.Units = append(r.Units, a.Unit)
	}
	return r.normal()
}

// ReportReach is who reads a deal's weekly reports: its team and sponsor, the owner's sales managers, and admins.
// Executives in scope read the deal, not its weekly reports, unless they sponsor it.
func ReportReach(a Actor) Reach {
	r := Reach{All: a.Has(RoleAdmin), Person: a.ID}
	if a.Has(RoleSalesManager) {
		r.Units = append(r.Units, a.Unit)
	}
	return r.normal()
}

// ReportsReach is whose deals the actor's pipeline reports count: the units of their executive, sales-manager or
// system read scope (reports count deals, not the ones a person is named on).
func ReportsReach(a Actor) Reach {
	r := DealReach(a)
	r.Person = ""
	return r
}

// normal turns a reach over the whole company into All.
func (r Reach) normal() Reach {
	if slices.Contains(r.Units, Company) {
		return Reach{All: true, Person: r.Person}
	}
	return r
}

// ReviewReach is the unit in which a reviewer reviews, and the functions they review; ok is false for someone
// who is not a reviewer.
func ReviewReach(a Actor) (Unit, []ReviewFunction, bool) {
	if !a.Has(RoleReviewer) || len(a.Functions) == 0 {
		return "", nil, false
	}
	return a.Unit, a.Functions, true
}

// Members are the deal's owner and team: they never decide or review its gates.
func (o Opportunity) Members() []string {
	ids := []string{o.Owner.ID}
	for _, m := range o.Team {
		ids = append(ids, m.Person.ID)
	}
	return distinct(ids)
}

// Readers are the people named on the deal who read it wherever their unit: owner, team, sponsor and the
// creator of its lead.
func (o Opportunity) Readers() []string { return distinct(append(o.ReportReaders(), o.CreatedBy.ID)) }

// ReportReaders are the people named on the deal who read its weekly reports: the team (the owner is its AR)
// and the sponsor.
func (o Opportunity) ReportReaders() []string {
	ids := o.Members()
	if o.Sponsor != nil {
		ids = append(ids, o.Sponsor.ID)
	}
	return distinct(ids)
}

// Readers are the people named on the lead who read it: its owner and whoever created it.
func (l Lead) Readers() []string { return distinct([]string{l.Owner.ID, l.CreatedBy.ID}) }

func distinct(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// CanReadDeal checks that the actor may read the deal's content.
func CanReadDeal(a Actor, o Opportunity) error {
	if !DealReach(a).Covers(o.Unit, o.Readers()) {
		return PermissionDenied("deal %s is read by its team, the sales managers and executives of %s, and its sponsor", o.ID, o.Unit)
	}
	return nil
}

// CanReadWeeklyReports reports whether the actor reads the deal's weekly reports (受控发送).
func CanReadWeeklyReports(a Actor, o Opportunity) bool {
	return ReportReach(a).Covers(o.Unit, o.ReportReaders())
}

// CanReadLead checks that the actor may read the lead.
func CanReadLead(a Actor, l Lead) error {
	if !DealReach(a).Covers(l.Unit, l.Readers()) {
		return PermissionDenied("lead %s is read by its owner, the sales managers and executives of %s", l.ID, l.Unit)
	}
	return nil
}

// CanReadDecision checks that the actor may read the decision of the deal: whoever reads the deal, and the
// reviewers in scope of a function the decision asks for (the package they review).
func CanReadDecision(a Actor, o Opportunity, d Decision) error {
	if CanReadDeal(a, o) == nil {
		return nil
	}
	if unit, functions, ok := ReviewReach(a); ok && unit.Contains(o.Unit) &&
		slices.ContainsFunc(d.RequiredReviews, func(f ReviewFunction) bool { return slices.Contains(functions, f) }) {
		return nil
	}
	return PermissionDenied("decision %s is read by the readers of deal %s and the reviewers it asks for", d.ID, o.ID)
}

// independent checks the separation of duties of a gate: nobody decides or reviews a gate of a deal they
// requested, own, or are on the team of.
func independent(a Actor, o Opportunity, d Decision, what string) error {
	switch {
	case d.RequestedBy.ID == a.ID:
		return PermissionDenied("%s %s %s: you requested it, and nobody decides or reviews their own request (separation of duties)", what, d.Gate, d.ID)
	case o.Owner.ID == a.ID:
		return PermissionDenied("%s %s %s: you own deal %s, and an owner never decides or reviews its gates (separation of duties)", what, d.Gate, d.ID, o.ID)
	case o.Team.Member(a.ID):
		return PermissionDenied("%s %s %s: you are on the team of deal %s, and team members never decide or review its gates (separation of duties)", what, d.Gate, d.ID, o.ID)
	}
	return nil
}

// higher is the higher of two project levels (A above B above C).
func higher(a, b ProjectLevel) ProjectLevel {
	rank := map[ProjectLevel]int{LevelC: 1, LevelB: 2, LevelA: 3}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// InUnit narrows the recipients that name a group (role:, authority:, function:) to the people of that group whose
// scope holds the deal's unit, so a notification never reaches someone who may not read the deal:
// "authority:2@emea/germany" are the executives of authority 2 or more whose scope holds emea/germany. Recipients
// that name a person (user:) stay as they are.
func InUnit(recipients []string, u Unit) []string {
	out := make([]string, len(recipients))
	for i, r := range recipients {
		if strings.HasPrefix(r, "user:") {
			out[i] = r
		} else {
			out[i] = r + "@" + u.String()
		}
	}
	return out
}
