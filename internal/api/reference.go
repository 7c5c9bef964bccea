package api

import (
	"context"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// referenceService serves ReferenceDataService: finance's exchange rates and the product catalogue, kept in
// PostgreSQL only (they change no deal). A batch is checked whole before anything is written: one bad item refuses
// the call with a violation per bad item, and nothing is recorded.
type referenceService struct {
	ltcv1.UnimplementedReferenceDataServiceServer
	*Server
}

// Method names of the reference data's requests, recorded with their payload digests.
const (
	methodSetExchangeRates = "SetExchangeRates"
	methodUpsertProducts   = "UpsertProducts"
)

// itemViolation is the violation of item i of list for a refusal of the rules ("field: why").
func itemViolation(list string, i int, err error) (fieldViolation, error) {
	if ltc.KindOf(err) != ltc.KindInvalid {
		return fieldViolation{}, err
	}
	field, why, ok := strings.Cut(err.Error(), ": ")
	if !ok || strings.Contains(field, " ") {
		return fieldViolation{fmt.Sprintf("%s[%d]", list, i), err.Error()}, nil
	}
	return fieldViolation{fmt.Sprintf("%s[%d].%s", list, i, field), why}, nil
}

func (s referenceService) SetExchangeRates(ctx context.Context, req *ltcv1.SetExchangeRatesRequest) (*ltcv1.SetExchangeRatesResponse, error) {
	actor := actorOf(ctx)
	if err := ltc.CanSetReferenceData(actor); err != nil {
		return nil, err
	}
	request, err := newRequest(actor, methodSetExchangeRates, req.RequestId, req)
	if err != nil {
		return nil, err
	}
	now, base := time.Now().UTC(), s.policy.Base()
	var violations []fieldViolation
	rates := make([]ltc.ExchangeRate, 0, len(req.Rates))
	type dateAndCurrency struct {
		day  ltc.Date
		from string
	}
	seen := map[dateAndCurrency]int{}
	for i, in := range req.Rates {
		r := ltc.ExchangeRate{EffectiveDate: dateFromProto(in.EffectiveDate), From: in.FromCurrency, To: base, Rate: in.Rate,
			SetBy: actor.Person(), SetAt: now}
		if err := ltc.CheckExchangeRate(r, base); err != nil {
			v, err := itemViolation("rates", i, err)
			if err != nil {
				return nil, err
			}
			violations = append(violations, v)
		}
		key := dateAndCurrency{r.EffectiveDate, r.From}
		if first, ok := seen[key]; ok {
			violations = append(violations, fieldViolation{fmt.Sprintf("rates[%d]", i),
				fmt.Sprintf("sets %s for the date of rates[%d] again; one rate per date and currency", r.From, first)})
		}
		seen[key] = i
		rates = append(rates, r)
	}
	if len(violations) > 0 {
		return nil, invalidArgument(violations...)
	}
	rates, err = s.store.SetExchangeRates(ctx, rates, s.referenceRequest(request.ID, methodSetExchangeRates, actor, request.PayloadHash))
	if err != nil {
		return nil, reusedRequest(err, req.RequestId)
	}
	resp := &ltcv1.SetExchangeRatesResponse{}
	for _, r := range rates {
		resp.Rates = append(resp.Rates, rateToProto(r))
	}
	return resp, nil
}

func (s referenceService) ListExchangeRates(ctx context.Context, req *ltcv1.ListExchangeRatesRequest) (*ltcv1.ListExchangeRatesResponse, error) {
	if err := ltc.CanRead(actorOf(ctx)); err != nil {
		return nil, err
	}
	base := s.policy.Base()
	f := store.RateFilter{From: req.Currency, To: base}
	if req.AsOf != nil {
		day := dateFromProto(req.AsOf)
		f.AsOf = &day
	}
	list, next, err := s.store.ListExchangeRates(ctx, f, pageSize(req.PageSize), req.PageToken)
	if err != nil {
		return nil, listError(err)
	}
	resp := &ltcv1.ListExchangeRatesResponse{NextPageToken: next, BaseCurrency: base}
	for _, r := range list {
		resp.Rates = append(resp.Rates, rateToProto(r))
	}
	return resp, nil
}

func (s referenceService) UpsertProducts(ctx context.Context, req *ltcv1.UpsertProductsRequest) (*ltcv1.UpsertProductsResponse, error) {
	actor := actorOf(ctx)
	if err := ltc.CanSetReferenceData(actor); err != nil {
		return nil, err
	}
	request, err := newRequest(actor, methodUpsertProducts, req.RequestId, req)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	var violations []fieldViolation
	products := make([]ltc.Product, 0, len(req.Products))
	seen := map[string]int{}
	for i, in := range req.Products {
		p := ltc.Product{Code: in.Code, Name: in.Name, Family: in.Family, Unit: in.Unit,
			ListPrice: moneyFromProto(in.ListPrice), StandardCost: moneyFromProto(in.StandardCost), Active: in.Active == nil || *in.Active,
			CreatedBy: actor.Person(), CreatedAt: now, UpdatedBy: actor.Person(), UpdatedAt: now}
		if err := ltc.CheckProduct(p); err != nil {
			v, err := itemViolation("products", i, err)
			if err != nil {
				return nil, err
			}
			violations = append(violations, v)
		}
		if first, ok := seen[p.Code]; ok {
			violations = append(violations, fieldViolation{fmt.Sprintf("products[%d].code", i),
				fmt.Sprintf("%s is the code of products[%d] too; each code once", p.Code, first)})
		}
		seen[p.Code] = i
		products = append(products, p)
	}
	if len(violations) > 0 {
		return nil, invalidArgument(violations...)
	}
	products, err = s.store.UpsertProducts(ctx, products, s.referenceRequest(request.ID, methodUpsertProducts, actor, request.PayloadHash))
	if err != nil {
		return nil, reusedRequest(err, req.RequestId)
	}
	resp := &ltcv1.UpsertProductsResponse{}
	for _, p := range products {
		resp.Products = append(resp.Products, productToProto(p))
	}
	return resp, nil
}

func (s referenceService) ListProducts(ctx context.Context, req *ltcv1.ListProductsRequest) (*ltcv1.ListProductsResponse, error) {
	if err := ltc.CanRead(actorOf(ctx)); err != nil {
		return nil, err
	}
	list, next, err := s.store.ListProducts(ctx, store.ProductFilter{Family: req.Family, Active: req.Active, Text: req.Text},
		pageSize(req.PageSize), req.PageToken)
	if err != nil {
		return nil, listError(err)
	}
	resp := &ltcv1.ListProductsResponse{NextPageToken: next}
	costs := ltc.ReadsCosts(actorOf(ctx))
	for _, p := range list {
		pp := productToProto(p)
		if !costs {
			pp.StandardCost = nil
		}
		resp.Products = append(resp.Products, pp)
	}
	return resp, nil
}

// referenceRequest is the store's record of the caller's request.
func (s referenceService) referenceRequest(id, method string, actor ltc.Actor, hash []byte) store.ReferenceRequest {
	return store.ReferenceRequest{ID: id, Method: method, ActorID: actor.ID, PayloadHash: hash}
}

func rateToProto(r ltc.ExchangeRate) *ltcv1.ExchangeRate {
	return &ltcv1.ExchangeRate{EffectiveDate: dateToProto(r.EffectiveDate), FromCurrency: r.From, ToCurrency: r.To, Rate: r.Rate,
		SetBy: personToProto(r.SetBy), SetTime: timestamppb.New(r.SetAt), ReplacedRate: r.Replaced}
}

func productToProto(p ltc.Product) *ltcv1.Product {
	return &ltcv1.Product{Code: p.Code, Name: p.Name, Family: p.Family, Unit: p.Unit, ListPrice: moneyToProto(p.ListPrice),
		StandardCost: moneyToProto(p.StandardCost), Active: p.Active, CreatedBy: personToProto(p.CreatedBy),
		CreateTime: timestamppb.New(p.CreatedAt), UpdatedBy: personToProto(p.UpdatedBy), UpdateTime: timestamppb.New(p.UpdatedAt)}
}
