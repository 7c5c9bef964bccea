package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ltcengine/ltc/internal/ltc"
)

// Preferences say how a person is notified (ltc.v1.NotificationPreferences).
type Preferences struct {
	Email       bool     `json:"email"`
	DailyDigest bool     `json:"daily_digest,omitempty"`
	Muted       []string `json:"muted_event_types,omitempty"`
	Language    string   `json:"language,omitempty"`
}

// DefaultPreferences are a person's until they choose: one mail per notification, in the directory's language.
var DefaultPreferences = Preferences{Email: true}

// DirectoryPerson is one person of the directory: who they are, where they work, how to reach them.
type DirectoryPerson struct {
	ID        string               `json:"id"`
	Name      string               `json:"name"`
	Email     string               `json:"email"`
	Roles     []ltc.Role           `json:"roles"`
	Authority int                  `json:"authority,omitempty"`
	Functions []ltc.ReviewFunction `json:"functions,omitempty"`
	Unit      ltc.Unit             `json:"-"`
	ManagerID string               `json:"manager,omitempty"`
	Language  string               `json:"language,omitempty"`
	// Preferences are the person's own; nil until they set them (DefaultPreferences apply).
	Preferences *Preferences `json:"-"`
}

// Actor is the person as the governance rules see them.
func (p DirectoryPerson) Actor() ltc.Actor {
	return ltc.Actor{ID: p.ID, Name: p.Name, Roles: p.Roles, Authority: p.Authority, Functions: p.Functions, Unit: p.Unit}
}

// Prefs are the person's preferences in force, with the language resolved.
func (p DirectoryPerson) Prefs() Preferences {
	pr := DefaultPreferences
	if p.Preferences != nil {
		pr = *p.Preferences
	}
	if pr.Language == "" {
		pr.Language = p.Language
	}
	if pr.Language == "" {
		pr.Language = "en"
	}
	return pr
}

// UpsertPeople writes the directory's people (by id), keeping each person's preferences.
func (s *Store) UpsertPeople(ctx context.Context, people []DirectoryPerson) error {
	batch := &pgx.Batch{}
	for _, p := range people {
		lang := p.Language
		if lang == "" {
			lang = "en"
		}
		batch.Queue(`
			INSERT INTO people (id, name, email, roles, authority, functions, unit, manager_id, language, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, roles = excluded.roles,
				authority = excluded.authority, functions = excluded.functions, unit = excluded.unit,
				manager_id = excluded.manager_id, language = excluded.language, updated_at = now()`,
			p.ID, p.Name, p.Email, texts(p.Roles), p.Authority, texts(p.Functions), string(p.Unit), p.ManagerID, lang)
	}
	if err := s.pool.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("upsert people: %w", err)
	}
	return nil
}

// People returns the whole directory.
func (s *Store) People(ctx context.Context) ([]DirectoryPerson, error) {
	return s.people(ctx, "")
}

// Person returns the directory's person with the id; false when there is none.
func (s *Store) Person(ctx context.Context, id string) (DirectoryPerson, bool, error) {
	people, err := s.people(ctx, id)
	if err != nil || len(people) == 0 {
		return DirectoryPerson{}, false, err
	}
	return people[0], true, nil
}

// people returns the directory, or the person with the id when it is not empty.
func (s *Store) people(ctx context.Context, id string) ([]DirectoryPerson, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, email, roles, authority, functions, unit, manager_id, language, preferences
		FROM people WHERE $1 = '' OR id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("load people: %w", err)
	}
	defer rows.Close()
	var out []DirectoryPerson
	for rows.Next() {
		var p DirectoryPerson
		var roles, functions []string
		var unit string
		var prefs []byte
		if err := rows.Scan(&p.ID, &p.Name, &p.Email, &roles, &p.Authority, &functions, &unit, &p.ManagerID, &p.Language, &prefs); err != nil {
			return nil, fmt.Errorf("load people: %w", err)
		}
		p.Unit = ltc.Unit(unit)
		for _, r := range roles {
			p.Roles = append(p.Roles, ltc.Role(r))
		}
		for _, f := range functions {
			p.Functions = append(p.Functions, ltc.ReviewFunction(f))
		}
		if prefs != nil {
			p.Preferences = &Preferences{}
			if err := json.Unmarshal(prefs, p.Preferences); err != nil {
				return nil, fmt.Errorf("decode preferences of %s: %w", p.ID, err)
			}
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// noDeal is the deal id of the requests that concern no deal (preferences, webhooks).
const noDeal = "00000000-0000-0000-0000-000000000000"

// OwnRequest is a request the API applies itself, in one transaction with its record: a retry finds its first
// result; a request id used for another request is refused (ErrRequestReused, with the recorded request).
type OwnRequest struct {
	ID, Method, ActorID string
	PayloadHash         []byte
}

// ApplyOwn runs apply in a transaction that records the request with the result apply returns. A request seen
// before is not applied again: its record is returned, and the caller compares it (its actor, method and hash).
func (s *Store) ApplyOwn(ctx context.Context, r OwnRequest, apply func(ctx context.Context, tx pgx.Tx) (any, error)) (Request, error) {
	var rec Request
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// A retry in flight with the first waits for it here, and then finds its record.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 19))`, r.ID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT method, payload_hash, result, coalesce(actor_id, '') FROM requests WHERE request_id = $1`, r.ID).
			Scan(&rec.Method, &rec.PayloadHash, &rec.Result, &rec.ActorID)
		if err == nil {
			rec.ID = r.ID
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		result, err := apply(ctx, tx)
		if err != nil {
			return err
		}
		doc, err := json.Marshal(result)
		if err != nil {
			return err
		}
		rec = Request{ID: r.ID, Method: r.Method, PayloadHash: r.PayloadHash, Result: doc, ActorID: r.ActorID, DealID: noDeal}
		_, err = tx.Exec(ctx, `INSERT INTO requests (request_id, method, payload_hash, deal_id, result, actor_id) VALUES ($1, $2, $3, $4, $5, $6)`,
			r.ID, r.Method, r.PayloadHash, noDeal, doc, r.ActorID)
		return err
	})
	if err != nil {
		return Request{}, fmt.Errorf("apply request %s: %w", r.ID, err)
	}
	return rec, nil
}

// Same reports whether the recorded request is r (same method and payload).
func (rec Request) Same(r OwnRequest) bool {
	return rec.Method == r.Method && bytes.Equal(rec.PayloadHash, r.PayloadHash)
}

// SetPreferences sets a person's preferences, adding them to the directory (from their token) if absent.
func SetPreferences(ctx context.Context, tx pgx.Tx, a ltc.Actor, p Preferences) error {
	doc, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO people (id, name, roles, authority, functions, unit, preferences) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (id) DO UPDATE SET preferences = excluded.preferences, updated_at = now()`,
		a.ID, a.Name, texts(a.Roles), a.Authority, texts(a.Functions), string(a.Unit), doc)
	if err != nil {
		return fmt.Errorf("set preferences of %s: %w", a.ID, err)
	}
	return nil
}

// Webhook is a receiver of events.
type Webhook struct {
	ID         string     `json:"id"`
	URL        string     `json:"url"`
	EventTypes []string   `json:"event_types,omitempty"`
	CreatedBy  ltc.Person `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	// Secret signs the deliveries; read only by the sender.
	Secret string `json:"-"`
}

// Wants reports whether the webhook takes events of the type.
func (w Webhook) Wants(typ string) bool {
	if len(w.EventTypes) == 0 {
		return true
	}
	for _, t := range w.EventTypes {
		if t == typ {
			return true
		}
	}
	return false
}

// CreateWebhook records a webhook.
func CreateWebhook(ctx context.Context, tx pgx.Tx, w Webhook) error {
	types := w.EventTypes
	if types == nil {
		types = []string{}
	}
	_, err := tx.Exec(ctx, `INSERT INTO webhooks (id, url, event_types, secret, created_by_id, created_by_name, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, w.ID, w.URL, types, w.Secret, w.CreatedBy.ID, w.CreatedBy.Name, w.CreatedAt)
	if err != nil {
		return fmt.Errorf("create webhook: %w", err)
	}
	return nil
}

// DeleteWebhook stops a webhook: it takes no more events, and its pending deliveries are given up.
func DeleteWebhook(ctx context.Context, tx pgx.Tx, id string) error {
	if _, err := tx.Exec(ctx, `UPDATE webhooks SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL`, id); err != nil {
		return fmt.Errorf("delete webhook %s: %w", id, err)
	}
	_, err := tx.Exec(ctx, `UPDATE deliveries SET state = 'failed', last_error = 'webhook deleted'
		WHERE channel = 'webhook' AND target = $1 AND state = 'pending'`, id)
	return err
}

// Webhooks lists the webhooks in force, oldest first, with their secrets when withSecrets.
func (s *Store) Webhooks(ctx context.Context, withSecrets bool) ([]Webhook, error) {
	return webhooks(ctx, s.pool, withSecrets, "")
}

// WebhookByID returns a webhook in force, or ErrNotFound.
func (s *Store) WebhookByID(ctx context.Context, id string) (Webhook, error) {
	ws, err := webhooks(ctx, s.pool, false, id)
	if err != nil {
		return Webhook{}, err
	}
	if len(ws) == 0 {
		return Webhook{}, ErrNotFound
	}
	return ws[0], nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func webhooks(ctx context.Context, q querier, withSecrets bool, id string) ([]Webhook, error) {
	rows, err := q.Query(ctx, `SELECT id::text, url, event_types, CASE WHEN $1 THEN secret ELSE '' END, created_by_id, created_by_name, created_at
		FROM webhooks WHERE deleted_at IS NULL AND ($2 = '' OR id::text = $2) ORDER BY created_at, id`, withSecrets, id)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	defer rows.Close()
	var out []Webhook
	for rows.Next() {
		var w Webhook
		if err := rows.Scan(&w.ID, &w.URL, &w.EventTypes, &w.Secret, &w.CreatedBy.ID, &w.CreatedBy.Name, &w.CreatedAt); err != nil {
			return nil, fmt.Errorf("list webhooks: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// WebhookSecret returns the secret of a webhook in force, or ErrNotFound.
func (s *Store) WebhookSecret(ctx context.Context, id string) (string, error) {
	var secret string
	err := s.pool.QueryRow(ctx, `SELECT secret FROM webhooks WHERE id::text = $1 AND deleted_at IS NULL`, id).Scan(&secret)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	return secret, err
}

// texts is a list of names as text, empty rather than nil (the columns are NOT NULL).
func texts[T ~string](list []T) []string {
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, string(x))
	}
	return out
}
