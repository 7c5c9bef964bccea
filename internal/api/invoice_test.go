package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"

	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// Invoice numbers are unique company-wide: a number another contract issued, or is issuing, is ALREADY_EXISTS
// naming it, with nothing recorded; of two contracts issuing one number at once exactly one gets it; a refused
// issue, or a reservation left by a call that never finished, does not keep the number from another contract.
func TestInvoiceNumbersAreUniqueAcrossContracts(t *testing.T) {
	e := testenv.StartEngine(t)
	contracts := ltcv1.NewContractServiceClient(e.Conn)
	a, b := executingDeal(t, e, thirtySix), executingDeal(t, e, thirtySix)
	now := time.Now().UTC()
	today := &date.Date{Year: int32(now.Year()), Month: int32(now.Month()), Day: int32(now.Day())}
	invoice := func(deal, number string, amount int64) *ltcv1.IssueInvoiceRequest {
		return &ltcv1.IssueInvoiceRequest{RequestId: uuid.NewString(), OpportunityId: deal, Number: number, MilestoneId: "M1",
			Amount: eur(amount), DueDate: today}
	}
	numbers := func(deal string) []string {
		t.Helper()
		got, err := contracts.GetContract(e.As(t, fiona), &ltcv1.GetContractRequest{OpportunityId: deal})
		require.NoError(t, err)
		var out []string
		for _, inv := range got.Contract.Invoices {
			out = append(out, inv.Number)
		}
		return out
	}

	// A number another contract issued.
	first := invoice(a, "CO-INV-1", 1_000)
	issued, err := contracts.IssueInvoice(e.As(t, fiona), first)
	require.NoError(t, err)
	_, err = contracts.IssueInvoice(e.As(t, fiona), invoice(b, "CO-INV-1", 1_000))
	requireCode(t, err, codes.AlreadyExists, "invoice number CO-INV-1 is used by another contract")
	assert.Empty(t, numbers(b), "nothing recorded")
	again, err := contracts.IssueInvoice(e.As(t, fiona), first)
	require.NoError(t, err, "the retry of the issue gets its first answer")
	assert.Equal(t, issued.Contract.Invoiced, again.Contract.Invoiced)
	_, err = contracts.IssueInvoice(e.As(t, fiona), invoice(a, "CO-INV-1", 1_000))
	requireCode(t, err, codes.AlreadyExists, "invoice CO-INV-1 exists on the contract") // once per contract, as before

	// Who may not invoice the contract reserves nothing.
	_, err = contracts.IssueInvoice(e.As(t, sam), invoice(a, "CO-INV-2", 1_000))
	requireCode(t, err, codes.PermissionDenied, "FINANCE")
	// A refused issue releases its number.
	_, err = contracts.IssueInvoice(e.As(t, fiona), invoice(a, "CO-INV-2", 150_001))
	requireCode(t, err, codes.FailedPrecondition, "would invoice more than the contract")
	_, err = contracts.IssueInvoice(e.As(t, fiona), invoice(b, "CO-INV-2", 1_000))
	require.NoError(t, err, "the number is free for another contract")

	// At once: exactly one of the two contracts gets each number.
	for i := range 4 {
		number := "CO-RACE-" + string(rune('A'+i))
		reqs := []*ltcv1.IssueInvoiceRequest{invoice(a, number, 1_000), invoice(b, number, 1_000)}
		errs := make([]error, 2)
		ctx := e.As(t, fiona)
		atOnce(2, func(j int) { _, errs[j] = contracts.IssueInvoice(ctx, reqs[j]) })
		winner, loser := a, b
		if errs[0] != nil {
			winner, loser = b, a
			require.NoError(t, errs[1], number)
			requireCode(t, errs[0], codes.AlreadyExists, "invoice number "+number)
		} else {
			requireCode(t, errs[1], codes.AlreadyExists, "invoice number "+number)
		}
		assert.Contains(t, numbers(winner), number)
		assert.NotContains(t, numbers(loser), number, "nothing recorded for the loser")
	}

	// A reservation left by a call that never finished (its request never reached the process): another contract
	// is refused while it is fresh, and takes the number over once it is stale.
	_, held, err := e.Store.ReserveInvoiceNumber(context.Background(), "CO-INV-3", b, uuid.NewString(), time.Minute)
	require.NoError(t, err)
	require.True(t, held)
	_, err = contracts.IssueInvoice(e.As(t, fiona), invoice(a, "CO-INV-3", 1_000))
	requireCode(t, err, codes.AlreadyExists, "invoice number CO-INV-3")
	conn, err := pgx.Connect(context.Background(), e.Config.DatabaseURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	_, err = conn.Exec(context.Background(), `UPDATE invoice_numbers SET reserved_at = now() - interval '1 hour' WHERE number = 'CO-INV-3'`)
	require.NoError(t, err)
	_, err = contracts.IssueInvoice(e.As(t, fiona), invoice(a, "CO-INV-3", 1_000))
	require.NoError(t, err, "a stale reservation whose request is not pending is taken over")
	var holder string
	var done bool
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT deal_id::text, issued FROM invoice_numbers WHERE number = 'CO-INV-3'`).Scan(&holder, &done))
	assert.Equal(t, a, holder)
	assert.True(t, done)
	_, err = conn.Exec(context.Background(), `UPDATE invoice_numbers SET reserved_at = now() - interval '1 hour'`)
	require.NoError(t, err)
	_, err = contracts.IssueInvoice(e.As(t, fiona), invoice(b, "CO-INV-3", 1_000))
	requireCode(t, err, codes.AlreadyExists, "invoice number CO-INV-3") // an issued number is never taken over
	assert.NotContains(t, numbers(b), "CO-INV-3")
}
