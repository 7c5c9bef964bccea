package ltc_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

// TestEveryPreconditionRefusalNamesTheCurrentStage calls each rule of a deal in a state where a prerequisite is
// unmet and checks the refusal is FAILED_PRECONDITION naming where the deal stands (api.md, Validation).
func TestEveryPreconditionRefusalNamesTheCurrentStage(t *testing.T) {
	p := ltc.DefaultPolicy()
	initiationPending, initiationDecision := requested(ltc.LevelB, p)
	atbPending, atb := withRisk(pursuit()).RequestDecision("ATB1", ltc.GateATB, bidPkg, p, owner.Person(), t0)
	bid := bidding().SubmitBid(ltc.Bid{Price: eur(1_000_000), Reference: "B-1"}, t0)
	signing := approve(bid.RecordTenderResult(ltc.TenderResult{Result: ltc.TenderWon}, owner.Person(), t0, p), "ATC1", ltc.GateATC, contractPkg)
	handover := signing.SignContract(ltc.Contract{Number: "C-1", Amount: eur(980_000)}, t0, p)
	closed := pursuit().Close(ltc.OutcomeLost, "price", owner.Person(), t0, p)
	summarised := closed.SubmitSummary(ltc.ProjectSummary{Lessons: "earlier"}, t0)
	decided, _ := initiationPending.Decide(initiationDecision.ID, ruling(ltc.VerdictApprove, "go"), exec2, t0, p)
	reviewed, _ := atbPending.SubmitReview(atb.ID, ltc.Review{Function: ltc.FunctionFinance})
	noCadence := pursuit() // a team appointed before weekly reports existed
	noCadence.Cadence = nil
	unassessed := ltc.NewOpportunity(ltc.NewLead(ltc.Lead{ID: "D2", Owner: owner.Person()}, p, t0), t0, 0)

	for name, c := range map[string]struct {
		deal ltc.Opportunity
		err  error
	}{
		"a decision while one is pending":     {initiationPending, ltc.CanRequestDecision(owner, initiationPending, ltc.GateInitiation, initiation)},
		"a gate from the wrong stage":         {validated(), ltc.CanRequestDecision(owner, validated(), ltc.GateATB, bidPkg)},
		"INITIATION without assessment":       {unassessed, ltc.CanRequestDecision(owner, unassessed, ltc.GateInitiation, initiation)},
		"ATB without a risk":                  {pursuit(), ltc.CanRequestDecision(owner, pursuit(), ltc.GateATB, bidPkg)},
		"a review of a decided decision":      {decided, ltc.CanReview(finance, decided, initiationDecision.ID, ltc.FunctionFinance)},
		"a review not asked for":              {atbPending, ltc.CanReview(legal, atbPending, atb.ID, ltc.FunctionLegal)},
		"a review twice":                      {reviewed, ltc.CanReview(finance, reviewed, atb.ID, ltc.FunctionFinance)},
		"approval before the reviews":         {atbPending, ltc.CanDecide(exec3, atbPending, atb.ID, ruling(ltc.VerdictApprove, "ok"))},
		"the assessment after VALIDATION":     {pursuit(), ltc.CanUpdateAssessment(owner, pursuit())},
		"a team before INITIATION":            {validated(), ltc.CanAppointTeam(manager, validated())},
		"a weekly report before PURSUIT":      {noCadence, ltc.CanSubmitWeeklyReport(owner, noCadence)},
		"a second bid":                        {bid, ltc.CanSubmitBid(owner, bid, ltc.Bid{Price: eur(1_000_000)}, p)},
		"a bid in another currency":           {bidding(), ltc.CanSubmitBid(owner, bidding(), ltc.Bid{Price: ltc.Money{Currency: "USD", AmountMinor: 1}}, p)},
		"a bid below the envelope":            {bidding(), ltc.CanSubmitBid(owner, bidding(), ltc.Bid{Price: eur(1)}, p)},
		"a tender result before the bid":      {bidding(), ltc.CanRecordTenderResult(owner, bidding(), ltc.TenderResult{Result: ltc.TenderWon})},
		"a contract for another amount":       {signing, ltc.CanSignContract(owner, signing, ltc.Contract{Amount: eur(1)})},
		"completing an unscheduled handover":  {handover, ltc.CanCompleteHandover(dora, handover)},
		"a summary before the close":          {handover, ltc.CanSubmitSummary(owner, handover)},
		"a second summary":                    {summarised, ltc.CanSubmitSummary(owner, summarised)},
		"a change of a closed deal":           {closed, ltc.CanRecordMeeting(owner, closed)},
		"a withdrawal of a decided decision":  {decided, ltc.CanWithdraw(owner, decided, initiationDecision.ID)},
		"a risk on a closed deal":             {closed, ltc.CanEditRisks(fred, closed)},
		"closing a closed deal":               {closed, ltc.CanClose(owner, closed, ltc.OutcomeAbandoned)},
		"a handover outside HANDOVER":         {signing, ltc.CanScheduleHandover(owner, signing, ltc.Handover{})},
		"a decision on a closed deal's stage": {closed, ltc.CanRequestDecision(owner, closed, ltc.GateATB, bidPkg)},
	} {
		require.Error(t, c.err, name)
		assert.Equal(t, ltc.KindPrecondition, ltc.KindOf(c.err), "%s: %v", name, c.err)
		assert.Contains(t, c.err.Error(), "is in "+string(c.deal.Stage), name)
	}
}

// TestPreconditionRefusalsGoThroughOneHelper keeps the rule above true for rules written later: in package ltc,
// only Opportunity.precondition (which names the deal's stage) and leadOpen (which names the lead's state) call
// FailedPrecondition.
func TestPreconditionRefusalsGoThroughOneHelper(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil || fn.Name.Name == "precondition" || fn.Name.Name == "leadOpen" || fn.Name.Name == "FailedPrecondition" {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "FailedPrecondition" {
						t.Errorf("%s: %s calls FailedPrecondition directly; use Opportunity.precondition so the stage is named",
							fset.Position(call.Pos()), fn.Name.Name)
					}
				}
				return true
			})
		}
	}
}
