package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

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

// backfillAccounts gives the leads and deals recorded before accounts their account: one per distinct customer (its
// normalised name and region), made by the rules as a lead's new customer makes one (ltc.CreateAccount.Lead) from
// the customer's first lead: its name, grade (C when it has none), industry and region, owned by the lead's owner in
// the lead's unit.
// A batch at a time, idempotent: the account of a customer has an id derived from its key, and a customer that has
// an account (made since through the API) keeps it. Accounts of grade S or A get their process, and with it their
// review cadence, from StartAccountProcesses.
func backfillAccounts(ctx context.Context, conn *pgx.Conn, now time.Time) error {
	for {
		rows, err := conn.Query(ctx, `SELECT id::text, owner_id, customer_name, doc FROM leads WHERE account_id IS NULL
			ORDER BY created_at, id LIMIT `+fmt.Sprint(backfillBatch))
		if err != nil {
			return fmt.Errorf("backfill accounts: %w", err)
		}
		// The row's columns name the lead, its owner and its customer whatever the document of an early version
		// holds; the document adds the grade, industry, region and unit.
		leads, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ltc.Lead, error) {
			var id, owner, customer string
			var doc []byte
			var l ltc.Lead
			if err := r.Scan(&id, &owner, &customer, &doc); err != nil {
				return l, err
			}
			if err := json.Unmarshal(doc, &l); err != nil {
				return l, err
			}
			l.ID, l.Owner.ID, l.Customer.Name = id, owner, customer
			if !slices.Contains(ltc.CustomerGrades, l.Customer.Grade) {
				l.Customer.Grade = ltc.GradeC
			}
			return l, nil
		})
		if err != nil {
			return fmt.Errorf("backfill accounts: %w", err)
		}
		if len(leads) == 0 {
			return nil
		}
		var batch pgx.Batch
		for _, l := range leads {
			c := l.Customer
			key := ltc.NormaliseAccountName(c.Name) + "\x00" + ltc.NormaliseRegion(c.Region)
			made, err := ltc.RunAccount(ltc.CreateAccount{Name: c.Name, Grade: c.Grade, Industry: c.Industry, Region: c.Region,
				Unit: l.Unit, Owner: l.Owner, Lead: l.ID}, ltc.Account{},
				ltc.Context{Actor: ltc.Actor{ID: ltc.SystemPerson.ID, Name: ltc.SystemPerson.Name, Roles: []ltc.Role{ltc.RoleSystem}},
					Now: now, Policy: ltc.DefaultPolicy(), RequestID: "customer\x00" + key})
			if err != nil {
				return fmt.Errorf("backfill the account of lead %s: %w", l.ID, err)
			}
			a := made.Account
			doc, err := json.Marshal(a)
			if err != nil {
				return fmt.Errorf("encode account %s: %w", a.ID, err)
			}
			batch.Queue(`
				INSERT INTO accounts (id, name, name_key, region_key, name_search, grade, industry, region, org_unit, owner_id,
					target, relationship_level, revision, created_at, updated_at, doc)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, false, '', 0, $11, $11, $12)
				ON CONFLICT DO NOTHING`,
				a.ID, a.Name, ltc.NormaliseAccountName(a.Name), ltc.NormaliseRegion(a.Region), searchText(a.Name), a.Grade,
				a.Industry, a.Region, string(a.Unit), a.Owner.ID, now, doc)
			batch.Queue(`
				INSERT INTO deal_access (deal_id, org_unit, members, readers, report_readers) VALUES ($1, $2, $3, $4, $3)
				ON CONFLICT DO NOTHING`, a.ID, string(a.Unit), nonNil(a.Members()), nonNil(a.Readers()))
			for _, table := range []string{"leads", "opportunities"} {
				batch.Queue(`UPDATE `+table+` SET account_id = (SELECT id FROM accounts WHERE name_key = $2 AND region_key = $3)
					WHERE id = $1`, l.ID, ltc.NormaliseAccountName(c.Name), ltc.NormaliseRegion(c.Region))
			}
		}
		if err := conn.SendBatch(ctx, &batch).Close(); err != nil {
			return fmt.Errorf("backfill accounts: %w", err)
		}
	}
}
