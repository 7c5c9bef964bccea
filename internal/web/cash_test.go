package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/type/date"

	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// threeTerms are a contract's payment terms: 30% at signature, 60% at PAC planned for June 2027, 10% at FAC with
// no planned date.
var threeTerms = []*ltcv1.PaymentTerm{
	{Name: "advance", Percent: "30", Trigger: ltcv1.MilestoneTrigger_MILESTONE_TRIGGER_SIGNATURE},
	{Name: "PAC", Percent: "60", Trigger: ltcv1.MilestoneTrigger_MILESTONE_TRIGGER_PAC, PlannedDate: &date.Date{Year: 2027, Month: 6, Day: 30}},
	{Name: "FAC", Percent: "10", Trigger: ltcv1.MilestoneTrigger_MILESTONE_TRIGGER_FAC},
}

// executing takes a deal to EXECUTION through the API as the demo people, with the three terms.
func executing(t *testing.T, e *testenv.Engine, tokens map[string]string) string {
	t.Helper()
	return testenv.ExecutingDeal(t, e, func(p string) context.Context { return testenv.WithToken(context.Background(), tokens[p]) }, threeTerms)
}

// TestTheCashPageInTheBrowser: FINANCE invoices a contract's advance and records part of its payment on the
// contract's page, then reads the cash report of the quarter: invoiced, collected, the receivable, DSO and the
// cash expected by month, and 40 days on the receivable overdue. The navigation offers the page to FINANCE and
// not to the rep, whom the page refuses. It saves docs/images/web-cash.png.
func TestTheCashPageInTheBrowser(t *testing.T) {
	ctx := browser(t)
	e, tokens, site := startWorkplace(t)
	deal := executing(t, e, tokens)
	b := tour{t: t, ctx: ctx, site: site.URL}
	today := time.Now().UTC()
	dso := func(day time.Time) string { return regexp.QuoteMeta(fmt.Sprintf("%.1f", testenv.DSOWindow(day)/3)) }

	b.as("reviewer_finance")
	b.onContract(deal, "invoice", map[string]string{"number": "INV-1", "milestone": "M1", "amount": "150,000.00", "due": today.Format(time.DateOnly)})
	b.onContract(deal, "pay", map[string]string{"invoice": "INV-1", "reference": "BANK-1", "amount": "100,000.00"})
	b.do(chromedp.Navigate(site.URL+"/work"), chromedp.WaitVisible(chromedp.CSS(`#person`)),
		chromedp.Click(chromedp.CSS(`nav a[href="/cash"]`)), chromedp.WaitVisible(chromedp.CSS(`#cash`)))
	assert.Contains(t, text(t, ctx, `#cash-period`), "receivables as of "+today.Format(time.DateOnly))
	assert.Regexp(t, `^emea/germany\s+EUR\s+EUR 150,000.00\s+EUR 100,000.00\s+EUR 50,000.00\s+EUR 0.00\s+EUR 0.00\s+EUR 0.00\s+EUR 0.00\s+`+dso(today)+`\s+`+
		today.Format("2006-01")+`: EUR 50,000.00\s+2027-06: EUR 300,000.00\s+No planned date: EUR 50,000.00$`, text(t, ctx, `#cash tbody tr`),
		"invoiced and collected in the quarter, 50,000 open of 150,000 invoiced in DSO's window (a third of its days), and the cash expected")

	// 40 days on, by owner: the open 50,000 is 31 to 60 days overdue.
	b.do(chromedp.SetValue(chromedp.CSS(`#as_of`), today.AddDate(0, 0, 40).Format(time.DateOnly)),
		chromedp.SetValue(chromedp.CSS(`#by`), "owner"))
	b.follow(`cash-submit`)
	b.do(chromedp.WaitVisible(chromedp.CSS(`#cash`)))
	assert.Regexp(t, `^sam\s+EUR\s+EUR 150,000.00\s+EUR 100,000.00\s+EUR 50,000.00\s+EUR 0.00\s+EUR 50,000.00\s+EUR 0.00\s+EUR 0.00\s+`+dso(today.AddDate(0, 0, 40))+`\s`,
		text(t, ctx, `#cash tbody tr`))
	b.do(screenshot(t, "web-cash"))

	b.as("sales")
	offered, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('nav a[href="/cash"]') !== null`))
	require.NoError(t, err)
	assert.False(t, offered, "the navigation offers the cash page only to whom may read it")
	code, page := read(t, func() (*http.Response, error) { return signedIn(t, site, "sales").Get(site.URL + "/cash") })
	assert.Equal(t, http.StatusForbidden, code)
	assert.Contains(t, page, "FINANCE reviewers", "the API's sentence")
}
