package ltc_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

// TestParseAmount reads amounts as people write them into exact minor units by the currency's minor digits.
func TestParseAmount(t *testing.T) {
	for _, c := range []struct {
		text, currency string
		want           int64
	}{
		{"1234", "EUR", 1234_00},
		{"1234.5", "EUR", 1234_50},
		{"1,234.50", "EUR", 1234_50},
		{"  2,500,000.00 ", "EUR", 2_500_000_00},
		{"0.29", "EUR", 29},   // 0.29 × 100 is 28.999999999999996 in float64
		{"4.35", "EUR", 4_35}, // 4.35 × 100 is 434.99999999999994
		{"0.07", "EUR", 7},
		{"0.5", "EUR", 50},
		{"0", "EUR", 0},
		{"0.00", "EUR", 0},
		{"007", "EUR", 7_00},
		{"7.000000", "EUR", 7_00}, // zeros past the minor digits change nothing
		{"0,999", "EUR", 999_00},  // a first group has 1 to 3 digits
		{"1000", "JPY", 1000},
		{"100,000", "JPY", 100_000},
		{"1,234.000", "JPY", 1_234},
		{"1000.00", "JPY", 1000}, // an amount copied from a two-digit currency
		{"1.25", "KWD", 1_250},
		{"1,000.001", "KWD", 1_000_001},
		{"2,500", "KWD", 2_500_000},
		{"1234.56", "CNY", 1234_56},
		{"1234.56", " cny", 1234_56},
		{"3,000", "CNY", 3_000_00},
		{"8,796,093,022,208.01", "EUR", 879_609_302_220_801}, // 2^43 + 0.01: float64 would lose the cent
		{"9,999,999,999,999.99", "EUR", 999_999_999_999_999},
		{"10,000,000,000,000.00", "EUR", ltc.MaxAmountMinor}, // the largest amount
		{"1000000000000000", "JPY", ltc.MaxAmountMinor},
		{"1,000,000,000,000.000", "KWD", ltc.MaxAmountMinor},
		{"00000000000000000000000000001", "JPY", 1}, // leading zeros do not overflow
	} {
		got, err := ltc.ParseAmount(c.text, c.currency)
		require.NoError(t, err, "%q %s", c.text, c.currency)
		assert.Equal(t, ltc.Money{Currency: strings.ToUpper(strings.TrimSpace(c.currency)), AmountMinor: c.want}, got, "%q %s", c.text, c.currency)
	}
}

// TestParseAmountRefuses refuses what is not exactly an amount the engine takes, saying why.
func TestParseAmountRefuses(t *testing.T) {
	for _, c := range []struct{ text, currency, why string }{
		{"0.125", "EUR", "has 3 decimals, but an amount of EUR has at most 2; the engine does not round"},
		{"1000.5", "JPY", "has decimals, but an amount of JPY has none"},
		{"100.01", "JPY", "has decimals"},
		{"1.2345", "KWD", "has 4 decimals, but an amount of KWD has at most 3"},
		{"12.345", "CNY", "at most 2"},
		{"1,5", "EUR", "commas separate thousands, as in 2,500,000.00"},
		{"25,00,000", "JPY", "commas separate thousands, as in 2,500,000"},
		{"1,000,00", "EUR", "groups its digits wrongly"},
		{",100", "EUR", "groups its digits wrongly"},
		{"1,000.000,0", "KWD", "not an amount such as 2,500,000.000"},
		{"1 000", "EUR", "not an amount"},
		{"", "EUR", "not an amount"},
		{".5", "EUR", "not an amount"},
		{"5.", "EUR", "not an amount"},
		{"1e3", "EUR", "not an amount"},
		{"+1", "EUR", "not an amount"},
		{"NaN", "EUR", "not an amount"},
		{"0x10", "EUR", "not an amount"},
		{"١٢", "EUR", "not an amount"}, // digits, but not ASCII ones
		{"-1", "EUR", "is negative"},
		{"-0.01", "EUR", "is negative"},
		{"10,000,000,000,000.01", "EUR", "more than the largest amount, 10000000000000.00 EUR"},
		{"1000000000000001", "JPY", "more than the largest amount, 1000000000000000 JPY"},
		{"92233720368547758.08", "EUR", "more than the largest amount"}, // past int64
		{"99999999999999999999999999", "JPY", "more than the largest amount"},
		{"1", "ZZZ", "not an ISO 4217 currency code"},
		{"1", "", "not an ISO 4217 currency code"},
	} {
		_, err := ltc.ParseAmount(c.text, c.currency)
		require.Error(t, err, "%q %s", c.text, c.currency)
		assert.Equal(t, ltc.KindInvalid, ltc.KindOf(err))
		assert.Contains(t, err.Error(), c.why, "%q %s", c.text, c.currency)
	}
}

// TestFormatAmount writes minor units with the currency's minor digits, as ParseAmount reads them back.
func TestFormatAmount(t *testing.T) {
	for _, c := range []struct {
		minor          int64
		currency       string
		plain, grouped string
	}{
		{2_500_000_00, "EUR", "2500000.00", "2,500,000.00"},
		{29, "EUR", "0.29", "0.29"},
		{5, "EUR", "0.05", "0.05"},
		{0, "EUR", "0.00", "0.00"},
		{100_00, "CNY", "100.00", "100.00"},
		{123_456_78, "CNY", "123456.78", "123,456.78"},
		{100_000, "JPY", "100000", "100,000"},
		{0, "JPY", "0", "0"},
		{999, "JPY", "999", "999"},
		{1_250, "KWD", "1.250", "1.250"},
		{1, "KWD", "0.001", "0.001"},
		{1_234_567_890, "KWD", "1234567.890", "1,234,567.890"},
		{-1_234_50, "EUR", "-1234.50", "-1,234.50"}, // a negative sum, such as a change
		{-5, "EUR", "-0.05", "-0.05"},
		{-100_000, "JPY", "-100000", "-100,000"},
		{-1, "KWD", "-0.001", "-0.001"},
		{ltc.MaxAmountMinor, "EUR", "10000000000000.00", "10,000,000,000,000.00"},
		{9_223_372_036_854_775_807, "EUR", "92233720368547758.07", "92,233,720,368,547,758.07"},
		{-9_223_372_036_854_775_808, "JPY", "-9223372036854775808", "-9,223,372,036,854,775,808"},
		{12_345, "ZZZ", "123.45", "123.45"}, // not a currency: two digits
		{12_345, "", "123.45", "123.45"},
	} {
		assert.Equal(t, c.plain, ltc.FormatAmount(c.minor, c.currency, false), "%d %s", c.minor, c.currency)
		assert.Equal(t, c.grouped, ltc.FormatAmount(c.minor, c.currency, true), "%d %s", c.minor, c.currency)
		if c.minor >= 0 && c.minor <= ltc.MaxAmountMinor && c.currency != "ZZZ" && c.currency != "" {
			for _, text := range []string{c.plain, c.grouped} {
				back, err := ltc.ParseAmount(text, c.currency)
				require.NoError(t, err, text)
				assert.Equal(t, c.minor, back.AmountMinor, "%s %s reads back", text, c.currency)
			}
		}
	}
}

// TestFormatTotal writes exact sums (MoneyTotal's decimal amount_minor) as FormatAmount writes amounts, however large.
func TestFormatTotal(t *testing.T) {
	for _, c := range []struct {
		minor, currency, plain, grouped string
	}{
		{"0", "EUR", "0.00", "0.00"},
		{"", "EUR", "0.00", "0.00"},
		{"5", "EUR", "0.05", "0.05"},
		{"12345", "EUR", "123.45", "123.45"},
		{"000012345", "EUR", "123.45", "123.45"},
		{"10000000000000000000000", "EUR", "100000000000000000000.00", "100,000,000,000,000,000,000.00"},
		{"10000000000000000000000", "JPY", "10000000000000000000000", "10,000,000,000,000,000,000,000"},
		{"10000000000000000000000", "KWD", "10000000000000000000.000", "10,000,000,000,000,000,000.000"},
		{"-250000000", "EUR", "-2500000.00", "-2,500,000.00"},
		{"-250000000", "JPY", "-250000000", "-250,000,000"},
		{"-7", "KWD", "-0.007", "-0.007"},
		{"-0", "EUR", "0.00", "0.00"},
		{"12345", "ZZZ", "123.45", "123.45"},
		{"12.5", "EUR", "12.5", "12.5"}, // not minor units: as it is
	} {
		assert.Equal(t, c.plain, ltc.FormatTotal(c.minor, c.currency, false), "%s %s", c.minor, c.currency)
		assert.Equal(t, c.grouped, ltc.FormatTotal(c.minor, c.currency, true), "%s %s", c.minor, c.currency)
	}
}

// TestMoneyString writes the engine's sentences' amounts with the currency's minor digits too.
func TestMoneyString(t *testing.T) {
	assert.Equal(t, "12345.67 CNY", ltc.Money{Currency: "CNY", AmountMinor: 12345_67}.String())
	assert.Equal(t, "1000 JPY", ltc.Money{Currency: "JPY", AmountMinor: 1000}.String())
	assert.Equal(t, "1.250 KWD", ltc.Money{Currency: "KWD", AmountMinor: 1250}.String())
	assert.Equal(t, "-0.05 EUR", ltc.Money{Currency: "EUR", AmountMinor: -5}.String(), "not -0.-5")
}
