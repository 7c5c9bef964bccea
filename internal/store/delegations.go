package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ltcengine/ltc/internal/ltc"
)

// DelegationRequest is the request that sets or revokes a delegation: its id and payload digest, so a retry finds
// its first result and a reused id with another payload is refused.
type DelegationRequest struct {
	ID          string
	PayloadHash []byte
}

// SetDelegation records the delegation set by the request, or returns the one the request set before: the same
// delegation for the same payload, ErrRequestReused for another.
func (s *Store) SetDelegation(ctx context.Context, dl ltc.Delegation, req DelegationRequest) (ltc.Delegation, error) {
	doc, err := json.Marshal(dl)
	if err != nil {
		return dl, fmt.Errorf("encode delegation %s: %w", dl.ID, err)
	}
	gates := make([]string, len(dl.Gates))
	for i, g := range dl.Gates {
		gates[i] = string(g)
	}
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO delegations (id, delegator_id, deputy_id, start_time, end_time, gates, created_by, created_at,
			request_id, payload_hash, doc)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
		dl.ID, dl.Delegator.ID, dl.Deputy.ID, dl.Start, dl.End, gates, dl.CreatedBy.ID, dl.CreatedAt, req.ID, req.PayloadHash, doc)
	if err != nil {
		return dl, fmt.Errorf("write delegation %s: %w", dl.ID, err)
	}
	if tag.RowsAffected() == 1 {
		return dl, nil
	}
	var hash []byte
	var first ltc.Delegation
	err = s.pool.QueryRow(ctx, `SELECT payload_hash, doc FROM delegations WHERE request_id = $1`, req.ID).Scan(&hash, &doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return dl, ErrRequestReused // the id of another delegation, whose request id differs (made up)
	}
	if err == nil {
		err = json.Unmarshal(doc, &first)
	}
	if err != nil {
		return dl, fmt.Errorf("load delegation of request %s: %w", req.ID, err)
	}
	if !bytes.Equal(hash, req.PayloadHash) || first.CreatedBy.ID != dl.CreatedBy.ID {
		return first, ErrRequestReused
	}
	return first, nil
}

// Delegation returns the delegation with the id, or ErrNotFound.
func (s *Store) Delegation(ctx context.Context, id string) (ltc.Delegation, error) {
	return getDoc[ltc.Delegation](ctx, s, `SELECT doc FROM delegations WHERE id::text = $1`, id, "delegation")
}

// RevokeDelegation ends the delegation at the time, for the request, unless it ended already. A retry of the
// request that revoked it returns it; a request of another payload under that id is ErrRequestReused. ok is false
// when the delegation had ended already (revoked by another request, or past its period).
func (s *Store) RevokeDelegation(ctx context.Context, id string, at time.Time, req DelegationRequest) (dl ltc.Delegation, ok bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var doc, hash []byte
		var revokedBy *string
		err := tx.QueryRow(ctx, `SELECT doc, revoke_request_id, revoke_payload_hash FROM delegations WHERE id::text = $1 FOR UPDATE`, id).
			Scan(&doc, &revokedBy, &hash)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err == nil {
			err = json.Unmarshal(doc, &dl)
		}
		if err != nil {
			return fmt.Errorf("load delegation %s: %w", id, err)
		}
		if revokedBy != nil && *revokedBy == req.ID {
			if !bytes.Equal(hash, req.PayloadHash) {
				return ErrRequestReused
			}
			ok = true
			return nil
		}
		if dl.RevokedAt != nil || !at.Before(dl.End) {
			return nil
		}
		dl.RevokedAt = &at
		if doc, err = json.Marshal(dl); err != nil {
			return err
		}
		ok = true
		_, err = tx.Exec(ctx, `UPDATE delegations SET revoked_at = $2, revoke_request_id = $3, revoke_payload_hash = $4, doc = $5
			WHERE id::text = $1`, id, at, req.ID, req.PayloadHash, doc)
		if pgErr, isPg := errors.AsType[*pgconn.PgError](err); isPg && pgErr.Code == "23505" {
			return ErrRequestReused // the request id revoked another delegation
		}
		return err
	})
	return dl, ok, err
}

// DelegationFilter selects delegations; zero fields match everything.
type DelegationFilter struct {
	// Person selects the delegations the person gave or received.
	Person string
	// InForceAt, when set, selects the delegations in force then.
	InForceAt *time.Time
}

// ListDelegations returns a page of delegations, newest first, and the token of the next page.
func (s *Store) ListDelegations(ctx context.Context, df DelegationFilter, size int, token string) ([]ltc.Delegation, string, error) {
	var f filter
	fingerprint := "delegations|" + df.Person
	if df.Person != "" {
		p := f.arg(df.Person)
		f.where = append(f.where, "(delegator_id = "+p+" OR deputy_id = "+p+")")
	}
	if df.InForceAt != nil {
		fingerprint += "|current"
		f.inForce(*df.InForceAt)
	}
	return page[ltc.Delegation](ctx, s, "delegations", f, fingerprint, size, token)
}

// inForce is the condition that a delegation holds at t.
func (f *filter) inForce(t time.Time) {
	at := f.arg(t)
	f.where = append(f.where, "start_time <= "+at, "end_time > "+at, "(revoked_at IS NULL OR revoked_at > "+at+")")
}

// DelegationsTo returns the delegations the deputy holds at t, oldest first.
func (s *Store) DelegationsTo(ctx context.Context, deputy string, at time.Time) ([]ltc.Delegation, error) {
	var f filter
	f.add("deputy_id = %s", deputy)
	return s.delegationsInForce(ctx, f, at)
}

// DelegationsFrom returns the delegations the delegators gave that are in force at t, oldest first.
func (s *Store) DelegationsFrom(ctx context.Context, delegators []string, at time.Time) ([]ltc.Delegation, error) {
	var f filter
	f.add("delegator_id = ANY (%s)", delegators)
	return s.delegationsInForce(ctx, f, at)
}

// delegationsInForce returns the delegations f selects that are in force at t, oldest first.
func (s *Store) delegationsInForce(ctx context.Context, f filter, at time.Time) ([]ltc.Delegation, error) {
	f.inForce(at)
	rows, err := s.pool.Query(ctx, "SELECT doc FROM delegations WHERE "+strings.Join(f.where, " AND ")+" ORDER BY created_at, id", f.args...)
	if err != nil {
		return nil, fmt.Errorf("list delegations in force: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (ltc.Delegation, error) {
		var dl ltc.Delegation
		var doc []byte
		if err := row.Scan(&doc); err != nil {
			return dl, err
		}
		return dl, json.Unmarshal(doc, &dl)
	})
}
