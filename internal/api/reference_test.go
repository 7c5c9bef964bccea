package api_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

func day(y, m, d int32) *date.Date { return &date.Date{Year: y, Month: m, Day: d} }

func rate(d *date.Date, from, r string) *ltcv1.ExchangeRateInput {
	return &ltcv1.ExchangeRateInput{EffectiveDate: d, FromCurrency: from, Rate: r}
}

// ratesOf lists the rates as the caller reads them, every page, as "FROM date rate".
func ratesOf(t *testing.T, e *testenv.Engine, req *ltcv1.ListExchangeRatesRequest) []string {
	t.Helper()
	out := []string{}
	for {
		resp, err := ltcv1.NewReferenceDataServiceClient(e.Conn).ListExchangeRates(e.As(t, sam), req)
		require.NoError(t, err)
		assert.Equal(t, "EUR", resp.BaseCurrency)
		for _, r := range resp.Rates {
			assert.Equal(t, "EUR", r.ToCurrency)
			d := r.EffectiveDate
			out = append(out, fmt.Sprintf("%s %04d-%02d-%02d %s", r.FromCurrency, d.Year, d.Month, d.Day, r.Rate))
		}
		if resp.NextPageToken == "" {
			return out
		}
		req = proto.CloneOf(req)
		req.PageToken = resp.NextPageToken
	}
}

func TestReferenceRatesAreEffectiveDatedAndReplaced(t *testing.T) {
	e := testenv.StartEngine(t)
	ref := ltcv1.NewReferenceDataServiceClient(e.Conn)
	set, err := ref.SetExchangeRates(e.As(t, emeaFiona), &ltcv1.SetExchangeRatesRequest{RequestId: uuid.NewString(), Rates: []*ltcv1.ExchangeRateInput{
		rate(day(2026, 1, 1), "USD", "0.9"), rate(day(2026, 3, 1), "USD", "0.92"), rate(day(2026, 1, 1), "JPY", "0.0062")}})
	require.NoError(t, err)
	require.Len(t, set.Rates, 3)
	assert.Equal(t, emeaFiona.ID, set.Rates[0].SetBy.Id)
	assert.Equal(t, "EUR", set.Rates[0].ToCurrency)
	assert.Empty(t, set.Rates[0].ReplacedRate)

	assert.Equal(t, "USD 2026-03-01 0.92", ratesOf(t, e, &ltcv1.ListExchangeRatesRequest{})[0], "newest effective date first")
	assert.ElementsMatch(t, []string{"USD 2026-03-01 0.92", "USD 2026-01-01 0.9", "JPY 2026-01-01 0.0062"}, ratesOf(t, e, &ltcv1.ListExchangeRatesRequest{PageSize: 1}))
	assert.Equal(t, []string{"USD 2026-03-01 0.92", "USD 2026-01-01 0.9"}, ratesOf(t, e, &ltcv1.ListExchangeRatesRequest{Currency: "USD"}))

	// As of a date: the rate of the latest effective date on or before it, per currency.
	asOf := func(d *date.Date, currency string) []string {
		return ratesOf(t, e, &ltcv1.ListExchangeRatesRequest{AsOf: d, Currency: currency})
	}
	assert.Equal(t, []string{"USD 2026-01-01 0.9"}, asOf(day(2026, 2, 28), "USD"))
	assert.Equal(t, []string{"USD 2026-03-01 0.92"}, asOf(day(2026, 3, 1), "USD"), "in force from its effective date")
	assert.Equal(t, []string{"USD 2026-03-01 0.92"}, asOf(day(2027, 1, 1), "USD"))
	assert.Empty(t, asOf(day(2025, 12, 31), "USD"), "no rate before the first")
	assert.ElementsMatch(t, []string{"USD 2026-01-01 0.9", "JPY 2026-01-01 0.0062"}, asOf(day(2026, 2, 1), ""))
	assert.Equal(t, []string{"JPY 2026-01-01 0.0062"}, ratesOf(t, e, &ltcv1.ListExchangeRatesRequest{AsOf: day(2026, 6, 1), Currency: "JPY", PageSize: 1}))

	// A later set for the same date and currency replaces it, recorded with who, when and what it replaced.
	again, err := ref.SetExchangeRates(e.As(t, ops), &ltcv1.SetExchangeRatesRequest{RequestId: uuid.NewString(), Rates: []*ltcv1.ExchangeRateInput{
		rate(day(2026, 3, 1), "USD", "0.9250")}})
	require.NoError(t, err)
	assert.Equal(t, "0.92", again.Rates[0].ReplacedRate)
	assert.Equal(t, ops.ID, again.Rates[0].SetBy.Id)
	assert.Equal(t, []string{"USD 2026-03-01 0.9250"}, asOf(day(2026, 3, 2), "USD"))
	sets, err := e.Store.ExchangeRateSets(t.Context(), "USD", "EUR", ltc.Date{Year: 2026, Month: 3, Day: 1})
	require.NoError(t, err)
	require.Len(t, sets, 2)
	assert.Equal(t, []string{"0.92", "0.9250"}, []string{sets[0].Rate, sets[1].Rate})
	assert.Equal(t, []string{emeaFiona.ID, ops.ID}, []string{sets[0].SetBy.ID, sets[1].SetBy.ID})
	assert.Equal(t, "0.92", sets[1].Replaced)

	// Everyone signed in reads.
	_, err = ref.ListExchangeRates(e.As(t, eli), &ltcv1.ListExchangeRatesRequest{})
	require.NoError(t, err)
	_, err = ref.ListExchangeRates(e.As(t, sam), &ltcv1.ListExchangeRatesRequest{Currency: "usd"})
	assert.Equal(t, []string{"currency"}, violations(t, err))
	_, err = ref.ListExchangeRates(e.As(t, sam), &ltcv1.ListExchangeRatesRequest{PageToken: "made-up"})
	assert.Equal(t, []string{"page_token"}, violations(t, err))
}

func TestReferenceRatesRefusals(t *testing.T) {
	e := testenv.StartEngine(t)
	ref := ltcv1.NewReferenceDataServiceClient(e.Conn)
	good := rate(day(2026, 1, 1), "USD", "0.9")

	for _, a := range []ltc.Actor{sam, mia, eric, emeaLena} {
		_, err := ref.SetExchangeRates(e.As(t, a), &ltcv1.SetExchangeRatesRequest{RequestId: uuid.NewString(), Rates: []*ltcv1.ExchangeRateInput{good}})
		requireCode(t, err, codes.PermissionDenied, "FINANCE")
	}

	// Each bad rate is named; the good one in the batch is not recorded either. (What the request's declared rules
	// refuse, the interceptor refuses before the service's rules run: see the loop below.)
	id := uuid.NewString()
	_, err := ref.SetExchangeRates(e.As(t, emeaFiona), &ltcv1.SetExchangeRatesRequest{RequestId: id, Rates: []*ltcv1.ExchangeRateInput{
		good, rate(day(2026, 1, 1), "CNY", "0"), rate(day(2026, 1, 1), "GBP", "0.000"),
		rate(day(2026, 1, 1), "ZZZ", "1"), rate(day(2026, 1, 1), "EUR", "1"), rate(day(2026, 1, 1), "USD", "0.91")}})
	assert.Equal(t, []string{"rates[1].rate", "rates[2].rate", "rates[3].from_currency", "rates[4].from_currency", "rates[5]"}, violations(t, err))
	for _, bad := range []*ltcv1.ExchangeRateInput{
		rate(day(2026, 1, 1), "CHF", "7.1.2"), rate(day(2026, 2, 30), "SEK", "0.087"),
		rate(day(2026, 1, 1), "USD", "-0.9"), rate(day(2026, 1, 1), "USD", "1e3"), rate(day(2026, 1, 1), "USD", "NaN"),
		rate(day(2026, 1, 1), "USD", ""), rate(day(2026, 1, 1), "USD", "0.0000000000001"), rate(day(2026, 1, 1), "usd", "1"),
		rate(day(2026, 1, 1), "US", "1"), rate(nil, "USD", "1"),
	} {
		_, err := ref.SetExchangeRates(e.As(t, emeaFiona), &ltcv1.SetExchangeRatesRequest{RequestId: id, Rates: []*ltcv1.ExchangeRateInput{bad}})
		assert.Len(t, violations(t, err), 1, "%v", bad)
	}
	_, err = ref.SetExchangeRates(e.As(t, emeaFiona), &ltcv1.SetExchangeRatesRequest{RequestId: id})
	assert.Equal(t, []string{"rates"}, violations(t, err))
	assert.Empty(t, ratesOf(t, e, &ltcv1.ListExchangeRatesRequest{}), "a refused batch records nothing")

	// The request id of a refused call is still free; a retry returns the first result; another payload or caller
	// under the id is ALREADY_EXISTS.
	req := &ltcv1.SetExchangeRatesRequest{RequestId: id, Rates: []*ltcv1.ExchangeRateInput{good}}
	first, err := ref.SetExchangeRates(e.As(t, emeaFiona), req)
	require.NoError(t, err)
	retry, err := ref.SetExchangeRates(e.As(t, emeaFiona), req)
	require.NoError(t, err)
	assert.True(t, proto.Equal(first, retry), "a retry returns the first result")
	sets, err := e.Store.ExchangeRateSets(t.Context(), "USD", "EUR", ltc.Date{Year: 2026, Month: 1, Day: 1})
	require.NoError(t, err)
	assert.Len(t, sets, 1, "a retry sets nothing again")
	_, err = ref.SetExchangeRates(e.As(t, emeaFiona), &ltcv1.SetExchangeRatesRequest{RequestId: id, Rates: []*ltcv1.ExchangeRateInput{rate(day(2026, 1, 1), "USD", "0.95")}})
	requireCode(t, err, codes.AlreadyExists, id)
	_, err = ref.SetExchangeRates(e.As(t, ops), req)
	requireCode(t, err, codes.AlreadyExists, id)
	_, err = ref.UpsertProducts(e.As(t, emeaFiona), &ltcv1.UpsertProductsRequest{RequestId: id, Products: []*ltcv1.ProductInput{product("P-1", "RAN", "EUR")}})
	requireCode(t, err, codes.AlreadyExists, id)
	assert.Equal(t, []string{"USD 2026-01-01 0.9"}, ratesOf(t, e, &ltcv1.ListExchangeRatesRequest{}))
}

func product(code, family, currency string) *ltcv1.ProductInput {
	return &ltcv1.ProductInput{Code: code, Name: "Product " + code, Family: family, Unit: "piece",
		ListPrice: &ltcv1.Money{CurrencyCode: currency, AmountMinor: 1_000_00}, StandardCost: &ltcv1.Money{CurrencyCode: currency, AmountMinor: 600_00}}
}

// productsOf lists the products' codes as sam reads them, every page.
func productsOf(t *testing.T, e *testenv.Engine, req *ltcv1.ListProductsRequest) []string {
	t.Helper()
	out := []string{}
	for {
		resp, err := ltcv1.NewReferenceDataServiceClient(e.Conn).ListProducts(e.As(t, sam), req)
		require.NoError(t, err)
		for _, p := range resp.Products {
			out = append(out, p.Code)
		}
		if resp.NextPageToken == "" {
			return out
		}
		req = proto.CloneOf(req)
		req.PageToken = resp.NextPageToken
	}
}

func TestReferenceProductsUpsertAndList(t *testing.T) {
	e := testenv.StartEngine(t)
	ref := ltcv1.NewReferenceDataServiceClient(e.Conn)
	bbu := product("RAN-5G-BBU", "RAN", "EUR")
	bbu.Name = "Baseband Unit 5G"
	req := &ltcv1.UpsertProductsRequest{RequestId: uuid.NewString(), Products: []*ltcv1.ProductInput{
		bbu, product("RAN-5G-RRU", "RAN", "EUR"), product("SVC-PM-DAY", "services", "CNY")}}
	up, err := ref.UpsertProducts(e.As(t, emeaFiona), req)
	require.NoError(t, err)
	require.Len(t, up.Products, 3)
	p := up.Products[0]
	assert.Equal(t, []any{"RAN-5G-BBU", "Baseband Unit 5G", "RAN", "piece", true, emeaFiona.ID, emeaFiona.ID},
		[]any{p.Code, p.Name, p.Family, p.Unit, p.Active, p.CreatedBy.Id, p.UpdatedBy.Id})
	assert.True(t, proto.Equal(&ltcv1.Money{CurrencyCode: "EUR", AmountMinor: 1_000_00}, p.ListPrice))
	assert.True(t, proto.Equal(&ltcv1.Money{CurrencyCode: "EUR", AmountMinor: 600_00}, p.StandardCost))
	retry, err := ref.UpsertProducts(e.As(t, emeaFiona), req)
	require.NoError(t, err)
	assert.True(t, proto.Equal(up, retry), "a retry returns the first result")

	assert.ElementsMatch(t, []string{"RAN-5G-BBU", "RAN-5G-RRU", "SVC-PM-DAY"}, productsOf(t, e, &ltcv1.ListProductsRequest{PageSize: 2}))
	assert.ElementsMatch(t, []string{"RAN-5G-BBU", "RAN-5G-RRU"}, productsOf(t, e, &ltcv1.ListProductsRequest{Family: "RAN"}))
	assert.Equal(t, []string{"RAN-5G-BBU"}, productsOf(t, e, &ltcv1.ListProductsRequest{Text: "baseband"}), "name, case-insensitively")
	assert.Equal(t, []string{"SVC-PM-DAY"}, productsOf(t, e, &ltcv1.ListProductsRequest{Text: "pm-d"}), "code")
	assert.Empty(t, productsOf(t, e, &ltcv1.ListProductsRequest{Text: "%"}), "no LIKE pattern")
	for who, sees := range map[*ltc.Actor]bool{&sam: false, &emeaFiona: true} {
		listed, err := ref.ListProducts(e.As(t, *who), &ltcv1.ListProductsRequest{Text: "baseband"})
		require.NoError(t, err)
		require.Len(t, listed.Products, 1)
		assert.Equal(t, sees, listed.Products[0].StandardCost != nil, "%s reads the standard cost: %v", who.ID, sees)
	}

	// An admin deactivates one and reprices another: the creator stays, the updater changes.
	off := product("RAN-5G-RRU", "RAN", "EUR")
	off.Active = proto.Bool(false)
	repriced := product("SVC-PM-DAY", "services", "CNY")
	repriced.ListPrice.AmountMinor = 1_200_00
	up, err = ref.UpsertProducts(e.As(t, ops), &ltcv1.UpsertProductsRequest{RequestId: uuid.NewString(), Products: []*ltcv1.ProductInput{off, repriced}})
	require.NoError(t, err)
	assert.False(t, up.Products[0].Active)
	assert.Equal(t, []string{emeaFiona.ID, ops.ID}, []string{up.Products[0].CreatedBy.Id, up.Products[0].UpdatedBy.Id})
	assert.Equal(t, int64(1_200_00), up.Products[1].ListPrice.AmountMinor)
	assert.ElementsMatch(t, []string{"RAN-5G-BBU", "SVC-PM-DAY"}, productsOf(t, e, &ltcv1.ListProductsRequest{Active: proto.Bool(true)}))
	assert.Equal(t, []string{"RAN-5G-RRU"}, productsOf(t, e, &ltcv1.ListProductsRequest{Active: proto.Bool(false)}))
	assert.Len(t, productsOf(t, e, &ltcv1.ListProductsRequest{}), 3, "deactivated, not deleted")
}

func TestReferenceProductsRefusals(t *testing.T) {
	e := testenv.StartEngine(t)
	ref := ltcv1.NewReferenceDataServiceClient(e.Conn)
	for _, a := range []ltc.Actor{sam, mia, eric, emeaLena} {
		_, err := ref.UpsertProducts(e.As(t, a), &ltcv1.UpsertProductsRequest{RequestId: uuid.NewString(), Products: []*ltcv1.ProductInput{product("P-1", "RAN", "EUR")}})
		requireCode(t, err, codes.PermissionDenied, "FINANCE")
	}
	mixed := product("P-2", "RAN", "EUR")
	mixed.StandardCost.CurrencyCode = "USD"
	negative := product("P-3", "RAN", "EUR")
	negative.ListPrice.AmountMinor = -1
	unknown := product("P-4", "RAN", "ZZZ")
	badCode := product("P 5", "RAN", "EUR")
	noCost := product("P-6", "RAN", "EUR")
	noCost.StandardCost = nil
	_, err := ref.UpsertProducts(e.As(t, emeaFiona), &ltcv1.UpsertProductsRequest{RequestId: uuid.NewString(), Products: []*ltcv1.ProductInput{
		product("P-1", "RAN", "EUR"), mixed, negative, unknown, badCode, noCost}})
	assert.ElementsMatch(t, []string{"products[2].list_price.amount_minor", "products[3].list_price.currency_code",
		"products[3].standard_cost.currency_code", "products[4].code", "products[5].standard_cost"}, violations(t, err))
	_, err = ref.UpsertProducts(e.As(t, emeaFiona), &ltcv1.UpsertProductsRequest{RequestId: uuid.NewString(), Products: []*ltcv1.ProductInput{
		product("P-1", "RAN", "EUR"), mixed, product("P-1", "RAN", "EUR")}})
	assert.Equal(t, []string{"products[1].standard_cost", "products[2].code"}, violations(t, err))
	many := &ltcv1.UpsertProductsRequest{RequestId: uuid.NewString()}
	for i := range 101 {
		many.Products = append(many.Products, product("P-"+string(rune('a'+i%26))+uuid.NewString()[:8], "RAN", "EUR"))
	}
	_, err = ref.UpsertProducts(e.As(t, emeaFiona), many)
	assert.Equal(t, []string{"products"}, violations(t, err))
	assert.Empty(t, productsOf(t, e, &ltcv1.ListProductsRequest{}), "a refused batch records nothing")

	req := &ltcv1.UpsertProductsRequest{RequestId: uuid.NewString(), Products: []*ltcv1.ProductInput{product("P-1", "RAN", "EUR")}}
	_, err = ref.UpsertProducts(e.As(t, emeaFiona), req)
	require.NoError(t, err)
	other := proto.CloneOf(req)
	other.Products[0].Name = "Another"
	_, err = ref.UpsertProducts(e.As(t, emeaFiona), other)
	requireCode(t, err, codes.AlreadyExists, req.RequestId)
	_, err = ref.ListProducts(e.As(t, sam), &ltcv1.ListProductsRequest{PageToken: "made-up"})
	assert.Equal(t, []string{"page_token"}, violations(t, err))
}

// TestReferenceRatesConcurrentRetriesSetOnce: retries of one request racing each other all get its one result.
func TestReferenceRatesConcurrentRetriesSetOnce(t *testing.T) {
	e := testenv.StartEngine(t)
	ref := ltcv1.NewReferenceDataServiceClient(e.Conn)
	req := &ltcv1.SetExchangeRatesRequest{RequestId: uuid.NewString(), Rates: []*ltcv1.ExchangeRateInput{rate(day(2026, 1, 1), "USD", "0.9")}}
	results := make(chan *ltcv1.SetExchangeRatesResponse, 4)
	for range 4 {
		go func() {
			resp, err := ref.SetExchangeRates(e.As(t, emeaFiona), req)
			assert.NoError(t, err)
			results <- resp
		}()
	}
	first := <-results
	for range 3 {
		assert.True(t, proto.Equal(first, <-results))
	}
	sets, err := e.Store.ExchangeRateSets(t.Context(), "USD", "EUR", ltc.Date{Year: 2026, Month: 1, Day: 1})
	require.NoError(t, err)
	assert.Len(t, sets, 1)
}
