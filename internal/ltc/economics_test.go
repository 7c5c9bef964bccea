package ltc_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

func line(code, family string, qty int64, price, cost int64, discount ltc.Percent) ltc.LineItem {
	return ltc.LineItem{ProductCode: code, Family: family, Quantity: qty, DiscountPercent: discount,
		UnitListPrice: ltc.Money{Currency: "EUR", AmountMinor: price}, UnitCost: ltc.Money{Currency: "EUR", AmountMinor: cost}}
}

// The figures are computed by hand: list = quantity × unit price; net = list × (100 - discount) / 100 rounded half
// to even to cents; margin = (net - cost) / net, rounded half to even to two places.
func TestLineItemTotals(t *testing.T) {
	for _, tc := range []struct {
		name             string
		items            []ltc.LineItem
		list, net, cost  int64
		discount, margin ltc.Percent
		lineNets         []int64
	}{
		{name: "no discount", items: []ltc.LineItem{line("A", "RAN", 3, 100_00, 60_00, "")},
			list: 300_00, net: 300_00, cost: 180_00, discount: "0.00", margin: "40.00", lineNets: []int64{300_00}},
		{name: "the demo's ATB", items: []ltc.LineItem{
			line("RAN-5G-BBU", "RAN", 60, 12_000_00, 7_400_00, "10"),
			line("RAN-5G-AAU", "RAN", 120, 9_500_00, 6_100_00, "10"),
			line("CORE-5GC-LIC", "CORE", 2000, 250_00, 40_00, "19.6"),
			line("SVC-DEPLOY", "SERVICES", 270, 1_200_00, 780_00, "0")},
			// list 720,000 + 1,140,000 + 500,000 + 324,000 = 2,684,000; net 648,000 + 1,026,000 + 402,000 + 324,000
			// = 2,400,000; cost 444,000 + 732,000 + 80,000 + 210,600 = 1,466,600; discount 284,000 / 2,684,000 =
			// 10.5812...%; margin 933,400 / 2,400,000 = 38.891666...%.
			list: 2_684_000_00, net: 2_400_000_00, cost: 1_466_600_00, discount: "10.58", margin: "38.89",
			lineNets: []int64{648_000_00, 1_026_000_00, 402_000_00, 324_000_00}},
		{name: "a cent's half rounds to even, down", items: []ltc.LineItem{line("A", "RAN", 1, 1_05, 0, "50")},
			// 1.05 × 0.5 = 0.525 → 0.52
			list: 1_05, net: 52, cost: 0, discount: "50.48", margin: "100.00", lineNets: []int64{52}},
		{name: "a cent's half rounds to even, up", items: []ltc.LineItem{line("A", "RAN", 1, 1_15, 0, "50")},
			// 1.15 × 0.5 = 0.575 → 0.58; discount 0.57 / 1.15 = 49.565...% → 49.57
			list: 1_15, net: 58, cost: 0, discount: "49.57", margin: "100.00", lineNets: []int64{58}},
		{name: "a loss", items: []ltc.LineItem{line("A", "RAN", 2, 100_00, 150_00, "")},
			// margin (200 - 300) / 200 = -50 %
			list: 200_00, net: 200_00, cost: 300_00, discount: "0.00", margin: "-50.00", lineNets: []int64{200_00}},
		{name: "margin rounds half to even", items: []ltc.LineItem{line("A", "RAN", 1, 800_00, 799_96, "")},
			// (800 - 799.96) / 800 = 0.005 % → 0.00 (half to even); and 0.015 % below
			list: 800_00, net: 800_00, cost: 799_96, discount: "0.00", margin: "0.00", lineNets: []int64{800_00}},
		{name: "margin rounds half to even, up", items: []ltc.LineItem{line("A", "RAN", 1, 800_00, 799_88, "")},
			// 0.12 / 800 = 0.015 % → 0.02
			list: 800_00, net: 800_00, cost: 799_88, discount: "0.00", margin: "0.02", lineNets: []int64{800_00}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines, totals, err := ltc.CheckLineItems("bid.line_items", tc.items)
			require.NoError(t, err)
			assert.Equal(t, ltc.Money{Currency: "EUR", AmountMinor: tc.list}, totals.List)
			assert.Equal(t, ltc.Money{Currency: "EUR", AmountMinor: tc.net}, totals.Net)
			assert.Equal(t, ltc.Money{Currency: "EUR", AmountMinor: tc.cost}, totals.Cost)
			assert.Equal(t, ltc.Money{Currency: "EUR", AmountMinor: tc.list - tc.net}, totals.Discount)
			assert.Equal(t, tc.discount, totals.DiscountPercent)
			assert.Equal(t, tc.margin, totals.GrossMarginPercent)
			for i, want := range tc.lineNets {
				assert.Equal(t, want, lines[i].Net.AmountMinor, "line %d", i)
			}
		})
	}
}

func TestLineItemsRefused(t *testing.T) {
	usd := line("B", "RAN", 1, 100, 50, "")
	usd.UnitCost.Currency = "USD"
	for _, tc := range []struct {
		name  string
		items []ltc.LineItem
		field string
	}{
		{"no product", []ltc.LineItem{line("", "RAN", 1, 100, 50, "")}, "bid.line_items[0].product_code: "},
		{"no quantity", []ltc.LineItem{line("A", "RAN", 0, 100, 50, "")}, "bid.line_items[0].quantity: "},
		{"too many units", []ltc.LineItem{line("A", "RAN", ltc.MaxQuantity+1, 100, 50, "")}, "bid.line_items[0].quantity: "},
		{"beyond the amounts' bound", []ltc.LineItem{line("A", "RAN", ltc.MaxQuantity, ltc.MaxAmountMinor/10, 50, "")}, "bid.line_items[0].quantity: "},
		{"discount above 100", []ltc.LineItem{line("A", "RAN", 1, 100, 50, "100.01")}, "bid.line_items[0].discount_percent: "},
		{"negative discount", []ltc.LineItem{line("A", "RAN", 1, 100, 50, "-5")}, "bid.line_items[0].discount_percent: "},
		{"three decimals", []ltc.LineItem{line("A", "RAN", 1, 100, 50, "1.125")}, "bid.line_items[0].discount_percent: "},
		{"not a number", []ltc.LineItem{line("A", "RAN", 1, 100, 50, "1e2")}, "bid.line_items[0].discount_percent: "},
		{"two currencies", []ltc.LineItem{line("A", "RAN", 1, 100, 50, ""), usd}, "bid.line_items[1].unit_cost: "},
		{"nothing left", []ltc.LineItem{line("A", "RAN", 1, 100, 50, "100")}, "bid.line_items: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ltc.CheckLineItems("bid.line_items", tc.items)
			assert.Equal(t, ltc.KindInvalid, ltc.KindOf(err))
			assert.ErrorContains(t, err, tc.field)
		})
	}
	_, _, err := ltc.CheckLineItems("bid.line_items", make([]ltc.LineItem, ltc.MaxLineItems+1))
	assert.ErrorContains(t, err, "at most 100 line items")
}

func TestMarginFloors(t *testing.T) {
	p := ltc.DefaultPolicy()
	p.FamilyMarginFloors = map[string]ltc.Percent{"SERVICES": "25"}
	services := func(price, cost int64) ltc.LineItem { return line("S", "SERVICES", 1, price, cost, "") }
	ran := func(price, cost int64) ltc.LineItem { return line("R", "RAN", 1, price, cost, "") }
	for _, tc := range []struct {
		name    string
		margin  ltc.Percent
		items   []ltc.LineItem
		want    ltc.MarginCheck
		special bool
	}{
		{name: "at the floor", margin: "15.00",
			want: ltc.MarginCheck{FloorPercent: "15", MarginPercent: "15.00", ShortfallPoints: "0"}},
		{name: "a hundredth below", margin: "14.99",
			want: ltc.MarginCheck{FloorPercent: "15", MarginPercent: "14.99", ShortfallPoints: "0.01", SpecialPrice: true}},
		{name: "a loss", margin: "-3.50",
			want: ltc.MarginCheck{FloorPercent: "15", MarginPercent: "-3.50", ShortfallPoints: "18.50", SpecialPrice: true}},
		// The package makes 40 % overall, but its services (100 at 80: 20 %) are 5 points below their 25 % floor.
		{name: "a family below its floor", margin: "40.00", items: []ltc.LineItem{ran(400_00, 160_00), services(100_00, 80_00)},
			want: ltc.MarginCheck{FloorPercent: "25", MarginPercent: "20.00", Family: "SERVICES", ShortfallPoints: "5.00", SpecialPrice: true}},
		// Both below: the larger shortfall binds (level: 15 - 10 = 5; services: 25 - 12 = 13).
		{name: "the larger shortfall binds", margin: "10.00", items: []ltc.LineItem{ran(100_00, 92_00), services(100_00, 88_00)},
			want: ltc.MarginCheck{FloorPercent: "25", MarginPercent: "12.00", Family: "SERVICES", ShortfallPoints: "13.00", SpecialPrice: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items, _, err := ltc.CheckLineItems("bid.line_items", tc.items)
			require.NoError(t, err)
			got := p.CheckMargin(ltc.LevelB, tc.margin, items)
			require.NotNil(t, got)
			assert.Equal(t, tc.want, *got)
		})
	}
	p.MarginFloors = nil
	assert.Nil(t, p.CheckMargin(ltc.LevelB, "1", nil), "no floor, no check")
}

// A special price asks one authority level more (corporate stays corporate), a FINANCE review and a rationale; the
// decision says how far below the floor it is.
func TestSpecialPrice(t *testing.T) {
	o := withRisk(validated().AppointTeam(team, t0, ltc.DefaultPolicy()))
	o.Level = ltc.LevelC
	p := ltc.DefaultPolicy()
	p.Levels[ltc.LevelC] = ltc.LevelPolicy{Authority: 1, DecisionSLA: p.Levels[ltc.LevelC].DecisionSLA} // no reviews of its own
	cheap := ltc.Package{Bid: &ltc.BidPackage{ProposedPrice: eur(500_000), GrossMarginPercent: 9.5, WinRate: 50}}
	_, err := o.GateTerms(ltc.GateATB, cheap, p, nil)
	assert.Equal(t, ltc.KindInvalid, ltc.KindOf(err))
	assert.ErrorContains(t, err, "bid.special_price_rationale: the gross margin of 9.50 % is 5.50 points below the level C floor of 15 %")

	cheap.Bid.SpecialPriceRationale = "a reference site in a new country"
	terms, err := o.GateTerms(ltc.GateATB, cheap, p, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, terms.Authority, "level C's authority 1, one more")
	assert.Equal(t, []ltc.ReviewFunction{ltc.FunctionFinance}, terms.Reviews, "FINANCE reviews the rationale")
	assert.Equal(t, ltc.Percent("5.50"), terms.Margin.ShortfallPoints)

	fair := ltc.Package{Bid: &ltc.BidPackage{ProposedPrice: eur(500_000), GrossMarginPercent: 15, WinRate: 50}}
	terms, err = o.GateTerms(ltc.GateATB, fair, p, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, terms.Authority)
	assert.Empty(t, terms.Reviews)
	assert.False(t, terms.Margin.SpecialPrice)

	o.Level = ltc.LevelA // 15,000,000 EUR: corporate, which stays corporate
	big := ltc.Package{Contract: &ltc.ContractPackage{FinalPrice: eur(15_000_000), GrossMarginPercent: 2, SpecialPriceRationale: "strategic"}}
	terms, err = o.GateTerms(ltc.GateATC, big, p, nil)
	require.NoError(t, err)
	assert.Equal(t, ltc.MaxAuthority, terms.Authority)
	assert.Equal(t, p.Levels[ltc.LevelA].Reviews, terms.Reviews, "FINANCE is among level A's reviews already")

	o.Rules = ltc.RulesLimits // recorded before the economics: no floors
	terms, err = (o).GateTerms(ltc.GateATB, ltc.Package{Bid: &ltc.BidPackage{ProposedPrice: eur(500_000), WinRate: 50}}, p, nil)
	require.NoError(t, err)
	assert.Nil(t, terms.Margin)
}

// The level thresholds are in the base currency: a value in another currency is converted at the rate in force
// that the request carries; without one the request waits for finance.
func TestTheLevelComesFromTheValueInTheBaseCurrency(t *testing.T) {
	yen := func(major int64) ltc.Money { return ltc.Money{Currency: "JPY", AmountMinor: major} }
	o := validated()
	o.Assessment.Value = yen(1_000_000_000) // 1,000,000,000 JPY
	in := ltc.Package{Initiation: &ltc.InitiationPackage{ProposedLevel: ltc.LevelC, Rationale: "r"}}
	_, err := o.GateTerms(ltc.GateInitiation, in, ltc.DefaultPolicy(), nil)
	assert.Equal(t, ltc.KindPrecondition, ltc.KindOf(err))
	assert.ErrorContains(t, err, "exchange rate of JPY into the base currency EUR")

	// At 0.0062 it is 6,200,000.00 EUR: level B (≥ 1,000,000), not A, though 10^9 passes A's threshold unconverted.
	rate := ltc.ExchangeRate{EffectiveDate: ltc.Date{Year: 2026, Month: 1, Day: 1}, From: "JPY", To: "EUR", Rate: "0.0062"}
	terms, err := o.GateTerms(ltc.GateInitiation, in, ltc.DefaultPolicy(), []ltc.ExchangeRate{rate})
	require.NoError(t, err)
	assert.Equal(t, ltc.LevelB, terms.PolicyLevel)
	assert.Equal(t, &ltc.Money{Currency: "EUR", AmountMinor: 6_200_000_00}, terms.LevelValue)
	assert.Equal(t, "0.0062", terms.LevelRate.Rate)

	// In the base currency no rate is needed.
	o.Assessment.Value = eur(12_000_000)
	terms, err = o.GateTerms(ltc.GateInitiation, in, ltc.DefaultPolicy(), nil)
	require.NoError(t, err)
	assert.Equal(t, ltc.LevelA, terms.PolicyLevel)
	assert.Nil(t, terms.LevelValue)
}

func TestPricedPackages(t *testing.T) {
	lines := []ltc.LineItem{line("A", "RAN", 10, 100_00, 70_00, "10")} // net 900.00, cost 700.00: 22.22 %
	pkg, err := ltc.Package{Bid: &ltc.BidPackage{LineItems: lines}}.Priced()
	require.NoError(t, err)
	assert.Equal(t, eur(900), pkg.Bid.ProposedPrice)
	assert.InDelta(t, 22.22, pkg.Bid.GrossMarginPercent, 0.0001)
	assert.Equal(t, ltc.Percent("22.22"), pkg.Bid.Totals.GrossMarginPercent)

	_, err = ltc.Package{Bid: &ltc.BidPackage{LineItems: lines, ProposedPrice: eur(1000)}}.Priced()
	assert.ErrorContains(t, err, "bid.proposed_price: is 1000.00 EUR, but the line items come to 900.00 EUR")
	_, err = ltc.Package{Contract: &ltc.ContractPackage{LineItems: lines, GrossMarginPercent: 30}}.Priced()
	assert.ErrorContains(t, err, "contract.gross_margin_percent: is 30.00, but the line items make 22.22")
	_, err = ltc.Package{Contract: &ltc.ContractPackage{LineItems: lines, FinalPrice: eur(900), GrossMarginPercent: 22.22}}.Priced()
	assert.NoError(t, err, "stating what the lines make is fine")
	_, err = ltc.Package{Bid: &ltc.BidPackage{}}.Priced()
	assert.ErrorContains(t, err, "bid.proposed_price: is required without line items")
}
