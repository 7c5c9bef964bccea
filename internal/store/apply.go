package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/ltcengine/ltc/internal/ltc"
)

// Change is one accepted change of a deal: the request that caused it, the new read-model state and the events
// it produces. Apply writes all of it in one transaction, or nothing.
type Change struct {
	Request     Request          `json:"request"`
	Lead        *ltc.Lead        `json:"lead,omitempty"`
	Opportunity *ltc.Opportunity `json:"opportunity,omitempty"`
	Decision    *ltc.Decision    `json:"decision,omitempty"`
	Events      []ltc.Event      `json:"events"`
	// Content is what the change adds that only the deal's readers need (ltc.Content), kept beside the deal.
	Content []ltc.Content `json:"content,omitempty"`
	// Revision numbers a change of a deal's process: the deal's revision after it. ApplyRevision writes it only on
	// top of the revision before; 0 is a change Apply writes as it comes (leads, and deals of legacy processes).
	Revision int64 `json:"revision,omitempty"`
}

// Behind is what the database holds of a deal past the revision a change was computed on: changes written by a
// workflow task Temporal discarded after its local activities committed (a worker killed, a task the server lost),
// which the process never saw. The process adopts them (the deal as they left it, their requests as applied) and
// computes its change again on top, so the read model and the log keep one order, the database's, which the
// process then follows.
type Behind struct {
	Revision    int64           `json:"revision"`
	Opportunity ltc.Opportunity `json:"opportunity"`
	// Requests are the ids of the requests applied after the change's base revision, oldest first.
	Requests []string `json:"requests,omitempty"`
}

// ApplyRevision writes a numbered change of a deal (c.Opportunity, c.Revision) in one transaction, if the deal's
// row is at c.Revision-1: the read model takes changes one on top of the other, and the deal's events are appended
// in the same order. It returns nil when written. When the database holds changes at or past c.Revision, it writes
// nothing and returns them as a Behind (which holds this very change if an earlier attempt of it committed). A
// stale attempt that lands late finds the row moved on, so it can never overwrite a newer state.
func (s *Store) ApplyRevision(ctx context.Context, c Change) (*Behind, error) {
	if c.Opportunity == nil || c.Revision < 1 {
		return nil, fmt.Errorf("apply revision: change of request %s names no deal or revision", c.Request.ID)
	}
	var behind *Behind
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		behind = nil
		id := c.Opportunity.ID
		var rev int64
		var before contractHolder // read from the document only when the deal has a contract
		if err := tx.QueryRow(ctx, `
			SELECT revision, CASE WHEN contract_status IS NOT NULL THEN doc->'execution' END,
				coalesce(CASE WHEN contract_status IS NOT NULL THEN doc->>'unit' END, ''),
				coalesce(CASE WHEN contract_status IS NOT NULL THEN doc->'owner'->>'id' END, ''),
				coalesce(CASE WHEN contract_status IS NOT NULL THEN doc->'customer'->>'account_id' END, '')
			FROM opportunities WHERE id = $1 FOR UPDATE`, id).Scan(&rev, &before.execution, &before.unit, &before.owner, &before.account); err != nil {
			return fmt.Errorf("lock deal %s: %w", id, err)
		}
		if rev >= c.Revision {
			// Written already: by an earlier attempt of this change, or by changes the process never saw. Either way the
			// process takes the database's deal (the same change, or theirs) and goes on from there.
			b, err := behindOf(ctx, tx, id, c.Revision-1)
			behind = b
			return err
		}
		// rev < c.Revision-1 only after the database was restored to an earlier moment than Temporal's: the process
		// is ahead, and its change is written on what the database has.
		r := c.Request
		r.Revision = c.Revision
		applied, err := recordRequest(ctx, tx, r)
		if err != nil || applied {
			return err
		}
		if err := upsertAccess(ctx, tx, c); err != nil {
			return err
		}
		if err := upsertOpportunity(ctx, tx, *c.Opportunity, reachedStages(c.Events), c.Revision); err != nil {
			return err
		}
		if err := upsertForecast(ctx, tx, *c.Opportunity); err != nil {
			return err
		}
		if err := writeExecution(ctx, tx, before, *c.Opportunity); err != nil {
			return err
		}
		if c.Decision != nil {
			if err := upsertDecision(ctx, tx, *c.Decision, *c.Opportunity); err != nil {
				return err
			}
		}
		if err := upsertContent(ctx, tx, id, c.Content); err != nil {
			return err
		}
		return appendEvents(ctx, tx, c.Events)
	})
	if err != nil {
		return nil, err
	}
	return behind, nil
}

// upsertContent writes the content items a change added or replaced.
func upsertContent(ctx context.Context, tx pgx.Tx, dealID string, content []ltc.Content) error {
	for _, item := range content {
		doc, err := json.Marshal(item.Item)
		if err != nil {
			return fmt.Errorf("encode %s %s of deal %s: %w", item.Kind, item.Key, dealID, err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO deal_content (deal_id, kind, key, doc) VALUES ($1, $2, $3, $4)
			ON CONFLICT (deal_id, kind, key) DO UPDATE SET doc = $4`, dealID, item.Kind, item.Key, doc); err != nil {
			return fmt.Errorf("write %s %s of deal %s: %w", item.Kind, item.Key, dealID, err)
		}
	}
	return nil
}

// behindOf is the deal as the database holds it, with the requests applied after revision base.
func behindOf(ctx context.Context, tx pgx.Tx, id string, base int64) (*Behind, error) {
	b := &Behind{}
	var doc []byte
	if err := tx.QueryRow(ctx, `SELECT revision, doc FROM opportunities WHERE id = $1`, id).Scan(&b.Revision, &doc); err != nil {
		return nil, fmt.Errorf("load deal %s: %w", id, err)
	}
	if err := json.Unmarshal(doc, &b.Opportunity); err != nil {
		return nil, fmt.Errorf("decode deal %s: %w", id, err)
	}
	rows, err := tx.Query(ctx, `SELECT request_id FROM requests WHERE deal_id = $1 AND revision > $2 ORDER BY revision`, id, base)
	if err != nil {
		return nil, fmt.Errorf("load requests of deal %s: %w", id, err)
	}
	b.Requests, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("load requests of deal %s: %w", id, err)
	}
	return b, nil
}

// Apply writes the change. It is safe to retry: a change whose request was already applied with the same payload
// is skipped; one whose request id was used for a different payload fails with ErrRequestReused.
func (s *Store) Apply(ctx context.Context, c Change) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		applied, err := recordRequest(ctx, tx, c.Request)
		if err != nil || applied {
			return err
		}
		if c.Lead != nil {
			if err := upsertLead(ctx, tx, *c.Lead); err != nil {
				return err
			}
		}
		if err := upsertAccess(ctx, tx, c); err != nil {
			return err
		}
		if c.Opportunity != nil {
			if err := upsertOpportunity(ctx, tx, *c.Opportunity, reachedStages(c.Events), 0); err != nil {
				return err
			}
			if err := upsertForecast(ctx, tx, *c.Opportunity); err != nil {
				return err
			}
		}
		if c.Decision != nil {
			if err := upsertDecision(ctx, tx, *c.Decision, *c.Opportunity); err != nil {
				return err
			}
		}
		if c.Opportunity != nil {
			if err := upsertContent(ctx, tx, c.Opportunity.ID, c.Content); err != nil {
				return err
			}
		}
		return appendEvents(ctx, tx, c.Events)
	})
}

// recordRequest inserts the request, or reports that it was applied before.
func recordRequest(ctx context.Context, tx pgx.Tx, r Request) (applied bool, err error) {
	if r.PayloadHash == nil {
		r.PayloadHash = []byte{} // changes the engine makes by itself have no payload
	}
	var rev any
	if r.Revision > 0 {
		rev = r.Revision
	}
	tag, err := tx.Exec(ctx, `
		INSERT INTO requests (request_id, method, payload_hash, deal_id, result, actor_id, revision)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (request_id) DO NOTHING`,
		r.ID, r.Method, r.PayloadHash, r.DealID, r.Result, orNull(r.ActorID), rev)
	if err != nil {
		return false, fmt.Errorf("record request %s: %w", r.ID, err)
	}
	if tag.RowsAffected() == 1 {
		return false, nil
	}
	var method, dealID string
	var hash []byte
	if err := tx.QueryRow(ctx, `SELECT method, payload_hash, deal_id::text FROM requests WHERE request_id = $1`, r.ID).
		Scan(&method, &hash, &dealID); err != nil {
		return false, fmt.Errorf("load request %s: %w", r.ID, err)
	}
	if method != r.Method || dealID != r.DealID || !bytes.Equal(hash, r.PayloadHash) {
		return false, fmt.Errorf("%w: %s", ErrRequestReused, r.ID)
	}
	return true, nil
}

// Each table's row is made by one function, for Apply's upserts and Import's COPY alike.

var leadColumns = []string{"id", "state", "owner_id", "customer_name", "overdue", "created_at", "updated_at", "doc",
	"customer_search", "account_id"}

func leadRow(l ltc.Lead) ([]any, error) {
	doc, err := json.Marshal(l)
	if err != nil {
		return nil, fmt.Errorf("encode lead %s: %w", l.ID, err)
	}
	return []any{l.ID, l.State, l.Owner.ID, l.Customer.Name, l.Overdue, l.CreatedAt, l.UpdatedAt, doc,
		searchText(l.Customer.Name), orNull(l.Customer.AccountID)}, nil
}

func upsertLead(ctx context.Context, tx pgx.Tx, l ltc.Lead) error {
	row, err := leadRow(l)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO leads (id, state, owner_id, customer_name, overdue, created_at, updated_at, doc, customer_search,
			account_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (id) DO UPDATE SET state = $2, owner_id = $3, customer_name = $4, overdue = $5,
			updated_at = $7, doc = $8, customer_search = $9, account_id = coalesce($10, leads.account_id)`, row...)
	if err != nil {
		return fmt.Errorf("write lead %s: %w", l.ID, err)
	}
	return nil
}

var opportunityColumns = []string{"id", "lead_id", "stage", "outcome", "level", "owner_id", "customer_name",
	"created_at", "updated_at", "closed_at", "value_currency", "value_minor", "contract_currency", "contract_minor", "doc",
	"reached_stages", "customer_search", "overdue", "account_id", "contract_status"}

// opportunityRow is the deal's row; reached holds the main-path stages it entered (see reachedStages).
func opportunityRow(o ltc.Opportunity, reached int32) ([]any, error) {
	doc, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("encode opportunity %s: %w", o.ID, err)
	}
	var contractCurrency, contractMinor any
	if o.Contract != nil {
		contractCurrency, contractMinor = o.Contract.Amount.Currency, o.Contract.Amount.AmountMinor
	}
	return []any{o.ID, o.LeadID, o.Stage, orNull(string(o.Outcome)), orNull(string(o.Level)), o.Owner.ID, o.Customer.Name,
		o.CreatedAt, o.UpdatedAt, o.ClosedAt, o.EstimatedValue.Currency, o.EstimatedValue.AmountMinor,
		contractCurrency, contractMinor, doc, reached, searchText(o.Customer.Name), o.IsOverdue(),
		orNull(o.Customer.AccountID), contractStatus(o)}, nil
}

// upsertOpportunity writes the deal's row, adding the stages in reached to those it had entered before, at
// revision (0 keeps the row's): one new version of the row per change, as the deal's document is most of it.
func upsertOpportunity(ctx context.Context, tx pgx.Tx, o ltc.Opportunity, reached int32, revision int64) error {
	row, err := opportunityRow(o, reached)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO opportunities (id, lead_id, stage, outcome, level, owner_id, customer_name, created_at, updated_at, closed_at,
			value_currency, value_minor, contract_currency, contract_minor, doc, reached_stages, customer_search, overdue,
			account_id, contract_status, revision)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
		ON CONFLICT (id) DO UPDATE SET stage = $3, outcome = $4, level = $5, owner_id = $6,
			customer_name = $7, updated_at = $9, closed_at = $10, value_currency = $11, value_minor = $12,
			contract_currency = $13, contract_minor = $14, doc = $15,
			reached_stages = opportunities.reached_stages | $16, customer_search = $17, overdue = $18,
			account_id = coalesce($19, opportunities.account_id), contract_status = $20,
			revision = CASE WHEN $21 = 0 THEN opportunities.revision ELSE $21 END`, append(row, revision)...)
	if err != nil {
		return fmt.Errorf("write opportunity %s: %w", o.ID, err)
	}
	return nil
}

// orNull is s, or SQL NULL when s is empty.
func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

var eventColumns = []string{"sequence", "deal_id", "deal_sequence", "type", "actor_id", "actor_name", "request_id",
	"stage_before", "stage_after", "recipients", "data", "occurred_at", "account_id"}

func eventRow(sequence, dealSequence int64, e ltc.Event) []any {
	recipients := e.Recipients
	if recipients == nil {
		recipients = []string{}
	}
	return []any{sequence, subject(e), dealSequence, e.Type, e.Actor.ID, e.Actor.Name, orNull(e.RequestID),
		orNull(e.StageBefore), orNull(e.StageAfter), recipients, []byte(e.Data), e.OccurredAt, orNull(e.AccountID)}
}

// subject is the id the event is logged under (events.deal_id): its deal's, or its account's.
func subject(e ltc.Event) string {
	if e.DealID == "" {
		return e.AccountID
	}
	return e.DealID
}

// reachedStages is the set of main-path stages the events enter, as the bits of opportunities.reached_stages: bit
// i for MainPath[i]. The report counts conversions with it.
func reachedStages(events []ltc.Event) int32 {
	var bits int32
	for _, e := range events {
		if i := slices.Index(MainPath, ltc.Stage(e.StageAfter)); i >= 0 && changesStage(e) {
			bits |= 1 << i
		}
	}
	return bits
}

// appendEvents gives the events their global and per-deal sequence and writes them. It runs last in the
// transaction: the lock on event_log_head that orders the log is held from here to commit only.
func appendEvents(ctx context.Context, tx pgx.Tx, events []ltc.Event) error {
	if len(events) == 0 {
		return nil
	}
	var last int64
	if err := tx.QueryRow(ctx,
		`UPDATE event_log_head SET last_sequence = last_sequence + $1 RETURNING last_sequence`, len(events),
	).Scan(&last); err != nil {
		return fmt.Errorf("reserve event sequence: %w", err)
	}
	next := last - int64(len(events))
	dealSeq := map[string]int64{}
	entered := map[string]string{} // the stage each deal entered in this change
	for _, e := range events {
		next++
		id := subject(e)
		if _, ok := dealSeq[id]; !ok {
			var n int64
			if err := tx.QueryRow(ctx,
				`SELECT coalesce(max(deal_sequence), 0) FROM events WHERE deal_id = $1`, id).Scan(&n); err != nil {
				return fmt.Errorf("read the sequence of %s: %w", id, err)
			}
			dealSeq[id] = n
		}
		dealSeq[id]++
		if _, err := tx.Exec(ctx, `
			INSERT INTO events (sequence, deal_id, deal_sequence, type, actor_id, actor_name, request_id,
				stage_before, stage_after, recipients, data, occurred_at, account_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			eventRow(next, dealSeq[id], e)...); err != nil {
			return fmt.Errorf("append event %s of %s: %w", e.Type, id, err)
		}
		// A change that writes two events into the same stage (handover.completed, then opportunity.closed) makes one
		// visit.
		if changesStage(e) && entered[e.DealID] != e.StageAfter {
			entered[e.DealID] = e.StageAfter
			if _, err := tx.Exec(ctx, `
				WITH left_stage AS (UPDATE stage_visits SET left_at = $3 WHERE deal_id = $1 AND left_at IS NULL)
				INSERT INTO stage_visits (deal_id, stage, entered_at) VALUES ($1, $2, $3)`,
				e.DealID, e.StageAfter, e.OccurredAt); err != nil {
				return fmt.Errorf("record stage visit of deal %s: %w", e.DealID, err)
			}
		}
	}
	return nil
}

// changesStage reports whether the event moved its deal (or lead) to another stage.
func changesStage(e ltc.Event) bool { return e.StageAfter != "" && e.StageBefore != e.StageAfter }

var decisionColumns = []string{"id", "opportunity_id", "gate", "status", "authority", "missing_reviews", "overdue",
	"created_at", "updated_at", "level", "doc", "requested_by", "required_reviews", "org_unit", "members",
	"assigned_reviews", "review_assignees"}

// decisionRow is the decision's row; o is its deal, whose unit and members the inbox reads on the row.
func decisionRow(d ltc.Decision, o ltc.Opportunity) ([]any, error) {
	doc, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encode decision %s: %w", d.ID, err)
	}
	missing := functionNames(d.MissingReviews())
	required := functionNames(d.RequiredReviews)
	assigned, assignees := d.AssignedReviews()
	assignedFunctions := functionNames(assigned)
	updated := d.RequestedAt
	if d.DecidedAt != nil {
		updated = *d.DecidedAt
	}
	return []any{d.ID, d.OpportunityID, d.Gate, d.Status, d.Authority, missing, d.Overdue, d.RequestedAt, updated,
		orNull(string(d.Level)), doc, d.RequestedBy.ID, required, string(o.Unit), nonNil(o.Members()),
		assignedFunctions, nonNil(assignees)}, nil
}

func functionNames(fs []ltc.ReviewFunction) []string {
	names := make([]string, 0, len(fs))
	for _, f := range fs {
		names = append(names, string(f))
	}
	return names
}

var accessColumns = []string{"deal_id", "org_unit", "members", "readers", "report_readers"}

// accessRow is who may read the lead or deal (see migration 008): from the deal once there is one, else from the
// lead.
func accessRow(l *ltc.Lead, o *ltc.Opportunity) []any {
	if o != nil {
		return []any{o.ID, string(o.Unit), nonNil(o.Members()), nonNil(o.Readers()), nonNil(o.ReportReaders())}
	}
	return []any{l.ID, string(l.Unit), []string{l.Owner.ID}, nonNil(l.Readers()), []string{l.Owner.ID}}
}

func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// upsertAccess keeps the change's lead or deal access row current.
func upsertAccess(ctx context.Context, tx pgx.Tx, c Change) error {
	if c.Lead == nil && c.Opportunity == nil {
		return nil
	}
	row := accessRow(c.Lead, c.Opportunity)
	tag, err := tx.Exec(ctx, `
		INSERT INTO deal_access (deal_id, org_unit, members, readers, report_readers) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (deal_id) DO UPDATE SET org_unit = $2, members = $3, readers = $4, report_readers = $5
		WHERE (deal_access.org_unit, deal_access.members, deal_access.readers, deal_access.report_readers)
			IS DISTINCT FROM ($2, $3, $4, $5)`, row...)
	if err != nil {
		return fmt.Errorf("write access of %s: %w", row[0], err)
	}
	if tag.RowsAffected() == 1 && c.Opportunity != nil {
		// The team changed: the deal's decisions keep its members for the inbox.
		if _, err := tx.Exec(ctx, `UPDATE decisions SET org_unit = $2, members = $3 WHERE opportunity_id = $1`,
			row[0], row[1], row[2]); err != nil {
			return fmt.Errorf("write members of the decisions of %s: %w", row[0], err)
		}
	}
	return nil
}

func upsertDecision(ctx context.Context, tx pgx.Tx, d ltc.Decision, o ltc.Opportunity) error {
	row, err := decisionRow(d, o)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO decisions (id, opportunity_id, gate, status, authority, missing_reviews, overdue, created_at, updated_at, level, doc,
			requested_by, required_reviews, org_unit, members, assigned_reviews, review_assignees)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
		ON CONFLICT (id) DO UPDATE SET status = $4, authority = $5, missing_reviews = $6, overdue = $7,
			updated_at = $9, level = $10, doc = $11, assigned_reviews = $16, review_assignees = $17`, row...)
	if err != nil {
		return fmt.Errorf("write decision %s: %w", d.ID, err)
	}
	return nil
}
