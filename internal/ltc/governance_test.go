package ltc_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

// The cast of the governance tests: a deal of emea/germany, people of that office, of the region, of another
// region, and of the company.
var (
	germany    = ltc.Unit("emea/germany")
	gSales     = ltc.Actor{ID: "g-sam", Roles: []ltc.Role{ltc.RoleSales}, Unit: germany}
	gManager   = ltc.Actor{ID: "g-mia", Roles: []ltc.Role{ltc.RoleSalesManager}, Unit: germany}
	frManager  = ltc.Actor{ID: "f-max", Roles: []ltc.Role{ltc.RoleSalesManager}, Unit: "emea/france"}
	gExec1     = ltc.Actor{ID: "g-eli", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 1, Unit: germany}
	frExec1    = ltc.Actor{ID: "f-eli", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 1, Unit: "emea/france"}
	emeaExec2  = ltc.Actor{ID: "e-eva", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 2, Unit: "emea/france"}
	apacExec2  = ltc.Actor{ID: "a-ann", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 2, Unit: "apac/japan"}
	corpExec3  = ltc.Actor{ID: "c-eric", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 3, Unit: "apac/japan"}
	gFinance   = ltc.Actor{ID: "g-fiona", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionFinance}, Unit: "emea"}
	apFinance  = ltc.Actor{ID: "a-fay", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionFinance}, Unit: "apac"}
	opsAdmin   = ltc.Actor{ID: "ops", Roles: []ltc.Role{ltc.RoleAdmin}, Unit: ltc.Company}
	crmReader  = ltc.Actor{ID: "crm", Roles: []ltc.Role{ltc.RoleSystem}, Unit: "emea", Scopes: []string{ltc.ScopeRead}}
	crmBlind   = ltc.Actor{ID: "crm2", Roles: []ltc.Role{ltc.RoleSystem}, Unit: "emea"}
	salesExec3 = ltc.Actor{ID: "g-boss", Roles: []ltc.Role{ltc.RoleSales, ltc.RoleExecutive}, Authority: 3, Unit: germany}
)

// germanDeal is a deal of emea/germany owned by g-sam, assessed at value with a customer of grade.
func germanDeal(value ltc.Money, grade ltc.CustomerGrade) ltc.Opportunity {
	l := ltc.NewLead(ltc.Lead{ID: "G1", Owner: gSales.Person(), CreatedBy: gSales.Person(), Unit: germany,
		Customer: ltc.Customer{Name: "Bayern Tel", Grade: grade}}, ltc.DefaultPolicy(), t0)
	o := ltc.NewOpportunity(l.Qualify(ltc.Qualification{Urgency: ltc.UrgencyHot}, l.ID, t0), t0, 0)
	return o.UpdateAssessment(ltc.Assessment{WinRate: 50, Value: value}, t0)
}

func initiationRequested(by ltc.Actor, proposed ltc.ProjectLevel, value ltc.Money, grade ltc.CustomerGrade) (ltc.Opportunity, ltc.Decision) {
	return germanDeal(value, grade).RequestDecision("GI", ltc.GateInitiation,
		ltc.Package{Initiation: &ltc.InitiationPackage{ProposedLevel: proposed, Rationale: "small"}}, ltc.DefaultPolicy(), by.Person(), t0)
}

func TestParseUnit(t *testing.T) {
	for in, want := range map[string]ltc.Unit{"/": ltc.Company, "emea": "emea", "emea/germany": germany} {
		u, err := ltc.ParseUnit(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, u)
		assert.Equal(t, in, u.String())
	}
	for _, bad := range []string{"", "EMEA", "emea/", "/emea", "emea//de", "a/b/c/d/e", "emea/de%", "emea/de_"} {
		_, err := ltc.ParseUnit(bad)
		assert.Error(t, err, bad)
	}
	assert.True(t, ltc.Unit("emea").Contains(germany))
	assert.False(t, ltc.Unit("emea/ger").Contains(germany), "a prefix of a name is not a parent")
	assert.True(t, ltc.Company.Contains(germany))
	assert.Equal(t, ltc.Unit("emea"), germany.Region())
}

func TestNobodyDecidesOrReviewsAGateTheyRequestedOwnOrAreOnTheTeamOf(t *testing.T) {
	small := eur(100_000)
	// A sales manager who requests a level-C INITIATION may not approve it.
	o, d := initiationRequested(gManager, ltc.LevelC, small, ltc.GradeC)
	assert.ErrorContains(t, ltc.CanDecide(gManager, o, d.ID, ltc.Ruling{Verdict: ltc.VerdictApprove}), "separation of duties")
	assert.NoError(t, ltc.CanDecide(gExec1, o, d.ID, ltc.Ruling{Verdict: ltc.VerdictApprove}))

	// One person with sales and executive authority 3 does not approve the INITIATION of his own deal.
	own := germanDeal(eur(20_000_000), ltc.GradeB)
	own.Owner = salesExec3.Person()
	own, d = own.RequestDecision("GA", ltc.GateInitiation, ltc.Package{Initiation: &ltc.InitiationPackage{ProposedLevel: ltc.LevelA}},
		ltc.DefaultPolicy(), salesExec3.Person(), t0)
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanDecide(salesExec3, own, d.ID, ltc.Ruling{Verdict: ltc.VerdictApprove})))

	// An executive appointed to the team (here as AR) neither decides nor reviews its ATB.
	o, d = initiationRequested(gSales, ltc.LevelC, small, ltc.GradeC)
	o, _ = o.Decide(d.ID, ltc.Ruling{Verdict: ltc.VerdictApprove, Rationale: "go"}, gManager, t0, ltc.DefaultPolicy())
	reviewingExec := ltc.Actor{ID: "g-eve", Roles: []ltc.Role{ltc.RoleExecutive, ltc.RoleReviewer}, Authority: 3,
		Functions: []ltc.ReviewFunction{ltc.FunctionFinance}, Unit: germany}
	o = o.AppointTeam(ltc.Team{{Person: reviewingExec.Person(), Role: ltc.TeamAR}, {Person: sara.Person(), Role: ltc.TeamSR},
		{Person: fred.Person(), Role: ltc.TeamFR}}, t0, ltc.DefaultPolicy())
	o = withRisk(o)
	o, atb := o.RequestDecision("GATB", ltc.GateATB, bidPkg, ltc.DefaultPolicy(), reviewingExec.Person(), t0)
	assert.ErrorContains(t, ltc.CanDecide(reviewingExec, o, atb.ID, ltc.Ruling{Verdict: ltc.VerdictReject}), "separation of duties")
	assert.ErrorContains(t, ltc.CanReview(reviewingExec, o, atb.ID, ltc.FunctionFinance), "separation of duties")
	assert.NoError(t, ltc.CanReview(gFinance, o, atb.ID, ltc.FunctionFinance))
	assert.NoError(t, ltc.CanDecide(emeaExec2, o, atb.ID, ltc.Ruling{Verdict: ltc.VerdictReject}))

	// A team member who is not the owner (the SR, a sales manager here) does not decide either.
	srManager := ltc.Actor{ID: sara.ID, Roles: []ltc.Role{ltc.RoleSalesManager, ltc.RoleExecutive}, Authority: 2, Unit: germany}
	assert.ErrorContains(t, ltc.CanDecide(srManager, o, atb.ID, ltc.Ruling{Verdict: ltc.VerdictReject}), "on the team")
}

func TestAdminRepairsButNeverDecidesOrReviews(t *testing.T) {
	o, d := initiationRequested(gSales, ltc.LevelC, eur(100_000), ltc.GradeC)
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanDecide(opsAdmin, o, d.ID, ltc.Ruling{Verdict: ltc.VerdictApprove})))
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanReview(opsAdmin, o, d.ID, ltc.FunctionFinance)))
	assert.NoError(t, ltc.CanWithdraw(opsAdmin, o, d.ID), "an admin may cancel a stuck decision")
	assert.NoError(t, ltc.CanClose(opsAdmin, o, ltc.OutcomeAbandoned))
}

func TestThePolicyLevelIsAFloorOnWhoDecides(t *testing.T) {
	// A grade-S deal of 200,000,000 EUR proposed as level C is level A by policy: corporate decides.
	o, d := initiationRequested(gSales, ltc.LevelC, eur(200_000_000), ltc.GradeS)
	assert.Equal(t, ltc.LevelA, d.Level)
	assert.Equal(t, ltc.LevelC, d.ProposedLevel)
	assert.Equal(t, ltc.LevelA, d.PolicyLevel)
	assert.Equal(t, 3, d.RequiredAuthority)
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanDecide(gManager, o, d.ID, ltc.Ruling{Verdict: ltc.VerdictApprove})),
		"a sales manager does not approve what the policy makes level A")
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanDecide(emeaExec2, o, d.ID, ltc.Ruling{Verdict: ltc.VerdictApprove})))

	// Corporate may confirm a lower level, with a rationale that is recorded.
	lower := ltc.Ruling{Verdict: ltc.VerdictApprove, Level: ltc.LevelB}
	assert.Equal(t, ltc.KindInvalid, ltc.KindOf(ltc.CanDecide(corpExec3, o, d.ID, lower)), "below the policy's level needs a rationale")
	lower.Rationale = "a pilot; the frame contract comes later"
	require.NoError(t, ltc.CanDecide(corpExec3, o, d.ID, lower))
	o, d = o.Decide(d.ID, lower, corpExec3, t0, ltc.DefaultPolicy())
	assert.Equal(t, ltc.LevelB, o.Level)
	assert.Equal(t, ltc.LevelB, d.ConfirmedLevel)
	assert.Equal(t, corpExec3.ID, o.Sponsor.ID, "the approver of INITIATION sponsors the deal")

	// At ATB the level is computed again from the bid's price: a B deal bidding 15,000,000 EUR needs corporate,
	// every review and level A's SLA, and the approval raises the deal's level.
	o = withRisk(o.AppointTeam(team, t0, ltc.DefaultPolicy()))
	big := ltc.Package{Bid: &ltc.BidPackage{ProposedPrice: eur(15_000_000), GrossMarginPercent: 30, WinRate: 40}}
	o, atb := o.RequestDecision("GATB", ltc.GateATB, big, ltc.DefaultPolicy(), owner.Person(), t0)
	assert.Equal(t, ltc.LevelA, atb.Level)
	assert.Equal(t, 3, atb.RequiredAuthority)
	assert.Equal(t, ltc.DefaultPolicy().Levels[ltc.LevelA].Reviews, atb.RequiredReviews)
	assert.Equal(t, ltc.DefaultPolicy().Levels[ltc.LevelA].DecisionSLA, atb.SLA)
	for _, f := range atb.RequiredReviews {
		o, _ = o.SubmitReview(atb.ID, ltc.Review{Function: f, Result: ltc.ReviewPass})
	}
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanDecide(emeaExec2, o, atb.ID, ltc.Ruling{Verdict: ltc.VerdictApprove})))
	assert.Equal(t, ltc.KindInvalid, ltc.KindOf(ltc.CanDecide(corpExec3, o, atb.ID, ltc.Ruling{Verdict: ltc.VerdictApprove, Level: ltc.LevelC})),
		"only INITIATION fixes a level")
	o, _ = o.Decide(atb.ID, ltc.Ruling{Verdict: ltc.VerdictApprove, Rationale: "ok"}, corpExec3, t0, ltc.DefaultPolicy())
	assert.Equal(t, ltc.LevelA, o.Level)
}

func TestExecutivesAndManagersActWithinTheirScope(t *testing.T) {
	o, d := initiationRequested(gSales, ltc.LevelC, eur(100_000), ltc.GradeC)
	approve := ltc.Ruling{Verdict: ltc.VerdictApprove}
	tests := []struct {
		name string
		who  ltc.Actor
		want ltc.Kind
	}{
		{"the office's manager decides level C", gManager, ""},
		{"another office's manager does not", frManager, ltc.KindPermission},
		{"the office's executive decides", gExec1, ""},
		{"another office's executive does not", frExec1, ltc.KindPermission},
		{"the region's executive decides", emeaExec2, ""},
		{"another region's executive does not", apacExec2, ltc.KindPermission},
		{"corporate decides anywhere", corpExec3, ""},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, ltc.KindOf(ltc.CanDecide(tc.who, o, d.ID, approve)), tc.name)
	}
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanReview(apFinance, o, d.ID, ltc.FunctionFinance)), "a reviewer of another region")
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanAppointTeam(frManager, o)))
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanClose(frManager, o, ltc.OutcomeLost)))

	l := ltc.Lead{ID: "L", Owner: gSales.Person(), Unit: germany, State: ltc.LeadNew}
	assert.NoError(t, ltc.CanQualifyLead(gManager, l))
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanQualifyLead(frManager, l)))
	assert.NoError(t, ltc.CanCreateLead(gSales, gSales.Person(), germany))
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanCreateLead(gSales, gSales.Person(), "emea/france")), "a rep's leads are of the rep's unit")
	assert.NoError(t, ltc.CanCreateLead(ltc.Actor{ID: "m", Roles: []ltc.Role{ltc.RoleSalesManager}, Unit: "emea"}, gSales.Person(), germany))
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanCreateLead(frManager, gSales.Person(), germany)))
}

func TestOnlyAnAppointedDeliveryPMWithoutACoreRoleAcknowledgesTheHandover(t *testing.T) {
	o := approve(withRisk(pursuit()), "ATB1", ltc.GateATB, bidPkg)
	o = o.SubmitBid(ltc.Bid{Price: eur(600_000)}, t0)
	o = o.RecordTenderResult(ltc.TenderResult{Result: ltc.TenderWon}, owner.Person(), t0, ltc.DefaultPolicy())
	o = approve(o, "ATC1", ltc.GateATC, contractPkg)
	o = o.SignContract(ltc.Contract{Number: "C-1", Amount: eur(580_000)}, t0, ltc.DefaultPolicy())

	// The AR lists himself as DELIVERY_PM among the attendees.
	selfAck := ltc.Handover{Attendees: append(ltc.Team{{Person: owner.Person(), Role: ltc.TeamDeliveryPM}}, team...)}
	assert.Equal(t, ltc.KindPrecondition, ltc.KindOf(ltc.CanScheduleHandover(owner, o, selfAck)))
	// Appointed DELIVERY_PM too, he still holds a core role.
	withSelf := o.AppointTeam(append(ltc.Team{{Person: owner.Person(), Role: ltc.TeamDeliveryPM}}, team...), t0, ltc.DefaultPolicy())
	assert.ErrorContains(t, ltc.CanScheduleHandover(owner, withSelf, selfAck), "separation of duties")
	forced := withSelf.ScheduleHandover(selfAck, t0)
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanCompleteHandover(owner, forced)))

	// A DELIVERY_PM named in the invitation but not appointed to the team is refused at completion too.
	named := o.ScheduleHandover(ltc.Handover{Attendees: append(ltc.Team{{Person: dora.Person(), Role: ltc.TeamDeliveryPM}}, team...)}, t0)
	assert.Equal(t, ltc.KindPrecondition, ltc.KindOf(ltc.CanCompleteHandover(dora, named)))
	appointed := named.AppointTeam(append(ltc.Team{{Person: dora.Person(), Role: ltc.TeamDeliveryPM}}, team...), t0, ltc.DefaultPolicy())
	assert.NoError(t, ltc.CanCompleteHandover(dora, appointed))
}

func TestReadersFollowTheTeamTheUnitAndTheScope(t *testing.T) {
	o, d := initiationRequested(gSales, ltc.LevelC, eur(100_000), ltc.GradeC)
	tests := []struct {
		name             string
		who              ltc.Actor
		deal, decision   bool
		weeklyReports    bool
		reportsSeeTheDel bool
	}{
		{"the owner", gSales, true, true, true, false},
		{"the unit's manager", gManager, true, true, true, true},
		{"another unit's manager", frManager, false, false, false, false},
		{"the region's executive", emeaExec2, true, true, false, true},
		{"another region's executive", apacExec2, false, false, false, false},
		{"corporate", corpExec3, true, true, false, true},
		{"a reviewer of the region, for the package", gFinance, false, true, false, false},
		{"a reviewer of another region", apFinance, false, false, false, false},
		{"a system with the read scope", crmReader, true, true, false, true},
		{"a system without it", crmBlind, false, false, false, false},
		{"an admin", opsAdmin, true, true, true, true},
		{"another rep", ltc.Actor{ID: "x", Roles: []ltc.Role{ltc.RoleSales}, Unit: germany}, false, false, false, false},
	}
	d.RequiredReviews = []ltc.ReviewFunction{ltc.FunctionFinance}
	for _, tc := range tests {
		assert.Equal(t, tc.deal, ltc.CanReadDeal(tc.who, o) == nil, tc.name+": deal")
		assert.Equal(t, tc.decision, ltc.CanReadDecision(tc.who, o, d) == nil, tc.name+": decision")
		assert.Equal(t, tc.weeklyReports, ltc.CanReadWeeklyReports(tc.who, o), tc.name+": weekly reports")
		assert.Equal(t, tc.reportsSeeTheDel, ltc.ReportsReach(tc.who).Covers(o.Unit, nil), tc.name+": pipeline report")
	}
	o, _ = o.Decide(d.ID, ltc.Ruling{Verdict: ltc.VerdictApprove, Rationale: "go"}, emeaExec2, t0, ltc.DefaultPolicy())
	assert.True(t, ltc.CanReadWeeklyReports(emeaExec2, o), "the sponsor reads the weekly reports")
}
