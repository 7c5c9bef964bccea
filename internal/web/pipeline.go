package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/message"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// chart is one chart of the pipeline page: its element's id, its title and what static/charts.js draws, as
// JSON in the element's data-chart attribute (the policy forbids inline script; the same figures are in a table
// beside it, for readers without JavaScript or a screen).
type chart struct {
	ID, Title, Spec string
}

// chartSpec is what charts.js draws: a Kind of chart ("bar", "hbar" with the bars across, "funnel" or "pie") of
// Series over Labels, with the Unit of its values.
type chartSpec struct {
	Kind   string   `json:"kind"`
	Labels []string `json:"labels"`
	Series []series `json:"series"`
	Unit   string   `json:"unit,omitempty"`
}

// series is one named row of values of a chart, a value per label.
type series struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
}

// pipelineView is the pipeline page: the report of a quarter and its charts.
type pipelineView struct {
	// Quarter is the quarter reported, "2026-Q4"; Quarters are those the page offers, the newest first.
	Quarter  string
	Quarters []string
	// Level, Owner and Account narrow the report to the deals of a level, an owner (user id) or an account.
	Level, Owner, Account string
	Levels                []ltcv1.ProjectLevel
	Report                *ltcv1.GetPipelineReportResponse
	Charts                []chart
}

// pipeline shows the pipeline report of a quarter (GetPipelineReport; the current quarter unless the query
// names one), of the deals of a level, an owner or an account when the query names them, as charts and tables.
func (s *Server) pipeline(w http.ResponseWriter, r *http.Request, id Identity) {
	now := time.Now().UTC()
	q := r.URL.Query()
	view := pipelineView{Quarter: q.Get("quarter"), Level: q.Get("level"), Owner: strings.TrimSpace(q.Get("owner")),
		Account: strings.TrimSpace(q.Get("account")), Levels: []ltcv1.ProjectLevel{ltcv1.ProjectLevel_PROJECT_LEVEL_A,
			ltcv1.ProjectLevel_PROJECT_LEVEL_B, ltcv1.ProjectLevel_PROJECT_LEVEL_C}}
	for i := range 8 {
		view.Quarters = append(view.Quarters, quarterOf(now.AddDate(0, -3*i, 0)))
	}
	start, ok := quarterStart(view.Quarter)
	if !ok {
		view.Quarter = view.Quarters[0]
		start, _ = quarterStart(view.Quarter)
	}
	ctx, cancel := s.call(r, id)
	defer cancel()
	report, err := s.reports.GetPipelineReport(ctx, &ltcv1.GetPipelineReportRequest{
		StartTime: timestamppb.New(start), EndTime: timestamppb.New(start.AddDate(0, 3, 0)),
		Level: ltcv1.ProjectLevel(ltcv1.ProjectLevel_value[view.Level]), OwnerId: view.Owner, AccountId: view.Account})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	view.Report = report
	view.Charts = pipelineCharts(printer(requestLanguage(r)), report)
	s.render(w, r, http.StatusOK, "pipeline", "pipeline", view)
}

// quarterOf names the calendar quarter of t, "2026-Q4".
func quarterOf(t time.Time) string { return fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())+2)/3) }

// quarterStart is the first instant (UTC) of a quarter named "2026-Q4"; false when q names none.
func quarterStart(q string) (time.Time, bool) {
	var year, n int
	if _, err := fmt.Sscanf(q, "%4d-Q%1d", &year, &n); err != nil || n < 1 || n > 4 || year < 2000 || year > 2100 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(3*(n-1)+1), 1, 0, 0, 0, 0, time.UTC), true
}

// pipelineCharts are the report's charts, their words in p's language: the funnel, the conversions, the time in
// stage, the gate turnaround, the win rate and the top accounts' shares.
func pipelineCharts(p *message.Printer, report *ltcv1.GetPipelineReportResponse) []chart {
	enum := func(v fmt.Stringer) string { return p.Sprintf(v.String()) }
	funnel := chartSpec{Kind: "funnel", Series: []series{{Name: p.Sprintf("Deals")}}}
	for _, f := range report.Funnel {
		label := enum(f.Stage)
		if f.Outcome != ltcv1.Outcome_OUTCOME_UNSPECIFIED {
			label += " · " + enum(f.Outcome)
		}
		funnel.Labels = append(funnel.Labels, label)
		funnel.Series[0].Values = append(funnel.Series[0].Values, float64(f.Deals))
	}
	conversion := chartSpec{Kind: "hbar", Unit: "%", Series: []series{{Name: p.Sprintf("Conversion")}}}
	for _, c := range report.Conversions {
		conversion.Labels = append(conversion.Labels, enum(c.FromStage)+" → "+enum(c.ToStage))
		conversion.Series[0].Values = append(conversion.Series[0].Values, percent(c.Rate))
	}
	stages := chartSpec{Kind: "bar", Unit: p.Sprintf("days"), Series: []series{{Name: p.Sprintf("Median")}, {Name: p.Sprintf("90th percentile")}}}
	for _, st := range report.TimeInStage {
		stages.Labels = append(stages.Labels, enum(st.Stage))
		stages.Series[0].Values = append(stages.Series[0].Values, days(st.Median))
		stages.Series[1].Values = append(stages.Series[1].Values, days(st.P90))
	}
	gates := chartSpec{Kind: "bar", Unit: p.Sprintf("days"), Series: []series{{Name: p.Sprintf("Median")}, {Name: p.Sprintf("90th percentile")}}}
	for _, g := range report.GateTurnaround {
		gates.Labels = append(gates.Labels, enum(g.Gate)+" · "+enum(g.Level))
		gates.Series[0].Values = append(gates.Series[0].Values, days(g.Median))
		gates.Series[1].Values = append(gates.Series[1].Values, days(g.P90))
	}
	winRate := chartSpec{Kind: "pie", Labels: []string{enum(ltcv1.Outcome_OUTCOME_WON), p.Sprintf("Closed, not won")},
		Series: []series{{Name: p.Sprintf("Deals closed"), Values: []float64{float64(report.DealsWon), float64(report.DealsClosed - report.DealsWon)}}}}
	top := chartSpec{Kind: "hbar", Unit: "%", Series: []series{{Name: p.Sprintf("Share of the open pipeline")}}}
	for _, a := range report.TopAccounts {
		top.Labels = append(top.Labels, a.AccountName+" ("+a.GetValue().GetCurrencyCode()+")")
		top.Series[0].Values = append(top.Series[0].Values, percent(a.Share))
	}
	return []chart{
		{ID: "chart-funnel", Title: p.Sprintf("Funnel"), Spec: specJSON(funnel)},
		{ID: "chart-conversion", Title: p.Sprintf("Conversion"), Spec: specJSON(conversion)},
		{ID: "chart-time-in-stage", Title: p.Sprintf("Time in stage"), Spec: specJSON(stages)},
		{ID: "chart-gate-turnaround", Title: p.Sprintf("Gate turnaround"), Spec: specJSON(gates)},
		{ID: "chart-win-rate", Title: p.Sprintf("Win rate"), Spec: specJSON(winRate)},
		{ID: "chart-top-accounts", Title: p.Sprintf("Top accounts"), Spec: specJSON(top)},
	}
}

func specJSON(c chartSpec) string {
	b, err := json.Marshal(c)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// percent is a rate of 0 to 1 in percent, to one decimal.
func percent(rate float64) float64 { return float64(int(rate*1000+0.5)) / 10 }

// days is a duration in days, to one decimal.
func days(d *durationpb.Duration) float64 {
	return float64(int(d.AsDuration().Hours()/24*10+0.5)) / 10
}

// Chart is the page's chart of the id.
func (v pipelineView) Chart(id string) chart {
	for _, c := range v.Charts {
		if c.ID == id {
			return c
		}
	}
	return chart{}
}

// Percent shows a rate of 0 to 1 in percent.
func (p *Page) Percent(rate float64) string { return fmt.Sprintf("%.1f %%", percent(rate)) }

// Span shows a duration in the page's language: in hours under two days, else in days.
func (p *Page) Span(d *durationpb.Duration) string {
	if h := d.AsDuration().Hours(); h < 48 {
		return p.T("%.1f hours", h)
	}
	return p.T("%.1f days", days(d))
}
