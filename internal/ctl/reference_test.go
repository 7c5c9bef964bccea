package ctl_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReferenceCommands sets and lists exchange rates and products from the command line, as finance and as a
// sales rep.
func TestReferenceCommands(t *testing.T) {
	_, o := setup(t)
	_, err := run(o, "--as", "sales", "rates", "set", "--date", "2026-12-01", "USD=0.9235")
	assert.ErrorContains(t, err, "PermissionDenied")
	_, err = run(o, "--as", "reviewer_finance", "rates", "set", "--date", "2026-12-01", "USD=0")
	assert.ErrorContains(t, err, "rates[0].rate")
	_, err = run(o, "--as", "reviewer_finance", "rates", "set", "--date", "2026-12-01", "USD")
	assert.ErrorContains(t, err, "want CURRENCY=RATE")

	req := uuid.NewString()
	out, err := run(o, "--as", "reviewer_finance", "--request-id", req, "rates", "set", "--date", "2026-12-01", "usd=0.9235", "JPY=0.0062")
	require.NoError(t, err)
	assert.Regexp(t, `2026-12-01\s+USD\s+EUR\s+0.9235\s+-\s+Fiona Finance`, out)
	again, err := run(o, "--as", "reviewer_finance", "--request-id", req, "rates", "set", "--date", "2026-12-01", "usd=0.9235", "JPY=0.0062")
	require.NoError(t, err)
	assert.Equal(t, out, again, "a retry under the request id returns the first result")
	out, err = run(o, "--as", "admin", "rates", "set", "--date", "2027-01-01", "USD=0.95")
	require.NoError(t, err)
	assert.Contains(t, out, "Operator")

	out, err = run(o, "--as", "sales", "rates", "list", "--currency", "usd", "--as-of", "2026-12-31")
	require.NoError(t, err)
	assert.Regexp(t, `2026-12-01\s+USD\s+EUR\s+0.9235`, out)
	assert.NotContains(t, out, "0.95")
	out, err = run(o, "--as", "sales", "rates", "list", "--as-of", "2026-11-30")
	require.NoError(t, err)
	assert.Contains(t, out, "No rates into EUR.")

	_, err = run(o, "--as", "sales", "products", "upsert", "--code", "RAN-1", "--name", "Radio", "--family", "RAN", "--price", "100", "--cost", "60", "--currency", "EUR")
	assert.ErrorContains(t, err, "PermissionDenied")
	_, err = run(o, "--as", "reviewer_finance", "products", "upsert", "--code", "RAN-1", "--name", "Radio", "--family", "RAN", "--price", "100.005", "--cost", "60", "--currency", "EUR")
	assert.ErrorContains(t, err, "list price")
	out, err = run(o, "--as", "reviewer_finance", "products", "upsert", "--code", "RAN-1", "--name", "Radio", "--family", "RAN", "--price", "1200.50", "--cost", "700", "--currency", "eur")
	require.NoError(t, err)
	assert.Regexp(t, `RAN-1\s+Radio\s+RAN\s+piece\s+EUR 1200.50\s+EUR 700.00\s+true`, out)

	file := filepath.Join(t.TempDir(), "products.csv")
	require.NoError(t, os.WriteFile(file, []byte("code,name,family,unit,list_price,standard_cost,currency,active\n"+
		"SVC-PM,Project manager day,services,person-day,120000,80000,JPY,true\n"+
		"RAN-1,Radio,RAN,piece,1200.50,700,EUR,false\n"), 0o600))
	out, err = run(o, "--as", "admin", "products", "upsert", "--file", file)
	require.NoError(t, err)
	assert.Regexp(t, `SVC-PM\s+Project manager day\s+services\s+person-day\s+JPY 120000\s+JPY 80000\s+true`, out)
	assert.Regexp(t, `RAN-1\s+.*\s+false`, out)

	out, err = run(o, "--as", "sales", "products", "list", "--active", "true")
	require.NoError(t, err)
	assert.Contains(t, out, "SVC-PM")
	assert.NotContains(t, out, "RAN-1")
	out, err = run(o, "--as", "sales", "products", "list", "--family", "RAN", "--text", "radio")
	require.NoError(t, err)
	assert.Contains(t, out, "RAN-1")
	out, err = run(o, "--as", "sales", "products", "list", "--text", "nothing like it")
	require.NoError(t, err)
	assert.Contains(t, out, "No products.")
}
