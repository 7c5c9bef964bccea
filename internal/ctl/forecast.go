package ctl

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// dealForecast is `deal forecast DEAL --close-date D --value V --currency C --category K [--reason R]`.
func dealForecast(run runner) *cobra.Command {
	var f struct{ closeDate, value, currency, category, reason string }
	cmd := change(run, "forecast DEAL", "Update the deal's forecast: expected close date, value and category (the deal's AR)", 1,
		func(s *session, args []string) (func() (*ltcv1.Opportunity, error), error) {
			d, err := day(f.closeDate)
			if err != nil {
				return nil, fmt.Errorf("--close-date: %w", err)
			}
			value, err := money(f.value, f.currency)
			if err != nil {
				return nil, fmt.Errorf("--value: %w", err)
			}
			category, err := enum[ltcv1.ForecastCategory](ltcv1.ForecastCategory_value, "FORECAST_CATEGORY_", f.category)
			if err != nil {
				return nil, fmt.Errorf("--category: %w", err)
			}
			return func() (*ltcv1.Opportunity, error) {
				resp, err := call(s, s.deals.UpdateForecast, &ltcv1.UpdateForecastRequest{RequestId: s.requestID(), OpportunityId: args[0],
					ExpectedCloseDate: d, Value: value,
					Category: category, Reason: f.reason})
				return resp.GetOpportunity(), err
			}, nil
		})
	cmd.Flags().StringVar(&f.closeDate, "close-date", "", "expected close date, YYYY-MM-DD")
	cmd.Flags().StringVar(&f.value, "value", "", "value in major units, exactly (1200000.50)")
	cmd.Flags().StringVar(&f.currency, "currency", "", "ISO 4217 currency code of the value")
	cmd.Flags().StringVar(&f.category, "category", "", "pipeline, best-case, commit or omitted")
	cmd.Flags().StringVar(&f.reason, "reason", "", "why, optional")
	return cmd
}

// reportForecast is `report forecast --quarter 2027-Q1 [--currency C] [--unit U] [--owner ID]`.
func reportForecast(run runner) *cobra.Command {
	var q, currency, unit, owner string
	cmd := &cobra.Command{Use: "forecast", Short: "A quarter's forecast per unit and owner, with its weekly snapshots", Args: cobra.NoArgs,
		RunE: run(func(s *session, _ []string) error {
			r, err := call(s, s.rep.GetForecastReport, &ltcv1.GetForecastReportRequest{Quarter: q,
				CurrencyCode: strings.ToUpper(currency), OrgUnit: unit, OwnerId: owner})
			if err != nil {
				return err
			}
			return s.show(r, func(w io.Writer) { renderForecast(w, r) })
		})}
	cmd.Flags().StringVar(&q, "quarter", quarter(time.Now()), "the quarter, 2027-Q1")
	cmd.Flags().StringVar(&currency, "currency", "", "report in this currency (default: the policy's base currency)")
	cmd.Flags().StringVar(&unit, "unit", "", "only this org unit and the units below it")
	cmd.Flags().StringVar(&owner, "owner", "", "only this owner")
	return cmd
}

func renderForecast(w io.Writer, r *ltcv1.GetForecastReportResponse) {
	fmt.Fprintf(w, "Forecast %s in %s, as of %s\n\n", r.Quarter, r.CurrencyCode, showDay(r.AsOfDate))
	fmt.Fprintln(w, "UNIT\tOWNER\tCOMMIT\tBEST CASE\tPIPELINE\tWEIGHTED\tWON\tDEALS (C/B/P/W/OMITTED)")
	row := func(unit, owner string, f *ltcv1.ForecastFigures) {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d/%d/%d/%d/%d\n", orDash(unit), owner, showTotal(f.Committed),
			showTotal(f.BestCase), showTotal(f.Pipeline), showTotal(f.WeightedPipeline), showTotal(f.Won),
			f.CommittedDeals, f.BestCaseDeals, f.PipelineDeals, f.WonDeals, f.OmittedDeals)
	}
	for _, x := range r.Rows {
		row(x.OrgUnit, x.OwnerId, x.Figures)
	}
	row("TOTAL", "", r.Total)
	fmt.Fprintln(w, "\nWEEK\tCOMMIT\tBEST CASE\tWON")
	for _, wk := range r.Weeks {
		live := ""
		if wk.Live {
			live = " (now)"
		}
		fmt.Fprintf(w, "%s..%s%s\t%s\t%s\t%s\n", showDay(wk.WeekStart), showDay(wk.WeekEnd), live, showTotal(wk.Committed),
			showTotal(wk.BestCase), showTotal(wk.Won))
	}
	for _, x := range r.Rates {
		fmt.Fprintf(w, "Rate\t1 %s = %s %s (since %s)\n", x.FromCurrency, x.Rate, x.ToCurrency, showDay(x.EffectiveDate))
	}
}
