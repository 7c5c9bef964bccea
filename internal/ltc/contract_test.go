package ltc_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

var (
	sara = ltc.Actor{ID: "sara", Roles: []ltc.Role{ltc.RoleSales}}
	fred = ltc.Actor{ID: "fred", Roles: []ltc.Role{ltc.RoleSales}}
	dora = ltc.Actor{ID: "dora", Roles: []ltc.Role{ltc.RoleSales}}
	team = ltc.Team{
		{Person: owner.Person(), Role: ltc.TeamAR}, {Person: sara.Person(), Role: ltc.TeamSR}, {Person: fred.Person(), Role: ltc.TeamFR},
	}
	eur = func(major int64) ltc.Money { return ltc.Money{Currency: "EUR", AmountMinor: major * 100} }
)

func pursuit() ltc.Opportunity {
	o, d := requested(ltc.LevelC, ltc.DefaultPolicy())
	o, _ = o.Decide(d.ID, ruling(ltc.VerdictApprove, "go"), manager, t0, ltc.DefaultPolicy())
	return o.AppointTeam(team, t0, ltc.DefaultPolicy())
}

func withRisk(o ltc.Opportunity) ltc.Opportunity {
	return o.AddRisk(ltc.Risk{ID: "R1", Description: "FX", Category: ltc.RiskFinancial,
		Probability: ltc.RiskMedium, Impact: ltc.RiskHigh, Owner: fred.Person(), Status: ltc.RiskOpen}, t0)
}

func approve(o ltc.Opportunity, id string, gate ltc.Gate, pkg ltc.Package) ltc.Opportunity {
	o, d := o.RequestDecision(id, gate, pkg, ltc.DefaultPolicy(), owner.Person(), t0)
	o, _ = o.Decide(d.ID, ruling(ltc.VerdictApprove, "ok"), exec3, t0, ltc.DefaultPolicy())
	return o
}

var bidPkg = ltc.Package{Bid: &ltc.BidPackage{Strategy: "value", ProposedPrice: eur(600_000), GrossMarginPercent: 32, WinRate: 55}}
var contractPkg = ltc.Package{Contract: &ltc.ContractPackage{FinalPrice: eur(580_000), GrossMarginPercent: 30, ContractReference: "C-1"}}

func bidding() ltc.Opportunity { return approve(withRisk(pursuit()), "ATB1", ltc.GateATB, bidPkg) }

func TestATBNeedsARiskAndSetsTheEnvelope(t *testing.T) {
	o := pursuit()
	assert.ErrorContains(t, ltc.CanRequestDecision(owner, o, ltc.GateATB, bidPkg), "risk register")
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanEditRisks(rep, o)), "non-team member refused")
	require.NoError(t, ltc.CanEditRisks(fred, o), "the FR keeps risks")
	o = withRisk(o)
	require.NoError(t, ltc.CanRequestDecision(owner, o, ltc.GateATB, bidPkg))
	assert.Equal(t, ltc.KindInvalid, ltc.KindOf(ltc.CanRequestDecision(owner, o, ltc.GateATB, ltc.Package{})))
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanRequestDecision(sara, o, ltc.GateATB, bidPkg)), "the AR asks, not the SR")

	r, d := o.RequestDecision("ATB1", ltc.GateATB, bidPkg, ltc.DefaultPolicy(), owner.Person(), t0)
	assert.Equal(t, ltc.StageATBReview, r.Stage)
	assert.Equal(t, 1, d.Authority, "level C: a representative office executive")
	assert.Equal(t, []ltc.ReviewFunction{ltc.FunctionFinance}, d.RequiredReviews)
	assert.Len(t, d.Package.Risks, 1, "deciders see the risks with the package")
	assert.Equal(t, ltc.KindPrecondition, ltc.KindOf(ltc.CanDecide(exec1, r, d.ID, ltc.Ruling{Verdict: ltc.VerdictApprove})), "FINANCE review missing")

	b := bidding()
	assert.Equal(t, ltc.StageBidding, b.Stage)
	assert.Equal(t, eur(600_000), *b.ApprovedBidPrice)

	nb, _ := o.RequestDecision("ATB2", ltc.GateATB, bidPkg, ltc.DefaultPolicy(), owner.Person(), t0)
	nb, _ = nb.Decide("ATB2", ruling(ltc.VerdictReject, "margin"), exec1, t0, ltc.DefaultPolicy())
	assert.Equal(t, ltc.OutcomeNoBid, nb.Outcome)
	ret, _ := o.RequestDecision("ATB3", ltc.GateATB, bidPkg, ltc.DefaultPolicy(), owner.Person(), t0)
	ret, _ = ret.Decide("ATB3", ruling(ltc.VerdictReturn, "rework"), exec1, t0, ltc.DefaultPolicy())
	assert.Equal(t, ltc.StagePursuit, ret.Stage)
}

func TestBidMustStayInsideTheEnvelope(t *testing.T) {
	o := bidding()
	p := ltc.DefaultPolicy()
	below := ltc.Bid{Price: eur(599_999), Reference: "B-1"}
	assert.ErrorContains(t, ltc.CanSubmitBid(owner, o, below, p), "a new ATB is needed")
	assert.Equal(t, ltc.KindPrecondition, ltc.KindOf(ltc.CanSubmitBid(owner, o, ltc.Bid{Price: ltc.Money{Currency: "USD", AmountMinor: 1e9}}, p)))
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanSubmitBid(sara, o, ltc.Bid{Price: eur(600_000)}, p)))
	p.BidTolerancePercent = 5
	assert.NoError(t, ltc.CanSubmitBid(owner, o, ltc.Bid{Price: eur(570_000)}, p), "inside a 5% tolerance")
	assert.Error(t, ltc.CanSubmitBid(owner, o, ltc.Bid{Price: eur(569_999)}, p))

	// A new ATB from BIDDING approves a lower envelope.
	require.NoError(t, ltc.CanRequestDecision(owner, o, ltc.GateATB, bidPkg))
	lower := ltc.Package{Bid: &ltc.BidPackage{ProposedPrice: eur(550_000), GrossMarginPercent: 30}}
	o = approve(o, "ATB-again", ltc.GateATB, lower)
	assert.Equal(t, ltc.StageBidding, o.Stage)
	assert.NoError(t, ltc.CanSubmitBid(owner, o, ltc.Bid{Price: eur(570_000)}, ltc.DefaultPolicy()))

	assert.ErrorContains(t, ltc.CanRecordTenderResult(owner, o, ltc.TenderResult{Result: ltc.TenderWon}), "submit the bid first")
	o = o.SubmitBid(ltc.Bid{Price: eur(570_000), Reference: "B-1"}, t0)
	assert.ErrorContains(t, ltc.CanSubmitBid(owner, o, ltc.Bid{Price: eur(570_000)}, ltc.DefaultPolicy()), "already has its bid")
	assert.Equal(t, ltc.KindInvalid, ltc.KindOf(ltc.CanRecordTenderResult(owner, o, ltc.TenderResult{Result: ltc.TenderLost})), "names the winner")

	p = ltc.DefaultPolicy()
	for result, want := range map[ltc.Tender]struct {
		stage   ltc.Stage
		outcome ltc.Outcome
	}{
		ltc.TenderShortlisted: {ltc.StageNegotiation, ""},
		ltc.TenderWon:         {ltc.StageNegotiation, ""},
		ltc.TenderLost:        {ltc.StageClosed, ltc.OutcomeLost},
		ltc.TenderCancelled:   {ltc.StageClosed, ltc.OutcomeCancelled},
	} {
		got := o.RecordTenderResult(ltc.TenderResult{Result: result, Winner: "Globex"}, owner.Person(), t0, p)
		assert.Equal(t, want.stage, got.Stage, result)
		assert.Equal(t, want.outcome, got.Outcome, result)
	}
}

func TestContractHandoverAndSummary(t *testing.T) {
	p := ltc.DefaultPolicy()
	o := bidding().SubmitBid(ltc.Bid{Price: eur(600_000)}, t0)
	o = o.RecordTenderResult(ltc.TenderResult{Result: ltc.TenderWon}, owner.Person(), t0, p)
	require.NoError(t, ltc.CanRequestDecision(owner, o, ltc.GateATC, contractPkg))
	rejected, d := o.RequestDecision("ATC0", ltc.GateATC, contractPkg, p, owner.Person(), t0)
	rejected, _ = rejected.Decide(d.ID, ruling(ltc.VerdictReject, "terms"), exec1, t0, p)
	assert.Equal(t, ltc.OutcomeAbandoned, rejected.Outcome)

	o = approve(o, "ATC1", ltc.GateATC, contractPkg)
	assert.Equal(t, ltc.StageContractSigning, o.Stage)
	assert.ErrorContains(t, ltc.CanSignContract(owner, o, ltc.Contract{Amount: eur(590_000)}), "a new ATC is needed")
	require.NoError(t, ltc.CanRequestDecision(owner, o, ltc.GateATC, contractPkg), "a new ATC from CONTRACT_SIGNING")
	require.NoError(t, ltc.CanSignContract(owner, o, ltc.Contract{Amount: eur(580_000)}))
	signedAt := t0.Add(time.Hour)
	o = o.SignContract(ltc.Contract{Number: "C-1", Amount: eur(580_000)}, signedAt, p)
	assert.Equal(t, ltc.StageHandover, o.Stage)
	assert.Equal(t, signedAt.Add(14*24*time.Hour), *o.HandoverDueAt)

	missingFR := ltc.Handover{Attendees: ltc.Team{{Person: owner.Person(), Role: ltc.TeamAR}, {Person: sara.Person(), Role: ltc.TeamSR},
		{Person: dora.Person(), Role: ltc.TeamDeliveryPM}}}
	assert.ErrorContains(t, ltc.CanScheduleHandover(owner, o, missingFR), "FR (fred)")
	noPM := ltc.Handover{Attendees: team}
	assert.ErrorContains(t, ltc.CanScheduleHandover(owner, o, noPM), "DELIVERY_PM")
	meeting := ltc.Handover{ScheduledFor: t0.Add(48 * time.Hour), Attendees: append(ltc.Team{{Person: dora.Person(), Role: ltc.TeamDeliveryPM}}, team...)}
	assert.ErrorContains(t, ltc.CanCompleteHandover(dora, o), "not scheduled")
	assert.ErrorContains(t, ltc.CanScheduleHandover(owner, o, meeting), "not appointed to the team", "the DELIVERY_PM is appointed, not named in the invitation")
	o = o.AppointTeam(append(ltc.Team{{Person: dora.Person(), Role: ltc.TeamDeliveryPM}}, team...), t0, p)
	require.NoError(t, ltc.CanScheduleHandover(owner, o, meeting))
	o = o.ScheduleHandover(meeting, t0)
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanCompleteHandover(owner, o)), "only the DELIVERY_PM acknowledges")
	require.NoError(t, ltc.CanCompleteHandover(dora, o))
	assert.Equal(t, ltc.KindPrecondition, ltc.KindOf(ltc.CanSubmitSummary(owner, o)), "summary after the close")
	won := o.CompleteHandover(ltc.HandoverRecord{KeyTerms: "24 months", Commitments: "SLA 99.9"}, dora.Person(), signedAt, p)
	assert.Equal(t, ltc.OutcomeWon, won.Outcome)
	assert.Equal(t, "dora", won.Handover.AcknowledgedBy.ID)
	assert.Equal(t, signedAt.Add(30*24*time.Hour), *won.SummaryDueAt)

	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanSubmitSummary(sara, won)))
	require.NoError(t, ltc.CanSubmitSummary(owner, won))
	done := won.SubmitSummary(ltc.ProjectSummary{Lessons: "start earlier"}, t0)
	assert.ErrorContains(t, ltc.CanSubmitSummary(owner, done), "already")
}
