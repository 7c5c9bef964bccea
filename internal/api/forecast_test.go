package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

func forecastRequest(id string, day *date.Date, value *ltcv1.Money, c ltcv1.ForecastCategory) *ltcv1.UpdateForecastRequest {
	return &ltcv1.UpdateForecastRequest{RequestId: uuid.NewString(), OpportunityId: id, ExpectedCloseDate: day, Value: value,
		Category: c, Reason: "the buyer confirmed the budget"}
}

func TestUpdateForecast(t *testing.T) {
	e := testenv.StartEngine(t)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	id := qualifiedDeal(t, e)

	got, err := deals.GetOpportunity(e.As(t, sam), &ltcv1.GetOpportunityRequest{Id: id})
	require.NoError(t, err)
	f := got.Opportunity.Forecast
	require.NotNil(t, f, "a deal whose owner set none reads as the lead's close date, its value and PIPELINE")
	assert.Equal(t, int32(2027), f.ExpectedCloseDate.Year)
	assert.Equal(t, int32(6), f.ExpectedCloseDate.Month)
	assert.Equal(t, int32(30), f.ExpectedCloseDate.Day)
	assert.Equal(t, int64(1_200_000_00), f.Value.AmountMinor)
	assert.Equal(t, ltcv1.ForecastCategory_FORECAST_CATEGORY_PIPELINE, f.Category)
	assert.Nil(t, f.UpdatedBy)

	q1 := &date.Date{Year: 2027, Month: 3, Day: 31}
	req := forecastRequest(id, q1, eur(1_100_000), ltcv1.ForecastCategory_FORECAST_CATEGORY_COMMIT)
	before := eventTypes(t, e.Store, id)

	_, err = deals.UpdateForecast(context.Background(), req)
	requireCode(t, err, codes.Unauthenticated, "")
	_, err = deals.UpdateForecast(e.As(t, sue), req)
	requireCode(t, err, codes.PermissionDenied, "updating the forecast on deal "+id+" is for its AR (sam)")
	_, err = deals.UpdateForecast(e.As(t, mia), req)
	requireCode(t, err, codes.PermissionDenied, "AR")
	_, err = deals.UpdateForecast(e.As(t, sam), forecastRequest(uuid.NewString(), q1, eur(1), ltcv1.ForecastCategory_FORECAST_CATEGORY_COMMIT))
	requireCode(t, err, codes.NotFound, "not found")
	for name, c := range map[string]struct {
		req   *ltcv1.UpdateForecastRequest
		field string
	}{
		"no category":   {forecastRequest(id, q1, eur(1), ltcv1.ForecastCategory_FORECAST_CATEGORY_UNSPECIFIED), "category"},
		"no such day":   {forecastRequest(id, &date.Date{Year: 2027, Month: 2, Day: 30}, eur(1), ltcv1.ForecastCategory_FORECAST_CATEGORY_COMMIT), "expected_close_date"},
		"no date":       {forecastRequest(id, nil, eur(1), ltcv1.ForecastCategory_FORECAST_CATEGORY_COMMIT), "expected_close_date"},
		"no currency":   {forecastRequest(id, q1, &ltcv1.Money{CurrencyCode: "ZZZ", AmountMinor: 1}, ltcv1.ForecastCategory_FORECAST_CATEGORY_COMMIT), "value.currency_code"},
		"no value":      {forecastRequest(id, q1, nil, ltcv1.ForecastCategory_FORECAST_CATEGORY_COMMIT), "value"},
		"too much":      {forecastRequest(id, q1, &ltcv1.Money{CurrencyCode: "EUR", AmountMinor: ltc.MaxAmountMinor + 1}, ltcv1.ForecastCategory_FORECAST_CATEGORY_COMMIT), "value.amount_minor"},
		"not a request": {&ltcv1.UpdateForecastRequest{RequestId: "x", OpportunityId: id, ExpectedCloseDate: q1, Value: eur(1), Category: ltcv1.ForecastCategory_FORECAST_CATEGORY_COMMIT}, "request_id"},
	} {
		_, err := deals.UpdateForecast(e.As(t, sam), c.req)
		assert.Contains(t, violations(t, err), c.field, name)
	}
	assert.Equal(t, before, eventTypes(t, e.Store, id), "refused changes leave no event")

	updated, err := deals.UpdateForecast(e.As(t, sam), req)
	require.NoError(t, err)
	f = updated.Opportunity.Forecast
	assert.Equal(t, ltcv1.ForecastCategory_FORECAST_CATEGORY_COMMIT, f.Category)
	assert.Equal(t, int64(1_100_000_00), f.Value.AmountMinor)
	assert.Equal(t, "sam", f.UpdatedBy.Id)
	again, err := deals.UpdateForecast(e.As(t, sam), req)
	require.NoError(t, err, "a retry answers again")
	assert.Equal(t, f.UpdateTime.AsTime(), again.Opportunity.Forecast.UpdateTime.AsTime(), "with the first result")
	changed := proto.Clone(req).(*ltcv1.UpdateForecastRequest)
	changed.Category = ltcv1.ForecastCategory_FORECAST_CATEGORY_BEST_CASE
	_, err = deals.UpdateForecast(e.As(t, sam), changed)
	requireCode(t, err, codes.AlreadyExists, "")
	same := forecastRequest(id, q1, eur(1_100_000), ltcv1.ForecastCategory_FORECAST_CATEGORY_COMMIT)
	_, err = deals.UpdateForecast(e.As(t, sam), same)
	require.NoError(t, err, "a forecast that changes nothing is taken")
	assert.Equal(t, append(before, ltc.EventForecastUpdated), eventTypes(t, e.Store, id), "recorded once, and only the real change")

	read, err := deals.GetOpportunity(e.As(t, sam), &ltcv1.GetOpportunityRequest{Id: id})
	require.NoError(t, err)
	assert.Equal(t, ltcv1.ForecastCategory_FORECAST_CATEGORY_COMMIT, read.Opportunity.Forecast.Category, "read your writes")
	page, err := deals.ListEvents(e.As(t, mia), &ltcv1.ListEventsRequest{DealId: id, Types: []string{ltc.EventForecastUpdated}})
	require.NoError(t, err)
	require.Len(t, page.Events, 1)
	ev := page.Events[0].GetForecastUpdated()
	require.NotNil(t, ev, "typed")
	assert.Equal(t, ltcv1.ForecastCategory_FORECAST_CATEGORY_PIPELINE, ev.Before.Category, "the forecast before")
	assert.Equal(t, int32(6), ev.Before.ExpectedCloseDate.Month)
	assert.Equal(t, ltcv1.ForecastCategory_FORECAST_CATEGORY_COMMIT, ev.After.Category)
	assert.Equal(t, "the buyer confirmed the budget", ev.Reason)

	_, err = deals.CloseOpportunity(e.As(t, sam), &ltcv1.CloseOpportunityRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Outcome: ltcv1.Outcome_OUTCOME_LOST, Reason: "budget cut"})
	require.NoError(t, err)
	closed := eventTypes(t, e.Store, id)
	_, err = deals.UpdateForecast(e.As(t, sam), forecastRequest(id, q1, eur(1), ltcv1.ForecastCategory_FORECAST_CATEGORY_OMITTED))
	requireCode(t, err, codes.FailedPrecondition, "a closed deal takes no changes; deal "+id+" is in CLOSED (LOST)")
	assert.Equal(t, closed, eventTypes(t, e.Store, id))
}

func usd(minor int64) *ltcv1.Money { return &ltcv1.Money{CurrencyCode: "USD", AmountMinor: minor} }

// TestForecastReport checks a report computed by hand: deals of two owners in EUR (the base) and USD at 0.9.
func TestForecastReport(t *testing.T) {
	e := testenv.StartEngine(t)
	ctx := context.Background()
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	reports := ltcv1.NewReportServiceClient(e.Conn)
	now := time.Now().UTC()
	quarter := ltc.QuarterOf(now)
	start, end, err := ltc.QuarterBounds(quarter)
	require.NoError(t, err)
	last := end.AddDate(0, 0, -1)
	inQuarter := &date.Date{Year: int32(last.Year()), Month: int32(last.Month()), Day: int32(last.Day())}
	next := end.AddDate(0, 1, 0)
	nextQuarter := &date.Date{Year: int32(next.Year()), Month: int32(next.Month()), Day: 1}

	_, err = ltcv1.NewReferenceDataServiceClient(e.Conn).SetExchangeRates(e.As(t, fiona), &ltcv1.SetExchangeRatesRequest{
		RequestId: uuid.NewString(), Rates: []*ltcv1.ExchangeRateInput{
			{EffectiveDate: &date.Date{Year: 2025, Month: 6, Day: 1}, FromCurrency: "USD", Rate: "0.8"},
			{EffectiveDate: &date.Date{Year: 2026, Month: 1, Day: 1}, FromCurrency: "USD", Rate: "0.9"},
			{EffectiveDate: &date.Date{Year: 2199, Month: 1, Day: 1}, FromCurrency: "USD", Rate: "5"},
		}})
	require.NoError(t, err)

	forecast := func(as ltc.Actor, id string, day *date.Date, value *ltcv1.Money, c ltcv1.ForecastCategory) {
		t.Helper()
		_, err := deals.UpdateForecast(e.As(t, as), forecastRequest(id, day, value, c))
		require.NoError(t, err)
	}
	assess := func(as ltc.Actor, id string) {
		t.Helper()
		_, err := deals.UpdateAssessment(e.As(t, as), &ltcv1.UpdateAssessmentRequest{RequestId: uuid.NewString(), OpportunityId: id,
			Assessment: assessment()}) // win rate 60
		require.NoError(t, err)
	}
	// sam: A assessed (60 %), 100,000.00 EUR COMMIT; B not assessed (0 %), 50,000.00 USD BEST_CASE; C OMITTED; D next
	// quarter; and W, won this quarter for 20,000.00 USD.
	a, b, c, d := qualifiedDeal(t, e), qualifiedDeal(t, e), qualifiedDeal(t, e), qualifiedDeal(t, e)
	assess(sam, a)
	forecast(sam, a, inQuarter, eur(100_000), ltcv1.ForecastCategory_FORECAST_CATEGORY_COMMIT)
	forecast(sam, b, inQuarter, usd(50_000_00), ltcv1.ForecastCategory_FORECAST_CATEGORY_BEST_CASE)
	forecast(sam, c, inQuarter, eur(999), ltcv1.ForecastCategory_FORECAST_CATEGORY_OMITTED)
	forecast(sam, d, nextQuarter, eur(70_000), ltcv1.ForecastCategory_FORECAST_CATEGORY_COMMIT)
	// sue: one deal assessed (60 %), 10,000.01 USD PIPELINE.
	created, err := leads.CreateLead(e.As(t, sue), createRequest())
	require.NoError(t, err)
	s := created.Lead.Id
	_, err = leads.QualifyLead(e.As(t, mia), qualifyRequest(s))
	require.NoError(t, err)
	assess(sue, s)
	forecast(sue, s, inQuarter, usd(10_000_01), ltcv1.ForecastCategory_FORECAST_CATEGORY_PIPELINE)

	wonAt := ltc.WeekStart(now).Add(-24 * time.Hour) // last Sunday, if still in the quarter
	if wonAt.Before(start) {
		wonAt = now.Add(-time.Minute)
	}
	won := ltc.NewOpportunity(ltc.Lead{ID: uuid.NewString(), Owner: sam.Person(), Title: "won",
		EstimatedValue: ltc.Money{Currency: "USD", AmountMinor: 1}}, wonAt.Add(-time.Hour), 0)
	won.Stage, won.Outcome, won.ClosedAt = ltc.StageClosed, ltc.OutcomeWon, &wonAt
	won.Contract = &ltc.Contract{Number: "C-1", Amount: ltc.Money{Currency: "USD", AmountMinor: 20_000_00}}
	require.NoError(t, e.Store.Import(ctx, []store.Deal{{Lead: ltc.Lead{ID: won.ID, State: ltc.LeadQualified, Owner: sam.Person(),
		ExpectedCloseDate: ltc.Date{Year: 2027, Month: 1, Day: 1}}, Opportunity: &won}}))

	_, err = reports.GetForecastReport(e.As(t, sam), &ltcv1.GetForecastReportRequest{Quarter: quarter})
	requireCode(t, err, codes.PermissionDenied, "executives")
	_, err = reports.GetForecastReport(e.As(t, eric), &ltcv1.GetForecastReportRequest{Quarter: "2026-Q5"})
	assert.Contains(t, violations(t, err), "quarter")
	_, err = reports.GetForecastReport(e.As(t, eric), &ltcv1.GetForecastReportRequest{Quarter: quarter, CurrencyCode: "JPY"})
	requireCode(t, err, codes.FailedPrecondition, "no exchange rate of JPY into EUR")

	type want struct {
		committed, bestCase, pipeline, weighted, won string
		deals                                        [5]int32 // committed, best case, pipeline, won, omitted
	}
	check := func(name string, f *ltcv1.ForecastFigures, currency string, w want) {
		t.Helper()
		got := []string{f.Committed.AmountMinor, f.BestCase.AmountMinor, f.Pipeline.AmountMinor, f.WeightedPipeline.AmountMinor, f.Won.AmountMinor}
		assert.Equal(t, []string{w.committed, w.bestCase, w.pipeline, w.weighted, w.won}, got, name)
		assert.Equal(t, w.deals, [5]int32{f.CommittedDeals, f.BestCaseDeals, f.PipelineDeals, f.WonDeals, f.OmittedDeals}, name)
		for _, m := range []*ltcv1.MoneyTotal{f.Committed, f.BestCase, f.Pipeline, f.WeightedPipeline, f.Won} {
			assert.Equal(t, currency, m.CurrencyCode, name)
		}
	}

	r, err := reports.GetForecastReport(e.As(t, eric), &ltcv1.GetForecastReportRequest{Quarter: quarter})
	require.NoError(t, err)
	assert.Equal(t, "EUR", r.CurrencyCode, "the policy's base currency")
	require.Len(t, r.Rates, 1)
	assert.Equal(t, []string{"USD", "EUR", "0.9"}, []string{r.Rates[0].FromCurrency, r.Rates[0].ToCurrency, r.Rates[0].Rate}, "the rate in force today")
	assert.Equal(t, int32(2026), r.Rates[0].EffectiveDate.Year)
	require.Len(t, r.Rows, 2)
	assert.Equal(t, []string{"sam", "sue"}, []string{r.Rows[0].OwnerId, r.Rows[1].OwnerId})
	// sam: committed A 100,000.00; best case and pipeline A + B's 50,000.00 USD × 0.9 = 45,000.00; weighted A × 60 %
	// = 60,000.00; won 20,000.00 USD × 0.9 = 18,000.00. C is counted as omitted only; D is next quarter's.
	check("sam", r.Rows[0].Figures, "EUR", want{"10000000", "14500000", "14500000", "6000000", "1800000", [5]int32{1, 2, 2, 1, 1}})
	// sue: 10,000.01 USD × 0.9 = 9,000.009 EUR, 900,000.9 cents, rounds to 900,001; weighted 600,000.60 US cents ×
	// 0.9 = 540,000.54 cents, rounds to 540,001.
	check("sue", r.Rows[1].Figures, "EUR", want{"0", "0", "900001", "540001", "0", [5]int32{0, 0, 1, 0, 0}})
	check("total", r.Total, "EUR", want{"10000000", "14500000", "15400001", "6540001", "1800000", [5]int32{1, 2, 3, 1, 1}})

	// In USD, a euro is worth 1 / 0.9 dollars: 100,000.00 EUR is 11,111,111.1 cents, 11,111,111; the weighted
	// 60,000.00 EUR is 6,666,666.67 cents, 6,666,667, and sue's 600,000.60 cents 600,001.
	r, err = reports.GetForecastReport(e.As(t, eric), &ltcv1.GetForecastReportRequest{Quarter: quarter, CurrencyCode: "USD"})
	require.NoError(t, err)
	check("total in USD", r.Total, "USD", want{"11111111", "16111111", "17111112", "7266668", "2000000", [5]int32{1, 2, 3, 1, 1}})

	// Filters and reach.
	r, err = reports.GetForecastReport(e.As(t, eric), &ltcv1.GetForecastReportRequest{Quarter: quarter, OwnerId: "sue"})
	require.NoError(t, err)
	require.Len(t, r.Rows, 1)
	check("sue only", r.Total, "EUR", want{"0", "0", "900001", "540001", "0", [5]int32{0, 0, 1, 0, 0}})
	r, err = reports.GetForecastReport(e.As(t, jpYui), &ltcv1.GetForecastReportRequest{Quarter: quarter})
	require.NoError(t, err)
	assert.Empty(t, r.Rows, "a manager of another unit counts none of these deals")
	check("out of reach", r.Total, "EUR", want{"0", "0", "0", "0", "0", [5]int32{}})
	r, err = reports.GetForecastReport(e.As(t, eric), &ltcv1.GetForecastReportRequest{Quarter: quarter, OrgUnit: "apac/japan"})
	require.NoError(t, err)
	assert.Empty(t, r.Rows, "the unit filter")

	// Weekly snapshots: the week before last as things stand, then B moves to COMMIT and last week is taken.
	twoWeeksAgo, lastWeek := ltc.WeekStart(now).AddDate(0, 0, -14), ltc.WeekStart(now).AddDate(0, 0, -7)
	taken, err := e.Store.TakeForecastSnapshot(ctx, twoWeeksAgo.AddDate(0, 0, 7).Add(time.Minute))
	require.NoError(t, err)
	assert.True(t, taken)
	forecast(sam, b, inQuarter, usd(50_000_00), ltcv1.ForecastCategory_FORECAST_CATEGORY_COMMIT)
	taken, err = e.Store.TakeForecastSnapshot(ctx, now)
	require.NoError(t, err)
	assert.True(t, taken)
	taken, err = e.Store.TakeForecastSnapshot(ctx, now)
	require.NoError(t, err)
	assert.False(t, taken, "a week's snapshot is taken once")

	r, err = reports.GetForecastReport(e.As(t, eric), &ltcv1.GetForecastReportRequest{Quarter: quarter})
	require.NoError(t, err)
	check("total after B's commit", r.Total, "EUR", want{"14500000", "14500000", "15400001", "6540001", "1800000", [5]int32{2, 2, 3, 1, 1}})
	require.Len(t, r.Weeks, 3)
	wonBy := func(weekEnd time.Time) string {
		if wonAt.Before(weekEnd) {
			return "1800000"
		}
		return "0"
	}
	for i, w := range []struct {
		start                    time.Time
		committed, bestCase, won string
		live                     bool
	}{
		{twoWeeksAgo, "10000000", "14500000", wonBy(twoWeeksAgo.AddDate(0, 0, 7)), false},
		{lastWeek, "14500000", "14500000", wonBy(lastWeek.AddDate(0, 0, 7)), false},
		{ltc.WeekStart(now), "14500000", "14500000", "1800000", true},
	} {
		got := r.Weeks[i]
		assert.Equal(t, int32(w.start.Day()), got.WeekStart.Day, "week %d", i)
		sunday := w.start.AddDate(0, 0, 6)
		assert.Equal(t, int32(sunday.Day()), got.WeekEnd.Day, "week %d", i)
		assert.Equal(t, []string{w.committed, w.bestCase, w.won}, []string{got.Committed.AmountMinor, got.BestCase.AmountMinor, got.Won.AmountMinor}, "week %d", i)
		assert.Equal(t, w.live, got.Live, "week %d", i)
	}

	// One owner's weeks are read from their own rows: sam's hold everything committed, sue's nothing.
	for owner, committed := range map[string][]string{"sam": {"10000000", "14500000", "14500000"}, "sue": {"0", "0", "0"}} {
		r, err = reports.GetForecastReport(e.As(t, eric), &ltcv1.GetForecastReportRequest{Quarter: quarter, OwnerId: owner})
		require.NoError(t, err)
		var got []string
		for _, w := range r.Weeks {
			got = append(got, w.Committed.AmountMinor)
		}
		assert.Equal(t, committed, got, owner)
	}
}
