package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ltcengine/ltc/internal/ltc"
)

// DealProcess is a deal as its process last wrote it: the lead, the deal (its doc, without the content kept beside
// it), the deal's revision and the ids of the requests its numbered changes applied, oldest first. A process that
// ended is started again from it (gate REOPEN).
type DealProcess struct {
	Deal     ltc.Deal
	Revision int64
	Requests []string
}

// DealProcess returns the deal's process copy, or ErrNotFound when there is no deal of that id.
func (s *Store) DealProcess(ctx context.Context, id string) (*DealProcess, error) {
	var leadDoc, dealDoc []byte
	p := &DealProcess{}
	err := s.pool.QueryRow(ctx, `SELECT `+withAccountOf("l")+`, `+withAccountOf("o")+`, o.revision
		FROM opportunities o JOIN leads l ON l.id = o.id WHERE o.id = $1`, id).Scan(&leadDoc, &dealDoc, &p.Revision)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load deal %s: %w", id, err)
	}
	var o ltc.Opportunity
	if err := errors.Join(json.Unmarshal(leadDoc, &p.Deal.Lead), json.Unmarshal(dealDoc, &o)); err != nil {
		return nil, fmt.Errorf("decode deal %s: %w", id, err)
	}
	p.Deal.Opportunity = &o
	rows, err := s.pool.Query(ctx, `SELECT request_id FROM requests WHERE deal_id = $1 AND revision IS NOT NULL ORDER BY revision`, id)
	if err == nil {
		p.Requests, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if err != nil {
		return nil, fmt.Errorf("load requests of deal %s: %w", id, err)
	}
	return p, nil
}

// withAccountOf is withAccount on the table of the alias.
func withAccountOf(alias string) string {
	return fmt.Sprintf(`(CASE WHEN %[1]s.account_id IS NULL OR %[1]s.doc->'customer' ? 'account_id' THEN %[1]s.doc
	ELSE jsonb_set(%[1]s.doc, '{customer,account_id}', to_jsonb(%[1]s.account_id::text)) END)`, alias)
}
