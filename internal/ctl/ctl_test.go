package ctl_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/auth"
	"github.com/ltcengine/ltc/internal/ctl"
	"github.com/ltcengine/ltc/internal/dev"
	"github.com/ltcengine/ltc/internal/ltc"
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
	e, o := setup(t)
	require.NoError(t, dev.SeedReference(t.Context(), e.Store, ltc.DefaultPolicy().Base()), "the rates and catalogue ltcd dev keeps")
	var out bytes.Buffer
	require.NoError(t, ctl.Demo(o, &out))
	text := out.String()
	assert.Contains(t, text, "$ ltcctl --as executive2 inbox")
	assert.Regexp(t, `Stage\s+CLOSED \(WON\)`, text)
	assert.Contains(t, text, "summary.submitted")
	assert.Contains(t, text, "opportunity.forecast_updated")
	assert.Regexp(t, `TOTAL\s+EUR \d+\.\d\d`, text, "the forecast report")
	assert.Contains(t, text, "went from lead to WON")
	assert.Contains(t, text, "$ ltcctl --as executive2 account grade")
	assert.Regexp(t, `(?m)^Clara Chen, CEO .*\n└── Tom Tran, CTO .*rising star.*\n    └── Paula Park, Head of Procurement .*hidden decider`, text)
	assert.Regexp(t, `Customer\s+Acme Telecom \(demo \w+\) \(grade A\), account `, text)
	// The bid's lines make its price; FINANCE reads their costs and the margin against the floor.
	assert.Regexp(t, `Totals\s+list EUR 2684000.00, discount EUR 284000.00 \(10.58%\), net EUR 2400000.00, cost EUR 1466600.00, gross margin 38.89%`, text)
	assert.Regexp(t, `Margin\s+38.89% against the level's floor of 15%, at or above it`, text)
	// From WON to the last payment: the contract's milestones accepted, invoiced, paid, and closed.
	assert.Regexp(t, `Milestone M2\s+PAC, 60% EUR 1410000.00, due since \S+; invoiced EUR 1410000.00, paid EUR 1410000.00`, text)
	assert.Regexp(t, `Status\s+COMPLETED \(deal CLOSED\)`, text)
	assert.Contains(t, text, "went from lead to WON and its last payment")
	assert.Contains(t, text, "contract.closed")
	assert.Regexp(t, `(?m)^`+`\S+\s+COMPLETED\s+Acme Telecom \(demo \w+\)\s+EUR 2350000.00\s+EUR 2350000.00\s+EUR 2350000.00\s+false\s+sam`, text, "the contract list")
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

// TestAccountCommands works an account from the command line: creation, grading and its refusal, the power map
// as a tree, an erasure, and an activity that needs its LEGAL review first.
func TestAccountCommands(t *testing.T) {
	_, o := setup(t)
	rid := func() string { return uuid.NewString() }

	req := rid()
	account := ltc.AccountID(req)
	out, err := run(o, "--as", "sales", "--request-id", req, "account", "create", "--name", "Globex Energy GmbH", "--grade", "b",
		"--industry", "energy", "--region", "EMEA", "--rationale", "regional utility", "--supplier", "registered", "--supplier-expiry", "2030-12-31")
	require.NoError(t, err)
	assert.Contains(t, out, account)
	assert.Regexp(t, `Grade\s+B`, out)
	assert.Regexp(t, `Supplier\s+REGISTERED until 2030-12-31`, out)

	_, err = run(o, "--as", "sales", "account", "create", "--name", "GLOBEX energy", "--grade", "c", "--region", "emea")
	assert.ErrorContains(t, err, "AlreadyExists")
	assert.ErrorContains(t, err, "ltcctl lead create --account "+account, "the refusal names the customer's account")

	_, err = run(o, "--as", "sales", "account", "grade", account, "--grade", "S", "--rationale", "my best customer")
	assert.EqualError(t, err, "PermissionDenied: grading account "+account+" from B to S needs an executive whose scope holds emea/germany"+
		" (ask someone who holds the role, or use their token)")

	out, err = run(o, "--as", "executive2", "account", "grade", account, "--grade", "a", "--rationale", "grid modernisation programme")
	require.NoError(t, err)
	assert.Regexp(t, `Graded\s+B -> A by Eva Region \(eva\)`, out)
	assert.Contains(t, out, "Review cadence")

	_, err = run(o, "--as", "sales", "account", "update", account)
	assert.ErrorContains(t, err, "nothing to change: pass at least one of")
	out, err = run(o, "--as", "sales", "account", "update", account, "--industry", "utilities")
	require.NoError(t, err)
	assert.Regexp(t, `Industry, region\s+utilities, EMEA`, out)
	assert.Regexp(t, `Supplier\s+REGISTERED`, out, "only the fields given change")

	ceoReq, ctoReq, buyerReq := rid(), rid(), rid()
	ceo, cto, buyer := ltc.ContactID(ceoReq), ltc.ContactID(ctoReq), ltc.ContactID(buyerReq)
	for _, c := range [][]string{
		{ceoReq, "--name", "Clara Chen", "--title", "CEO", "--role", "decision_maker", "--attitude", "accepts_us"},
		{ctoReq, "--name", "Tom Tran", "--title", "CTO", "--reports-to", ceo, "--role", "influencer", "--rising-star", "--holder", "sam", "--strength", "4"},
		{buyerReq, "--name", "Paula Park", "--title", "Head of Procurement", "--reports-to", cto, "--role", "gatekeeper", "--hidden-decider", "--attitude", "commodity"},
		{rid(), "--name", "Otto Other", "--title", "Board member"},
	} {
		_, err := run(o, append([]string{"--as", "sales", "--request-id", c[0], "account", "contact", "add", account}, c[1:]...)...)
		require.NoError(t, err)
	}
	_, err = run(o, "--as", "sales", "account", "contact", "update", account, buyer, "--attitude", "threat", "--role", "nonsense")
	assert.ErrorContains(t, err, `"nonsense" is not one of`)
	out, err = run(o, "--as", "sales", "account", "contact", "update", account, buyer, "--attitude", "accepts_us")
	require.NoError(t, err)
	assert.Regexp(t, `Role\s+GATEKEEPER, attitude ACCEPTS_US, hidden decider`, out, "the flags not given stay")

	out, err = run(o, "--as", "sales", "account", "show", account)
	require.NoError(t, err)
	tree := powerMap(t, out)
	require.Len(t, tree, 4, out)
	assert.Regexp(t, `^Clara Chen, CEO\s+DECISION_MAKER\s+ACCEPTS_US\s+-\s+-\s+`+ceo, tree[0])
	assert.Regexp(t, `^└── Tom Tran, CTO\s+INFLUENCER\s+-\s+rising star\s+sam, strength 4\s+`+cto, tree[1])
	assert.Regexp(t, `^    └── Paula Park, Head of Procurement\s+GATEKEEPER\s+ACCEPTS_US\s+hidden decider\s+-\s+`+buyer, tree[2])
	assert.Regexp(t, `^Otto Other, Board member\s`, tree[3], "a second tree starts at depth 0")

	_, err = run(o, "--as", "sales2", "account", "contact", "erase", account, buyer, "--reference", "PRIV-7")
	assert.ErrorContains(t, err, "PermissionDenied", "not on the account")
	out, err = run(o, "--as", "sales", "account", "contact", "erase", account, buyer, "--reference", "PRIV-7")
	require.NoError(t, err)
	assert.Regexp(t, `Contact\s+`+buyer+`\s+\(erased\)`, out)
	out, err = run(o, "--as", "sales", "account", "show", account)
	require.NoError(t, err)
	tree = powerMap(t, out)
	assert.Regexp(t, `^    └── \(erased\)\s+GATEKEEPER\s+ACCEPTS_US\s+hidden decider`, tree[2], "the erased contact keeps its place")
	assert.NotContains(t, out, "Paula")
	out, err = run(o, "--as", "sales", "account", "contact", "list", account)
	require.NoError(t, err)
	assert.Contains(t, out, "(erased)")
	assert.NotContains(t, out, "Paula")

	_, err = run(o, "--as", "sales", "account", "activity", "record", account, "--kind", "hospitality", "--state", "held",
		"--our", "sam", "--contact", cto, "--subject", "dinner", "--value", "2000", "--currency", "CNY")
	assert.ErrorContains(t, err, "FailedPrecondition")
	assert.ErrorContains(t, err, "`ltcctl account show`")
	actReq := rid()
	activity := ltc.ActivityID(actReq)
	out, err = run(o, "--as", "sales", "--request-id", actReq, "account", "activity", "record", account, "--kind", "hospitality",
		"--our", "sam", "--contact", cto, "--subject", "dinner", "--value", "2000", "--currency", "CNY")
	require.NoError(t, err)
	assert.Regexp(t, `LEGAL review\s+PENDING`, out)
	_, err = run(o, "--as", "sales", "account", "activity", "complete", account, activity)
	assert.ErrorContains(t, err, "FailedPrecondition")
	out, err = run(o, "--as", "reviewer_legal", "account", "activity", "list", "--pending")
	require.NoError(t, err)
	assert.Contains(t, out, activity)
	out, err = run(o, "--as", "reviewer_legal", "account", "activity", "review", account, activity, "--result", "approved", "--rationale", "within the code")
	require.NoError(t, err)
	assert.Regexp(t, `LEGAL review\s+APPROVED by Leo Legal`, out)
	out, err = run(o, "--as", "sales", "account", "activity", "complete", account, activity, "--outcome", "good talk")
	require.NoError(t, err)
	assert.Regexp(t, `State\s+HELD`, out)
	out, err = run(o, "--as", "reviewer_legal", "account", "activity", "list", "--pending")
	require.NoError(t, err)
	assert.Contains(t, out, "No activity waits for your review.")

	_, err = run(o, "--as", "sales", "account", "assess", account, "--level", "vendor", "--communication", "2", "--business-fit", "3",
		"--joint-undertakings", "1", "--identification", "2", "--rationale", "early days")
	require.NoError(t, err)
	_, err = run(o, "--as", "sales", "account", "plan", account, "--target-level", "preferred_supplier", "--target-orders", "1000000",
		"--currency", "EUR", "--objectives", "pilot at the grid operator")
	require.NoError(t, err)
	_, err = run(o, "--as", "sales", "account", "review", account, "--attendee", "sam", "--contact", cto, "--conclusions", "pilot agreed")
	require.NoError(t, err)
	out, err = run(o, "--as", "sales", "account", "satisfaction", account, "--score", "72", "--respondents", "9")
	require.NoError(t, err)
	assert.Regexp(t, `Relationship\s+VENDOR`, out)
	assert.Regexp(t, `Plan \d{4}\s+reach PREFERRED_SUPPLIER, orders EUR 1000000.00`, out)
	assert.Regexp(t, `Last review\s+\d{4}-Q\d held .*pilot agreed`, out)
	assert.Regexp(t, `Satisfaction\s+72 in`, out)

	out, err = run(o, "--as", "sales", "account", "list", "--grade", "A", "--name", "globex")
	require.NoError(t, err)
	assert.Contains(t, out, account)
	out, err = run(o, "--as", "sales", "account", "list", "--level", "partner")
	require.NoError(t, err)
	assert.NotContains(t, out, account)

	_, err = run(o, "--as", "sales", "lead", "create", "--account", account, "--customer", "Globex", "--title", "Smart meters",
		"--value", "1000", "--currency", "EUR", "--close", "2027-03-31")
	assert.ErrorContains(t, err, "name the customer once")
	_, err = run(o, "--as", "sales", "lead", "create", "--title", "Smart meters", "--value", "1000", "--currency", "EUR", "--close", "2027-03-31")
	assert.ErrorContains(t, err, "name the customer once")
	out, err = run(o, "--as", "sales", "lead", "create", "--account", account, "--title", "Smart meters",
		"--value", "1000", "--currency", "EUR", "--close", "2027-03-31")
	require.NoError(t, err)
	assert.Regexp(t, `Customer\s+Globex Energy GmbH \(grade A\), account `+account, out)
}

// powerMap returns the lines of the power map that `account show` draws, below its header.
func powerMap(t *testing.T, out string) []string {
	t.Helper()
	_, after, ok := strings.Cut(out, "Power map (权力地图)\n")
	require.True(t, ok, out)
	lines := strings.Split(strings.TrimRight(after, "\n"), "\n")
	require.True(t, strings.HasPrefix(lines[0], "CONTACT"), out)
	return lines[1:]
}
