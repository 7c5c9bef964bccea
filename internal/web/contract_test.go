package web_test

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

const executingID = "33333333-3333-4333-8333-333333333333"

// executingDeal is an OpportunityService with one WON deal whose contract is in execution.
type executingDeal struct {
	ltcv1.UnimplementedOpportunityServiceServer
}

func (executingDeal) GetOpportunity(context.Context, *ltcv1.GetOpportunityRequest) (*ltcv1.GetOpportunityResponse, error) {
	return &ltcv1.GetOpportunityResponse{Opportunity: &ltcv1.Opportunity{Id: executingID, Title: "5G core", Stage: ltcv1.Stage_STAGE_EXECUTION,
		Outcome: ltcv1.Outcome_OUTCOME_WON, Contract: &ltcv1.Contract{Number: "C-1", Amount: &ltcv1.Money{CurrencyCode: "EUR", AmountMinor: 2_350_000_00}}}}, nil
}

func (executingDeal) ListEvents(context.Context, *ltcv1.ListEventsRequest) (*ltcv1.ListEventsResponse, error) {
	return &ltcv1.ListEventsResponse{}, nil
}

// fakeContracts is a ContractService that records the invoices and payments asked.
type fakeContracts struct {
	ltcv1.UnimplementedContractServiceServer
	mu       sync.Mutex
	invoices []*ltcv1.IssueInvoiceRequest
	payments []*ltcv1.RecordPaymentRequest
}

func (f *fakeContracts) IssueInvoice(_ context.Context, req *ltcv1.IssueInvoiceRequest) (*ltcv1.IssueInvoiceResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.invoices = append(f.invoices, req)
	return &ltcv1.IssueInvoiceResponse{}, nil
}

func (f *fakeContracts) RecordPayment(_ context.Context, req *ltcv1.RecordPaymentRequest) (*ltcv1.RecordPaymentResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.payments = append(f.payments, req)
	return &ltcv1.RecordPaymentResponse{}, nil
}

// TestADealInExecutionOffersTheContractsForms: a WON deal in EXECUTION offers the acceptance, invoice, payment and
// close forms (and no sales form); the invoice and payment forms send what was typed.
func TestADealInExecutionOffersTheContractsForms(t *testing.T) {
	contracts := &fakeContracts{}
	site := fakeAPI(t, func(srv *grpc.Server) {
		ltcv1.RegisterOpportunityServiceServer(srv, executingDeal{})
		ltcv1.RegisterContractServiceServer(srv, contracts)
	})
	client := signedIn(t, site, "executive2")
	code, page := read(t, func() (*http.Response, error) { return client.Get(site.URL + "/deals/" + executingID) })
	require.Equal(t, http.StatusOK, code)
	for _, action := range []string{"accept", "invoice", "pay", "close-contract"} {
		assert.Contains(t, page, `action="/deals/`+executingID+`/actions/`+action+`"`)
	}
	assert.NotContains(t, page, `/actions/risk"`, "closed for sales")

	post := func(action string, v url.Values) int {
		code, _ := read(t, func() (*http.Response, error) {
			return client.PostForm(site.URL+"/deals/"+executingID+"/actions/"+action, v)
		})
		return code
	}
	assert.Equal(t, http.StatusOK, post("invoice", url.Values{"request_id": {"44444444-4444-4444-8444-444444444444"}, "number": {"INV-1"},
		"milestone": {"M1"}, "amount": {"705,000.00"}, "amount_currency": {"EUR"}, "due": {"2027-03-01"}}))
	assert.Equal(t, http.StatusOK, post("pay", url.Values{"request_id": {"55555555-5555-4555-8555-555555555555"}, "invoice": {"INV-1"},
		"reference": {"BANK-1"}, "amount": {"705000"}, "amount_currency": {"EUR"}, "date": {"2027-02-01"}}))
	require.Len(t, contracts.invoices, 1)
	inv := contracts.invoices[0]
	assert.Equal(t, "M1", inv.MilestoneId)
	assert.Equal(t, int64(705_000_00), inv.Amount.AmountMinor)
	assert.Equal(t, int32(3), inv.DueDate.Month)
	require.Len(t, contracts.payments, 1)
	assert.Equal(t, "BANK-1", contracts.payments[0].Reference)
	assert.Equal(t, int64(705_000_00), contracts.payments[0].Amount.AmountMinor)
}

const (
	closedID = "66666666-6666-4666-8666-666666666666"
	legacyID = "77777777-7777-4777-8777-777777777777"
)

// wonDeals is an OpportunityService with two deals CLOSED WON, their contracts signed without payment terms: one
// whose contract was executed to its close, one won before contracts were executed.
type wonDeals struct {
	ltcv1.UnimplementedOpportunityServiceServer
}

func (wonDeals) GetOpportunity(_ context.Context, req *ltcv1.GetOpportunityRequest) (*ltcv1.GetOpportunityResponse, error) {
	return &ltcv1.GetOpportunityResponse{Opportunity: &ltcv1.Opportunity{Id: req.Id, Title: "5G core", Stage: ltcv1.Stage_STAGE_CLOSED,
		Outcome: ltcv1.Outcome_OUTCOME_WON, Contract: &ltcv1.Contract{Number: "C-1", Amount: &ltcv1.Money{CurrencyCode: "EUR", AmountMinor: 2_350_000_00}}}}, nil
}

func (wonDeals) ListEvents(context.Context, *ltcv1.ListEventsRequest) (*ltcv1.ListEventsResponse, error) {
	return &ltcv1.ListEventsResponse{}, nil
}

// closedContracts is a ContractService that knows the executed deal's contract, COMPLETED.
type closedContracts struct {
	ltcv1.UnimplementedContractServiceServer
}

func (closedContracts) GetContract(_ context.Context, req *ltcv1.GetContractRequest) (*ltcv1.GetContractResponse, error) {
	if req.OpportunityId != closedID {
		return nil, status.Error(codes.NotFound, "contract not found")
	}
	return &ltcv1.GetContractResponse{Contract: &ltcv1.ContractExecution{OpportunityId: closedID, Status: ltcv1.ContractStatus_CONTRACT_STATUS_COMPLETED}}, nil
}

// TestAWonDealLinksToItsContractWhenItWasExecuted: the deal page links to the contract's page when the deal's
// contract has an execution, though the deal is closed and its contract has no payment terms; a deal won before
// contracts were executed has no link.
func TestAWonDealLinksToItsContractWhenItWasExecuted(t *testing.T) {
	site := fakeAPI(t, func(srv *grpc.Server) {
		ltcv1.RegisterOpportunityServiceServer(srv, wonDeals{})
		ltcv1.RegisterContractServiceServer(srv, closedContracts{})
	})
	client := signedIn(t, site, "executive2")
	code, page := read(t, func() (*http.Response, error) { return client.Get(site.URL + "/deals/" + closedID) })
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, `href="/contracts/`+closedID+`" id="contract-link"`)
	assert.Contains(t, page, `<li class="passed">Contract execution</li>`, "the path walks through the contract's execution")
	code, page = read(t, func() (*http.Response, error) { return client.Get(site.URL + "/deals/" + legacyID) })
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, "C-1", "the contract is shown")
	assert.NotContains(t, page, `id="contract-link"`, "but it has no execution to link to")
	assert.NotContains(t, page, `Contract execution</li>`, "nor a step of its path")
}
