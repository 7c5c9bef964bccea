package web

import (
	"context"
	"net/http"
	"net/url"
	"time"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// reference is the subject of the prices and rates page's forms.
type reference struct{}

// GetId names the page in its forms' path.
func (reference) GetId() string { return "reference" }

// referenceView is the prices and rates page: finance's exchange rates in force today, the product catalogue
// (filtered by family and text) and the forms with which FINANCE keeps them.
type referenceView struct {
	Base     string
	Rates    []*ltcv1.ExchangeRate
	Products []*ltcv1.Product
	Family   string
	Text     string
	Forms    []actionView
}

// referenceActions are finance's forms: a rate into the base currency from a date, and a product created or
// replaced by its code. The API says who may (FINANCE reviewers and admins).
var referenceActions = forms("/", []action[reference]{
	{Key: "rate", Title: "Set an exchange rate", Who: "FINANCE reviewers and admins",
		Fields: []field{{Name: "date", Label: "Effective date", Kind: "date"},
			{Name: "currency", Label: "Currency", Kind: "text", Hint: "ISO 4217, such as USD"},
			{Name: "rate", Label: "Rate", Kind: "text", Hint: "What one unit is worth in the base currency, such as 0.9235"}},
		Defaults: func(reference) url.Values { return url.Values{"date": {today()}} },
		Send: func(ctx context.Context, s *Server, _, rid string, v url.Values) error {
			_, err := s.reference.SetExchangeRates(ctx, &ltcv1.SetExchangeRatesRequest{RequestId: rid, Rates: []*ltcv1.ExchangeRateInput{{
				EffectiveDate: calendarDay(v.Get("date")), FromCurrency: v.Get("currency"), Rate: v.Get("rate")}}})
			return err
		}},
	{Key: "product", Title: "Add or replace a product", Who: "FINANCE reviewers and admins",
		Fields: append(append([]field{{Name: "code", Label: "Code", Kind: "text", Hint: "A known code replaces that product"},
			{Name: "name", Label: "Name", Kind: "text"}, {Name: "family", Label: "Family", Kind: "text"},
			{Name: "unit", Label: "Unit of sale", Kind: "text"}}, moneyFields("price", "List price of one unit")...),
			field{Name: "cost", Label: "Standard cost of one unit", Kind: "text", Hint: "In the list price's currency"},
			field{Name: "active", Label: "Offered (active)", Kind: "check"}),
		Defaults: func(reference) url.Values { return url.Values{"active": {"on"}, "price_currency": {"EUR"}} },
		Send: func(ctx context.Context, s *Server, _, rid string, v url.Values) error {
			price, err := formAmount(v, "price")
			if err != nil {
				return err
			}
			cost, err := amount("cost", v.Get("cost"), v.Get("price_currency"))
			if err != nil {
				return err
			}
			_, err = s.reference.UpsertProducts(ctx, &ltcv1.UpsertProductsRequest{RequestId: rid, Products: []*ltcv1.ProductInput{{
				Code: v.Get("code"), Name: v.Get("name"), Family: v.Get("family"), Unit: v.Get("unit"),
				ListPrice: price, StandardCost: cost, Active: new(v.Get("active") == "on")}}})
			return err
		}},
})

func (s *Server) referenceList(w http.ResponseWriter, r *http.Request, id Identity) {
	s.referencePage(w, r, id, http.StatusOK, "", nil)
}

// referencePage shows the rates in force today and a page of the catalogue, with finance's forms: the one of
// refusedKey as refused.
func (s *Server) referencePage(w http.ResponseWriter, r *http.Request, id Identity, code int, refusedKey string, refused *actionForm) {
	ctx, cancel := s.call(r, id)
	defer cancel()
	now := time.Now().UTC()
	rates, err := s.reference.ListExchangeRates(ctx, &ltcv1.ListExchangeRatesRequest{PageSize: 100,
		AsOf: calendarDay(now.Format(time.DateOnly))})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	q := r.URL.Query()
	products, err := s.reference.ListProducts(ctx, &ltcv1.ListProductsRequest{PageSize: 100, Family: q.Get("family"), Text: q.Get("text")})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	view := referenceView{Base: rates.BaseCurrency, Rates: rates.Rates, Products: products.Products, Family: q.Get("family"), Text: q.Get("text"),
		Forms: draw(referenceActions, reference{}, refusedKey, refused)}
	s.render(w, r, code, "reference", "reference", view)
}
