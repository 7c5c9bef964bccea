package ltc_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ltcengine/ltc/internal/ltc"
)

func actor(id string, roles ...ltc.Role) ltc.Actor { return ltc.Actor{ID: id, Roles: roles} }

func TestLeadRules(t *testing.T) {
	open := ltc.Lead{ID: "L1", State: ltc.LeadNew, Owner: ltc.Person{ID: "sam"}}
	qualified := open
	qualified.State = ltc.LeadQualified
	disqualified := open
	disqualified.State = ltc.LeadDisqualified

	sam := actor("sam", ltc.RoleSales)
	sue := actor("sue", ltc.RoleSales)
	mia := actor("mia", ltc.RoleSalesManager)
	ops := actor("ops", ltc.RoleAdmin)
	crm := actor("crm", ltc.RoleSystem)
	eve := ltc.Actor{ID: "eve", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 3}

	tests := []struct {
		name string
		err  error
		want ltc.Kind
	}{
		{"sales creates own lead", ltc.CanCreateLead(sam, sam.Person(), sam.Unit), ""},
		{"sales creates for another", ltc.CanCreateLead(sam, sue.Person(), sam.Unit), ltc.KindPermission},
		{"manager creates for a rep", ltc.CanCreateLead(mia, sam.Person(), mia.Unit), ""},
		{"system creates for a rep", ltc.CanCreateLead(crm, sam.Person(), crm.Unit), ""},
		{"executive cannot create", ltc.CanCreateLead(eve, eve.Person(), eve.Unit), ltc.KindPermission},
		{"no role cannot read", ltc.CanRead(ltc.Actor{ID: "x"}), ltc.KindPermission},
		{"any role reads", ltc.CanRead(eve), ""},
		{"manager qualifies", ltc.CanQualifyLead(mia, open), ""},
		{"admin qualifies", ltc.CanQualifyLead(ops, open), ""},
		{"owner cannot qualify", ltc.CanQualifyLead(sam, open), ltc.KindPermission},
		{"qualify qualified", ltc.CanQualifyLead(mia, qualified), ltc.KindPrecondition},
		{"qualify disqualified", ltc.CanQualifyLead(mia, disqualified), ltc.KindPrecondition},
		{"owner disqualifies", ltc.CanDisqualifyLead(sam, open), ""},
		{"other rep cannot disqualify", ltc.CanDisqualifyLead(sue, open), ltc.KindPermission},
		{"manager disqualifies", ltc.CanDisqualifyLead(mia, open), ""},
		{"disqualify qualified", ltc.CanDisqualifyLead(mia, qualified), ltc.KindPrecondition},
		{"permission is checked before state", ltc.CanQualifyLead(sue, qualified), ltc.KindPermission},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, ltc.KindOf(tt.err), "%s: %v", tt.name, tt.err)
	}
	assert.ErrorContains(t, ltc.CanQualifyLead(mia, qualified), "lead L1 is QUALIFIED")
}

func TestLeadLifecycle(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	p := ltc.DefaultPolicy()
	l := ltc.NewLead(ltc.Lead{ID: "L1", Customer: ltc.Customer{Name: "Acme", Grade: ltc.GradeB}}, p, t0)
	assert.Equal(t, ltc.LeadNew, l.State)
	assert.Equal(t, t0.Add(14*24*time.Hour), l.SLADueAt)
	assert.Equal(t, p.Version, l.PolicyVersion)

	q := l.Qualify(ltc.Qualification{Urgency: ltc.UrgencyCold}, "L1", t0.Add(time.Hour))
	assert.Equal(t, ltc.LeadQualified, q.State)
	assert.Equal(t, ltc.LeadNew, l.State, "transitions return a new value")
	o := ltc.NewOpportunity(q, t0.Add(time.Hour), 0)
	assert.Equal(t, ltc.StageValidation, o.Stage)
	assert.Equal(t, "L1", o.ID)
	assert.Equal(t, q.Customer, o.Customer)

	assert.True(t, l.MarkOverdue(t0).Overdue)
	assert.Equal(t, "no budget", l.Disqualify("no budget", t0).DisqualificationReason)
}

func TestDateValid(t *testing.T) {
	assert.True(t, ltc.Date{Year: 2028, Month: 2, Day: 29}.Valid())
	assert.False(t, ltc.Date{Year: 2027, Month: 2, Day: 29}.Valid())
	assert.False(t, ltc.Date{Year: 2027, Month: 13, Day: 1}.Valid())
	assert.False(t, ltc.Date{}.Valid())
	assert.False(t, ltc.Date{Year: 10000, Month: 1, Day: 1}.Valid(), "past MaxYear")
	assert.False(t, ltc.Date{Year: 1969, Month: 12, Day: 31}.Valid(), "before MinYear")
	assert.True(t, ltc.Date{Year: ltc.MaxYear, Month: 12, Day: 31}.Valid())
}
