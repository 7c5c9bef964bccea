package api

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ltcengine/ltc/internal/ltc"
)

// priceLines completes an ATB or ATC package's line items from the catalogue: each product's name, family and
// unit, and the unit's list price and standard cost where the request left them unset. The package's currency is
// its stated price's, else the first line's given price's, else the first product's; a catalogue price in another
// currency is never converted silently: the request gives that line's prices.
func (s decisionService) priceLines(ctx context.Context, pkg ltc.Package) (ltc.Package, error) {
	var field string
	var lines []ltc.LineItem
	var stated ltc.Money
	switch {
	case pkg.Bid != nil && len(pkg.Bid.LineItems) > 0:
		field, lines, stated = "bid.line_items", slices.Clone(pkg.Bid.LineItems), pkg.Bid.ProposedPrice
	case pkg.Contract != nil && len(pkg.Contract.LineItems) > 0:
		field, lines, stated = "contract.line_items", slices.Clone(pkg.Contract.LineItems), pkg.Contract.FinalPrice
	default:
		return pkg, nil
	}
	codes := make([]string, len(lines))
	for i, li := range lines {
		codes[i] = li.ProductCode
	}
	products, err := s.store.Products(ctx, codes)
	if err != nil {
		return pkg, err
	}
	currency := stated.Currency
	for i, li := range lines {
		p, ok := products[li.ProductCode]
		if !ok {
			return pkg, ltc.NotFound("product %q (%s[%d].product_code) is not in the catalogue (ReferenceDataService.ListProducts)", li.ProductCode, field, i)
		}
		if !p.Active {
			return pkg, ltc.FailedPrecondition("product %q (%s[%d].product_code) is inactive: it is no longer offered", li.ProductCode, field, i)
		}
		if currency == "" && li.UnitListPrice.Currency != "" {
			currency = li.UnitListPrice.Currency
		}
	}
	if currency == "" {
		currency = products[lines[0].ProductCode].ListPrice.Currency
	}
	var violations []fieldViolation
	for i, li := range lines {
		p := products[li.ProductCode]
		li.ProductName, li.Family, li.Unit = p.Name, p.Family, p.Unit
		for _, price := range []struct {
			name      string
			given     *ltc.Money
			catalogue ltc.Money
		}{{"unit_list_price", &li.UnitListPrice, p.ListPrice}, {"unit_cost", &li.UnitCost, p.StandardCost}} {
			if price.given.Currency != "" {
				continue
			}
			if price.catalogue.Currency != currency {
				violations = append(violations, fieldViolation{fmt.Sprintf("%s[%d].%s", field, i, price.name),
					fmt.Sprintf("product %s is priced in %s but the package is in %s; give the unit's price in %s", p.Code, price.catalogue.Currency, currency, currency)})
				continue
			}
			*price.given = price.catalogue
		}
		lines[i] = li
	}
	if len(violations) > 0 {
		return pkg, invalidArgument(violations...)
	}
	if pkg.Bid != nil {
		b := *pkg.Bid
		b.LineItems = lines
		pkg.Bid = &b
	} else {
		c := *pkg.Contract
		c.LineItems = lines
		pkg.Contract = &c
	}
	return pkg, nil
}

// levelRates are the exchange rates a gate's level needs: the rate of the value's currency into the base
// currency in force today, when there is one and the value is in another currency. The deal's process refuses a
// request that needs a rate and has none.
func (s decisionService) levelRates(ctx context.Context, value ltc.Money) ([]ltc.ExchangeRate, error) {
	base := s.policy.Base()
	if value.Currency == "" || value.Currency == base {
		return nil, nil
	}
	rates, err := s.store.RatesInForce(ctx, []string{value.Currency}, base, ltc.DateOf(time.Now()))
	rate, ok := rates[value.Currency]
	if err != nil || !ok {
		return nil, err
	}
	return []ltc.ExchangeRate{rate}, nil
}
