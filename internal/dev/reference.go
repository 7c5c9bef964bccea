package dev

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// demoRates are finance's rates into EUR, the default policy's base currency, from the start of 2026.
var demoRates = map[string]string{"CNY": "0.1281", "USD": "0.9235", "GBP": "1.1700", "JPY": "0.0062"}

// demoProducts are the demo catalogue, in EUR: the demo deal's bid and contract are made of them.
var demoProducts = []ltc.Product{
	{Code: "RAN-5G-BBU", Name: "5G baseband unit", Family: "RAN", Unit: "unit", ListPrice: eurMajor(12_000), StandardCost: eurMajor(7_400)},
	{Code: "RAN-5G-AAU", Name: "5G active antenna unit", Family: "RAN", Unit: "unit", ListPrice: eurMajor(9_500), StandardCost: eurMajor(6_100)},
	{Code: "CORE-5GC-LIC", Name: "5G core subscriber licence (1,000 subscribers)", Family: "CORE", Unit: "licence", ListPrice: eurMajor(250), StandardCost: eurMajor(40)},
	{Code: "SVC-DEPLOY", Name: "Deployment services", Family: "SERVICES", Unit: "person-day", ListPrice: eurMajor(1_200), StandardCost: eurMajor(780)},
	{Code: "SVC-SUPPORT", Name: "Premium support", Family: "SERVICES", Unit: "year", ListPrice: eurMajor(180_000), StandardCost: eurMajor(95_000)},
}

func eurMajor(n int64) ltc.Money { return ltc.Money{Currency: "EUR", AmountMinor: n * 100} }

// SeedReference records the demo's exchange rates and catalogue as Fiona (FINANCE) would, once: the requests'
// ids derive from their content, so a later start finds them recorded and changes nothing, and what finance
// changed since stays.
func SeedReference(ctx context.Context, s *store.Store, base string) error {
	fiona := DemoPeople["reviewer_finance"].Person()
	now := time.Now().UTC()
	if base == "EUR" {
		var rates []ltc.ExchangeRate
		for _, code := range []string{"CNY", "GBP", "JPY", "USD"} {
			rates = append(rates, ltc.ExchangeRate{EffectiveDate: ltc.Date{Year: 2026, Month: 1, Day: 1}, From: code, To: base,
				Rate: demoRates[code], SetBy: fiona, SetAt: now})
		}
		if _, err := s.SetExchangeRates(ctx, rates, seedRequest("SetExchangeRates", fiona.ID, demoRates)); err != nil {
			return err
		}
	}
	products := make([]ltc.Product, len(demoProducts))
	for i, p := range demoProducts {
		p.Active, p.CreatedBy, p.CreatedAt, p.UpdatedBy, p.UpdatedAt = true, fiona, now, fiona, now
		products[i] = p
	}
	_, err := s.UpsertProducts(ctx, products, seedRequest("UpsertProducts", fiona.ID, demoProducts))
	return err
}

func seedRequest(method, actor string, content any) store.ReferenceRequest {
	b, _ := json.Marshal(content)
	hash := sha256.Sum256(b)
	return store.ReferenceRequest{ID: uuid.NewSHA1(uuid.NameSpaceOID, append([]byte("ltcd dev "+method), hash[:]...)).String(),
		Method: method, ActorID: actor, PayloadHash: hash[:]}
}
