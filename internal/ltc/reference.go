package ltc

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"
	"golang.org/x/text/currency"
)

// DefaultBaseCurrency is the base currency of a policy that names none: the currency its level thresholds are in
// and into which finance's exchange rates convert.
const DefaultBaseCurrency = "EUR"

// Base is the policy's base currency (DefaultBaseCurrency when it names none).
func (p Policy) Base() string {
	if p.BaseCurrency != "" {
		return p.BaseCurrency
	}
	return DefaultBaseCurrency
}

// CurrencyProblem says what keeps code from being an ISO 4217 currency code, or "".
func CurrencyProblem(code string) string {
	if problem := MoneyProblem(Money{Currency: code}); problem != "" {
		return problem
	}
	if _, err := currency.ParseISO(code); err != nil {
		return fmt.Sprintf("%q is not an ISO 4217 currency code", code)
	}
	return ""
}

// MinorDigits is how many digits of the currency's minor unit a major unit has: 2 for EUR (cents), 0 for JPY, 3 for
// KWD (ISO 4217, as golang.org/x/text/currency has it).
func MinorDigits(code string) (int, error) {
	u, err := currency.ParseISO(code)
	if err != nil {
		return 0, Invalid("currency: %q is not an ISO 4217 currency code", code)
	}
	scale, _ := currency.Standard.Rounding(u)
	return scale, nil
}

// The bounds of a rate: at most MaxRateDigits digits before the decimal point and as many after it.
const MaxRateDigits = 12

// ExchangeRate says what one unit of From is worth in To (the policy's base currency) from EffectiveDate until the
// next effective date of the same currencies. Rate is the exact decimal as finance set it.
type ExchangeRate struct {
	EffectiveDate Date      `json:"effective_date"`
	From          string    `json:"from"`
	To            string    `json:"to"`
	Rate          string    `json:"rate"`
	SetBy         Person    `json:"set_by"`
	SetAt         time.Time `json:"set_at"`
	// Replaced is the rate this one replaced for the same date and currencies ("" for the first).
	Replaced string `json:"replaced,omitempty"`
}

// ParseRate reads an exchange rate: a positive decimal of digits with an optional point, at most MaxRateDigits
// digits before and after it ("7.8125"). No sign, exponent, NaN or infinity.
func ParseRate(s string) (*apd.Decimal, error) {
	whole, frac, hasPoint := strings.Cut(s, ".")
	digits := func(t string) bool {
		return t != "" && strings.IndexFunc(t, func(r rune) bool { return r < '0' || r > '9' }) < 0
	}
	if !digits(whole) || (hasPoint && !digits(frac)) || len(whole) > MaxRateDigits || len(frac) > MaxRateDigits {
		return nil, Invalid("rate: %q must be a decimal such as 7.8125, with at most %d digits before and after the point", s, MaxRateDigits)
	}
	d, _, err := apd.NewFromString(s)
	if err != nil {
		return nil, Invalid("rate: %q is not a decimal", s)
	}
	if d.Sign() <= 0 {
		return nil, Invalid("rate: must be more than zero (not %s)", s)
	}
	return d, nil
}

// CheckExchangeRate checks a rate to set into base: a real date, an ISO 4217 currency other than the base, and a
// positive rate. Its refusals name the field ("rate: ...").
func CheckExchangeRate(r ExchangeRate, base string) error {
	if !r.EffectiveDate.Valid() {
		return Invalid("effective_date: must be a calendar date in the years %d-%d", MinYear, MaxYear)
	}
	if problem := CurrencyProblem(r.From); problem != "" {
		return Invalid("from_currency: %s", problem)
	}
	if r.From == base {
		return Invalid("from_currency: %s is the base currency, whose rate is 1", base)
	}
	_, err := ParseRate(r.Rate)
	return err
}

// CanSetReferenceData checks that the actor may set exchange rates and products: a reviewer with the FINANCE
// function, or an admin.
func CanSetReferenceData(a Actor) error {
	if a.Has(RoleAdmin) || (a.Has(RoleReviewer) && slices.Contains(a.Functions, FunctionFinance)) {
		return nil
	}
	return PermissionDenied("exchange rates and products are set by reviewers with the FINANCE function and by admins")
}

// ReadsCosts reports whether the person reads the products' standard costs, which tell the margins: reviewers
// with the FINANCE function, executives and admins.
func ReadsCosts(a Actor) bool {
	return CanSetReferenceData(a) == nil || a.Has(RoleExecutive)
}

// Convert converts m at rate (what one unit of m's currency is worth in to) into to: the exact product, rounded
// half to even to to's minor units (ISO 4217: cents, yen, fils). The result must stay within MaxAmountMinor.
//
// For example 100.00 USD at 0.9235 is 92.35 EUR; 0.05 EUR at 0.5 is 0.025 EUR, which rounds to 0.02 (half to even),
// and 0.15 EUR at 0.5 to 0.08.
func Convert(m Money, rate string, to string) (Money, error) {
	r, err := ParseRate(rate)
	if err != nil {
		return Money{}, err
	}
	fromDigits, err := MinorDigits(m.Currency)
	if err != nil {
		return Money{}, err
	}
	toDigits, err := MinorDigits(to)
	if err != nil {
		return Money{}, err
	}
	// amount_minor × 10^-fromDigits major units × rate × 10^toDigits = the exact result in to's minor units. The
	// precision holds every digit of the product (16 + 24), so only the final rounding rounds.
	ctx := decimalContext
	exact := new(apd.Decimal)
	if _, err := ctx.Mul(exact, apd.New(m.AmountMinor, int32(toDigits-fromDigits)), r); err != nil {
		return Money{}, fmt.Errorf("convert %s at %s: %w", m, rate, err)
	}
	rounded := new(apd.Decimal)
	if _, err := ctx.RoundToIntegralValue(rounded, exact); err != nil {
		return Money{}, fmt.Errorf("convert %s at %s: %w", m, rate, err)
	}
	amount, err := rounded.Int64()
	if err != nil || amount < 0 || amount > MaxAmountMinor {
		return Money{}, Invalid("rate: converting %d minor units of %s at %s exceeds %d minor units of %s", m.AmountMinor, m.Currency, rate, MaxAmountMinor, to)
	}
	return Money{Currency: to, AmountMinor: amount}, nil
}

// Product is an item of the catalogue: one unit's list price and standard cost, in one currency. A product is
// deactivated, never deleted, so the deals that name it keep it.
type Product struct {
	Code         string    `json:"code"`
	Name         string    `json:"name"`
	Family       string    `json:"family"`
	Unit         string    `json:"unit"`
	ListPrice    Money     `json:"list_price"`
	StandardCost Money     `json:"standard_cost"`
	Active       bool      `json:"active"`
	CreatedBy    Person    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedBy    Person    `json:"updated_by"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// CheckProduct checks a product to record: a code, its texts, and its list price and standard cost amounts of one
// ISO 4217 currency. Its refusals name the field ("standard_cost: ...").
func CheckProduct(p Product) error {
	for _, f := range []struct{ name, value string }{{"code", p.Code}, {"name", p.Name}, {"family", p.Family}, {"unit", p.Unit}} {
		if strings.TrimSpace(f.value) == "" {
			return Invalid("%s: is required", f.name)
		}
	}
	for _, m := range []struct {
		name  string
		money Money
	}{{"list_price", p.ListPrice}, {"standard_cost", p.StandardCost}} {
		if problem := MoneyProblem(m.money); problem != "" {
			return Invalid("%s: %s", m.name, problem)
		}
		if problem := CurrencyProblem(m.money.Currency); problem != "" {
			return Invalid("%s: %s", m.name, problem)
		}
	}
	if p.StandardCost.Currency != p.ListPrice.Currency {
		return Invalid("standard_cost: must be in the list price's currency %s (not %s)", p.ListPrice.Currency, p.StandardCost.Currency)
	}
	return nil
}
