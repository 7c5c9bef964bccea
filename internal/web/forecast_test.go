package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc"

	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// fakeForecast is a ReportService with a small forecast report, which records what was asked.
type fakeForecast struct {
	ltcv1.UnimplementedReportServiceServer
	mu    sync.Mutex
	asked []*ltcv1.GetForecastReportRequest
}

func (f *fakeForecast) GetForecastReport(_ context.Context, req *ltcv1.GetForecastReportRequest) (*ltcv1.GetForecastReportResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, req)
	eur := func(minor string) *ltcv1.MoneyTotal {
		return &ltcv1.MoneyTotal{CurrencyCode: "EUR", AmountMinor: minor}
	}
	figures := &ltcv1.ForecastFigures{Committed: eur("10000000"), BestCase: eur("14500000"), Pipeline: eur("15400001"),
		WeightedPipeline: eur("6540001"), Won: eur("1800000"), PipelineDeals: 3, OmittedDeals: 1}
	return &ltcv1.GetForecastReportResponse{Quarter: req.Quarter, CurrencyCode: "EUR", AsOfDate: &date.Date{Year: 2026, Month: 12, Day: 6},
		Rows:  []*ltcv1.ForecastRow{{OrgUnit: "emea/germany", OwnerId: "sam", Figures: figures}},
		Total: figures,
		Weeks: []*ltcv1.ForecastWeek{{WeekStart: &date.Date{Year: 2026, Month: 11, Day: 23}, WeekEnd: &date.Date{Year: 2026, Month: 11, Day: 29},
			Committed: eur("10000000"), BestCase: eur("14500000"), Won: eur("0")}},
		Rates: []*ltcv1.ExchangeRateUsed{{FromCurrency: "USD", ToCurrency: "EUR", Rate: "0.9", EffectiveDate: &date.Date{Year: 2026, Month: 1, Day: 1}}},
	}, nil
}

func TestTheForecastPageShowsAQuartersForecast(t *testing.T) {
	api := &fakeForecast{}
	site := fakeAPI(t, func(srv *grpc.Server) { ltcv1.RegisterReportServiceServer(srv, api) })
	client := signedIn(t, site, "executive2")
	code, page := read(t, func() (*http.Response, error) {
		return client.Get(site.URL + "/forecast?quarter=2027-Q1&currency=usd&unit=emea&owner=sam")
	})
	require.Equal(t, http.StatusOK, code)
	require.Len(t, api.asked, 1)
	asked := api.asked[0]
	assert.Equal(t, []string{"2027-Q1", "USD", "emea", "sam"}, []string{asked.Quarter, asked.CurrencyCode, asked.OrgUnit, asked.OwnerId})
	flat := regexp.MustCompile(`\s+`).ReplaceAllString(page, " ")
	for _, want := range []string{"EUR 100,000.00", "EUR 145,000.00", "EUR 154,000.01", "EUR 65,400.01", "EUR 18,000.00",
		"2026-11-23 – 2026-11-29", "1 USD = 0.9 EUR", "converted at the rates in force on 2026-12-06", `href="/forecast"`} {
		assert.Contains(t, flat, want)
	}
	_, page = read(t, func() (*http.Response, error) {
		r, _ := http.NewRequest(http.MethodGet, site.URL+"/forecast", nil)
		r.Header.Set("Accept-Language", "zh-CN")
		return client.Do(r)
	})
	assert.Contains(t, page, "销售预测")
	assert.Contains(t, page, "加权管道")
	require.Len(t, api.asked, 2)
	assert.Regexp(t, `^\d{4}-Q[1-4]$`, api.asked[1].Quarter, "the current quarter by default")
}

// TestADealsForecastIsUpdatedFromItsPage: the unit's sales manager may not update the forecast (the API's sentence
// beside the form); the owner does with the deal page's form, and the forecast page counts it.
func TestADealsForecastIsUpdatedFromItsPage(t *testing.T) {
	e, tokens, site := startWorkplace(t)
	deal, _ := pendingInitiation(t, e, tokens)
	post := func(person string) (int, string) {
		client := signedIn(t, site, person)
		return read(t, func() (*http.Response, error) {
			return client.PostForm(site.URL+"/deals/"+deal+"/actions/forecast", url.Values{"request_id": {uuid.NewString()},
				"close_date": {"2027-03-31"}, "value": {"1,250,000.50"}, "value_currency": {"EUR"},
				"category": {"FORECAST_CATEGORY_COMMIT"}, "reason": {"budget approved"}})
		})
	}
	code, page := post("sales_manager")
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, page, `id="forecast-refusal"`)
	code, page = post("sales")
	require.Equal(t, http.StatusOK, code, "%s", refusalOf(page))
	assert.Contains(t, regexp.MustCompile(`\s+`).ReplaceAllString(page, " "), "Commit · EUR 1,250,000.50 · closing 2027-03-31")
	got, err := ltcv1.NewOpportunityServiceClient(e.Conn).GetOpportunity(testenv.WithToken(context.Background(), tokens["sales"]),
		&ltcv1.GetOpportunityRequest{Id: deal})
	require.NoError(t, err)
	assert.Equal(t, ltcv1.ForecastCategory_FORECAST_CATEGORY_COMMIT, got.Opportunity.Forecast.Category)
	assert.Equal(t, int64(1_250_000_50), got.Opportunity.Forecast.Value.AmountMinor)

	eric := signedIn(t, site, "executive3")
	code, page = read(t, func() (*http.Response, error) { return eric.Get(site.URL + "/forecast?quarter=2027-Q1") })
	require.Equal(t, http.StatusOK, code)
	assert.Regexp(t, `<td>emea/germany</td><td>sam</td><td class="num">EUR 1,250,000.50</td>`, page)
}
