package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// InvoiceNumber is who holds an invoice number (invoice_numbers): the deal whose contract issued it, or whose
// IssueInvoice request reserved it and is, or was, being applied.
type InvoiceNumber struct {
	Number    string
	DealID    string
	RequestID string
	Issued    bool
	// Stale is set when the number is only reserved, since longer than the lease given to ReserveInvoiceNumber.
	Stale bool
}

// ReserveInvoiceNumber reserves the number for the deal's request, unless another deal holds it. It reports true
// when the deal holds the number now (reserved by this call, or by the deal before); otherwise it returns the
// holder, whose reservation is Stale when it is older than lease and not issued.
func (s *Store) ReserveInvoiceNumber(ctx context.Context, number, dealID, requestID string, lease time.Duration) (InvoiceNumber, bool, error) {
	var h InvoiceNumber
	err := s.pool.QueryRow(ctx, `INSERT INTO invoice_numbers (number, deal_id, request_id) VALUES ($1, $2, $3)
		ON CONFLICT (number) DO NOTHING RETURNING number, deal_id::text, request_id, issued, false`,
		number, dealID, requestID).Scan(&h.Number, &h.DealID, &h.RequestID, &h.Issued, &h.Stale)
	if err == nil {
		return h, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return h, false, fmt.Errorf("reserve invoice number: %w", err)
	}
	err = s.pool.QueryRow(ctx, `SELECT number, deal_id::text, request_id, issued, NOT issued AND reserved_at < now() - make_interval(secs => $2)
		FROM invoice_numbers WHERE number = $1`, number, lease.Seconds()).Scan(&h.Number, &h.DealID, &h.RequestID, &h.Issued, &h.Stale)
	if errors.Is(err, pgx.ErrNoRows) {
		// Released between the two statements: reserve again.
		return s.ReserveInvoiceNumber(ctx, number, dealID, requestID, lease)
	}
	if err != nil {
		return h, false, fmt.Errorf("read invoice number: %w", err)
	}
	return h, h.DealID == dealID, nil
}

// TakeOverInvoiceNumber moves the number's stale reservation by the holder's request to the deal's request. It
// reports false when the reservation changed meanwhile (issued, released, taken over, or renewed).
func (s *Store) TakeOverInvoiceNumber(ctx context.Context, holder InvoiceNumber, dealID, requestID string, lease time.Duration) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE invoice_numbers SET deal_id = $3, request_id = $4, reserved_at = now()
		WHERE number = $1 AND deal_id = $2 AND request_id = $5 AND NOT issued AND reserved_at < now() - make_interval(secs => $6)`,
		holder.Number, holder.DealID, dealID, requestID, holder.RequestID, lease.Seconds())
	if err != nil {
		return false, fmt.Errorf("take over invoice number: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// IssuedInvoiceNumber records that the deal's contract issued the number: it is the deal's for good.
func (s *Store) IssuedInvoiceNumber(ctx context.Context, number, dealID string) error {
	if _, err := s.pool.Exec(ctx, `UPDATE invoice_numbers SET issued = true WHERE number = $1 AND deal_id = $2`, number, dealID); err != nil {
		return fmt.Errorf("confirm invoice number: %w", err)
	}
	return nil
}

// ReleaseInvoiceNumber gives up the request's reservation of the number, unless it was issued.
func (s *Store) ReleaseInvoiceNumber(ctx context.Context, number, requestID string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM invoice_numbers WHERE number = $1 AND request_id = $2 AND NOT issued`, number, requestID); err != nil {
		return fmt.Errorf("release invoice number: %w", err)
	}
	return nil
}
