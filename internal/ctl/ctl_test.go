package ctl_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/auth"
	"github.com/ltcengine/ltc/internal/ctl"
	"github.com/ltcengine/ltc/internal/dev"
	"github.com/ltcengine/ltc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// setup starts an engine and writes a tokens file for the demo people, as `ltcd dev` does.
func setup(t *testing.T) (*testenv.Engine, ctl.Options) {
	t.Helper()
	e := testenv.StartEngine(t)
	tokens := map[string]string{}
	for name, p := range dev.DemoPeople {
		tok, err := auth.Mint([]byte(e.Config.JWTSecret), p, time.Now(), time.Hour)
		require.NoError(t, err)
		tokens[name] = tok
	}
	path := filepath.Join(t.TempDir(), "tokens.json")
	b, err := json.Marshal(tokens)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o600))
	return e, ctl.Options{Addr: e.Config.GRPCAddr, Tokens: path, Timeout: 30 * time.Second}
}

// run runs ltcctl with the args and returns its output and error.
func run(o ctl.Options, args ...string) (string, error) {
	var out bytes.Buffer
	cmd := ctl.New(&out)
	cmd.SetArgs(append([]string{"--addr", o.Addr, "--tokens", o.Tokens}, args...))
	err := cmd.Execute()
	return out.String(), err
}

func TestDemoDrivesADealToWON(t *testing.T) {
	_, o := setup(t)
	var out bytes.Buffer
	require.NoError(t, ctl.Demo(o, &out))
	text := out.String()
	assert.Contains(t, text, "$ ltcctl --as executive2 inbox")
	assert.Regexp(t, `Stage\s+CLOSED \(WON\)`, text)
	assert.Contains(t, text, "summary.submitted")
	assert.Contains(t, text, "went from lead to WON")
}

func TestCommandsAndTheirErrors(t *testing.T) {
	_, o := setup(t)
	out, err := run(o, "--as", "sales", "lead", "create", "--customer", "Initech", "--grade", "b", "--title", "Billing system",
		"--value", "180000", "--currency", "usd", "--close", "2027-03-31", "-o", "json")
	require.NoError(t, err)
	var created struct{ Lead struct{ ID string } }
	require.NoError(t, json.Unmarshal([]byte(out), &created))
	id := created.Lead.ID
	require.NotEmpty(t, id)

	out, err = run(o, "--as", "sales", "lead", "list")
	require.NoError(t, err)
	assert.Contains(t, out, "Initech")
	assert.Contains(t, out, "USD 180000.00")

	out, err = run(o, "--as", "sales", "lead", "show", id)
	require.NoError(t, err)
	assert.Contains(t, out, "Billing system")
	assert.Contains(t, out, "(emea/germany)", "the lead belongs to its owner's unit")
	_, err = run(o, "--as", "sales", "lead", "create", "--customer", "Initech", "--grade", "B", "--title", "Elsewhere",
		"--value", "1000", "--currency", "USD", "--close", "2027-03-31", "--org", "apac/japan")
	assert.ErrorContains(t, err, "PermissionDenied")

	_, err = run(o, "--as", "sales", "lead", "qualify", id, "--urgency", "warm")
	assert.EqualError(t, err, "PermissionDenied: qualifying lead "+id+" needs the sales_manager role for emea/germany (ask someone who holds the role, or use their token)")

	out, err = run(o, "--as", "sales_manager", "lead", "qualify", id, "--urgency", "warm")
	require.NoError(t, err)
	assert.Contains(t, out, "is in VALIDATION")

	_, err = run(o, "--as", "sales_manager", "lead", "qualify", id, "--urgency", "warm")
	assert.ErrorContains(t, err, "FailedPrecondition: lead "+id+" is QUALIFIED")

	_, err = run(o, "--as", "sales", "lead", "create", "--customer", "", "--grade", "b", "--title", "", "--close", "2027-03-31")
	assert.ErrorContains(t, err, "InvalidArgument: invalid request: customer.name")
	assert.ErrorContains(t, err, "title")

	_, err = run(o, "--as", "sales", "lead", "qualify", id, "--urgency", "lukewarm")
	assert.ErrorContains(t, err, `"lukewarm" is not one of COLD, HOT, WARM`)

	_, err = run(o, "--as", "sales", "deal", "show", "6c9f3f5e-1111-4222-8333-944445555666")
	assert.ErrorContains(t, err, "NotFound")

	_, err = run(o, "lead", "list")
	assert.ErrorContains(t, err, "no token")
	_, err = run(o, "--token", "garbage", "lead", "list")
	assert.ErrorContains(t, err, "Unauthenticated")
	_, err = run(o, "--as", "nobody", "lead", "list")
	assert.ErrorContains(t, err, `no token for "nobody"`)

	dead := o
	dead.Addr = "127.0.0.1:1"
	_, err = run(dead, "--as", "sales", "--timeout", "2s", "lead", "list")
	assert.ErrorContains(t, err, "is ltcd running at 127.0.0.1:1?")

	out, err = run(o, "--as", "sales", "deal", "show", id)
	require.NoError(t, err)
	assert.Regexp(t, `Stage\s+VALIDATION`, out)
	assert.Contains(t, out, "lead.created")

	out, err = run(o, "--as", "sales", "deal", "list", "--stage", "validation")
	require.NoError(t, err)
	assert.Contains(t, out, id)

	out, err = run(o, "--as", "executive3", "inbox")
	require.NoError(t, err)
	assert.Contains(t, out, "Nothing waits for you.")

	out, err = run(o, "--as", "admin", "events", "--deal", id)
	require.NoError(t, err)
	assert.Equal(t, 3, strings.Count(out, "\n"), out)
	assert.Contains(t, out, "opportunity.created")

	out, err = run(o, "--as", "executive3", "report")
	require.NoError(t, err)
	assert.Contains(t, out, "VALIDATION -> INITIATION_REVIEW")
	_, err = run(o, "--as", "sales", "report")
	assert.ErrorContains(t, err, "PermissionDenied")
}
