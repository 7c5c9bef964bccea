package ltc_test

import (
	"encoding/json"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

// forecastDeal is a validated deal (500,000.00 CNY, win rate 60) whose lead expects it to close on 2027-03-31.
func forecastDeal() ltc.Deal {
	o := validated()
	return ltc.Deal{Lead: ltc.Lead{ID: o.ID, State: ltc.LeadQualified, ExpectedCloseDate: ltc.Date{Year: 2027, Month: 3, Day: 31}}, Opportunity: &o}
}

func yuan(major int64) ltc.Money { return ltc.Money{Currency: "CNY", AmountMinor: major * 100} }

func forecast(close ltc.Date, value ltc.Money, c ltc.ForecastCategory) ltc.UpdateForecast {
	return ltc.UpdateForecast{Forecast: ltc.Forecast{ExpectedCloseDate: close, Value: value, Category: c}, Reason: "call with the buyer"}
}

func TestForecastDerivedUntilSet(t *testing.T) {
	d := forecastDeal()
	assert.Equal(t, ltc.Forecast{ExpectedCloseDate: ltc.Date{Year: 2027, Month: 3, Day: 31}, Value: eur(500_000), Category: ltc.ForecastPipeline},
		d.Forecast(), "the lead's close date, the assessed value, PIPELINE")
	assert.Equal(t, 60, d.Opportunity.WinRate(), "the assessment's win rate")
}

func TestUpdateForecast(t *testing.T) {
	d := forecastDeal()
	q1 := ltc.Date{Year: 2027, Month: 2, Day: 15}
	at := t0.Add(time.Hour)
	ch := apply(t, d, owner, at, forecast(q1, yuan(450_000), ltc.ForecastCommit), "f1")
	f := ch.Deal.Opportunity.Forecast
	require.NotNil(t, f)
	assert.Equal(t, ltc.ForecastCommit, f.Category)
	assert.Equal(t, owner.Person(), f.UpdatedBy)
	assert.Equal(t, at, *f.UpdatedAt)
	require.Len(t, ch.Events, 1)
	assert.Equal(t, ltc.EventForecastUpdated, ch.Events[0].Type)
	var details ltc.ForecastDetails
	require.NoError(t, json.Unmarshal(ch.Events[0].Data, &details))
	assert.Equal(t, ltc.ForecastPipeline, details.Before.Category, "the forecast before, derived")
	assert.Equal(t, ltc.Date{Year: 2027, Month: 3, Day: 31}, details.Before.ExpectedCloseDate)
	assert.Equal(t, yuan(450_000), details.After.Value)
	assert.Equal(t, "call with the buyer", details.Reason)

	same := apply(t, ch.Deal, owner, at.Add(time.Hour), forecast(q1, yuan(450_000), ltc.ForecastCommit), "f2")
	assert.Empty(t, same.Events, "a forecast that changes nothing records nothing")
	assert.Equal(t, at, *same.Deal.Opportunity.Forecast.UpdatedAt)

	again := apply(t, ch.Deal, owner, at.Add(time.Hour), forecast(q1, ltc.Money{Currency: "USD", AmountMinor: 60_000_00}, ltc.ForecastBestCase), "f3")
	require.Len(t, again.Events, 1, "before ATB any ISO currency")
	require.NoError(t, json.Unmarshal(again.Events[0].Data, &details))
	assert.Equal(t, ltc.ForecastCommit, details.Before.Category, "the forecast the owner set before")
}

func TestUpdateForecastRefusals(t *testing.T) {
	d := forecastDeal()
	good := ltc.Date{Year: 2027, Month: 1, Day: 31}
	admin := ltc.Actor{ID: "ada", Roles: []ltc.Role{ltc.RoleAdmin}}
	closed := apply(t, d, owner, t0, ltc.CloseOpportunity{Outcome: ltc.OutcomeLost, Reason: "price"}, "close").Deal

	for _, c := range []struct {
		name  string
		d     ltc.Deal
		actor ltc.Actor
		cmd   ltc.UpdateForecast
		want  ltc.Kind
	}{
		{"the owner", d, owner, forecast(good, yuan(1), ltc.ForecastCommit), ""},
		{"an admin repairs", d, admin, forecast(good, yuan(1), ltc.ForecastCommit), ""},
		{"another rep", d, rep, forecast(good, yuan(1), ltc.ForecastCommit), ltc.KindPermission},
		{"the unit's manager is not the AR", d, manager, forecast(good, yuan(1), ltc.ForecastCommit), ltc.KindPermission},
		{"a closed deal", closed, owner, forecast(good, yuan(1), ltc.ForecastCommit), ltc.KindPrecondition},
		{"no such day", d, owner, forecast(ltc.Date{Year: 2027, Month: 2, Day: 30}, yuan(1), ltc.ForecastCommit), ltc.KindInvalid},
		{"no currency", d, owner, forecast(good, ltc.Money{Currency: "XXY", AmountMinor: 1}, ltc.ForecastCommit), ltc.KindInvalid},
		{"a negative value", d, owner, forecast(good, ltc.Money{Currency: "EUR", AmountMinor: -1}, ltc.ForecastCommit), ltc.KindInvalid},
		{"no category", d, owner, forecast(good, yuan(1), ""), ltc.KindInvalid},
		{"an unknown category", d, owner, forecast(good, yuan(1), "LIKELY"), ltc.KindInvalid},
		{"omitted", d, owner, forecast(good, yuan(1), ltc.ForecastOmitted), ""},
	} {
		_, err := ltc.Run(c.cmd, c.d, ltc.Context{Actor: c.actor, Now: t0, Policy: ltc.DefaultPolicy(), RequestID: "r"})
		assert.Equal(t, c.want, ltc.KindOf(err), "%s: %v", c.name, err)
	}
}

// After ATB the forecast value keeps within the envelope as a bid does: with a tolerance of 5 % an envelope of 1,000,000.00 CNY takes values from 950,000.00 CNY, in CNY only.
func TestForecastEnvelope(t *testing.T) {
	p := ltc.DefaultPolicy()
	p.BidTolerancePercent = 5
	d := forecastDeal()
	o := *d.Opportunity
	o.Stage, o.ApprovedBidPrice = ltc.StageBidding, &ltc.Money{Currency: "CNY", AmountMinor: 1_000_000_00}
	o.Decisions = append(o.Decisions, ltc.Decision{ID: "atb", Gate: ltc.GateATB, Status: ltc.DecisionApprovedWithConditions,
		Package: ltc.Package{Bid: &ltc.BidPackage{ProposedPrice: *o.ApprovedBidPrice, WinRate: 75}}})
	d.Opportunity = &o
	assert.Equal(t, 75, o.WinRate(), "the approved ATB package's win rate")
	close := ltc.Date{Year: 2027, Month: 3, Day: 1}
	for _, c := range []struct {
		value ltc.Money
		want  ltc.Kind
	}{
		{yuan(2_000_000), ""},
		{yuan(950_000), ""},
		{ltc.Money{Currency: "CNY", AmountMinor: 950_000_00 - 1}, ltc.KindPrecondition},
		{ltc.Money{Currency: "EUR", AmountMinor: 2_000_000_00}, ltc.KindPrecondition},
	} {
		_, err := ltc.Run(forecast(close, c.value, ltc.ForecastCommit), d, ltc.Context{Actor: owner, Now: t0, Policy: p, RequestID: "r"})
		assert.Equal(t, c.want, ltc.KindOf(err), "%s: %v", c.value, err)
		if c.want != "" {
			assert.ErrorContains(t, err, "a new ATB is needed")
			assert.ErrorContains(t, err, "deal D1 is in BIDDING")
		}
	}
}

func TestQuarterAndWeek(t *testing.T) {
	start, end, err := ltc.QuarterBounds("2027-Q1")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), start)
	assert.Equal(t, time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC), end)
	for _, bad := range []string{"2027-Q5", "2027Q1", "27-Q1", "2300-Q1", ""} {
		_, _, err := ltc.QuarterBounds(bad)
		assert.Equal(t, ltc.KindInvalid, ltc.KindOf(err), bad)
	}
	assert.Equal(t, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), ltc.QuarterStart(time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)))
	assert.Equal(t, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), ltc.QuarterStart(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)))
	sunday := time.Date(2026, 12, 6, 23, 59, 0, 0, time.UTC)
	assert.Equal(t, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), ltc.WeekStart(sunday))
	assert.Equal(t, time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), ltc.WeekStart(sunday.Add(time.Minute)))
}

// Sums convert exactly through the base currency and round once, half to even.
func TestConvertTotal(t *testing.T) {
	for _, c := range []struct {
		sum                    int64
		scale                  int32
		from, fromRate, to, tr string
		want                   string
	}{
		{10000, 0, "USD", "0.9235", "EUR", "1", "9235"},               // 100.00 USD is 92.35 EUR
		{5, 0, "EUR", "1", "EUR", "1", "5"},                           // the base, unchanged
		{5, 0, "EUR", "0.5", "EUR", "1", "2"},                         // 0.025 rounds to even
		{15, 0, "EUR", "0.5", "EUR", "1", "8"},                        // 0.075 rounds to even
		{250, 2, "EUR", "1", "EUR", "1", "2"},                         // 2.50 minor units weighted, to even
		{350, 2, "EUR", "1", "EUR", "1", "4"},                         // 3.50 to even
		{100000, 0, "JPY", "0.0062", "USD", "0.92", "67391"},          // 100,000 JPY = 620 EUR = 673.913 USD
		{1_000_000_00, 0, "CNY", "0.13", "JPY", "0.0062", "20967742"}, // 130,000 EUR is 20,967,741.9 JPY
	} {
		got, err := ltc.ConvertTotal(big.NewInt(c.sum), c.scale, c.from, c.fromRate, c.to, c.tr)
		require.NoError(t, err)
		assert.Equal(t, c.want, got.String(), "%d %s at %s/%s into %s", c.sum, c.from, c.fromRate, c.tr, c.to)
	}
	huge, _ := new(big.Int).SetString("100000000000000000000", 10)
	got, err := ltc.ConvertTotal(huge, 0, "USD", "2", "EUR", "1")
	require.NoError(t, err)
	assert.Equal(t, "200000000000000000000", got.String(), "past int64")
}
