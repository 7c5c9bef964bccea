package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// The invoice numbers issued before migration 022 are held by the contract that issued them first; a number two
// contracts issued stays on both contracts and is held by the first.
func TestMigrationHoldsTheInvoiceNumbersIssuedBefore(t *testing.T) {
	ctx := context.Background()
	url, old := databaseBefore(t, "_invoice_numbers.sql")
	var err error
	var ids []string
	for i := range 2 {
		o := deal(ltc.LevelC, "ann", day(10, 2), ltc.Money{Currency: "EUR", AmountMinor: 1}, ltc.StageExecution, ltc.OutcomeWon)
		lead := ltc.Lead{ID: o.ID, State: ltc.LeadQualified, Owner: o.Owner, Customer: o.Customer, CreatedAt: day(10, 1)}
		_, err = old.Exec(ctx, `INSERT INTO leads (id, state, owner_id, customer_name, overdue, created_at, updated_at, doc)
			VALUES ($1, 'QUALIFIED', 'ann', 'Acme', false, $2, $2, $3)`, o.ID, day(10, 1), lead)
		require.NoError(t, err)
		_, err = old.Exec(ctx, `INSERT INTO opportunities (id, lead_id, stage, owner_id, customer_name, created_at, updated_at, value_currency, value_minor, doc)
			VALUES ($1, $1, 'EXECUTION', 'ann', 'Acme', $2, $2, 'EUR', 1, $3)`, o.ID, day(10, 2), o)
		require.NoError(t, err)
		for _, number := range []string{"SHARED", "OWN-" + string(rune('A'+i))} {
			_, err = old.Exec(ctx, `INSERT INTO contract_invoices (deal_id, number, org_unit, owner_id, currency, amount_minor, paid_minor, issued_at, due_date, open)
				VALUES ($1, $2, 'emea', 'ann', 'EUR', 100, 0, $3, '2026-12-31', true)`, o.ID, number, day(11, 1+i))
			require.NoError(t, err)
		}
		ids = append(ids, o.ID)
	}

	require.NoError(t, store.Migrate(ctx, url))
	held := map[string]string{}
	rows, err := old.Query(ctx, `SELECT number, deal_id::text FROM invoice_numbers WHERE issued`)
	require.NoError(t, err)
	for rows.Next() {
		var number, dealID string
		require.NoError(t, rows.Scan(&number, &dealID))
		held[number] = dealID
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, map[string]string{"SHARED": ids[0], "OWN-A": ids[0], "OWN-B": ids[1]}, held)
}

// A reservation is the deal's until it is issued or released; another deal sees the holder, and takes a stale one
// over only as the holder left it.
func TestInvoiceNumberReservations(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	var deals []string
	for range 2 {
		o := deal(ltc.LevelC, "ann", day(10, 2), ltc.Money{Currency: "EUR", AmountMinor: 1}, ltc.StageExecution, ltc.OutcomeWon)
		fixtureDeal{o: o, changes: [][3]any{{string(ltc.StageHandover), string(ltc.StageExecution), day(10, 3)}}}.write(t, s)
		deals = append(deals, o.ID)
	}
	a, b := deals[0], deals[1]
	ra, rb := uuid.NewString(), uuid.NewString()
	_, ok, err := s.ReserveInvoiceNumber(ctx, "N-1", a, ra, time.Hour)
	require.NoError(t, err)
	require.True(t, ok)
	_, ok, err = s.ReserveInvoiceNumber(ctx, "N-1", a, uuid.NewString(), time.Hour)
	require.NoError(t, err)
	assert.True(t, ok, "the deal's own again")
	holder, ok, err := s.ReserveInvoiceNumber(ctx, "N-1", b, rb, time.Hour)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Equal(t, store.InvoiceNumber{Number: "N-1", DealID: a, RequestID: ra}, holder, "fresh, not stale")
	taken, err := s.TakeOverInvoiceNumber(ctx, holder, b, rb, time.Hour)
	require.NoError(t, err)
	assert.False(t, taken, "not stale")

	holder, _, err = s.ReserveInvoiceNumber(ctx, "N-1", b, rb, 0)
	require.NoError(t, err)
	assert.True(t, holder.Stale, "older than a lease of 0")
	taken, err = s.TakeOverInvoiceNumber(ctx, holder, b, rb, 0)
	require.NoError(t, err)
	assert.True(t, taken)
	taken, err = s.TakeOverInvoiceNumber(ctx, holder, b, uuid.NewString(), 0)
	require.NoError(t, err)
	assert.False(t, taken, "as the holder left it only")

	require.NoError(t, s.ReleaseInvoiceNumber(ctx, "N-1", ra), "not the holder's request any more: nothing")
	require.NoError(t, s.IssuedInvoiceNumber(ctx, "N-1", b))
	require.NoError(t, s.ReleaseInvoiceNumber(ctx, "N-1", rb), "issued: kept")
	holder, ok, err = s.ReserveInvoiceNumber(ctx, "N-1", a, ra, 0)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.True(t, holder.Issued)
	assert.False(t, holder.Stale, "an issued number is never stale")

	_, ok, err = s.ReserveInvoiceNumber(ctx, "N-2", a, ra, time.Hour)
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, s.ReleaseInvoiceNumber(ctx, "N-2", ra))
	_, ok, err = s.ReserveInvoiceNumber(ctx, "N-2", b, rb, time.Hour)
	require.NoError(t, err)
	assert.True(t, ok, "released: free for another deal")
}
