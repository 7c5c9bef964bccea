package api

import (
	"context"
	"math/big"
	"slices"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
	"github.com/ltcengine/ltc/workflows"
)

func (s opportunityService) UpdateForecast(ctx context.Context, req *ltcv1.UpdateForecastRequest) (*ltcv1.UpdateForecastResponse, error) {
	f := ltc.Forecast{ExpectedCloseDate: dateFromProto(req.ExpectedCloseDate), Value: moneyFromProto(req.Value),
		Category: fromEnum[ltc.ForecastCategory](ltcv1.ForecastCategory_name, int32(req.Category), "FORECAST_CATEGORY_")}
	if err := ltc.CheckForecast(f); err != nil {
		field, why, _ := strings.Cut(err.Error(), ": ")
		return nil, invalidArgument(fieldViolation{forecastFields[field], why})
	}
	o, err := s.dealResponse(ctx, workflows.UpdateForecast, req.OpportunityId, req.RequestId, req,
		ltc.UpdateForecast{Forecast: f, Reason: req.Reason})
	if err != nil {
		return nil, err
	}
	return &ltcv1.UpdateForecastResponse{Opportunity: o}, nil
}

// forecastFields are the request's fields of CheckForecast's refusals.
var forecastFields = map[string]string{"expected_close_date": "expected_close_date", "value": "value", "category": "category"}

func forecastToProto(f *ltc.Forecast) *ltcv1.Forecast {
	if f == nil {
		return nil
	}
	p := &ltcv1.Forecast{ExpectedCloseDate: dateToProto(f.ExpectedCloseDate), Value: moneyToProto(f.Value),
		Category:   toEnum[ltcv1.ForecastCategory](ltcv1.ForecastCategory_value, f.Category, "FORECAST_CATEGORY_"),
		UpdateTime: timeToProto(f.UpdatedAt)}
	if f.UpdatedBy.ID != "" {
		p.UpdatedBy = personToProto(f.UpdatedBy)
	}
	return p
}

func (s reportService) GetForecastReport(ctx context.Context, req *ltcv1.GetForecastReportRequest) (*ltcv1.GetForecastReportResponse, error) {
	actor := actorOf(ctx)
	if err := ltc.CanReadReports(actor); err != nil {
		return nil, err
	}
	start, _, err := ltc.QuarterBounds(req.Quarter)
	if err != nil {
		return nil, invalidArgument(fieldViolation{"quarter", strings.TrimPrefix(err.Error(), "quarter: ")})
	}
	var unit ltc.Unit
	if req.OrgUnit != "" {
		if unit, err = ltc.ParseUnit(req.OrgUnit); err != nil {
			return nil, invalidArgument(fieldViolation{"org_unit", err.Error()})
		}
	}
	base, to := s.policy.Base(), req.CurrencyCode
	if to == "" {
		to = base
	}
	if problem := ltc.CurrencyProblem(to); problem != "" {
		return nil, invalidArgument(fieldViolation{"currency_code", problem})
	}
	now := time.Now().UTC()
	data, err := s.store.ForecastReport(ctx, store.ForecastFilter{Quarter: start, Unit: unit, OwnerID: req.OwnerId,
		Reader: &actor, Now: now})
	if err != nil {
		return nil, err
	}
	asOf := ltc.DateOf(now)
	conv, err := s.converter(ctx, forecastCurrencies(data), base, to, asOf)
	if err != nil {
		return nil, err
	}
	resp := &ltcv1.GetForecastReportResponse{Quarter: req.Quarter, CurrencyCode: to, AsOfDate: dateToProto(asOf),
		Rates: conv.used()}
	var total, row figures
	flush := func() {
		if row.rows > 0 {
			resp.Rows = append(resp.Rows, &ltcv1.ForecastRow{OrgUnit: row.unit, OwnerId: row.owner, Figures: row.toProto(to)})
		}
	}
	for _, r := range data.Rows {
		if r.Unit != row.unit || r.OwnerID != row.owner || row.rows == 0 {
			flush()
			row = figures{unit: r.Unit, owner: r.OwnerID}
		}
		converted, err := conv.sums(r)
		if err != nil {
			return nil, err
		}
		row.add(converted)
		total.add(converted)
	}
	flush()
	resp.Total = total.toProto(to)
	resp.Weeks, err = conv.weeks(data.Weeks, total, start, now)
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// figures adds up converted sums: the amounts of one currency (the report's) and the deal counts.
type figures struct {
	unit, owner string
	rows        int
	store.ForecastSums
}

func (f *figures) add(s store.ForecastSums) {
	if f.rows == 0 {
		f.Committed, f.BestCase, f.Pipeline, f.Weighted, f.Won = new(big.Int), new(big.Int), new(big.Int), new(big.Int), new(big.Int)
	}
	f.rows++
	f.Committed.Add(f.Committed, s.Committed)
	f.BestCase.Add(f.BestCase, s.BestCase)
	f.Pipeline.Add(f.Pipeline, s.Pipeline)
	f.Weighted.Add(f.Weighted, s.Weighted)
	f.Won.Add(f.Won, s.Won)
	f.CommittedDeals += s.CommittedDeals
	f.BestCaseDeals += s.BestCaseDeals
	f.PipelineDeals += s.PipelineDeals
	f.WonDeals += s.WonDeals
	f.OmittedDeals += s.OmittedDeals
}

func (f *figures) toProto(currency string) *ltcv1.ForecastFigures {
	if f.rows == 0 {
		f.add(zeroSums())
	}
	total := func(n *big.Int) *ltcv1.MoneyTotal {
		return &ltcv1.MoneyTotal{CurrencyCode: currency, AmountMinor: n.String()}
	}
	return &ltcv1.ForecastFigures{Committed: total(f.Committed), BestCase: total(f.BestCase), Pipeline: total(f.Pipeline),
		WeightedPipeline: total(f.Weighted), Won: total(f.Won), CommittedDeals: int32(f.CommittedDeals),
		BestCaseDeals: int32(f.BestCaseDeals), PipelineDeals: int32(f.PipelineDeals), WonDeals: int32(f.WonDeals),
		OmittedDeals: int32(f.OmittedDeals)}
}

// conversion converts a report's sums into its currency through the base currency, at the rates in force on its
// date.
type conversion struct {
	to string
	// rates are the rates into the base of the currencies converted but the base, as used.
	rates map[string]ltc.ExchangeRate
	*ltc.Conversion
}

// forecastCurrencies are the currencies of the forecast's sums.
func forecastCurrencies(data store.Forecast) []string {
	var out []string
	for _, r := range data.Rows {
		out = append(out, r.Currency)
	}
	for _, w := range data.Weeks {
		out = append(out, w.Currency)
	}
	return out
}

// converter reads the rates a report's currencies need: those of its sums and of the currency it reports in.
// A currency without a rate in force is FAILED_PRECONDITION naming it.
func (s reportService) converter(ctx context.Context, currencies []string, base, to string, day ltc.Date) (conversion, error) {
	need := append([]string{to}, currencies...)
	slices.Sort(need)
	need = slices.Compact(need)
	rates := map[string]ltc.ExchangeRate{}
	if len(need) > 1 || need[0] != base {
		var err error
		if rates, err = s.store.RatesInForce(ctx, need, base, day); err != nil {
			return conversion{}, err
		}
	}
	var missing []string
	into := map[string]string{base: "1"}
	for _, c := range need {
		if r, ok := rates[c]; ok {
			into[c] = r.Rate
		} else if c != base {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return conversion{}, ltc.FailedPrecondition("no exchange rate of %s into %s is in force on %04d-%02d-%02d; finance sets them with SetExchangeRates",
			strings.Join(missing, ", "), base, day.Year, day.Month, day.Day)
	}
	c, err := ltc.NewConversion(to, into[to], into)
	if err != nil {
		return conversion{}, err
	}
	return conversion{to: to, rates: rates, Conversion: c}, nil
}

// convert converts a sum of the currency (scale 2: hundredths of minor units) into the report's currency.
func (c conversion) convert(sum *big.Int, scale int32, currency string) (*big.Int, error) {
	if currency == c.to && scale == 0 {
		return new(big.Int).Set(sum), nil
	}
	return c.Convert(sum, scale, currency)
}

// sums are the sums converted, Weighted rounded to minor units.
func (c conversion) sums(s store.ForecastSums) (store.ForecastSums, error) {
	out := s
	var err error
	for _, f := range []struct {
		dst, src **big.Int
		scale    int32
	}{{&out.Committed, &s.Committed, 0}, {&out.BestCase, &s.BestCase, 0}, {&out.Pipeline, &s.Pipeline, 0},
		{&out.Weighted, &s.Weighted, 2}, {&out.Won, &s.Won, 0}} {
		if *f.dst, err = c.convert(*f.src, f.scale, s.Currency); err != nil {
			return out, err
		}
	}
	return out, nil
}

// used are the rates the conversion uses, by currency.
func (c conversion) used() []*ltcv1.ExchangeRateUsed {
	var out []*ltcv1.ExchangeRateUsed
	for _, currency := range slices.Sorted(func(yield func(string) bool) {
		for k := range c.rates {
			if !yield(k) {
				return
			}
		}
	}) {
		r := c.rates[currency]
		out = append(out, &ltcv1.ExchangeRateUsed{FromCurrency: r.From, ToCurrency: r.To, Rate: r.Rate,
			EffectiveDate: dateToProto(r.EffectiveDate)})
	}
	return out
}

// weeks are the snapshots of the quarter converted, a week's currencies added up, and the current week live from
// the report's own figures while the quarter has not ended.
func (c conversion) weeks(snapshots []store.ForecastWeek, live figures, quarter, now time.Time) ([]*ltcv1.ForecastWeek, error) {
	var out []*ltcv1.ForecastWeek
	var week *ltcv1.ForecastWeek
	var weekStart time.Time
	var committed, bestCase, won *big.Int
	add := func(dst *big.Int, sum *big.Int, currency string) error {
		n, err := c.convert(sum, 0, currency)
		if err == nil {
			dst.Add(dst, n)
		}
		return err
	}
	flush := func() {
		if week != nil {
			week.Committed, week.BestCase, week.Won = c.total(committed), c.total(bestCase), c.total(won)
			out = append(out, week)
		}
	}
	for _, w := range snapshots {
		if week == nil || !w.WeekStart.Equal(weekStart) {
			flush()
			weekStart = w.WeekStart
			week = &ltcv1.ForecastWeek{WeekStart: timeDate(w.WeekStart), WeekEnd: timeDate(w.WeekStart.AddDate(0, 0, 6)),
				TakeTime: timestamppb.New(w.TakenAt)}
			committed, bestCase, won = new(big.Int), new(big.Int), new(big.Int)
		}
		for _, s := range []struct{ dst, src *big.Int }{{committed, w.Committed}, {bestCase, w.BestCase}, {won, w.Won}} {
			if err := add(s.dst, s.src, w.Currency); err != nil {
				return nil, err
			}
		}
	}
	flush()
	if now.Before(quarter.AddDate(0, 3, 0)) {
		if live.rows == 0 {
			live.add(zeroSums())
		}
		monday := ltc.WeekStart(now)
		out = append(out, &ltcv1.ForecastWeek{WeekStart: timeDate(monday), WeekEnd: timeDate(monday.AddDate(0, 0, 6)),
			Committed: c.total(live.Committed), BestCase: c.total(live.BestCase), Won: c.total(live.Won), Live: true,
			TakeTime: timestamppb.New(now)})
	}
	return out, nil
}

func (c conversion) total(n *big.Int) *ltcv1.MoneyTotal {
	return &ltcv1.MoneyTotal{CurrencyCode: c.to, AmountMinor: n.String()}
}

// timeDate is the day of t (UTC) as a google.type.Date.
func timeDate(t time.Time) *date.Date {
	t = t.UTC()
	return dateToProto(ltc.DateOf(t))
}

// zeroSums are sums of nothing.
func zeroSums() store.ForecastSums {
	return store.ForecastSums{Committed: new(big.Int), BestCase: new(big.Int), Pipeline: new(big.Int), Weighted: new(big.Int), Won: new(big.Int)}
}
