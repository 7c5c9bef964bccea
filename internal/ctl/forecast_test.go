package ctl_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestForecastWithLtcctl(t *testing.T) {
	_, o := setup(t)
	out, err := run(o, "--as", "sales_manager", "lead", "create", "--customer", "Initech", "--grade", "b", "--title", "Billing system",
		"--value", "180000", "--currency", "usd", "--close", "2027-03-31", "--owner", "sam", "-o", "json")
	require.NoError(t, err)
	var created struct{ Lead struct{ ID string } }
	require.NoError(t, json.Unmarshal([]byte(out), &created))
	id := created.Lead.ID
	_, err = run(o, "--as", "sales_manager", "lead", "qualify", id, "--urgency", "warm")
	require.NoError(t, err)

	_, err = run(o, "--as", "sales", "deal", "forecast", id, "--close-date", "2027-03-31", "--value", "1200000.005", "--currency", "EUR", "--category", "commit")
	assert.ErrorContains(t, err, "--value")
	_, err = run(o, "--as", "sales", "deal", "forecast", id, "--close-date", "2027-03-31", "--value", "1200000", "--currency", "EUR", "--category", "likely")
	assert.ErrorContains(t, err, "--category")
	out, err = run(o, "--as", "sales", "deal", "forecast", id, "--close-date", "2027-03-31", "--value", "1200000", "--currency", "EUR", "--category", "commit")
	require.NoError(t, err)
	assert.Regexp(t, `Forecast\s+COMMIT, EUR 1200000.00, closing 2027-03-31`, out)

	out, err = run(o, "--as", "executive3", "report", "forecast", "--quarter", "2027-Q1")
	require.NoError(t, err)
	assert.Contains(t, out, "Forecast 2027-Q1 in EUR")
	assert.Regexp(t, `sam\s+EUR 1200000.00\s+EUR 1200000.00\s+EUR 1200000.00\s+EUR 0.00\s+EUR 0.00\s+1/1/1/0/0`, out)
	assert.Regexp(t, `TOTAL\s+EUR 1200000.00`, out)
	_, err = run(o, "--as", "executive3", "report", "forecast", "--quarter", "2027-Q1", "--currency", "USD")
	assert.ErrorContains(t, err, "no exchange rate of USD into EUR")
}
