package ctl

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/type/date"

	"github.com/ltcengine/ltc/internal/ltc"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// enum reads a value such as "hot" or "URGENCY_HOT" into the enum whose names carry prefix.
func enum[E ~int32](values map[string]int32, prefix, s string) (E, error) {
	if s == "" {
		return 0, nil
	}
	name := strings.ToUpper(strings.ReplaceAll(s, "-", "_"))
	if !strings.HasPrefix(name, prefix) {
		name = prefix + name
	}
	v, ok := values[name]
	if !ok || v == 0 {
		var names []string
		for n, v := range values {
			if v != 0 {
				names = append(names, strings.TrimPrefix(n, prefix))
			}
		}
		slices.Sort(names)
		return 0, fmt.Errorf("%q is not one of %s", s, strings.Join(names, ", "))
	}
	return E(v), nil
}

// name shows an enum value without its prefix.
func name(s fmt.Stringer, prefix string) string {
	n := strings.TrimPrefix(s.String(), prefix)
	if n == "UNSPECIFIED" {
		return "-"
	}
	return n
}

// money reads an amount such as "250000", "250000.50" or "250,000.50" of currency exactly, by the currency's
// minor digits (ltc.ParseAmount): "1000" JPY is 1000 yen, "1000" EUR 100000 cents.
func money(amount, currency string) (*ltcv1.Money, error) {
	m, err := ltc.ParseAmount(amount, currency)
	if err != nil {
		return nil, fmt.Errorf("amount: %w", err)
	}
	return &ltcv1.Money{CurrencyCode: m.Currency, AmountMinor: m.AmountMinor}, nil
}

// showMoney shows an amount with its currency's minor digits: "EUR 1200.50", "JPY 1200", "KWD 1.250"; "-" when
// there is none.
func showMoney(m *ltcv1.Money) string {
	if m == nil {
		return "-"
	}
	return m.CurrencyCode + " " + ltc.FormatAmount(m.AmountMinor, m.CurrencyCode, false)
}

// showTotal shows an exact sum as showMoney shows amounts, however large: "EUR 2500000.00", "JPY 2500000".
func showTotal(t *ltcv1.MoneyTotal) string {
	return t.GetCurrencyCode() + " " + ltc.FormatTotal(t.GetAmountMinor(), t.GetCurrencyCode(), false)
}

// day reads YYYY-MM-DD.
func day(s string) (*date.Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return nil, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return &date.Date{Year: int32(t.Year()), Month: int32(t.Month()), Day: int32(t.Day())}, nil
}

func showDay(d *date.Date) string {
	if d == nil {
		return "-"
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

func person(p *ltcv1.Person) string {
	if p == nil {
		return "-"
	}
	if p.Name != "" {
		return p.Name + " (" + p.Id + ")"
	}
	return p.Id
}

// members reads ROLE=ID pairs ("AR=sam", "DELIVERY_PM=dora").
func members(pairs []string) ([]*ltcv1.TeamMember, error) {
	var out []*ltcv1.TeamMember
	for _, p := range pairs {
		role, id, ok := strings.Cut(p, "=")
		if !ok || id == "" {
			return nil, fmt.Errorf("member %q: want ROLE=ID, for example AR=sam", p)
		}
		r, err := enum[ltcv1.TeamRole](ltcv1.TeamRole_value, "TEAM_ROLE_", role)
		if err != nil {
			return nil, err
		}
		out = append(out, &ltcv1.TeamMember{Person: &ltcv1.Person{Id: id}, Role: r})
	}
	return out, nil
}
