// Package store is the engine's PostgreSQL: the read model of leads and deals, the append-only event log and the
// record of applied requests. The deals' processes write through Apply; the API reads.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNotFound is returned when a lead, deal or request does not exist.
var ErrNotFound = errors.New("not found")

// ErrRequestReused is returned by Apply when the change's request id was already applied with another payload.
var ErrRequestReused = errors.New("request id already used for another request")

// Store reads and writes the engine's tables.
type Store struct {
	pool *pgxpool.Pool
	// pageKey signs page tokens; read on first use (pageTokenKey).
	keyMu   sync.Mutex
	pageKey []byte
}

// Open connects a pool to the database at url. maxConns <= 0 keeps pgx's default; tracer, if not nil, traces
// every query.
func Open(ctx context.Context, url string, maxConns int32, tracer pgx.QueryTracer) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	cfg.ConnConfig.Tracer = tracer
	// The engine's queries are short index reads: compiling them costs more than it saves (12 ms of JIT on a
	// 1 ms events page, when a small table's statistics make the plan look expensive). A URL may turn it on.
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect database: %w", err)
	}
	return &Store{pool: pool}, nil
}

// Close closes the pool.
func (s *Store) Close() { s.pool.Close() }

// Request is an applied request: its id, what it was, and the result its caller got.
type Request struct {
	ID          string          `json:"id"`
	Method      string          `json:"method"`
	PayloadHash []byte          `json:"payload_hash"`
	DealID      string          `json:"deal_id"`
	Result      json.RawMessage `json:"result"`
	// ActorID is who made the request ("" for the engine's own changes and requests recorded before it was kept):
	// only they get its result again.
	ActorID string `json:"actor_id,omitempty"`
	// Revision is the deal's revision the request made, for numbered changes (set by ApplyRevision).
	Revision int64 `json:"-"`
}

// RecordAnswer records a request the API answered without the deal's process recording it (a payment sent again
// under a new request id, answered with the contract): a retry under its id gets that answer, and the id with
// another payload is refused, as for every request. A request recorded under the id already is kept.
func (s *Store) RecordAnswer(ctx context.Context, r Request) error {
	if _, err := s.pool.Exec(ctx, `
		INSERT INTO requests (request_id, method, payload_hash, deal_id, result, actor_id)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (request_id) DO NOTHING`,
		r.ID, r.Method, r.PayloadHash, r.DealID, r.Result, orNull(r.ActorID)); err != nil {
		return fmt.Errorf("record the answer to request %s: %w", r.ID, err)
	}
	return nil
}

// Request returns the applied request with the id, or ErrNotFound.
func (s *Store) Request(ctx context.Context, id string) (Request, error) {
	r := Request{ID: id}
	err := s.pool.QueryRow(ctx,
		`SELECT method, payload_hash, deal_id::text, result, coalesce(actor_id, '') FROM requests WHERE request_id = $1`, id,
	).Scan(&r.Method, &r.PayloadHash, &r.DealID, &r.Result, &r.ActorID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Request{}, ErrNotFound
	}
	if err != nil {
		return Request{}, fmt.Errorf("load request %s: %w", id, err)
	}
	return r, nil
}

func getDoc[T any](ctx context.Context, s *Store, query, id, what string) (T, error) {
	var v T
	var doc []byte
	err := s.pool.QueryRow(ctx, query, id).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, ErrNotFound
	}
	if err != nil {
		return v, fmt.Errorf("load %s %s: %w", what, id, err)
	}
	if err := json.Unmarshal(doc, &v); err != nil {
		return v, fmt.Errorf("decode %s %s: %w", what, id, err)
	}
	return v, nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// PoolStat is a snapshot of the connection pool's statistics.
func (s *Store) PoolStat() *pgxpool.Stat { return s.pool.Stat() }
