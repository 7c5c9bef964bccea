package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ltcengine/ltc/internal/ltc"
)

// Deal is one whole deal to import: its lead, the opportunity made from it (nil while it is only a lead; its
// decisions become decision rows) and every event it produced, oldest first.
type Deal struct {
	Lead        ltc.Lead
	Opportunity *ltc.Opportunity
	Events      []ltc.Event
}

// Import writes whole deals in one transaction with COPY, many times faster than applying their changes one by
// one: for loading deals kept elsewhere, and for seeding the benchmark. The deals must be new (a deal's events
// are numbered from 1); the rows are those Apply writes, except that no request is recorded. The events take the
// next global sequence numbers in the order given.
func (s *Store) Import(ctx context.Context, deals []Deal) error {
	var leads, opportunities, forecasts, decisions, access, events, visits [][]any
	var contracts []table // the contract tables, in executionTables' order
	cash := map[cashKey]cashSums{}
	for _, d := range deals {
		row, err := leadRow(d.Lead)
		if err != nil {
			return err
		}
		leads = append(leads, row)
		access = append(access, accessRow(&d.Lead, d.Opportunity))
		if o := d.Opportunity; o != nil {
			if row, err = opportunityRow(*o, reachedStages(d.Events)); err != nil {
				return err
			}
			opportunities = append(opportunities, row)
			forecasts = append(forecasts, forecastRow(*o, &d.Lead.ExpectedCloseDate))
			for _, dec := range o.Decisions {
				if row, err = decisionRow(dec, *o); err != nil {
					return err
				}
				decisions = append(decisions, row)
			}
			for i, t := range executionTables(*o) {
				if len(contracts) == i {
					contracts = append(contracts, table{name: t.name, columns: t.columns})
				}
				contracts[i].rows = append(contracts[i].rows, t.rows...)
			}
			holderOf(*o).cashMonths(cash, 1)
		}
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Access first: the report's aggregates key a deal's rows by its unit (migration 012).
		if err := copyAll(ctx, tx, table{"leads", leadColumns, leads}, table{"deal_access", accessColumns, access},
			table{"opportunities", opportunityColumns, opportunities}, table{"deal_forecasts", forecastColumns, forecasts},
			table{"decisions", decisionColumns, decisions}); err != nil {
			return err
		}
		if err := copyAll(ctx, tx, contracts...); err != nil {
			return err
		}
		if err := addCashMonths(ctx, tx, cash); err != nil {
			return err
		}
		// The events last: the lock on event_log_head that orders the log is held from here to commit only.
		n := 0
		for _, d := range deals {
			n += len(d.Events)
		}
		var last int64
		if err := tx.QueryRow(ctx,
			`UPDATE event_log_head SET last_sequence = last_sequence + $1 RETURNING last_sequence`, n).Scan(&last); err != nil {
			return fmt.Errorf("reserve event sequence: %w", err)
		}
		next := last - int64(n)
		for _, d := range deals {
			var open []any // the visit under way
			for i, e := range d.Events {
				next++
				events = append(events, eventRow(next, int64(i+1), e))
				if changesStage(e) && (open == nil || open[1] != e.StageAfter) {
					if open != nil {
						open[3] = e.OccurredAt
					}
					open = []any{e.DealID, e.StageAfter, e.OccurredAt, nil}
					visits = append(visits, open)
				}
			}
		}
		return copyAll(ctx, tx, table{"events", eventColumns, events},
			table{"stage_visits", []string{"deal_id", "stage", "entered_at", "left_at"}, visits})
	})
}

// table is the rows of one table to import.
type table struct {
	name    string
	columns []string
	rows    [][]any
}

// copyAll writes the tables' rows with COPY, in the order given.
func copyAll(ctx context.Context, tx pgx.Tx, tables ...table) error {
	for _, t := range tables {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, pgx.CopyFromRows(t.rows)); err != nil {
			return fmt.Errorf("import %s: %w", t.name, err)
		}
	}
	return nil
}

// ImportedAccount is one whole account to import, as ApplyAccount would have left it after each of its changes:
// the account at its last change and revision, and its contacts whole (their notes included), each with when it
// was added and last changed. Fold builds it from the account's changes.
type ImportedAccount struct {
	Account  ltc.Account
	Revision int64
	Contacts []ImportedContact
}

// ImportedContact is a contact of an imported account.
type ImportedContact struct {
	Contact   ltc.Contact
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Fold takes the account's next change (its revision is the one after the last), as ApplyAccount writes it: the
// account after it, and the contact it touched, which keeps the notes it had unless the change set them.
func (ia *ImportedAccount) Fold(ch ltc.AccountChange) {
	ia.Account = ch.Account
	ia.Revision++
	k := ch.Contact
	if k == nil {
		return
	}
	at := ch.Account.UpdatedAt
	for i := range ia.Contacts {
		if c := &ia.Contacts[i]; c.Contact.ID == k.ID {
			notes := c.Contact.Notes
			c.Contact, c.UpdatedAt = *k, at
			if !ch.NotesChanged && notes != "" {
				c.Contact.Notes = notes
			}
			return
		}
	}
	ia.Contacts = append(ia.Contacts, ImportedContact{Contact: *k, CreatedAt: at, UpdatedAt: at})
}

// ImportAccounts writes whole accounts in one transaction with COPY, as Import writes deals: their rows, their
// access rows and their contacts' rows, those ApplyAccount writes (the same row functions). The accounts must be
// new, and of customers not yet recorded (one account per normalised name and region). No request, activity or
// event is written: an imported account's history is in its document (grades, assessments, plans, reviews,
// scores).
func (s *Store) ImportAccounts(ctx context.Context, accounts []ImportedAccount) error {
	var rows, access, contacts [][]any
	for _, ia := range accounts {
		a := ia.Account
		row, err := accountRow(a, ia.Revision)
		if err != nil {
			return err
		}
		rows = append(rows, row)
		access = append(access, accountAccessRow(a))
		for _, k := range ia.Contacts {
			row, err := contactRow(a.ID, k.Contact, k.CreatedAt, k.UpdatedAt)
			if err != nil {
				return err
			}
			contacts = append(contacts, row)
		}
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return copyAll(ctx, tx, table{"accounts", accountColumns, rows}, table{"deal_access", accessColumns, access},
			table{"contacts", contactColumns, contacts})
	})
}
