package ltc

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/cockroachdb/apd/v3"
)

// MaxLineItems bounds the line items of one package.
const MaxLineItems = 100

// MaxQuantity bounds a line item's quantity.
const MaxQuantity = 1_000_000_000

// LineItem is one product or service of a bid or contract package. The request names the product, the quantity
// and the discount; the list price and cost of one unit come from the catalogue unless the request gives them. The
// engine computes the amounts: List = Quantity × UnitListPrice, Net = List less Discount percent (rounded half to
// even to the currency's minor units), Cost = Quantity × UnitCost.
type LineItem struct {
	ProductCode string `json:"product_code"`
	ProductName string `json:"product_name,omitempty"`
	Family      string `json:"family,omitempty"`
	Unit        string `json:"unit,omitempty"`
	Quantity    int64  `json:"quantity"`
	// UnitListPrice and UnitCost are of one unit, in the package's currency.
	UnitListPrice Money `json:"unit_list_price"`
	UnitCost      Money `json:"unit_cost"`
	// DiscountPercent is off the list price: a decimal of at most two places, 0 to 100 ("12.5").
	DiscountPercent Percent `json:"discount_percent,omitempty"`
	List            Money   `json:"list"`
	Net             Money   `json:"net"`
	Cost            Money   `json:"cost"`
}

// Totals are a package's line items summed: list, discount (list less net), net (the price) and cost, the
// discount as a percent of list and the gross margin ((net - cost) / net) in percent, both rounded half to even to
// two places.
type Totals struct {
	List               Money   `json:"list"`
	Discount           Money   `json:"discount"`
	Net                Money   `json:"net"`
	Cost               Money   `json:"cost"`
	DiscountPercent    Percent `json:"discount_percent"`
	GrossMarginPercent Percent `json:"gross_margin_percent"`
}

// Percent is a percentage as an exact decimal ("15", "12.50", "-3.2"). Policies may write it as a JSON number.
type Percent string

// UnmarshalJSON reads a percent written as text or as a JSON number, keeping its digits.
func (p *Percent) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		*p = Percent(n.String())
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("percent must be a number such as 15 or 12.5: %w", err)
	}
	*p = Percent(s)
	return nil
}

// decimalContext is exact for every figure the engine computes (amounts under 10^16 times percentages or rates
// of 24 digits) and rounds half to even where it rounds. Its operations only read it, so it is shared.
var decimalContext = func() *apd.Context {
	c := apd.BaseContext.WithPrecision(60)
	c.Rounding = apd.RoundHalfEven
	return c
}()

// ParsePercent reads a percentage: an optional minus sign, digits and at most two decimal places, between min
// and 100.
func ParsePercent(s Percent, min int64) (*apd.Decimal, error) {
	text := string(s)
	whole, frac, hasPoint := strings.Cut(strings.TrimPrefix(text, "-"), ".")
	digits := func(t string) bool {
		return t != "" && len(t) <= 3 && strings.IndexFunc(t, func(r rune) bool { return r < '0' || r > '9' }) < 0
	}
	if !digits(whole) || (hasPoint && (!digits(frac) || len(frac) > 2)) {
		return nil, fmt.Errorf("%q must be a percentage such as 12.5, with at most two decimal places", text)
	}
	d, _, err := apd.NewFromString(text)
	if err != nil {
		return nil, fmt.Errorf("%q is not a number", text)
	}
	if d.Cmp(apd.New(min, 0)) < 0 || d.Cmp(apd.New(100, 0)) > 0 {
		return nil, fmt.Errorf("%s must be from %d to 100", text, min)
	}
	return d, nil
}

// percentOf is part / whole × 100, rounded half to even to two places (whole > 0).
func percentOf(part, whole int64) Percent {
	q := new(apd.Decimal)
	_, _ = decimalContext.Quo(q, apd.New(part*100, 0), apd.New(whole, 0))
	_, _ = decimalContext.Quantize(q, q, -2)
	return Percent(q.String())
}

// CheckLineItems checks the package's line items (field names under prefix, "bid.line_items") and returns them
// with their amounts computed and the package's totals. Every price and cost is in one currency, the package's.
func CheckLineItems(prefix string, items []LineItem) ([]LineItem, Totals, error) {
	if len(items) > MaxLineItems {
		return nil, Totals{}, Invalid("%s: at most %d line items (not %d)", prefix, MaxLineItems, len(items))
	}
	out := make([]LineItem, len(items))
	var t Totals
	for i, it := range items {
		field := fmt.Sprintf("%s[%d]", prefix, i)
		if strings.TrimSpace(it.ProductCode) == "" {
			return nil, Totals{}, Invalid("%s.product_code: is required", field)
		}
		if it.Quantity <= 0 || it.Quantity > MaxQuantity {
			return nil, Totals{}, Invalid("%s.quantity: must be 1 to %d (not %d)", field, MaxQuantity, it.Quantity)
		}
		for _, m := range []struct {
			name  string
			money Money
		}{{"unit_list_price", it.UnitListPrice}, {"unit_cost", it.UnitCost}} {
			if problem := MoneyProblem(m.money); problem != "" {
				return nil, Totals{}, Invalid("%s.%s: %s", field, m.name, problem)
			}
			if m.money.Currency != items[0].UnitListPrice.Currency {
				return nil, Totals{}, Invalid("%s.%s: is in %s, but the package is in %s; one package has one currency",
					field, m.name, m.money.Currency, items[0].UnitListPrice.Currency)
			}
		}
		discount := Percent("0")
		if it.DiscountPercent != "" {
			discount = it.DiscountPercent
		}
		d, err := ParsePercent(discount, 0)
		if err != nil {
			return nil, Totals{}, Invalid("%s.discount_percent: %v", field, err)
		}
		list, lok := times(it.UnitListPrice.AmountMinor, it.Quantity)
		cost, cok := times(it.UnitCost.AmountMinor, it.Quantity)
		if !lok || !cok {
			return nil, Totals{}, Invalid("%s.quantity: %d units come to more than %d minor units", field, it.Quantity, MaxAmountMinor)
		}
		// net = list × (100 - discount) / 100, exact, then rounded half to even to minor units.
		net := new(apd.Decimal)
		_, _ = decimalContext.Sub(net, apd.New(100, 0), d)
		_, _ = decimalContext.Mul(net, net, apd.New(list, -2))
		_, _ = decimalContext.RoundToIntegralValue(net, net)
		netMinor, _ := net.Int64()
		cur := it.UnitListPrice.Currency
		it.DiscountPercent = discount
		it.List, it.Net, it.Cost = Money{cur, list}, Money{cur, netMinor}, Money{cur, cost}
		out[i] = it
		t.List.AmountMinor += list
		t.Net.AmountMinor += netMinor
		t.Cost.AmountMinor += cost
		if t.List.AmountMinor > MaxAmountMinor || t.Cost.AmountMinor > MaxAmountMinor {
			return nil, Totals{}, Invalid("%s: the lines come to more than %d minor units", prefix, MaxAmountMinor)
		}
	}
	if len(items) == 0 {
		return nil, Totals{}, nil
	}
	cur := items[0].UnitListPrice.Currency
	t.List.Currency, t.Net.Currency, t.Cost.Currency = cur, cur, cur
	t.Discount = Money{cur, t.List.AmountMinor - t.Net.AmountMinor}
	if t.Net.AmountMinor <= 0 {
		return nil, Totals{}, Invalid("%s: the lines' net total must be more than zero", prefix)
	}
	t.DiscountPercent = percentOf(t.Discount.AmountMinor, t.List.AmountMinor)
	t.GrossMarginPercent = percentOf(t.Net.AmountMinor-t.Cost.AmountMinor, t.Net.AmountMinor)
	return out, t, nil
}

// times is a × b when it stays within MaxAmountMinor.
func times(a, b int64) (int64, bool) {
	if a != 0 && b > MaxAmountMinor/a {
		return 0, false
	}
	return a * b, true
}

// MarginCheck is how a package's gross margin stands against the policy's floors: the floor that binds (the
// level's, or a product family's with Family named), the margin it was compared with, and how many percentage
// points below it the package is. A package below a floor is a special price (特价).
type MarginCheck struct {
	FloorPercent  Percent `json:"floor_percent"`
	MarginPercent Percent `json:"margin_percent"`
	Family        string  `json:"family,omitempty"`
	// ShortfallPoints is floor - margin when the margin is below the floor, else "0".
	ShortfallPoints Percent `json:"shortfall_points"`
	SpecialPrice    bool    `json:"special_price"`
}

// CheckMargin compares the package's gross margin with the policy's floor for the level and, for packages with
// line items, each product family's margin with its family's floor. The check with the largest shortfall is
// returned (the level's when none falls short); nil when the policy sets no floor that applies.
func (p Policy) CheckMargin(level ProjectLevel, margin Percent, items []LineItem) *MarginCheck {
	var worst *MarginCheck
	consider := func(floor Percent, margin Percent, family string) {
		f, err := ParsePercent(floor, -100)
		if err != nil {
			return // Validate refuses such a policy
		}
		m, _, err := apd.NewFromString(string(margin))
		if err != nil {
			return
		}
		short := new(apd.Decimal)
		_, _ = decimalContext.Sub(short, f, m)
		c := &MarginCheck{FloorPercent: floor, MarginPercent: margin, Family: family, ShortfallPoints: "0"}
		if short.Sign() > 0 {
			c.ShortfallPoints, c.SpecialPrice = Percent(short.Text('f')), true
		}
		if worst == nil || (c.SpecialPrice && shortfall(c).Cmp(shortfall(worst)) > 0) {
			worst = c
		}
	}
	if floor, ok := p.MarginFloors[level]; ok {
		consider(floor, margin, "")
	}
	families := map[string][2]int64{} // net, cost
	var order []string
	for _, it := range items {
		if _, ok := p.FamilyMarginFloors[it.Family]; !ok {
			continue
		}
		if _, seen := families[it.Family]; !seen {
			order = append(order, it.Family)
		}
		f := families[it.Family]
		families[it.Family] = [2]int64{f[0] + it.Net.AmountMinor, f[1] + it.Cost.AmountMinor}
	}
	slices.Sort(order)
	for _, family := range order {
		f := families[family]
		if f[0] <= 0 {
			consider(p.FamilyMarginFloors[family], "-100", family)
			continue
		}
		consider(p.FamilyMarginFloors[family], percentOf(f[0]-f[1], f[0]), family)
	}
	return worst
}

func shortfall(c *MarginCheck) *apd.Decimal {
	d, _, _ := apd.NewFromString(string(c.ShortfallPoints))
	return d
}

// MarginPercent is a stated gross margin (a package without line items) as an exact percent of two places.
func MarginPercent(f float64) Percent {
	d := new(apd.Decimal)
	if _, err := d.SetFloat64(f); err != nil {
		return "0"
	}
	_, _ = decimalContext.Quantize(d, d, -2)
	return Percent(d.Text('f'))
}

// SpecialPriceAuthority is the authority a special price needs: one level more than the gate's, corporate (the
// top) staying corporate.
func SpecialPriceAuthority(authority int) int { return min(max(authority, 1)+1, MaxAuthority) }
