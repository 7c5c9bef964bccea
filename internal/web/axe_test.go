package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/type/date"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// The accessibility checks run axe-core (https://github.com/dequelabs/axe-core) in the pages: testdata/axe/axe.min.js
// is axe-core 4.14.1 from npm (axe-core), under the licence in testdata/axe/LICENSE (MPL-2.0, and
// testdata/axe/LICENSE-3RD-PARTY.txt for what it bundles). It is for the tests only: the workplace neither embeds
// nor serves it. The tests inject it with DevTools' Runtime.evaluate, which the page's Content-Security-Policy
// (no inline script) does not govern.

// axeTags are the rules that the pages must pass: WCAG 2.0 and 2.1 at levels A and AA, and axe's best practices
// (landmarks, the order of headings, one h1 a page...).
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"}

// axeViolation is a rule that a page breaks, with the elements that break it.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// axe checks the pages open in a browser with axe-core.
type axe struct {
	t      *testing.T
	ctx    context.Context
	script string
}

// newAxe reads axe-core for the browser's pages.
func newAxe(t *testing.T, ctx context.Context) axe {
	t.Helper()
	script, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	require.NoError(t, err)
	return axe{t: t, ctx: ctx, script: string(script)}
}

// check runs axe's rules (axeTags) on the page open in the browser, as it is now, and fails the test with a line
// for each rule the page breaks, naming the elements that break it.
func (a axe) check(page string) {
	a.t.Helper()
	loaded, err := chromedp.Run(a.ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	require.NoError(a.t, err, page)
	if !loaded {
		_, err = chromedp.Run(a.ctx, chromedp.Evaluate[chromedp.Void](a.script))
		require.NoError(a.t, err, "axe-core is injected into %s", page)
	}
	options, err := json.Marshal(map[string]any{"runOnly": map[string]any{"type": "tag", "values": axeTags},
		"resultTypes": []string{"violations"}})
	require.NoError(a.t, err)
	violations, err := chromedp.Run(a.ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, `+string(options)+`).then(r =>
		r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help,
			targets: v.nodes.map(n => n.target.map(t => [].concat(t).join(" >>> ")).join(" in "))})))`,
		chromedp.EvalAwaitPromise))
	require.NoError(a.t, err, "axe runs on %s", page)
	if len(violations) == 0 {
		return
	}
	var report strings.Builder
	for _, v := range violations {
		fmt.Fprintf(&report, "\n  %s (%s): %s", v.ID, v.Impact, v.Help)
		for _, target := range v.Targets {
			fmt.Fprintf(&report, "\n      %s", target)
		}
	}
	a.t.Errorf("%s breaks these accessibility rules (rule id, impact, what it asks; the elements that break it):%s", page,
		report.String())
}

// openLead creates a lead of the account as the rep, through the API, and returns its id.
func openLead(t *testing.T, e *testenv.Engine, tokens map[string]string, accountID string) string {
	t.Helper()
	created, err := ltcv1.NewLeadServiceClient(e.Conn).CreateLead(testenv.WithToken(context.Background(), tokens["sales"]),
		&ltcv1.CreateLeadRequest{RequestId: uuid.NewString(), Title: "Smart grid pilot", AccountId: accountID,
			Source: ltcv1.LeadSource_LEAD_SOURCE_CUSTOMER_NEED, EstimatedValue: &ltcv1.Money{CurrencyCode: "EUR", AmountMinor: 850_000_00},
			ExpectedCloseDate: &date.Date{Year: 2027, Month: 9, Day: 30}, Description: "pilot of the substation telemetry"})
	require.NoError(t, err)
	return created.Lead.Id
}

// TestThePagesPassAxesAccessibilityChecksInTheBrowser runs axe-core's WCAG 2.1 A and AA rules and its best
// practices on each kind of page of the workplace, with the data that fills them: the sign-in, My work with a
// review waiting, the decision with its forms (and refused), the error page, the pipeline with its charts, the
// forecast, the deal list, the deal with every action form unfolded, the leads, an open lead with its forms, the
// accounts, an account with its power map, and the deal and the leads in Chinese.
func TestThePagesPassAxesAccessibilityChecksInTheBrowser(t *testing.T) {
	ctx := browser(t)
	e, tokens, site := startWorkplace(t, initiationReviews(t, ltc.FunctionFinance))
	dealID, decisionID := pendingInitiation(t, e, tokens)
	accountID, _ := acmeAccount(t, e, tokens)
	leadID := openLead(t, e, tokens, accountID)
	executing(t, e, tokens) // a contract whose milestones fill the cash report
	b := tour{t: t, ctx: ctx, site: site.URL}
	a := newAxe(t, ctx)
	visit := func(path, ready string) {
		t.Helper()
		b.do(chromedp.Navigate(site.URL+path), chromedp.WaitVisible(chromedp.CSS(ready)))
	}
	unfold := func() {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("details").forEach(d => d.open = true)`))
		require.NoError(t, err)
	}

	visit("/signin/", "#signin-sales")
	// The page forbids inline script; DevTools' evaluation, which injects axe, is not bound by that.
	inline, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const s = document.createElement("script");
		s.textContent = "window.inlineRan = true";
		document.head.append(s);
		return window.inlineRan === true;
	})()`))
	require.NoError(t, err)
	require.False(t, inline, "the Content-Security-Policy blocks inline script on the page under test")
	a.check("the sign-in page")

	b.as("reviewer_finance")
	visit("/work", "#work")
	a.check("My work with a review waiting")
	visit("/decisions/"+decisionID, "#review-form")
	a.check("the decision with its forms")
	b.do(chromedp.Click(chromedp.CSS(`#decide-submit`)), chromedp.WaitVisible(chromedp.CSS(`#decide-refusal`)))
	a.check("the decision with its form refused")
	visit("/deals/"+dealID, "main .refusal")
	a.check("the error page (the reviewer may not read the deal)")

	b.as("executive2")
	visit("/pipeline", "#chart-top-accounts canvas")
	a.check("the pipeline")
	visit("/forecast?quarter=2027-Q2", "#forecast-weeks")
	a.check("the forecast")
	visit("/cash", "#cash tbody th")
	a.check("the cash report")

	b.as("sales")
	visit("/deals", "#deal-list")
	a.check("the deal list")
	visit("/deals/"+dealID, "#action-close")
	unfold()
	a.check("the deal with its action forms unfolded")
	visit("/leads", "#leads")
	a.check("the lead list")
	visit("/leads/"+leadID, "#qualify-form")
	a.check("an open lead")
	visit("/accounts", "#accounts")
	a.check("the account list")
	visit("/accounts/"+accountID, "#powermap")
	a.check("an account")

	visit("/deals/"+dealID, "#switch-language")
	b.follow("switch-language")
	b.do(chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-Hans"] #action-close`)))
	unfold()
	a.check("the deal in Chinese")
	visit("/leads", `html[lang="zh-Hans"] #lead-form`)
	a.check("the lead list in Chinese")
	visit("/work", "#work-actions-h")
	unfold()
	a.check("My work with its settings unfolded, in Chinese")

	b.as("admin")
	visit("/webhooks", "#webhooks-h")
	unfold()
	a.check("the webhooks page, in Chinese")

	b.as("reviewer_finance")
	visit("/reference", "#products-h")
	unfold()
	a.check("prices and rates with finance's forms unfolded, in Chinese")
}
