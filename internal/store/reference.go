package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ltcengine/ltc/internal/ltc"
)

// ReferenceRequest is a request that sets reference data (ReferenceDataService): its id, method, sender and
// payload digest, so a retry gets its first response and a reused id with another payload or sender is refused.
type ReferenceRequest struct {
	ID          string
	Method      string
	ActorID     string
	PayloadHash []byte
}

// Namespaces of the ids derived from a rate's date and currencies and from a product's code.
var (
	rateIDSpace    = uuid.MustParse("6f1c2a9e-4b0d-4f7e-9a53-0d2b8e1c7a41")
	productIDSpace = uuid.MustParse("c3d9e8b2-71a4-4c55-8f0e-5b6a2d94e017")
)

// writeReference runs write in a transaction once per request: a request seen before returns the response it got
// (ErrRequestReused when its payload or sender differ) and writes nothing. table is locked against other writers
// for the transaction, so what write reads of it (a rate it replaces, a product's creator) stays true.
func writeReference[T any](ctx context.Context, s *Store, req ReferenceRequest, table string, at time.Time, write func(pgx.Tx) (T, error)) (T, error) {
	var out T
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO reference_requests (request_id, method, actor_id, payload_hash, response, created_at)
			VALUES ($1, $2, $3, $4, 'null', $5) ON CONFLICT DO NOTHING`, req.ID, req.Method, req.ActorID, req.PayloadHash, at)
		if err != nil {
			return fmt.Errorf("record request %s: %w", req.ID, err)
		}
		if tag.RowsAffected() == 0 {
			var method, actor string
			var hash, response []byte
			if err := tx.QueryRow(ctx, `SELECT method, actor_id, payload_hash, response FROM reference_requests WHERE request_id = $1`, req.ID).
				Scan(&method, &actor, &hash, &response); err != nil {
				return fmt.Errorf("load request %s: %w", req.ID, err)
			}
			if method != req.Method || actor != req.ActorID || !bytes.Equal(hash, req.PayloadHash) {
				return ErrRequestReused
			}
			return json.Unmarshal(response, &out)
		}
		if _, err := tx.Exec(ctx, "LOCK TABLE "+table+" IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return err
		}
		if out, err = write(tx); err != nil {
			return err
		}
		response, err := json.Marshal(out)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE reference_requests SET response = $2 WHERE request_id = $1`, req.ID, response)
		return err
	})
	return out, err
}

// dateOf is the date at midnight UTC.
func dateOf(d ltc.Date) time.Time {
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
}

// SetExchangeRates records the rates of the request, each replacing the rate of the same date and currencies (its
// rate becomes the new one's Replaced), and every set in exchange_rate_sets. It returns the rates as recorded; a
// retry returns them as the first call did.
func (s *Store) SetExchangeRates(ctx context.Context, rates []ltc.ExchangeRate, req ReferenceRequest) ([]ltc.ExchangeRate, error) {
	at := time.Now().UTC()
	if len(rates) > 0 {
		at = rates[0].SetAt
	}
	return writeReference(ctx, s, req, "exchange_rates", at, func(tx pgx.Tx) ([]ltc.ExchangeRate, error) {
		out := make([]ltc.ExchangeRate, 0, len(rates))
		var events []ltc.Event
		for _, r := range rates {
			day := dateOf(r.EffectiveDate)
			err := tx.QueryRow(ctx, `SELECT rate_text FROM exchange_rates WHERE from_currency = $1 AND to_currency = $2 AND effective_date = $3`,
				r.From, r.To, day).Scan(&r.Replaced)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return nil, fmt.Errorf("load rate %s/%s of %s: %w", r.From, r.To, day.Format(time.DateOnly), err)
			}
			doc, err := json.Marshal(r)
			if err != nil {
				return nil, err
			}
			id := uuid.NewSHA1(rateIDSpace, []byte(r.From+"/"+r.To+"/"+day.Format(time.DateOnly)))
			events = append(events, referenceEvent(id, ltc.EventExchangeRateSet, r.SetBy, req.ID, r.SetAt, r))
			if _, err := tx.Exec(ctx, `
				INSERT INTO exchange_rates (id, effective_date, from_currency, to_currency, rate, rate_text, set_by, set_at, created_at, doc)
				VALUES ($1, $2, $3, $4, $5::numeric, $5, $6, $7, $9, $8)
				ON CONFLICT (from_currency, to_currency, effective_date) DO UPDATE SET rate = excluded.rate,
					rate_text = excluded.rate_text, revision = exchange_rates.revision + 1, set_by = excluded.set_by,
					set_at = excluded.set_at, doc = excluded.doc`,
				id, day, r.From, r.To, r.Rate, r.SetBy.ID, r.SetAt, doc, day); err != nil {
				return nil, fmt.Errorf("write rate %s/%s of %s: %w", r.From, r.To, day.Format(time.DateOnly), err)
			}
			if _, err := tx.Exec(ctx, `
				INSERT INTO exchange_rate_sets (effective_date, from_currency, to_currency, rate, replaced_rate, set_by, set_at, request_id)
				VALUES ($1, $2, $3, $4::numeric, nullif($5, '')::numeric, $6, $7, $8)`,
				day, r.From, r.To, r.Rate, r.Replaced, r.SetBy.ID, r.SetAt, req.ID); err != nil {
				return nil, fmt.Errorf("record set of rate %s/%s: %w", r.From, r.To, err)
			}
			out = append(out, r)
		}
		return out, appendEvents(ctx, tx, events)
	})
}

// RateFilter selects exchange rates; zero fields match everything.
type RateFilter struct {
	// From and To select the rates of one currency into another.
	From, To string
	// AsOf, when set, selects the rate in force on the date for each pair: the latest effective date on or
	// before it.
	AsOf *ltc.Date
}

// ListExchangeRates returns a page of rates, newest effective date first, and the token of the next page.
func (s *Store) ListExchangeRates(ctx context.Context, rf RateFilter, size int, token string) ([]ltc.ExchangeRate, string, error) {
	var f filter
	table := "exchange_rates"
	fingerprint := "rates|" + rf.From + "|" + rf.To
	if rf.AsOf != nil {
		day := dateOf(*rf.AsOf)
		fingerprint += "|" + day.Format(time.DateOnly)
		table = `(SELECT DISTINCT ON (from_currency, to_currency) * FROM exchange_rates WHERE effective_date <= ` + f.arg(day) +
			` ORDER BY from_currency, to_currency, effective_date DESC) AS in_force`
	}
	if rf.From != "" {
		f.add("from_currency = %s", rf.From)
	}
	if rf.To != "" {
		f.add("to_currency = %s", rf.To)
	}
	return page[ltc.ExchangeRate](ctx, s, table, f, fingerprint, size, token)
}

// ExchangeRateSet is one recorded set of a rate: who set which rate, when, and the rate it replaced.
type ExchangeRateSet struct {
	ltc.ExchangeRate
	RequestID string
}

// ExchangeRateSets returns every set of the rates of the pair on the date, oldest first.
func (s *Store) ExchangeRateSets(ctx context.Context, from, to string, day ltc.Date) ([]ExchangeRateSet, error) {
	rows, err := s.pool.Query(ctx, `SELECT rate::text, coalesce(replaced_rate::text, ''), set_by, set_at, request_id
		FROM exchange_rate_sets WHERE from_currency = $1 AND to_currency = $2 AND effective_date = $3 ORDER BY seq`, from, to, dateOf(day))
	if err != nil {
		return nil, fmt.Errorf("list sets of rate %s/%s: %w", from, to, err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (ExchangeRateSet, error) {
		set := ExchangeRateSet{ExchangeRate: ltc.ExchangeRate{EffectiveDate: day, From: from, To: to}}
		err := row.Scan(&set.Rate, &set.Replaced, &set.SetBy.ID, &set.SetAt, &set.RequestID)
		return set, err
	})
}

// UpsertProducts records the products of the request by code: a new code is created, a known one replaced but
// for its creator and creation time. It returns the products as recorded; a retry returns them as the first call
// did.
func (s *Store) UpsertProducts(ctx context.Context, products []ltc.Product, req ReferenceRequest) ([]ltc.Product, error) {
	at := time.Now().UTC()
	if len(products) > 0 {
		at = products[0].UpdatedAt
	}
	return writeReference(ctx, s, req, "products", at, func(tx pgx.Tx) ([]ltc.Product, error) {
		out := make([]ltc.Product, 0, len(products))
		var events []ltc.Event
		for _, p := range products {
			var doc []byte
			err := tx.QueryRow(ctx, `SELECT doc FROM products WHERE code = $1`, p.Code).Scan(&doc)
			if err == nil {
				var old ltc.Product
				if err := json.Unmarshal(doc, &old); err != nil {
					return nil, fmt.Errorf("decode product %s: %w", p.Code, err)
				}
				p.CreatedBy, p.CreatedAt = old.CreatedBy, old.CreatedAt
			} else if !errors.Is(err, pgx.ErrNoRows) {
				return nil, fmt.Errorf("load product %s: %w", p.Code, err)
			}
			if doc, err = json.Marshal(p); err != nil {
				return nil, err
			}
			id := uuid.NewSHA1(productIDSpace, []byte(p.Code))
			events = append(events, referenceEvent(id, ltc.EventProductUpserted, p.UpdatedBy, req.ID, p.UpdatedAt, p))
			if _, err := tx.Exec(ctx, `
				INSERT INTO products (id, code, family, currency, list_price_minor, standard_cost_minor, active, search, created_at, updated_at, doc)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
				ON CONFLICT (code) DO UPDATE SET family = excluded.family, currency = excluded.currency,
					list_price_minor = excluded.list_price_minor, standard_cost_minor = excluded.standard_cost_minor,
					active = excluded.active, search = excluded.search, updated_at = excluded.updated_at, doc = excluded.doc`,
				id, p.Code, p.Family, p.ListPrice.Currency, p.ListPrice.AmountMinor,
				p.StandardCost.AmountMinor, p.Active, searchText(p.Code+"\n"+p.Name), p.CreatedAt, p.UpdatedAt, doc); err != nil {
				return nil, fmt.Errorf("write product %s: %w", p.Code, err)
			}
			out = append(out, p)
		}
		return out, appendEvents(ctx, tx, events)
	})
}

// ProductFilter selects products; zero fields match everything.
type ProductFilter struct {
	Family string
	// Active, when set, selects the active (true) or inactive (false) products.
	Active *bool
	// Text selects the products whose code or name contains it, case-insensitively.
	Text string
}

// ListProducts returns a page of products, the most recently created first, and the token of the next page.
func (s *Store) ListProducts(ctx context.Context, pf ProductFilter, size int, token string) ([]ltc.Product, string, error) {
	var f filter
	fingerprint := fmt.Sprintf("products|%q|%q", pf.Family, pf.Text)
	if pf.Family != "" {
		f.add("family = %s", pf.Family)
	}
	if pf.Active != nil {
		fingerprint += fmt.Sprintf("|%t", *pf.Active)
		f.add("active = %s", *pf.Active)
	}
	if pf.Text != "" {
		f.add("search LIKE %s", "%"+escapeLike(searchText(pf.Text))+"%")
	}
	return page[ltc.Product](ctx, s, "products", f, fingerprint, size, token)
}

// Products returns the catalogue's products of the codes, by code; codes not in the catalogue are absent.
func (s *Store) Products(ctx context.Context, codes []string) (map[string]ltc.Product, error) {
	rows, err := s.pool.Query(ctx, `SELECT doc FROM products WHERE code = ANY($1)`, codes)
	if err != nil {
		return nil, fmt.Errorf("read products: %w", err)
	}
	products, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, fmt.Errorf("read products: %w", err)
	}
	out := make(map[string]ltc.Product, len(products))
	for _, doc := range products {
		var p ltc.Product
		if err := json.Unmarshal(doc, &p); err != nil {
			return nil, fmt.Errorf("read product: %w", err)
		}
		out[p.Code] = p
	}
	return out, nil
}

// referenceEvent is the event of a change of the reference data: its subject is the rate or the product (the log's
// deal_id column holds it), of no deal or account.
func referenceEvent(subject uuid.UUID, typ string, actor ltc.Person, requestID string, at time.Time, data any) ltc.Event {
	return ltc.Event{DealID: subject.String(), Type: typ, Actor: actor, RequestID: requestID, Data: ltc.EventData(data), OccurredAt: at}
}
