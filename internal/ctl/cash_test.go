package ctl_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/type/date"

	"github.com/ltcengine/ltc/internal/dev"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// TestCashReportWithLtcctl: FINANCE invoices a contract's advance and records a partial payment with ltcctl; the
// cash report shows what was invoiced and collected, the receivable, DSO and the cash expected by month, and the
// receivable aged 40 days on.
func TestCashReportWithLtcctl(t *testing.T) {
	e, o := setup(t)
	deal := testenv.ExecutingDeal(t, e, func(p string) context.Context { return e.As(t, dev.DemoPeople[p]) }, []*ltcv1.PaymentTerm{
		{Name: "advance", Percent: "30", Trigger: ltcv1.MilestoneTrigger_MILESTONE_TRIGGER_SIGNATURE},
		{Name: "PAC", Percent: "60", Trigger: ltcv1.MilestoneTrigger_MILESTONE_TRIGGER_PAC, PlannedDate: &date.Date{Year: 2027, Month: 6, Day: 30}},
		{Name: "FAC", Percent: "10", Trigger: ltcv1.MilestoneTrigger_MILESTONE_TRIGGER_FAC},
	})
	today := time.Now().UTC().Format(time.DateOnly)
	_, err := run(o, "--as", "reviewer_finance", "contract", "invoice", deal, "--number", "INV-1", "--milestone", "M1", "--amount", "150000", "--due", today)
	require.NoError(t, err)
	_, err = run(o, "--as", "erp", "contract", "pay", deal, "--invoice", "INV-1", "--reference", "BANK-1", "--amount", "100000", "--date", today)
	require.NoError(t, err)

	_, err = run(o, "--as", "sales", "report", "cash")
	assert.ErrorContains(t, err, "FINANCE reviewers", "not the rep's to read")
	_, err = run(o, "--as", "reviewer_finance", "report", "cash", "--by", "region")
	assert.ErrorContains(t, err, "--by")

	out, err := run(o, "--as", "reviewer_finance", "report", "cash")
	require.NoError(t, err)
	assert.Contains(t, out, "receivables as of "+today)
	assert.Regexp(t, `UNIT\s+CURRENCY\s+INVOICED\s+COLLECTED\s+RECEIVABLE\s+OVERDUE 1-30\s+31-60\s+61-90\s+90\+\s+DSO`, out)
	dso := func(day time.Time) string { return regexp.QuoteMeta(fmt.Sprintf("%.1f", testenv.DSOWindow(day)/3)) }
	assert.Regexp(t, `emea/germany\s+EUR\s+EUR 150000.00\s+EUR 100000.00\s+EUR 50000.00\s+EUR 0.00\s+EUR 0.00\s+EUR 0.00\s+EUR 0.00\s+`+dso(time.Now().UTC())+`\n`, out,
		"50,000 open of 150,000 invoiced in DSO's window: a third of its days")
	thisMonth := time.Now().UTC().Format("2006-01")
	assert.Regexp(t, thisMonth+`\s+emea/germany\s+EUR\s+EUR 50000.00\n`, out, "the open invoice, due this month")
	assert.Regexp(t, `2027-06\s+emea/germany\s+EUR\s+EUR 300000.00\n`, out, "PAC's milestone, planned for June 2027")
	assert.Regexp(t, `unscheduled\s+emea/germany\s+EUR\s+EUR 50000.00\n`, out, "FAC's, with no planned date")

	later := time.Now().UTC().AddDate(0, 0, 40)
	out, err = run(o, "--as", "executive2", "report", "cash", "--by", "owner", "--owner", "sam", "--as-of", later.Format(time.DateOnly))
	require.NoError(t, err)
	assert.Regexp(t, `OWNER\s+CURRENCY`, out)
	assert.Regexp(t, `sam\s+EUR\s+EUR 150000.00\s+EUR 100000.00\s+EUR 50000.00\s+EUR 0.00\s+EUR 50000.00\s+EUR 0.00\s+EUR 0.00\s+`+dso(later)+`\n`, out,
		"40 days past due")

	out, err = run(o, "--as", "executive2", "report", "cash", "--owner", "sara", "--from", "2020-01-01", "--to", "2020-04-01")
	require.NoError(t, err)
	assert.Contains(t, out, "(no contracts)")
}
