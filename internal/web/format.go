package web

import (
	"html/template"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/ltc"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// funcs format the API's values for the pages; the words come from the catalogue through Page.T and Page.Enum.
var funcs = template.FuncMap{
	"when":  when,
	"day":   day,
	"money": money,
	"total": total,
	"short": short,
	"lines": lines,
	"who":   who,
}

// who names a person: their name, else their user id.
func who(p *ltcv1.Person) string {
	if p.GetName() != "" {
		return p.GetName()
	}
	return p.GetId()
}

// when shows a time in UTC, to the minute; empty when unset.
func when(t *timestamppb.Timestamp) string {
	if t == nil || !t.IsValid() || (t.Seconds == 0 && t.Nanos == 0) {
		return ""
	}
	return t.AsTime().UTC().Format("2006-01-02 15:04 UTC")
}

// day shows a calendar date.
func day(d *date.Date) string {
	if d == nil || d.Year == 0 {
		return ""
	}
	return time.Date(int(d.Year), time.Month(d.Month), int(d.Day), 0, 0, 0, 0, time.UTC).Format("2006-01-02")
}

// money shows an amount with its currency and the currency's minor digits, thousands grouped (ltc.FormatAmount):
// "EUR 2,500,000.00", "JPY 2,500,000", "KWD 1.250"; empty when there is none.
func money(m *ltcv1.Money) string {
	if m == nil || m.CurrencyCode == "" {
		return ""
	}
	return m.CurrencyCode + " " + ltc.FormatAmount(m.AmountMinor, m.CurrencyCode, true)
}

// total shows an exact sum as money shows amounts, however large: "EUR 2,500,000.00"; empty when there is none.
func total(m *ltcv1.MoneyTotal) string {
	if m == nil || m.CurrencyCode == "" {
		return ""
	}
	return m.CurrencyCode + " " + ltc.FormatTotal(m.AmountMinor, m.CurrencyCode, true)
}

// short is the first block of an id, enough to tell deals apart on a page.
func short(id string) string {
	if i := strings.IndexByte(id, '-'); i > 0 {
		return id[:i]
	}
	return id
}

// lines splits a text area's value into its non-blank lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
