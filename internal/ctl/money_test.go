package ctl_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAmountsGoByTheCurrencysMinorDigits records a lead and its deal in yen and reads them back exactly: yen have
// no minor unit, so 1,000,000 JPY is 1000000 minor units, shown without decimals, and a decimal is refused.
func TestAmountsGoByTheCurrencysMinorDigits(t *testing.T) {
	_, o := setup(t)
	out, err := run(o, "--as", "sales_manager", "lead", "create", "--customer", "Nakatomi", "--grade", "b", "--title", "Core network",
		"--value", "1,000,000", "--currency", "jpy", "--close", "2027-03-31", "--owner", "sam", "-o", "json")
	require.NoError(t, err)
	var created struct {
		Lead struct {
			ID             string
			EstimatedValue struct{ CurrencyCode, AmountMinor string }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &created))
	id := created.Lead.ID
	assert.Equal(t, "JPY", created.Lead.EstimatedValue.CurrencyCode)
	assert.Equal(t, "1000000", created.Lead.EstimatedValue.AmountMinor, "a million yen, not a hundred million")

	out, err = run(o, "--as", "sales", "lead", "show", id)
	require.NoError(t, err)
	assert.Regexp(t, `Value\s+JPY 1000000\n`, out)
	out, err = run(o, "--as", "sales", "lead", "list")
	require.NoError(t, err)
	assert.Regexp(t, `Core network\s+JPY 1000000\s+sam`, out)

	_, err = run(o, "--as", "sales_manager", "lead", "create", "--customer", "Nakatomi", "--grade", "b", "--title", "Half a yen",
		"--value", "1000.5", "--currency", "JPY", "--close", "2027-03-31", "--owner", "sam")
	assert.ErrorContains(t, err, `"1000.5" has decimals, but an amount of JPY has none`)

	_, err = run(o, "--as", "sales_manager", "lead", "qualify", id, "--urgency", "warm")
	require.NoError(t, err)
	out, err = run(o, "--as", "sales", "deal", "forecast", id, "--close-date", "2027-03-31", "--value", "123456789", "--currency", "JPY", "--category", "commit")
	require.NoError(t, err)
	assert.Regexp(t, `Forecast\s+COMMIT, JPY 123456789, closing 2027-03-31`, out)
	out, err = run(o, "--as", "sales", "deal", "show", id, "-o", "json")
	require.NoError(t, err)
	var deal struct {
		Opportunity struct {
			EstimatedValue struct{ CurrencyCode, AmountMinor string }
			Forecast       struct {
				Value struct{ CurrencyCode, AmountMinor string }
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &deal))
	assert.Equal(t, "1000000", deal.Opportunity.EstimatedValue.AmountMinor)
	assert.Equal(t, "JPY", deal.Opportunity.Forecast.Value.CurrencyCode)
	assert.Equal(t, "123456789", deal.Opportunity.Forecast.Value.AmountMinor)

	// Three-digit dinars and exact cents, as float arithmetic would not have them.
	out, err = run(o, "--as", "sales", "deal", "forecast", id, "--close-date", "2027-03-31", "--value", "1,234.567", "--currency", "KWD", "--category", "commit")
	require.NoError(t, err)
	assert.Regexp(t, `Forecast\s+COMMIT, KWD 1234.567, closing 2027-03-31`, out)
	out, err = run(o, "--as", "sales", "deal", "forecast", id, "--close-date", "2027-03-31", "--value", "0.29", "--currency", "EUR", "--category", "commit")
	require.NoError(t, err)
	assert.Regexp(t, `Forecast\s+COMMIT, EUR 0.29, closing 2027-03-31`, out)
}
