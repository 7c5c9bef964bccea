package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"golang.org/x/text/cases"

	"github.com/ltcengine/ltc/internal/ltc"
)

// searchText is a text as the customer filter compares it: Unicode full case folding, the same in every script
// and on any server locale ("Åsa Ölund" and "ÅSA ÖLUND" both fold to "åsa ölund", "Straße" to "strasse").
func searchText(s string) string { return cases.Fold().String(s) }

// backfillBatch is how many rows one statement of the backfill updates.
const backfillBatch = 1000

// backfill computes the columns the store derives in Go (customer_search, and a deal's overdue flag) for rows
// written before they existed, a batch at a time. Migrate runs it after the SQL migrations; it is idempotent and
// does nothing once every row has its values.
func backfill(ctx context.Context, conn *pgx.Conn) error {
	for _, table := range []struct{ name, query, update string }{
		{"leads", `SELECT id::text, customer_name, NULL FROM leads WHERE customer_search IS NULL LIMIT `,
			`UPDATE leads SET customer_search = $2 WHERE id = $1`},
		{"opportunities", `SELECT id::text, customer_name, doc FROM opportunities
			WHERE customer_search IS NULL OR overdue IS NULL LIMIT `,
			`UPDATE opportunities SET customer_search = $2, overdue = $3 WHERE id = $1`},
	} {
		for {
			n, err := backfillRows(ctx, conn, table.query, table.update)
			if err != nil {
				return fmt.Errorf("backfill %s: %w", table.name, err)
			}
			if n == 0 {
				break
			}
		}
	}
	return nil
}

// backfillRows updates one batch of the rows query selects (id, customer name, and the deal's document or NULL)
// with update, and returns how many it updated.
func backfillRows(ctx context.Context, conn *pgx.Conn, query, update string) (int, error) {
	rows, err := conn.Query(ctx, query+fmt.Sprint(backfillBatch))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var batch pgx.Batch
	for rows.Next() {
		var id, name string
		var doc []byte
		if err := rows.Scan(&id, &name, &doc); err != nil {
			return 0, err
		}
		args := []any{id, searchText(name)}
		if doc != nil {
			var o ltc.Opportunity
			if err := json.Unmarshal(doc, &o); err != nil {
				return 0, fmt.Errorf("decode opportunity %s: %w", id, err)
			}
			args = append(args, o.IsOverdue())
		}
		batch.Queue(update, args...)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if batch.Len() == 0 {
		return 0, nil
	}
	return batch.Len(), conn.SendBatch(ctx, &batch).Close()
}
