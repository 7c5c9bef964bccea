package web

import (
	"net/http"
	"strings"
	"time"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// forecastView is the forecast page: a quarter's forecast per unit and owner, its weeks and the rates it used.
type forecastView struct {
	// Quarter is the quarter reported, "2026-Q4"; Quarters are those the page offers, from the next year's back.
	Quarter  string
	Quarters []string
	// Currency, Unit and Owner are the report's currency and filters, as asked.
	Currency, Unit, Owner string
	Report                *ltcv1.GetForecastReportResponse
}

// forecast shows the forecast report of a quarter (GetForecastReport; the current quarter unless the query names
// one), in a currency and of a unit or an owner when the query names them.
func (s *Server) forecast(w http.ResponseWriter, r *http.Request, id Identity) {
	now := time.Now().UTC()
	q := r.URL.Query()
	view := forecastView{Quarter: q.Get("quarter"), Currency: strings.ToUpper(strings.TrimSpace(q.Get("currency"))),
		Unit: strings.TrimSpace(q.Get("unit")), Owner: strings.TrimSpace(q.Get("owner"))}
	for i := -3; i < 5; i++ {
		view.Quarters = append(view.Quarters, quarterOf(now.AddDate(0, -3*i, 0)))
	}
	if _, ok := quarterStart(view.Quarter); !ok {
		view.Quarter = quarterOf(now)
	}
	ctx, cancel := s.call(r, id)
	defer cancel()
	report, err := s.reports.GetForecastReport(ctx, &ltcv1.GetForecastReportRequest{Quarter: view.Quarter,
		CurrencyCode: view.Currency, OrgUnit: view.Unit, OwnerId: view.Owner})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	view.Report = report
	s.render(w, r, http.StatusOK, "forecast", "forecast", view)
}
