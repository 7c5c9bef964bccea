package web

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/ltc"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// cashView is the cash page: the contracts' cash of a period (GetCashReport), grouped by unit, owner or account.
type cashView struct {
	// From and To are the period's first and last day, AsOf the day receivables are aged on (empty: today), as
	// YYYY-MM-DD; By is the grouping ("unit", "owner" or "account") and Owner the owner asked for.
	From, To, AsOf, By, Owner string
	Report                    *ltcv1.GetCashReportResponse
	Rows                      []cashRow
}

// cashRow is a row of the cash report as the page shows it: its key's label and link, and the months of its
// expected cash.
type cashRow struct {
	*ltcv1.CashReportRow
	// Label is the key as shown (empty: the deals with no account, for the account grouping); Link the page of
	// an account.
	Label, Link string
	Months      []cashMonth
}

// cashMonth is the cash expected in a month, "2027-06"; Month is empty for milestones with no planned date.
type cashMonth struct {
	Month  string
	Amount *ltcv1.Money
}

// cashGroupings are the groupings the page offers, by their query value.
var cashGroupings = map[string]ltcv1.CashGrouping{"unit": ltcv1.CashGrouping_CASH_GROUPING_UNIT,
	"owner": ltcv1.CashGrouping_CASH_GROUPING_OWNER, "account": ltcv1.CashGrouping_CASH_GROUPING_ACCOUNT}

// cash shows the cash report of a period (the current quarter unless the query names its first and last day),
// aged as of a day, grouped and of an owner as the query asks.
func (s *Server) cash(w http.ResponseWriter, r *http.Request, id Identity) {
	q := r.URL.Query()
	view := cashView{By: q.Get("by"), Owner: strings.TrimSpace(q.Get("owner"))}
	if _, ok := cashGroupings[view.By]; !ok {
		view.By = "unit"
	}
	start := ltc.QuarterStart(time.Now())
	from, err := time.Parse(time.DateOnly, q.Get("from"))
	if err != nil {
		from = start
	}
	to, err := time.Parse(time.DateOnly, q.Get("to"))
	if err != nil || to.Before(from) {
		to = from.AddDate(0, 3, -1)
	}
	view.From, view.To = from.Format(time.DateOnly), to.Format(time.DateOnly)
	req := &ltcv1.GetCashReportRequest{StartTime: timestamppb.New(from), EndTime: timestamppb.New(to.AddDate(0, 0, 1)),
		GroupBy: cashGroupings[view.By], OwnerId: view.Owner}
	if asOf, err := time.Parse(time.DateOnly, q.Get("as_of")); err == nil {
		view.AsOf = asOf.Format(time.DateOnly)
		req.AsOf = &date.Date{Year: int32(asOf.Year()), Month: int32(asOf.Month()), Day: int32(asOf.Day())}
	}
	ctx, cancel := s.call(r, id)
	defer cancel()
	report, err := s.reports.GetCashReport(ctx, req)
	if err != nil {
		s.failed(w, r, err)
		return
	}
	view.Report = report
	for _, row := range report.Rows {
		v := cashRow{CashReportRow: row, Label: row.Key}
		if view.By == "account" && row.Key != "" {
			v.Link = "/accounts/" + row.Key
		}
		var unplanned []cashMonth // last, after the months
		for _, e := range row.Expected {
			if e.Month == nil {
				unplanned = append(unplanned, cashMonth{Amount: e.Amount})
				continue
			}
			v.Months = append(v.Months, cashMonth{Month: fmt.Sprintf("%04d-%02d", e.Month.Year, e.Month.Month), Amount: e.Amount})
		}
		v.Months = append(v.Months, unplanned...)
		view.Rows = append(view.Rows, v)
	}
	s.render(w, r, http.StatusOK, "cash", "cash", view)
}

// cashReaders remembers, by token, whether its holder may read the cash report, which the navigation shows only
// to them. The API decides (ltc.CanReadCashReport): mayReadCash asks it for a report of an empty period, which it
// refuses as not theirs before it reads the period (and as an empty period after), so the question costs no query.
type cashReaders struct {
	mu  sync.Mutex
	may map[string]bool
}

// cashReadersKept is how many tokens cashReaders keeps before it forgets them all (tokens expire; sessions renew them).
const cashReadersKept = 10_000

func (s *Server) mayReadCash(r *http.Request, id Identity) bool {
	s.cashReaders.mu.Lock()
	may, known := s.cashReaders.may[id.Token]
	s.cashReaders.mu.Unlock()
	if known {
		return may
	}
	ctx, cancel := s.call(r, id)
	defer cancel()
	epoch := timestamppb.New(time.Unix(0, 0))
	_, err := s.reports.GetCashReport(ctx, &ltcv1.GetCashReportRequest{StartTime: epoch, EndTime: epoch})
	switch status.Code(err) {
	case codes.OK, codes.InvalidArgument:
		may = true
	case codes.PermissionDenied, codes.Unimplemented:
	default:
		return false // unknown for now: asked again on the next page
	}
	s.cashReaders.mu.Lock()
	defer s.cashReaders.mu.Unlock()
	if s.cashReaders.may == nil || len(s.cashReaders.may) >= cashReadersKept {
		s.cashReaders.may = map[string]bool{}
	}
	s.cashReaders.may[id.Token] = may
	return may
}
