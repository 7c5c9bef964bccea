package api_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// atOnce runs f(0), ..., f(n-1), each in its own goroutine, released at the same moment, and waits for them.
func atOnce(n int, f func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			f(i)
		}()
	}
	close(start)
	wg.Wait()
}

// sendAtOnce sends the payments at the same moment as the actor and returns the answers in the requests' order.
func sendAtOnce(t *testing.T, e *testenv.Engine, a ltc.Actor, reqs []*ltcv1.RecordPaymentRequest) ([]*ltcv1.RecordPaymentResponse, []error) {
	t.Helper()
	contracts := ltcv1.NewContractServiceClient(e.Conn)
	resps, errs := make([]*ltcv1.RecordPaymentResponse, len(reqs)), make([]error, len(reqs))
	ctx := e.As(t, a)
	atOnce(len(reqs), func(i int) { resps[i], errs[i] = contracts.RecordPayment(ctx, reqs[i]) })
	return resps, errs
}

// A payment sent again (the ERP retrying, each time under a new request id) is recorded once, whether the sendings
// race (all get the first answer) or follow one another (the contract as it stands); a retry under a request id gets
// its first answer, and that id used for another payment is ALREADY_EXISTS; the same reference with other content is
// ALREADY_EXISTS.
func TestPaymentSentAgainConcurrentlyOrLaterGetsTheFirstAnswer(t *testing.T) {
	e := testenv.StartEngine(t)
	contracts := ltcv1.NewContractServiceClient(e.Conn)
	id := executingDeal(t, e, thirtySix)
	now := time.Now().UTC()
	today := &date.Date{Year: int32(now.Year()), Month: int32(now.Month()), Day: int32(now.Day())}
	_, err := contracts.IssueInvoice(e.As(t, fiona), &ltcv1.IssueInvoiceRequest{RequestId: uuid.NewString(), OpportunityId: id, Number: "PAY-INV-1",
		MilestoneId: "M1", Amount: eur(150_000), DueDate: today})
	require.NoError(t, err)
	pay := func(reference string, amount int64) *ltcv1.RecordPaymentRequest {
		return &ltcv1.RecordPaymentRequest{RequestId: uuid.NewString(), OpportunityId: id, InvoiceNumber: "PAY-INV-1", Reference: reference,
			Amount: eur(amount), Date: today}
	}

	// Six sendings of one payment at once, each under its own request id: all get the same answer.
	same := make([]*ltcv1.RecordPaymentRequest, 6)
	for i := range same {
		same[i] = pay("BANK-1", 100_000)
	}
	resps, errs := sendAtOnce(t, e, erp, same)
	for i := range same {
		require.NoError(t, errs[i], "sending %d", i)
		assert.True(t, proto.Equal(resps[0].Contract, resps[i].Contract), "sending %d gets the first answer", i)
	}
	first := resps[0].Contract
	assert.Equal(t, int64(100_000_00), first.Collected.AmountMinor, "recorded once")
	require.Len(t, first.Invoices[0].Payments, 1)

	// Later, after another payment, a sending again still gets the first answer, not the contract as it stands.
	_, err = contracts.RecordPayment(e.As(t, fiona), pay("BANK-2", 20_000))
	require.NoError(t, err)
	again, err := contracts.RecordPayment(e.As(t, erp), pay("BANK-1", 100_000))
	require.NoError(t, err)
	assert.Equal(t, int64(120_000_00), again.Contract.Collected.AmountMinor, "recorded once: the contract as it stands")
	// A retry under the request id of the first sending gets the first answer.
	retry, err := contracts.RecordPayment(e.As(t, erp), same[0])
	require.NoError(t, err)
	assert.True(t, proto.Equal(first, retry.Contract), "the first answer")
	// That request id used for another payment is ALREADY_EXISTS, and records nothing.
	reused := pay("BANK-9", 1_000)
	reused.RequestId = same[0].RequestId
	_, err = contracts.RecordPayment(e.As(t, erp), reused)
	requireCode(t, err, codes.AlreadyExists, "already used for a different request")

	// FINANCE sending what the ERP recorded learns it is recorded: the contract as it stands.
	byFinance, err := contracts.RecordPayment(e.As(t, fiona), pay("BANK-1", 100_000))
	require.NoError(t, err)
	assert.Equal(t, int64(120_000_00), byFinance.Contract.Collected.AmountMinor)
	// Someone who may not record payments is refused as ever.
	_, err = contracts.RecordPayment(e.As(t, sam), pay("BANK-1", 100_000))
	requireCode(t, err, codes.PermissionDenied, "")

	// The same reference with other content is ALREADY_EXISTS, sent later or at once.
	_, err = contracts.RecordPayment(e.As(t, erp), pay("BANK-1", 99_999))
	requireCode(t, err, codes.AlreadyExists, "payment BANK-1 is recorded already with other content")
	resps, errs = sendAtOnce(t, e, erp, []*ltcv1.RecordPaymentRequest{pay("BANK-3", 10_000), pay("BANK-3", 10_001), pay("BANK-3", 10_000)})
	for _, err := range errs {
		if err != nil {
			requireCode(t, err, codes.AlreadyExists, "payment BANK-3 is recorded already")
		}
	}
	if errs[1] == nil {
		require.Error(t, errs[0])
		require.Error(t, errs[2])
	} else {
		require.NoError(t, errs[0])
		require.NoError(t, errs[2])
		assert.True(t, proto.Equal(resps[0].Contract, resps[2].Contract), "the same content gets the same answer")
	}
	got, err := contracts.GetContract(e.As(t, fiona), &ltcv1.GetContractRequest{OpportunityId: id})
	require.NoError(t, err)
	refs := map[string]int{}
	for _, p := range got.Contract.Invoices[0].Payments {
		refs[p.Reference]++
	}
	assert.Equal(t, map[string]int{"BANK-1": 1, "BANK-2": 1, "BANK-3": 1}, refs, "each reference once")

	page, err := e.Store.Events(context.Background(), store.EventQuery{DealID: id, Types: []string{ltc.EventPaymentRecorded}, Limit: 20})
	require.NoError(t, err)
	assert.Len(t, page.Events, 3, "one payment.recorded for each payment")
}
