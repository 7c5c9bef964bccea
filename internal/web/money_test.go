package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// TestAmountsInYenInTheBrowser enters amounts in yen, which have no minor unit, in Chromium: the lead form refuses
// "1000.5" beside the form (the engine does not round) and takes "1,000,000" as a million yen, which the lead page
// shows without decimals; the deal's forecast form starts from that value as the page shows it and records
// "2,500,000" yen, which the deal page shows as it was entered.
func TestAmountsInYenInTheBrowser(t *testing.T) {
	ctx := browser(t)
	e, tokens, site := startWorkplace(t)
	accountID, _ := acmeAccount(t, e, tokens)

	require.NoError(t, chromedp.Do(ctx, append(leadForm(site, accountID, "Yen pilot", "1000.5"),
		chromedp.SetValue(chromedp.CSS(`#currency`), "JPY"),
		chromedp.SetValue(chromedp.CSS(`#source`), "LEAD_SOURCE_CUSTOMER_NEED"),
		chromedp.Click(chromedp.CSS(`#lead-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#lead-refusal`)),
	)...))
	refusal := text(t, ctx, `#lead-refusal`)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#value`), "1,000,000"),
		chromedp.Click(chromedp.CSS(`#lead-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#lead-state`)),
	))
	leadValue := text(t, ctx, `#lead-value`)
	location, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	id := location[strings.LastIndex(location, "/")+1:]

	as := func(person string) context.Context { return testenv.WithToken(context.Background(), tokens[person]) }
	_, err = ltcv1.NewLeadServiceClient(e.Conn).QualifyLead(as("sales_manager"), &ltcv1.QualifyLeadRequest{RequestId: uuid.NewString(),
		LeadId: id, Qualification: &ltcv1.Qualification{BudgetConfirmed: true, Urgency: ltcv1.Urgency_URGENCY_WARM}})
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(site.URL+"/deals/"+id),
		chromedp.Click(chromedp.CSS(`#action-forecast > summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#forecast-value`)),
	))
	shown, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#forecast-value`)))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#forecast-close_date`), "2027-09-30"),
		chromedp.SetValue(chromedp.CSS(`#forecast-value`), "2,500,000"),
		chromedp.SetValue(chromedp.CSS(`#forecast-value_currency`), "JPY"),
		chromedp.SetValue(chromedp.CSS(`#forecast-category`), "FORECAST_CATEGORY_COMMIT"),
		// The page shows the deal's first forecast already: take it away, so that the wait is for the page after.
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#deal-forecast").remove()`),
		chromedp.Click(chromedp.CSS(`#forecast-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#deal-forecast`)),
	))
	forecast := text(t, ctx, `#deal-forecast`)

	assert.Contains(t, refusal, `"1000.5" has decimals, but an amount of JPY has none`, "refused beside the form, not rounded")
	assert.Equal(t, "JPY 1,000,000", leadValue, "a million yen, without decimals")
	assert.Equal(t, "1,000,000", shown, "the form starts from the value as the page shows it")
	assert.Contains(t, forecast, "JPY 2,500,000 ·")
	got, err := ltcv1.NewOpportunityServiceClient(e.Conn).GetOpportunity(as("sales"), &ltcv1.GetOpportunityRequest{Id: id})
	require.NoError(t, err)
	assert.Equal(t, "JPY", got.Opportunity.GetEstimatedValue().GetCurrencyCode())
	assert.Equal(t, int64(1_000_000), got.Opportunity.GetEstimatedValue().GetAmountMinor())
	assert.Equal(t, int64(2_500_000), got.Opportunity.GetForecast().GetValue().GetAmountMinor())
	assert.Equal(t, "JPY", got.Opportunity.GetForecast().GetValue().GetCurrencyCode())
}
