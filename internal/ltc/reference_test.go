package ltc_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

// TestReferenceConvert converts at hand-computed figures: amount × rate in the target's minor units, rounded half to
// even.
func TestReferenceConvert(t *testing.T) {
	for _, c := range []struct {
		name string
		from ltc.Money
		rate string
		to   string
		want int64
	}{
		{"exact", ltc.Money{Currency: "USD", AmountMinor: 100_00}, "0.9235", "EUR", 92_35},               // 100 × 0.9235 = 92.35
		{"half to even, down", ltc.Money{Currency: "EUR", AmountMinor: 5}, "0.5", "EUR", 2},              // 0.025 → 0.02
		{"half to even, up", ltc.Money{Currency: "EUR", AmountMinor: 15}, "0.5", "EUR", 8},               // 0.075 → 0.08
		{"below half", ltc.Money{Currency: "CNY", AmountMinor: 1}, "0.1281", "EUR", 0},                   // 0.001281 → 0.00
		{"above half", ltc.Money{Currency: "CNY", AmountMinor: 1_000_00}, "0.128149", "EUR", 128_15},     // 128.149 → 128.15
		{"yen to euro", ltc.Money{Currency: "JPY", AmountMinor: 10_000_000}, "0.0062", "EUR", 62_000_00}, // 10 M JPY × 0.0062 = 62 000.00
		{"euro to yen", ltc.Money{Currency: "EUR", AmountMinor: 1_23}, "161.5", "JPY", 199},              // 1.23 × 161.5 = 198.645 → 199
		{"yen half to even", ltc.Money{Currency: "EUR", AmountMinor: 1}, "250", "JPY", 2},                // 0.01 × 250 = 2.5 → 2
		{"three digits", ltc.Money{Currency: "KWD", AmountMinor: 1_000}, "3.0125", "EUR", 3_01},          // 1.000 KWD × 3.0125 = 3.0125 → 3.01
		{"into three digits", ltc.Money{Currency: "EUR", AmountMinor: 1_00}, "0.3275", "KWD", 328},       // 0.3275 KWD = 327.5 fils → 328
		{"zero", ltc.Money{Currency: "USD", AmountMinor: 0}, "0.9", "EUR", 0},
		{"long rate", ltc.Money{Currency: "USD", AmountMinor: 999_999_999_999_99}, "0.000000000001", "EUR", 1_00}, // 999 999 999 999.99 × 10^-12 = 0.99999999999999 → 1.00
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ltc.Convert(c.from, c.rate, c.to)
			require.NoError(t, err)
			assert.Equal(t, ltc.Money{Currency: c.to, AmountMinor: c.want}, got)
		})
	}
}

func TestReferenceConvertRefuses(t *testing.T) {
	for _, c := range []struct {
		name string
		from ltc.Money
		rate string
		to   string
	}{
		{"zero rate", ltc.Money{Currency: "USD", AmountMinor: 1}, "0", "EUR"},
		{"negative rate", ltc.Money{Currency: "USD", AmountMinor: 1}, "-1.2", "EUR"},
		{"exponent", ltc.Money{Currency: "USD", AmountMinor: 1}, "1e3", "EUR"},
		{"not a number", ltc.Money{Currency: "USD", AmountMinor: 1}, "NaN", "EUR"},
		{"no digits after the point", ltc.Money{Currency: "USD", AmountMinor: 1}, "1.", "EUR"},
		{"too many digits", ltc.Money{Currency: "USD", AmountMinor: 1}, "0.0000000000001", "EUR"},
		{"unknown currency", ltc.Money{Currency: "ZZZ", AmountMinor: 1}, "1", "EUR"},
		{"beyond the bound", ltc.Money{Currency: "EUR", AmountMinor: ltc.MaxAmountMinor}, "2", "USD"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ltc.Convert(c.from, c.rate, c.to)
			require.Error(t, err)
			assert.Equal(t, ltc.KindInvalid, ltc.KindOf(err))
		})
	}
}

func TestReferenceRulesForRatesAndProducts(t *testing.T) {
	day := ltc.Date{Year: 2026, Month: 12, Day: 1}
	assert.NoError(t, ltc.CheckExchangeRate(ltc.ExchangeRate{EffectiveDate: day, From: "USD", Rate: "0.9235"}, "EUR"))
	assert.ErrorContains(t, ltc.CheckExchangeRate(ltc.ExchangeRate{EffectiveDate: day, From: "EUR", Rate: "1"}, "EUR"), "from_currency: EUR is the base")
	assert.ErrorContains(t, ltc.CheckExchangeRate(ltc.ExchangeRate{EffectiveDate: day, From: "ZZZ", Rate: "1"}, "EUR"), "from_currency:")
	assert.ErrorContains(t, ltc.CheckExchangeRate(ltc.ExchangeRate{EffectiveDate: day, From: "USD", Rate: "0.000"}, "EUR"), "rate: must be more than zero")
	assert.ErrorContains(t, ltc.CheckExchangeRate(ltc.ExchangeRate{EffectiveDate: ltc.Date{Year: 2026, Month: 2, Day: 30}, From: "USD", Rate: "1"}, "EUR"), "effective_date:")

	fiona := ltc.Actor{ID: "fiona", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionFinance}}
	lena := ltc.Actor{ID: "lena", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionLegal}}
	assert.NoError(t, ltc.CanSetReferenceData(fiona))
	assert.NoError(t, ltc.CanSetReferenceData(ltc.Actor{ID: "ada", Roles: []ltc.Role{ltc.RoleAdmin}}))
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanSetReferenceData(lena)))
	assert.Equal(t, ltc.KindPermission, ltc.KindOf(ltc.CanSetReferenceData(ltc.Actor{ID: "sam", Roles: []ltc.Role{ltc.RoleSales}})))

	p := ltc.Product{Code: "RAN-1", Name: "Radio", Family: "RAN", Unit: "piece",
		ListPrice: ltc.Money{Currency: "EUR", AmountMinor: 100_00}, StandardCost: ltc.Money{Currency: "EUR", AmountMinor: 60_00}}
	assert.NoError(t, ltc.CheckProduct(p))
	q := p
	q.StandardCost.Currency = "USD"
	assert.ErrorContains(t, ltc.CheckProduct(q), "standard_cost: must be in the list price's currency EUR")
	q = p
	q.ListPrice.Currency = "ZZZ"
	assert.ErrorContains(t, ltc.CheckProduct(q), "list_price:")

	assert.Equal(t, "EUR", ltc.DefaultPolicy().Base())
	pol := ltc.DefaultPolicy()
	pol.BaseCurrency = "ZZZ"
	assert.ErrorContains(t, pol.Validate(), "base_currency")
	pol.BaseCurrency = "CNY"
	assert.NoError(t, pol.Validate())
	assert.Equal(t, "CNY", pol.Base())
}

func TestReferenceParseAmount(t *testing.T) {
	for s, want := range map[string]ltc.Money{
		"1234.5 EUR": {Currency: "EUR", AmountMinor: 1234_50}, "0.07 EUR": {Currency: "EUR", AmountMinor: 7},
		"1200 JPY": {Currency: "JPY", AmountMinor: 1200}, "1.234 KWD": {Currency: "KWD", AmountMinor: 1234},
	} {
		amount, code, _ := strings.Cut(s, " ")
		got, err := ltc.ParseAmount(amount, code)
		require.NoError(t, err, s)
		assert.Equal(t, want, got, s)
	}
	for _, s := range []string{"1.234 EUR", "1.5 JPY", "-1 EUR", "1e3 EUR", " EUR", ".5 EUR", "1 ZZZ", "99999999999999999 EUR"} {
		amount, code, _ := strings.Cut(s, " ")
		_, err := ltc.ParseAmount(amount, code)
		assert.Error(t, err, s)
	}
}
