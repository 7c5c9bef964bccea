package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/type/date"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// tour drives the workplace in Chromium as the demo people do, one page and one form at a time.
type tour struct {
	t    *testing.T
	ctx  context.Context
	site string
}

// do runs browser actions and fails the test on error.
func (b tour) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	require.NoError(b.t, chromedp.Do(b.ctx, actions...))
}

// as signs the browser in as the demo person, with the dev sign-in's button.
func (b tour) as(person string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.site+"/signin/"), chromedp.WaitVisible(chromedp.CSS(`#signin-`+person)))
	b.follow(`signin-` + person)
	b.do(chromedp.WaitVisible(chromedp.CSS(`#person`)))
}

// follow clicks the button and waits for the page it leads to.
func (b tour) follow(button string) {
	b.t.Helper()
	_, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body.dataset.left = "1"`))
	require.NoError(b.t, err)
	b.do(chromedp.Click(chromedp.CSS(`#`+button)), chromedp.WaitNotPresent(chromedp.CSS(`body[data-left]`)),
		chromedp.WaitReady(chromedp.CSS(`main`)))
}

// submit fills the form's fields (by element id), sends it with its button and waits for the next page; a
// refusal fails the test with the API's sentence.
func (b tour) submit(button string, fields map[string]string) {
	b.t.Helper()
	for id, value := range fields {
		if value == "on" {
			b.do(chromedp.Click(chromedp.CSS(`#` + id)))
		} else {
			b.do(chromedp.SetValue(chromedp.CSS(`#`+id), value))
		}
	}
	b.follow(button)
	refusal, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(document.querySelector(".refusal") || {}).textContent || ""`))
	require.NoError(b.t, err)
	require.Empty(b.t, strings.TrimSpace(refusal), "%s was refused", button)
}

// act takes the deal page's action with the fields (named as the form names them), unfolding its form first.
func (b tour) act(deal, action string, fields map[string]string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.site+"/deals/"+deal), chromedp.WaitVisible(chromedp.CSS(`#deal-stage`)))
	open, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector("#action-`+action+`").open`))
	require.NoError(b.t, err, "the deal page offers %s", action)
	if !open {
		b.do(chromedp.Click(chromedp.CSS(`#action-` + action + ` > summary`)))
	}
	b.submit(action+"-submit", formIDs(action, fields))
}

// formIDs are the fields of an action's form by their element ids.
func formIDs(action string, fields map[string]string) map[string]string {
	ids := map[string]string{}
	for name, value := range fields {
		ids[action+"-"+name] = value
	}
	return ids
}

// onContract takes the contract page's action with the fields (named as the form names them), unfolding its form.
func (b tour) onContract(deal, action string, fields map[string]string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.site+"/contracts/"+deal), chromedp.WaitVisible(chromedp.CSS(`#contract-status`)),
		chromedp.Click(chromedp.CSS(`#action-`+action+` > summary`)))
	b.submit(action+"-submit", formIDs(action, fields))
}

// decideFirst opens the first decision in My work and sends the decision or review form.
func (b tour) decideFirst(button string, fields map[string]string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.site+"/work"), chromedp.WaitVisible(chromedp.CSS(`#work a.decision-link`)),
		chromedp.Click(chromedp.CSS(`#work a.decision-link`)), chromedp.WaitVisible(chromedp.CSS(`#decision-status`)))
	b.submit(button, fields)
}

// review has each professional reviewer submit their review of the pending gate.
func (b tour) reviews() {
	b.t.Helper()
	for person, function := range map[string]string{"reviewer_finance": "FINANCE", "reviewer_legal": "LEGAL", "reviewer_delivery": "DELIVERY"} {
		b.as(person)
		b.decideFirst("review-submit", map[string]string{"function": "REVIEW_FUNCTION_" + function, "result": "REVIEW_RESULT_PASS"})
	}
}

// TestTheDemoDealFromLeadToWonInTheBrowser is the demo in the browser: each demo person signs in and does their
// part with the workplace's forms, from the lead to WON and the project summary, as `make demo` does with ltcctl.
// The deal page says at each stage what the deal needs to move on and unfolds the form of the next step.
func TestTheDemoDealFromLeadToWonInTheBrowser(t *testing.T) {
	ctx := browser(t)
	e, tokens, site := startWorkplace(t)
	b := tour{t: t, ctx: ctx, site: site.URL}

	b.as("sales")
	b.do(chromedp.Navigate(site.URL + "/leads"))
	b.submit("lead-submit", map[string]string{"title": "5G core network", "customer_name": "Acme Telecom", "grade": "CUSTOMER_GRADE_A",
		"industry": "telecom", "region": "EMEA", "value": "2,400,000", "currency": "EUR", "close_date": "2027-06-30",
		"source": "LEAD_SOURCE_CUSTOMER_NEED"})
	lead, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	u, err := url.Parse(lead)
	require.NoError(t, err)
	deal := strings.TrimPrefix(u.Path, "/leads/")

	b.as("sales_manager")
	b.do(chromedp.Navigate(site.URL + "/leads/" + deal))
	b.submit("qualify-submit", map[string]string{"budget_confirmed": "on", "decision_chain_known": "on", "urgency": "URGENCY_HOT"})

	b.as("sales")
	b.do(chromedp.Navigate(site.URL+"/deals/"+deal), chromedp.WaitVisible(chromedp.CSS(`#deal-missing`)))
	needs := text(t, ctx, `#deal-missing`)
	b.act(deal, "assess", map[string]string{"win_rate": "60", "competitors": "Globex", "decision_chain": "CEO decides; procurement sways it"})
	b.act(deal, "initiation", map[string]string{"level": "PROJECT_LEVEL_B", "rationale": "strategic account, budget confirmed"})

	b.as("executive2")
	b.decideFirst("decide-submit", map[string]string{"rationale": "fits the regional plan"})

	b.as("sales_manager")
	b.act(deal, "team", map[string]string{"member_TEAM_ROLE_SR": "sara", "member_TEAM_ROLE_FR": "fred"})

	b.as("sales3")
	b.act(deal, "risk", map[string]string{"description": "site access in winter", "category": "RISK_CATEGORY_DELIVERY",
		"probability": "RISK_LEVEL_MEDIUM", "impact": "RISK_LEVEL_HIGH", "owner": "fred", "mitigation": "pre-stage equipment"})

	b.as("sales2")
	b.act(deal, "report", map[string]string{"progress": "workshop held", "win_rate": "60", "next_steps": "bid strategy"})

	b.as("sales")
	b.act(deal, "atb", map[string]string{"strategy": "value over price", "payment_terms": "30/60/10", "feasibility": "feasible with partner",
		"lines": "RAN-5G-BBU 60 10\nRAN-5G-AAU 120 10\nCORE-5GC-LIC 2000 19.6\nSVC-DEPLOY 270"})
	// The finance reviewer sees the lines with their costs, and the margin against the policy's floor.
	b.as("reviewer_finance")
	b.do(chromedp.Navigate(b.site+"/work"), chromedp.WaitVisible(chromedp.CSS(`#work a.decision-link`)),
		chromedp.Click(chromedp.CSS(`#work a.decision-link`)), chromedp.WaitVisible(chromedp.CSS(`#line-items`)))
	assert.Equal(t, "EUR 2,400,000.00", text(t, ctx, `#net-total`), "the lines make the price")
	assert.Contains(t, text(t, ctx, `#margin-check`), "15%")
	assert.Contains(t, text(t, ctx, `#line-items`), "EUR 1,466,600.00", "FINANCE reads the costs")
	b.do(chromedp.ScrollIntoView(chromedp.CSS(`#package-h`)), screenshot(t, "web-decision-line-items"))
	b.reviews()
	b.as("executive2")
	b.decideFirst("decide-submit", map[string]string{"rationale": "margin fine"})

	b.as("sales")
	b.act(deal, "bid", map[string]string{"reference": "TENDER-42"})
	b.act(deal, "forecast", map[string]string{"value": "2,400,000.00", "category": "FORECAST_CATEGORY_COMMIT", "reason": "bid in; the customer's favourite"})
	// The region's executive sees the deal committed for its quarter.
	b.as("executive2")
	b.do(chromedp.Navigate(b.site+"/forecast?quarter=2027-Q2"), chromedp.WaitVisible(chromedp.CSS(`#forecast-weeks`)))
	assert.Contains(t, text(t, ctx, `main`), "2,400,000.00", "committed for the quarter")
	b.do(screenshot(t, "web-forecast"))
	b.as("sales")
	b.act(deal, "tender", map[string]string{"result": "TENDER_WON"})
	b.act(deal, "atc", map[string]string{"price": "2,350,000.00", "margin": "29", "payment_terms": "30/60/10",
		"deviations": "price -2%", "reference": "MSA-2027-01"})
	b.reviews()
	b.as("executive2")
	b.decideFirst("decide-submit", map[string]string{"rationale": "terms acceptable"})

	b.as("sales")
	b.act(deal, "sign", map[string]string{"number": "C-2027-001"})
	b.as("sales_manager")
	b.act(deal, "team", map[string]string{"member_TEAM_ROLE_DELIVERY_PM": "dora"})
	b.as("sales")
	b.act(deal, "schedule", nil)
	b.do(chromedp.WaitVisible(chromedp.CSS(`#deal-missing`)), screenshot(t, "web-deal-handover"))
	b.as("delivery_pm")
	b.act(deal, "handover", map[string]string{"key_terms": "24 months, 99.9% availability", "commitments": "on-site team in Q2",
		"risks": "winter site access"})

	b.as("sales")
	b.do(chromedp.Navigate(site.URL+"/work"), chromedp.WaitVisible(chromedp.CSS(`#owed`)))
	owed := text(t, ctx, `#owed`)
	b.act(deal, "summary", map[string]string{"reasons": "solution fit and partner", "lessons": "involve delivery at ATB",
		"accuracy": "estimated 60%, won"})
	// WON, the contract in execution: signed without payment terms, it is one milestone of the whole amount, due
	// at signature. FINANCE invoices it and records its payment on the contract's page (the deal page is the
	// deal's readers'), and the AR closes the contract on the deal page.
	b.as("reviewer_finance")
	b.onContract(deal, "invoice", map[string]string{"number": "INV-1", "milestone": "M1", "amount": "2,350,000.00", "due": "2199-01-01"})
	b.onContract(deal, "pay", map[string]string{"invoice": "INV-1", "reference": "BANK-1", "amount": "2,350,000.00"})
	b.do(chromedp.Navigate(b.site+"/contracts/"+deal), chromedp.WaitVisible(chromedp.CSS(`#invoices`)))
	assert.Equal(t, "EUR 2,350,000.00", text(t, ctx, `#contract-collected`), "FINANCE sees the contract paid")
	b.do(screenshot(t, "web-contract"))
	b.as("sales")
	b.act(deal, "close-contract", nil)
	b.do(chromedp.WaitVisible(chromedp.CSS(`#contract`)), screenshot(t, "web-deal-won"))
	stage := text(t, ctx, `#deal-stage`)

	assert.Contains(t, needs, "An assessment of the opportunity", "a new deal needs its assessment")
	assert.Contains(t, needs, "An INITIATION request")
	assert.Contains(t, owed, "Project summary", "the won deal owes its summary, in the AR's My work")
	assert.Contains(t, stage, "Won")
	got, err := ltcv1.NewOpportunityServiceClient(e.Conn).GetOpportunity(testenv.WithToken(context.Background(), tokens["sales"]),
		&ltcv1.GetOpportunityRequest{Id: deal})
	require.NoError(t, err)
	o := got.Opportunity
	assert.Equal(t, ltcv1.Stage_STAGE_CLOSED, o.Stage)
	assert.Equal(t, ltcv1.Outcome_OUTCOME_WON, o.Outcome)
	assert.Equal(t, int64(2_350_000_00), o.GetContract().GetAmount().GetAmountMinor(), "signed at the ATC's amount, filled in by the page")
	assert.Equal(t, "dora", o.GetHandover().GetAcknowledgedBy().GetId(), "the delivery project manager acknowledged the handover")
	assert.Equal(t, "solution fit and partner", o.GetSummary().GetWinLossReasons())
	assert.Len(t, o.Risks, 1)
	assert.Len(t, o.WeeklyReports, 1)
	for _, d := range o.Decisions {
		assert.Equal(t, "eva", d.GetDecidedBy().GetId(), "Eva decided %s", d.Gate)
	}
}

// TestADealFormRefusedOrResentChangesNothingTwice posts the deal page's forms as a browser without JavaScript
// does: a refused form comes back with its values, its request id and the API's sentence; the same risk form
// sent twice (a double click) adds one risk; an action the page does not have is not found.
func TestADealFormRefusedOrResentChangesNothingTwice(t *testing.T) {
	e, tokens, site := startWorkplace(t)
	deal, _ := pendingInitiation(t, e, tokens)
	sam := signedIn(t, site, "sales")
	post := func(action string, v url.Values) (int, string) {
		return read(t, func() (*http.Response, error) { return sam.PostForm(site.URL+"/deals/"+deal+"/actions/"+action, v) })
	}

	rid := uuid.NewString()
	code, page := post("close", url.Values{"request_id": {rid}, "outcome": {"OUTCOME_LOST"}, "reason": {""}})
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Regexp(t, `id="close-refusal">[^<]*reason`, page, "the API's sentence, beside the form")
	assert.Contains(t, page, `value="`+rid+`"`, "the refused form keeps its request id")
	assert.Regexp(t, `<option value="OUTCOME_LOST" selected>`, page, "and its values")

	risk := url.Values{"request_id": {uuid.NewString()}, "description": {"budget freeze"}, "category": {"RISK_CATEGORY_COMMERCIAL"},
		"probability": {"RISK_LEVEL_LOW"}, "impact": {"RISK_LEVEL_HIGH"}, "owner": {"sam"}}
	for range 2 {
		code, page = post("risk", risk)
		assert.Equal(t, http.StatusOK, code)
		assert.Contains(t, page, "budget freeze")
	}
	got, err := ltcv1.NewOpportunityServiceClient(e.Conn).GetOpportunity(testenv.WithToken(context.Background(), tokens["sales"]),
		&ltcv1.GetOpportunityRequest{Id: deal})
	require.NoError(t, err)
	assert.Len(t, got.Opportunity.Risks, 1, "the resent form added the risk once")
	assert.Equal(t, ltcv1.Stage_STAGE_INITIATION_REVIEW, got.Opportunity.Stage, "the refused close changed nothing")

	code, _ = post("promote", url.Values{"request_id": {uuid.NewString()}})
	assert.Equal(t, http.StatusNotFound, code)
}

// TestALostDealIsReopenedFromItsPage: the rep closes the deal LOST and asks for REOPEN with the deal page's
// forms; the executive approves it on the decision page, which shows the reopen package; the deal is back in
// VALIDATION. The sales manager then reassigns its owner with the deal page's form.
func TestALostDealIsReopenedFromItsPage(t *testing.T) {
	e, tokens, site := startWorkplace(t)
	deal, decision := pendingInitiation(t, e, tokens)
	as := func(p string) context.Context { return testenv.WithToken(context.Background(), tokens[p]) }
	_, err := ltcv1.NewDecisionServiceClient(e.Conn).WithdrawDecision(as("sales"), &ltcv1.WithdrawDecisionRequest{
		RequestId: uuid.NewString(), DecisionId: decision, Reason: "customer froze the budget"})
	require.NoError(t, err)
	sam := signedIn(t, site, "sales")
	post := func(client *http.Client, action string, v url.Values) (int, string) {
		v.Set("request_id", uuid.NewString())
		return read(t, func() (*http.Response, error) { return client.PostForm(site.URL+"/deals/"+deal+"/actions/"+action, v) })
	}
	code, page := post(sam, "close", url.Values{"outcome": {"OUTCOME_LOST"}, "reason": {"budget frozen"}})
	require.Equal(t, http.StatusOK, code, "%s", refusalOf(page))
	require.Contains(t, page, `id="reopen-form"`, "a lost deal offers REOPEN")
	code, page = post(sam, "reopen", url.Values{"stage": {"STAGE_VALIDATION"}, "rationale": {"budget released in Q3"}})
	require.Equal(t, http.StatusOK, code, "%s", refusalOf(page))

	got, err := ltcv1.NewOpportunityServiceClient(e.Conn).GetOpportunity(as("sales"), &ltcv1.GetOpportunityRequest{Id: deal})
	require.NoError(t, err)
	var reopen *ltcv1.Decision
	for _, d := range got.Opportunity.Decisions {
		if d.Gate == ltcv1.Gate_GATE_REOPEN {
			reopen = d
		}
	}
	require.NotNil(t, reopen)
	eva := signedIn(t, site, "executive2")
	_, page = read(t, func() (*http.Response, error) { return eva.Get(site.URL + "/decisions/" + reopen.Id) })
	assert.Contains(t, page, "budget released in Q3", "the decision page shows the reopen package")
	code, _ = read(t, func() (*http.Response, error) {
		return eva.PostForm(site.URL+"/decisions/"+reopen.Id+"/decide", url.Values{"request_id": {uuid.NewString()},
			"verdict": {"VERDICT_APPROVE"}, "rationale": {"worth another try"}})
	})
	require.Equal(t, http.StatusOK, code)

	mia := signedIn(t, site, "sales_manager")
	code, page = post(mia, "reassign", url.Values{"owner": {"sara"}, "reason": {"Sam moves to another region"}})
	require.Equal(t, http.StatusOK, code, "%s", refusalOf(page))
	got, err = ltcv1.NewOpportunityServiceClient(e.Conn).GetOpportunity(as("sales_manager"), &ltcv1.GetOpportunityRequest{Id: deal})
	require.NoError(t, err)
	assert.Equal(t, ltcv1.Stage_STAGE_VALIDATION, got.Opportunity.Stage)
	assert.Equal(t, ltcv1.Outcome_OUTCOME_UNSPECIFIED, got.Opportunity.Outcome)
	assert.Equal(t, "sara", got.Opportunity.GetOwner().GetId())
}

// TestALeadIsReassignedFromItsPage: the rep may not reassign their own lead (the API's sentence beside the form);
// the unit's sales manager reassigns it with the lead page's form, and the lead has its new owner.
func TestALeadIsReassignedFromItsPage(t *testing.T) {
	e, tokens, site := startWorkplace(t)
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	created, err := leads.CreateLead(testenv.WithToken(context.Background(), tokens["sales"]), &ltcv1.CreateLeadRequest{
		RequestId: uuid.NewString(), Title: "Smart meters", Source: ltcv1.LeadSource_LEAD_SOURCE_CUSTOMER_NEED,
		Customer:       &ltcv1.Customer{Name: "Stadtwerke Nord", Grade: ltcv1.CustomerGrade_CUSTOMER_GRADE_C, Industry: "utilities", Region: "EMEA"},
		EstimatedValue: &ltcv1.Money{CurrencyCode: "EUR", AmountMinor: 300_000_00}, ExpectedCloseDate: &date.Date{Year: 2027, Month: 9, Day: 30}})
	require.NoError(t, err)
	lead := created.Lead.Id
	reassign := func(person string) (int, string) {
		client := signedIn(t, site, person)
		return read(t, func() (*http.Response, error) {
			return client.PostForm(site.URL+"/leads/"+lead+"/actions/reassign", url.Values{"request_id": {uuid.NewString()},
				"owner": {"sara"}, "reason": {"Sara covers utilities"}})
		})
	}
	code, page := reassign("sales")
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, page, `id="reassign-refusal"`)
	assert.Contains(t, page, `value="sara"`, "the refused form keeps its values")
	code, page = reassign("sales_manager")
	require.Equal(t, http.StatusOK, code, "%s", refusalOf(page))
	got, err := leads.GetLead(testenv.WithToken(context.Background(), tokens["sales_manager"]), &ltcv1.GetLeadRequest{Id: lead})
	require.NoError(t, err)
	assert.Equal(t, "sara", got.Lead.GetOwner().GetId())
}

// TestAReviewIsAssignedFromTheDecisionPage: under a policy asking INITIATION for a FINANCE review, the unit's
// sales manager names the reviewer who owes it with the decision page's form; the requester may not (the API's
// sentence beside the form).
func TestAReviewIsAssignedFromTheDecisionPage(t *testing.T) {
	e, tokens, site := startWorkplace(t, initiationReviews(t, ltc.FunctionFinance))
	_, decision := pendingInitiation(t, e, tokens)
	assign := func(person string) (int, string) {
		client := signedIn(t, site, person)
		return read(t, func() (*http.Response, error) {
			return client.PostForm(site.URL+"/decisions/"+decision+"/actions/assign", url.Values{"request_id": {uuid.NewString()},
				"function": {"REVIEW_FUNCTION_FINANCE"}, "reviewer": {"fiona"}, "reason": {"she knows the customer's accounts"}})
		})
	}
	code, page := assign("sales")
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, page, `id="assign-refusal"`)
	code, page = assign("sales_manager")
	require.Equal(t, http.StatusOK, code, "%s", refusalOf(page))
	got, err := ltcv1.NewDecisionServiceClient(e.Conn).GetDecision(testenv.WithToken(context.Background(), tokens["sales_manager"]),
		&ltcv1.GetDecisionRequest{Id: decision})
	require.NoError(t, err)
	require.Len(t, got.Decision.ReviewAssignments, 1)
	assert.Equal(t, "fiona", got.Decision.ReviewAssignments[0].GetReviewer().GetId())
}
