package ctl

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ltcengine/ltc/internal/ltc"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// reportCash is `report cash [--from D] [--to D] [--as-of D] [--by unit|owner|account] [--owner ID]`.
func reportCash(run runner) *cobra.Command {
	var from, to, asOf, by, owner string
	cmd := &cobra.Command{Use: "cash", Short: "Contracts' cash: invoiced and collected in a period, receivables aged, DSO and the cash expected by month",
		Args: cobra.NoArgs,
		RunE: run(func(s *session, _ []string) error {
			start, end, err := period(from, to)
			if err != nil {
				return err
			}
			day, err := optionalDay(asOf)
			if err != nil {
				return fmt.Errorf("--as-of: %w", err)
			}
			group, err := enum[ltcv1.CashGrouping](ltcv1.CashGrouping_value, "CASH_GROUPING_", by)
			if err != nil {
				return fmt.Errorf("--by: %w", err)
			}
			r, err := call(s, s.rep.GetCashReport, &ltcv1.GetCashReportRequest{StartTime: start, EndTime: end, AsOf: day, GroupBy: group, OwnerId: owner})
			if err != nil {
				return err
			}
			return s.show(r, func(w io.Writer) { renderCash(w, r, from, to, group) })
		})}
	start := ltc.QuarterStart(time.Now())
	end := start.AddDate(0, 3, 0)
	cmd.Flags().StringVar(&from, "from", start.Format(time.DateOnly), "start of the period, YYYY-MM-DD (default: the current quarter's)")
	cmd.Flags().StringVar(&to, "to", end.Format(time.DateOnly), "end of the period (exclusive), YYYY-MM-DD")
	cmd.Flags().StringVar(&asOf, "as-of", "", "the day receivables are aged and DSO taken on, YYYY-MM-DD (default: today)")
	cmd.Flags().StringVar(&by, "by", "unit", "group the rows by unit, owner or account")
	cmd.Flags().StringVar(&owner, "owner", "", "only the contracts of this owner's deals")
	return cmd
}

func renderCash(w io.Writer, r *ltcv1.GetCashReportResponse, from, to string, group ltcv1.CashGrouping) {
	key := map[ltcv1.CashGrouping]string{ltcv1.CashGrouping_CASH_GROUPING_OWNER: "OWNER", ltcv1.CashGrouping_CASH_GROUPING_ACCOUNT: "ACCOUNT"}[group]
	if key == "" {
		key = "UNIT"
	}
	fmt.Fprintf(w, "Cash invoiced and collected from %s to %s (exclusive), receivables as of %s\n\n", from, to, showDay(r.AsOf))
	fmt.Fprintf(w, "%s\tCURRENCY\tINVOICED\tCOLLECTED\tRECEIVABLE\tOVERDUE 1-30\t31-60\t61-90\t90+\tDSO\n", key)
	for _, x := range r.Rows {
		overdue := make([]string, 4)
		for i := range overdue {
			overdue[i] = "-"
		}
		for i, b := range x.Overdue {
			if i < len(overdue) {
				overdue[i] = showMoney(b.Amount)
			}
		}
		dso := "-"
		if x.DsoDays != nil {
			dso = fmt.Sprintf("%.1f", *x.DsoDays)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", orDash(x.Key), x.CurrencyCode, showMoney(x.Invoiced), showMoney(x.Collected),
			showMoney(x.Receivable), strings.Join(overdue, "\t"), dso)
	}
	if len(r.Rows) == 0 {
		fmt.Fprintln(w, "(no contracts)")
	}
	fmt.Fprintf(w, "\nExpected cash by month (open invoices by due month, milestones not invoiced by planned month)\nMONTH\t%s\tCURRENCY\tAMOUNT\n", key)
	for _, x := range r.Rows {
		for _, planned := range []bool{true, false} { // the months, then the milestones with no planned date
			for _, e := range x.Expected {
				if (e.Month != nil) != planned {
					continue
				}
				month := "unscheduled"
				if planned {
					month = fmt.Sprintf("%04d-%02d", e.Month.Year, e.Month.Month)
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", month, orDash(x.Key), x.CurrencyCode, showMoney(e.Amount))
			}
		}
	}
}
