package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPricesAndRatesFromTheirPage: FINANCE sets a rate and a product with the page's forms and reads the standard
// costs; a sales rep reads the catalogue without them and is refused the forms with the API's sentence.
func TestPricesAndRatesFromTheirPage(t *testing.T) {
	_, _, site := startWorkplace(t) // with the demo's rates and catalogue
	fiona := signedIn(t, site, "reviewer_finance")
	code, page := read(t, func() (*http.Response, error) {
		return fiona.PostForm(site.URL+"/reference/actions/rate", url.Values{"request_id": {uuid.NewString()},
			"date": {"2026-02-01"}, "currency": {"USD"}, "rate": {"0.93"}})
	})
	require.Equal(t, http.StatusOK, code, "%s", refusalOf(page))
	assert.Contains(t, page, "1 USD = 0.93 EUR", "the new rate is in force")
	assert.NotContains(t, page, "1 USD = 0.9235 EUR", "and replaced the one of January in today's list")
	code, page = read(t, func() (*http.Response, error) {
		return fiona.PostForm(site.URL+"/reference/actions/product", url.Values{"request_id": {uuid.NewString()},
			"code": {"MW-80G"}, "name": {"80 GHz microwave link"}, "family": {"TRANSPORT"}, "unit": {"link"},
			"price": {"4,800.00"}, "price_currency": {"EUR"}, "cost": {"3,100.00"}, "active": {"on"}})
	})
	require.Equal(t, http.StatusOK, code, "%s", refusalOf(page))
	assert.Contains(t, page, "80 GHz microwave link")
	assert.Contains(t, page, "EUR 3,100.00", "FINANCE reads the standard cost")

	sam := signedIn(t, site, "sales")
	code, page = read(t, func() (*http.Response, error) { return sam.Get(site.URL + "/reference?family=TRANSPORT") })
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, "EUR 4,800.00")
	assert.NotContains(t, page, "EUR 3,100.00", "a sales rep does not read costs")
	assert.NotContains(t, page, "RAN-5G-BBU", "filtered by family")
	code, page = read(t, func() (*http.Response, error) {
		return sam.PostForm(site.URL+"/reference/actions/rate", url.Values{"request_id": {uuid.NewString()},
			"date": {"2026-02-01"}, "currency": {"USD"}, "rate": {"2"}})
	})
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, refusalOf(page), "FINANCE")
}
