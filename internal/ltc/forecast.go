package ltc

import (
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/cockroachdb/apd/v3"
)

// ForecastCategory is how sure the deal's owner is that it closes as forecast.
type ForecastCategory string

// Forecast categories, from the least to the most sure; an OMITTED deal is left out of the forecast's figures.
const (
	ForecastPipeline ForecastCategory = "PIPELINE"
	ForecastBestCase ForecastCategory = "BEST_CASE"
	ForecastCommit   ForecastCategory = "COMMIT"
	ForecastOmitted  ForecastCategory = "OMITTED"
)

// ForecastCategories are the categories, in order.
var ForecastCategories = []ForecastCategory{ForecastPipeline, ForecastBestCase, ForecastCommit, ForecastOmitted}

// Forecast is what the deal's owner expects of it: when it closes, for how much, and how sure they are.
type Forecast struct {
	ExpectedCloseDate Date             `json:"expected_close_date"`
	Value             Money            `json:"value"`
	Category          ForecastCategory `json:"category"`
	// UpdatedBy and UpdatedAt are who set it last, and when; empty on a forecast the owner never set.
	UpdatedBy Person     `json:"updated_by,omitempty"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// ForecastDetails: opportunity.forecast_updated, the forecast before and after the change.
type ForecastDetails struct {
	Before Forecast `json:"before"`
	After  Forecast `json:"after"`
	Reason string   `json:"reason,omitempty"`
}

// ForecastOf is the deal's forecast: the one its owner keeps, or, for a deal whose owner never set one, the lead's
// expected close date, the estimated value (the assessment's once assessed) and PIPELINE.
func (o Opportunity) ForecastOf(leadClose Date) Forecast {
	if o.Forecast != nil {
		return *o.Forecast
	}
	return Forecast{ExpectedCloseDate: leadClose, Value: o.EstimatedValue, Category: ForecastPipeline}
}

// Forecast is the deal's forecast (see Opportunity.ForecastOf).
func (d Deal) Forecast() Forecast { return d.Opportunity.ForecastOf(d.Lead.ExpectedCloseDate) }

// WinRate is the chance to win the forecast weighs the deal's value with, in percent: the latest approved ATB
// package's, else the assessment's, else 0.
func (o Opportunity) WinRate() int {
	for i := len(o.Decisions) - 1; i >= 0; i-- {
		d := o.Decisions[i]
		if d.Gate == GateATB && (d.Status == DecisionApproved || d.Status == DecisionApprovedWithConditions) && d.Package.Bid != nil {
			return d.Package.Bid.WinRate
		}
	}
	if o.Assessment != nil {
		return o.Assessment.WinRate
	}
	return 0
}

// CheckForecast checks a forecast to record: a real date, an amount of an ISO 4217 currency and a category. Its
// refusals name the field ("value: ...").
func CheckForecast(f Forecast) error {
	if !f.ExpectedCloseDate.Valid() {
		return Invalid("expected_close_date: must be a calendar date in the years %d-%d", MinYear, MaxYear)
	}
	if problem := MoneyProblem(f.Value); problem != "" {
		return Invalid("value: %s", problem)
	}
	if problem := CurrencyProblem(f.Value.Currency); problem != "" {
		return Invalid("value: %s", problem)
	}
	if !slices.Contains(ForecastCategories, f.Category) {
		return Invalid("category: must be one of PIPELINE, BEST_CASE, COMMIT, OMITTED (not %q)", f.Category)
	}
	return nil
}

// CanUpdateForecast checks that the actor may record the forecast f of the deal now: its AR (its owner), on an open
// deal. After an approved ATB the value stays within the envelope as a bid does (CanSubmitBid): in the
// envelope's currency and not below it by more than the policy's tolerance; otherwise a new ATB is needed.
func CanUpdateForecast(a Actor, o Opportunity, f Forecast, p Policy) error {
	if err := CheckForecast(f); err != nil {
		return err
	}
	if err := o.ar(a, "updating the forecast"); err != nil {
		return err
	}
	if err := o.open(); err != nil {
		return err
	}
	if env := o.ApprovedBidPrice; env != nil {
		if f.Value.Currency != env.Currency {
			return o.precondition("the forecast value is in %s but the ATB-approved envelope is in %s; a new ATB is needed", f.Value.Currency, env.Currency)
		}
		if f.Value.AmountMinor < p.envelopeFloor(*env) {
			return o.precondition("the forecast value %s is below the ATB-approved envelope %s by more than the tolerance (%g%%); a new ATB is needed",
				f.Value, *env, p.BidTolerancePercent)
		}
	}
	return nil
}

// UpdateForecast records the deal's forecast: expected close date, value and category.
type UpdateForecast struct {
	Forecast Forecast `json:"forecast"`
	Reason   string   `json:"reason,omitempty"`
}

// Apply records the forecast with the forecast before it. A forecast equal to the deal's changes nothing and
// records no event.
func (cmd UpdateForecast) Apply(d Deal, c Context) (Change, error) {
	o, err := d.opportunity()
	if err == nil {
		err = CanUpdateForecast(c.Actor, o, cmd.Forecast, c.Policy)
	}
	if err != nil {
		return Change{}, err
	}
	before := d.Forecast()
	f := cmd.Forecast
	if f.ExpectedCloseDate == before.ExpectedCloseDate && f.Value == before.Value && f.Category == before.Category {
		return Change{Deal: d}, nil
	}
	now := c.Now
	f.UpdatedBy, f.UpdatedAt = c.Actor.Person(), &now
	next := o
	next.Forecast, next.UpdatedAt = &f, c.Now
	return c.change(d, next, nil, EventForecastUpdated, ForecastDetails{Before: before, After: f, Reason: cmd.Reason}), nil
}

// QuarterBounds is when the quarter written "2026-Q4" begins and when the next one begins (midnight UTC).
func QuarterBounds(q string) (start, end time.Time, err error) {
	start, ok := quarterStart(q)
	if !ok {
		return start, end, Invalid("quarter: %q must be a quarter written as 2026-Q4, in the years %d-%d", q, MinYear, MaxYear)
	}
	return start, start.AddDate(0, 3, 0), nil
}

// QuarterStart is the first day of the quarter of t (midnight UTC).
func QuarterStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month()-(t.Month()-1)%3, 1, 0, 0, 0, 0, time.UTC)
}

// WeekStart is the Monday (midnight UTC) that starts the week of t: forecast snapshots are taken at the end of
// each week, Monday to Sunday UTC.
func WeekStart(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return day.AddDate(0, 0, -(int(day.Weekday())+6)%7)
}

// ConvertTotal converts a sum of minor units of from (scale 0), or of hundredths of minor units (scale 2: values
// weighted by percentages), into to's minor units through the policy's base currency: sum × fromRate / toRate,
// where each rate is what one unit of the currency is worth in the base ("1" for the base itself). See Conversion.
func ConvertTotal(sum *big.Int, scale int32, from, fromRate, to, toRate string) (*big.Int, error) {
	c, err := NewConversion(to, toRate, map[string]string{from: fromRate})
	if err != nil {
		return nil, err
	}
	return c.Convert(sum, scale, from)
}

// Conversion converts sums of several currencies into one, through the base currency, at rates read once: each
// currency's factor is its rate into the base / the target's rate into the base, scaled by their minor units. The
// factor is exact when the target is the base (its rate "1") or the quotient ends within 60 digits, else it is
// rounded to 60 significant digits; a sum times its factor is exact, and rounds once, half to even, to the
// target's minor units, as Convert rounds one amount. Sums may pass int64.
type Conversion struct {
	to      string
	factors map[string]*apd.Decimal
}

// NewConversion reads the rates into the base of the currencies to convert from, and of to.
func NewConversion(to, toRate string, rates map[string]string) (*Conversion, error) {
	tr, err := ParseRate(toRate)
	if err != nil {
		return nil, err
	}
	toDigits, err := MinorDigits(to)
	if err != nil {
		return nil, err
	}
	ctx := decimalContext
	c := &Conversion{to: to, factors: map[string]*apd.Decimal{}}
	for from, rate := range rates {
		fr, err := ParseRate(rate)
		if err != nil {
			return nil, err
		}
		fromDigits, err := MinorDigits(from)
		if err != nil {
			return nil, err
		}
		f := new(apd.Decimal)
		if _, err := ctx.Quo(f, fr, tr); err != nil {
			return nil, fmt.Errorf("rate of %s into %s: %w", from, to, err)
		}
		f.Exponent += int32(toDigits - fromDigits)
		c.factors[from] = f
	}
	return c, nil
}

// Convert converts a sum of the currency's minor units (scale 2: hundredths of them) into the target's.
func (c *Conversion) Convert(sum *big.Int, scale int32, from string) (*big.Int, error) {
	f, ok := c.factors[from]
	if !ok {
		return nil, fmt.Errorf("convert into %s: no rate of %s was read", c.to, from)
	}
	if sum.Sign() == 0 {
		return new(big.Int), nil
	}
	// The product of a sum (at most 10^15 minor units for each of fewer than 10^9 deals, weighted by 100) and a
	// factor of 60 digits holds fewer than 100 digits: exact.
	ctx := apd.BaseContext.WithPrecision(100)
	ctx.Rounding = apd.RoundHalfEven
	product, rounded := new(apd.Decimal), new(apd.Decimal)
	if _, err := ctx.Mul(product, apd.NewWithBigInt(new(apd.BigInt).SetMathBigInt(sum), -scale), f); err != nil {
		return nil, fmt.Errorf("convert %s %s: %w", sum, from, err)
	}
	if _, err := ctx.RoundToIntegralValue(rounded, product); err != nil {
		return nil, fmt.Errorf("convert %s %s: %w", sum, from, err)
	}
	n := rounded.Coeff.MathBigInt()
	if rounded.Exponent > 0 {
		n.Mul(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(rounded.Exponent)), nil))
	}
	if rounded.Negative {
		n.Neg(n)
	}
	return n, nil
}
