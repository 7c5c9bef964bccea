package ltc

import (
	"slices"
	"time"
)

// TeamRole is a role in a deal's project team. AR, SR and FR form the iron triangle (铁三角).
type TeamRole string

// Team roles.
const (
	TeamAR         TeamRole = "AR" // Account Responsible (客户经理), leads the team
	TeamSR         TeamRole = "SR" // Solution Responsible (产品/解决方案经理)
	TeamFR         TeamRole = "FR" // Fulfilment Responsible (交付经理)
	TeamBidManager TeamRole = "BID_MANAGER"
	TeamFinance    TeamRole = "FINANCE"
	TeamLegal      TeamRole = "LEGAL"
	TeamDeliveryPM TeamRole = "DELIVERY_PM"
)

// TeamRoles lists every team role.
var TeamRoles = []TeamRole{TeamAR, TeamSR, TeamFR, TeamBidManager, TeamFinance, TeamLegal, TeamDeliveryPM}

// CoreRoles are the roles a team must fill.
var CoreRoles = []TeamRole{TeamAR, TeamSR, TeamFR}

// TeamMember is a person holding a role in a deal's team.
type TeamMember struct {
	Person Person   `json:"person"`
	Role   TeamRole `json:"role"`
}

// Team is a deal's project team (项目组, 作战阵型).
type Team []TeamMember

// Holds reports whether the person holds the role.
func (t Team) Holds(personID string, role TeamRole) bool {
	return slices.ContainsFunc(t, func(m TeamMember) bool { return m.Person.ID == personID && m.Role == role })
}

// Member reports whether the person holds any role.
func (t Team) Member(personID string) bool {
	return slices.ContainsFunc(t, func(m TeamMember) bool { return m.Person.ID == personID })
}

// Core reports whether a core member (AR, SR or FR) is the person.
func (t Team) Core(personID string) bool {
	return slices.ContainsFunc(CoreRoles, func(r TeamRole) bool { return t.Holds(personID, r) })
}

// Validate checks that the team fills AR, SR and FR once each and holds no role twice for one person. Of the core
// roles only AR and FR may be held by one person (in small deals, as the seeds allow).
func (t Team) Validate() error {
	for _, r := range CoreRoles {
		n := 0
		for _, m := range t {
			if m.Role == r {
				n++
			}
		}
		if n != 1 {
			return Invalid("the team needs exactly one %s (has %d)", r, n)
		}
	}
	if err := t.validMembers(); err != nil {
		return err
	}
	for _, m := range t {
		if m.Role == TeamSR && (t.Holds(m.Person.ID, TeamAR) || t.Holds(m.Person.ID, TeamFR)) {
			return Invalid("the SR (%s) cannot also be AR or FR; only AR and FR may be held by one person", m.Person.ID)
		}
	}
	return nil
}

// validMembers checks that each member holds a known role, names a person, and holds it once.
func (t Team) validMembers() error {
	for i, m := range t {
		if !slices.Contains(TeamRoles, m.Role) {
			return Invalid("unknown team role %q", m.Role)
		}
		if m.Person.ID == "" {
			return Invalid("team member %d has no person", i)
		}
		if slices.ContainsFunc(t[:i], func(x TeamMember) bool { return x == m }) {
			return Invalid("%s holds %s twice", m.Person.ID, m.Role)
		}
	}
	return nil
}

// CanAppointTeam checks that the actor may appoint or change the team now: a sales manager (or admin), from
// TEAM_FORMATION on, while the deal is open.
func CanAppointTeam(a Actor, o Opportunity) error {
	if !o.managedBy(a) {
		return PermissionDenied("appointing the project team of deal %s needs the sales_manager role for %s", o.ID, o.Unit)
	}
	if err := o.worked(); err != nil {
		return err
	}
	if o.Stage == StageValidation || o.Stage == StageInitiationReview {
		return o.precondition("a team is appointed after INITIATION is approved")
	}
	return nil
}

// AppointTeam returns the deal with the team, owned by its AR; a deal in TEAM_FORMATION moves on to PURSUIT,
// where weekly reporting starts.
func (o Opportunity) AppointTeam(t Team, now time.Time, p Policy) Opportunity {
	o.Team = slices.Clone(t)
	for _, m := range t {
		if m.Role == TeamAR {
			o.Owner = m.Person
		}
	}
	if o.Stage == StageTeamFormation {
		o.Stage = StagePursuit
		o = o.startCadence(now, p)
	}
	o.UpdatedAt = now
	return o
}

// AppointTeam appoints the project team (the iron triangle AR, SR, FR and others), or changes it.
type AppointTeam struct {
	Team Team `json:"team"`
}

// Apply appoints the team; its members are told.
func (cmd AppointTeam) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err == nil {
		err = CanAppointTeam(c.Actor, o)
	}
	if err == nil {
		err = cmd.Team.Validate()
	}
	if err != nil {
		return Change{}, err
	}
	typ := EventTeamAppointed
	if len(o.Team) > 0 {
		typ = EventTeamChanged
	}
	var recipients []string
	for _, m := range cmd.Team {
		recipients = append(recipients, UserRecipient(m.Person.ID))
	}
	next := o.AppointTeam(cmd.Team, c.Now, c.Policy)
	return c.change(d, next, nil, typ, TeamDetails{Before: o.Team, After: next.Team}, recipients...), nil
}
