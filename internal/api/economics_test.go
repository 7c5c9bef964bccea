package api_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

func lineOf(code string, qty int64, discount string) *ltcv1.LineItem {
	return &ltcv1.LineItem{ProductCode: code, Quantity: qty, DiscountPercent: discount}
}

func atbWith(id string, lines ...*ltcv1.LineItem) *ltcv1.RequestDecisionRequest {
	return &ltcv1.RequestDecisionRequest{RequestId: uuid.NewString(), OpportunityId: id, Gate: ltcv1.Gate_GATE_ATB,
		Package: &ltcv1.RequestDecisionRequest_Bid{Bid: &ltcv1.BidPackage{Strategy: "s", PaymentTerms: "p", DeliveryFeasibility: "f",
			WinRate: 50, LineItems: lines}}}
}

// A bid package made of the catalogue's products: the engine prices it, a margin below the floor is a special price
// that a higher executive decides after FINANCE, and only those who read costs see the lines' costs.
func TestLineItemsPriceTheBid(t *testing.T) {
	e := testenv.StartEngine(t)
	ref := ltcv1.NewReferenceDataServiceClient(e.Conn)
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	retired := product("P-OLD", "RAN", "EUR")
	retired.Active = proto.Bool(false)
	_, err := ref.UpsertProducts(e.As(t, fiona), &ltcv1.UpsertProductsRequest{RequestId: uuid.NewString(), Products: []*ltcv1.ProductInput{
		product("P-BBU", "RAN", "EUR"), product("P-SVC", "SERVICES", "USD"), retired}}) // 1,000.00 list, 600.00 cost
	require.NoError(t, err)
	id := toPursuitC(t, e)
	eventsBefore, updatesBefore := recorded(t, e, id)

	// Refused, each recording nothing.
	_, err = decisions.RequestDecision(e.As(t, sam), atbWith(id, lineOf("P-NONE", 1, "")))
	requireCode(t, err, codes.NotFound, `product "P-NONE" (bid.line_items[0].product_code) is not in the catalogue`)
	_, err = decisions.RequestDecision(e.As(t, sam), atbWith(id, lineOf("P-BBU", 1, ""), lineOf("P-OLD", 1, "")))
	requireCode(t, err, codes.FailedPrecondition, "inactive")
	_, err = decisions.RequestDecision(e.As(t, sam), atbWith(id, lineOf("P-BBU", 1, ""), lineOf("P-SVC", 1, "")))
	requireCode(t, err, codes.InvalidArgument, "priced in USD but the package is in EUR")
	assert.Equal(t, []string{"bid.line_items[1].unit_list_price", "bid.line_items[1].unit_cost"}, violations(t, err))
	_, err = decisions.RequestDecision(e.As(t, sam), atbWith(id, lineOf("P-BBU", 1, "ten")))
	requireCode(t, err, codes.InvalidArgument, "percentage")
	assert.Equal(t, []string{"bid.line_items[0].discount_percent"}, violations(t, err))
	_, err = decisions.RequestDecision(e.As(t, sam), atbWith(id, lineOf("P-BBU", 0, "")))
	requireCode(t, err, codes.InvalidArgument, "")
	assert.Equal(t, []string{"bid.line_items[0].quantity"}, violations(t, err))
	stated := atbWith(id, lineOf("P-BBU", 100, "15"))
	stated.GetBid().ProposedPrice = eur(90_000)
	_, err = decisions.RequestDecision(e.As(t, sam), stated)
	requireCode(t, err, codes.InvalidArgument, "the line items come to 85000.00 EUR")
	assert.Equal(t, []string{"bid.proposed_price"}, violations(t, err))
	// 100 × 1,000.00 less 35 % is 65,000.00 against a cost of 60,000.00: 7.69 %, 7.31 points below level C's 15 %.
	special := atbWith(id, lineOf("P-BBU", 100, "35"))
	_, err = decisions.RequestDecision(e.As(t, sam), special)
	requireCode(t, err, codes.InvalidArgument, "7.31 points below the level C floor of 15 %")
	assert.Equal(t, []string{"bid.special_price_rationale"}, violations(t, err))
	eventsAfter, updatesAfter := recorded(t, e, id)
	assert.Equal(t, []int{eventsBefore, updatesBefore}, []int{eventsAfter, updatesAfter}, "refusals record nothing")

	special.GetBid().SpecialPriceRationale = "the first site of a new operator"
	r, err := decisions.RequestDecision(e.As(t, sam), special)
	require.NoError(t, err)
	d := r.Decision
	bid := d.GetBid()
	assert.True(t, proto.Equal(eur(65_000), bid.ProposedPrice), "the price is the lines' net total")
	assert.InDelta(t, 7.69, bid.GrossMarginPercent, 0.001)
	require.Len(t, bid.LineItems, 1)
	assert.Equal(t, []any{"Product P-BBU", "RAN", "piece", "35"}, []any{bid.LineItems[0].ProductName, bid.LineItems[0].Family, bid.LineItems[0].Unit, bid.LineItems[0].DiscountPercent})
	assert.True(t, proto.Equal(eur(100_000), bid.Totals.ListTotal))
	assert.True(t, proto.Equal(eur(35_000), bid.Totals.DiscountTotal))
	assert.Equal(t, []string{"35.00", "7.69"}, []string{bid.Totals.DiscountPercent, bid.Totals.GrossMarginPercent})
	assert.Nil(t, bid.Totals.CostTotal, "the requester does not read costs")
	assert.Nil(t, bid.LineItems[0].UnitCost)
	assert.True(t, proto.Equal(&ltcv1.MarginCheck{FloorPercent: "15", MarginPercent: "7.69", ShortfallPoints: "7.31", SpecialPrice: true}, d.Margin))
	assert.Equal(t, int32(2), d.RequiredAuthority, "level C's authority 1, one more for the special price")
	assert.Equal(t, []ltcv1.ReviewFunction{ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE}, d.RequiredReviews)

	// FINANCE and the executives read the costs; the sales rep does not, in the deal either.
	for _, who := range []struct {
		actor ltc.Actor
		reads bool
	}{{fiona, true}, {eva, true}, {sam, false}} {
		got, err := decisions.GetDecision(e.As(t, who.actor), &ltcv1.GetDecisionRequest{Id: d.Id})
		require.NoError(t, err)
		assert.Equal(t, who.reads, got.Decision.GetBid().Totals.CostTotal != nil, "%s reads the cost total: %v", who.actor.ID, who.reads)
		assert.Equal(t, who.reads, got.Decision.GetBid().LineItems[0].CostAmount != nil, "%s reads the line's cost: %v", who.actor.ID, who.reads)
	}
	deal, err := ltcv1.NewOpportunityServiceClient(e.Conn).GetOpportunity(e.As(t, sam), &ltcv1.GetOpportunityRequest{Id: id})
	require.NoError(t, err)
	last := deal.Opportunity.Decisions[len(deal.Opportunity.Decisions)-1]
	assert.Nil(t, last.GetBid().Totals.CostTotal)
	assert.NotNil(t, last.GetBid().Totals.NetTotal)

	// A retry is answered as the first call was, though the product was retired since.
	_, err = ref.UpsertProducts(e.As(t, fiona), &ltcv1.UpsertProductsRequest{RequestId: uuid.NewString(), Products: []*ltcv1.ProductInput{
		func() *ltcv1.ProductInput {
			p := product("P-BBU", "RAN", "EUR")
			p.Active = proto.Bool(false)
			return p
		}()}})
	require.NoError(t, err)
	again, err := decisions.RequestDecision(e.As(t, sam), special)
	require.NoError(t, err)
	assert.Equal(t, d.Id, again.Decision.Id)
	changed := proto.CloneOf(special)
	changed.GetBid().Strategy = "another"
	_, err = decisions.RequestDecision(e.As(t, sam), changed)
	requireCode(t, err, codes.AlreadyExists, "")

	// The office executive may not decide the special price; FINANCE reviews, the region's executive decides.
	_, err = decisions.Decide(e.As(t, eli), &ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: d.Id, Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "r"})
	requireCode(t, err, codes.PermissionDenied, "authority 2")
	_, err = decisions.SubmitReview(e.As(t, fiona), &ltcv1.SubmitReviewRequest{RequestId: uuid.NewString(), DecisionId: d.Id,
		Function: ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE, Result: ltcv1.ReviewResult_REVIEW_RESULT_PASS, Comments: "the reference is worth it"})
	require.NoError(t, err)
	_, err = decisions.Decide(e.As(t, eva), &ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: d.Id, Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "r"})
	require.NoError(t, err)
	deal, err = ltcv1.NewOpportunityServiceClient(e.Conn).GetOpportunity(e.As(t, sam), &ltcv1.GetOpportunityRequest{Id: id})
	require.NoError(t, err)
	assert.True(t, proto.Equal(eur(65_000), deal.Opportunity.ApprovedBidPrice), "the envelope is the lines' total")
}

// The level thresholds are in the base currency (EUR): a deal valued in yen waits for finance's rate, then finds
// its level from the converted value, which the decision shows with the rate.
func TestTheLevelOfAValueInAnotherCurrency(t *testing.T) {
	e := testenv.StartEngine(t)
	id := qualifiedDeal(t, e)
	yen := assessment()
	yen.Value = &ltcv1.Money{CurrencyCode: "JPY", AmountMinor: 200_000_000} // 200,000,000 JPY
	_, err := ltcv1.NewOpportunityServiceClient(e.Conn).UpdateAssessment(e.As(t, sam), &ltcv1.UpdateAssessmentRequest{
		RequestId: uuid.NewString(), OpportunityId: id, Assessment: yen})
	require.NoError(t, err)
	initiation := &ltcv1.RequestDecisionRequest{RequestId: uuid.NewString(), OpportunityId: id, Gate: ltcv1.Gate_GATE_INITIATION,
		Package: &ltcv1.RequestDecisionRequest_Initiation{Initiation: &ltcv1.InitiationPackage{ProposedLevel: ltcv1.ProjectLevel_PROJECT_LEVEL_C, Rationale: "r"}}}
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	_, err = decisions.RequestDecision(e.As(t, sam), initiation)
	requireCode(t, err, codes.FailedPrecondition, "the exchange rate of JPY into the base currency EUR")

	yesterday := time.Now().UTC().AddDate(0, 0, -1)
	_, err = ltcv1.NewReferenceDataServiceClient(e.Conn).SetExchangeRates(e.As(t, fiona), &ltcv1.SetExchangeRatesRequest{RequestId: uuid.NewString(),
		Rates: []*ltcv1.ExchangeRateInput{rate(&date.Date{Year: int32(yesterday.Year()), Month: int32(yesterday.Month()), Day: int32(yesterday.Day())}, "JPY", "0.0062")}})
	require.NoError(t, err)
	initiation.RequestId = uuid.NewString()
	r, err := decisions.RequestDecision(e.As(t, sam), initiation)
	require.NoError(t, err)
	// 200,000,000 JPY × 0.0062 = 1,240,000.00 EUR: level B (from 1,000,000 EUR), though proposed C.
	assert.True(t, proto.Equal(eur(1_240_000), r.Decision.LevelValue))
	assert.Equal(t, []string{"JPY", "EUR", "0.0062"}, []string{r.Decision.LevelRate.FromCurrency, r.Decision.LevelRate.ToCurrency, r.Decision.LevelRate.Rate})
	assert.Equal(t, ltcv1.ProjectLevel_PROJECT_LEVEL_B, r.Decision.PolicyLevel)
	assert.Equal(t, int32(2), r.Decision.RequiredAuthority)
}

// Finance's changes are in the event log, for the systems that follow it: no deal's, seen by the company's readers
// only, with the standard cost to those who read costs.
func TestReferenceDataChangesAreEvents(t *testing.T) {
	e := testenv.StartEngine(t)
	ref := ltcv1.NewReferenceDataServiceClient(e.Conn)
	_, err := ref.SetExchangeRates(e.As(t, fiona), &ltcv1.SetExchangeRatesRequest{RequestId: uuid.NewString(),
		Rates: []*ltcv1.ExchangeRateInput{rate(&date.Date{Year: 2026, Month: 1, Day: 1}, "USD", "0.9235")}})
	require.NoError(t, err)
	_, err = ref.UpsertProducts(e.As(t, fiona), &ltcv1.UpsertProductsRequest{RequestId: uuid.NewString(),
		Products: []*ltcv1.ProductInput{product("P-BBU", "RAN", "EUR")}})
	require.NoError(t, err)
	erp := ltc.Actor{ID: "erp", Name: "ERP", Roles: []ltc.Role{ltc.RoleSystem}, Unit: ltc.Company, Scopes: []string{ltc.ScopeRead}}
	feed := func(a ltc.Actor) []*ltcv1.Event {
		resp, err := ltcv1.NewOpportunityServiceClient(e.Conn).ListEvents(e.As(t, a), &ltcv1.ListEventsRequest{
			Types: []string{"exchange_rate.set", "product.upserted"}})
		require.NoError(t, err)
		return resp.Events
	}
	events := feed(erp)
	require.Len(t, events, 2)
	assert.Equal(t, []string{"exchange_rate.set", "product.upserted"}, []string{events[0].Type, events[1].Type})
	assert.Empty(t, events[0].DealId, "no deal's")
	assert.Equal(t, "0.9235", events[0].GetExchangeRateSet().Rate.Rate)
	assert.Equal(t, fiona.ID, events[0].Actor.Id)
	assert.Equal(t, "P-BBU", events[1].GetProductUpserted().Product.Code)
	assert.Nil(t, events[1].GetProductUpserted().Product.StandardCost, "a system does not read costs")
	admin := feed(ops)
	require.Len(t, admin, 2)
	assert.NotNil(t, admin[1].GetProductUpserted().Product.StandardCost, "an admin does")
	assert.Empty(t, feed(sam), "a sales rep reads the events of their deals only")
}

// The pipeline report converts its sums into a currency asked for, through the base currency at the rates in force,
// and says which it used: 1,200,000.00 EUR and 1,000,000.00 USD at 0.9 are 2,100,000.00 EUR, which at 1 GBP =
// 1.2 EUR are 1,750,000.00 GBP.
func TestThePipelineInOneCurrency(t *testing.T) {
	e := testenv.StartEngine(t)
	yesterday := time.Now().UTC().AddDate(0, 0, -1)
	day := &date.Date{Year: int32(yesterday.Year()), Month: int32(yesterday.Month()), Day: int32(yesterday.Day())}
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	for _, value := range []*ltcv1.Money{{CurrencyCode: "EUR", AmountMinor: 1_200_000_00}, {CurrencyCode: "USD", AmountMinor: 1_000_000_00}} {
		req := createRequest()
		req.EstimatedValue = value
		created, err := leads.CreateLead(e.As(t, sam), req)
		require.NoError(t, err)
		_, err = leads.QualifyLead(e.As(t, mia), qualifyRequest(created.Lead.Id))
		require.NoError(t, err)
	}
	reports := ltcv1.NewReportServiceClient(e.Conn)
	period := func(currency string) *ltcv1.GetPipelineReportRequest {
		now := time.Now()
		return &ltcv1.GetPipelineReportRequest{StartTime: timestamppb.New(now.Add(-time.Hour)), EndTime: timestamppb.New(now.Add(time.Hour)),
			CurrencyCode: currency}
	}
	_, err := reports.GetPipelineReport(e.As(t, mia), period("GBP"))
	requireCode(t, err, codes.FailedPrecondition, "GBP, USD")
	_, err = ltcv1.NewReferenceDataServiceClient(e.Conn).SetExchangeRates(e.As(t, fiona), &ltcv1.SetExchangeRatesRequest{RequestId: uuid.NewString(),
		Rates: []*ltcv1.ExchangeRateInput{rate(day, "USD", "0.9"), rate(day, "GBP", "1.2")}})
	require.NoError(t, err)
	r, err := reports.GetPipelineReport(e.As(t, mia), period("GBP"))
	require.NoError(t, err)
	var converted []string
	for _, f := range r.Funnel {
		converted = append(converted, f.ValueConverted.AmountMinor+" "+f.ValueConverted.CurrencyCode)
	}
	assert.Equal(t, []string{"175000000 GBP"}, converted, "both deals in VALIDATION: 2,100,000.00 EUR / 1.2")
	assert.Equal(t, []string{"GBP 1.2", "USD 0.9"}, []string{r.RatesUsed[0].FromCurrency + " " + r.RatesUsed[0].Rate, r.RatesUsed[1].FromCurrency + " " + r.RatesUsed[1].Rate})
	assert.Equal(t, "0", r.ValueWonConverted.AmountMinor)
	plain, err := reports.GetPipelineReport(e.As(t, mia), period(""))
	require.NoError(t, err)
	assert.Nil(t, plain.ValueWonConverted, "no currency asked, no conversion")
	assert.Empty(t, plain.RatesUsed)
}
