package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ltcengine/ltc/internal/ltc"
)

// AccountChange is one accepted change of an account: the request that caused it, the account after it, the contact
// or activity it wrote, and its events. ApplyAccount writes all of it in one transaction, or nothing.
type AccountChange struct {
	Request  Request       `json:"request"`
	Account  ltc.Account   `json:"account"`
	Contact  *ltc.Contact  `json:"contact,omitempty"`
	Activity *ltc.Activity `json:"activity,omitempty"`
	// NotesChanged says Contact.Notes are the contact's notes now; otherwise the contact's row keeps its notes.
	NotesChanged bool        `json:"notes_changed,omitempty"`
	Events       []ltc.Event `json:"events"`
	// Revision is the account's revision after the change; it is written only on top of the one before.
	Revision int64 `json:"revision"`
}

// AccountWrite is what ApplyAccount did besides writing: the database was ahead of the change's base (Behind), or
// held the request already (Applied). Both empty means written.
type AccountWrite struct {
	Behind  *AccountBehind `json:"behind,omitempty"`
	Applied bool           `json:"applied,omitempty"`
}

// AccountBehind is the account as the database holds it past the revision a change was computed on (see Behind).
type AccountBehind struct {
	Revision int64       `json:"revision"`
	Account  ltc.Account `json:"account"`
	// Requests are the ids of the requests applied after the change's base revision, oldest first.
	Requests []string `json:"requests,omitempty"`
}

// uniqueViolation is PostgreSQL's SQLSTATE for a row a unique index refuses.
const uniqueViolation = "23505"

// DuplicateAccountError refuses an account whose normalised name and region are another's.
type DuplicateAccountError struct{ ExistingID string }

func (e *DuplicateAccountError) Error() string {
	return "an account of that name and region exists already: " + e.ExistingID
}

// ApplyAccount writes a numbered change of an account in one transaction, if the account's row is at
// c.Revision-1 (or absent, for its first change): row, access, contact, activity, request record and events.
func (s *Store) ApplyAccount(ctx context.Context, c AccountChange) (AccountWrite, error) {
	var w AccountWrite
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		w = AccountWrite{}
		a := c.Account
		var rev int64
		err := tx.QueryRow(ctx, `SELECT revision FROM accounts WHERE id = $1 FOR UPDATE`, a.ID).Scan(&rev)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("lock account %s: %w", a.ID, err)
		}
		if rev >= c.Revision {
			b, err := accountBehind(ctx, tx, a.ID, c.Revision-1)
			w.Behind = b
			return err
		}
		r := c.Request
		r.Revision = c.Revision
		applied, err := recordRequest(ctx, tx, r)
		if err != nil || applied {
			w.Applied = applied
			return err
		}
		row, err := accountRow(a, c.Revision)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO accounts (id, name, name_key, region_key, name_search, grade, industry, region, org_unit, owner_id,
				target, relationship_level, revision, created_at, updated_at, doc)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
			ON CONFLICT (id) DO UPDATE SET name = $2, name_key = $3, region_key = $4, name_search = $5, grade = $6,
				industry = $7, region = $8, org_unit = $9, owner_id = $10, target = $11, relationship_level = $12,
				revision = $13, updated_at = $15, doc = $16`, row...); err != nil {
			return fmt.Errorf("write account %s: %w", a.ID, err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO deal_access (deal_id, org_unit, members, readers, report_readers) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (deal_id) DO UPDATE SET org_unit = $2, members = $3, readers = $4, report_readers = $5
			WHERE (deal_access.org_unit, deal_access.members, deal_access.readers) IS DISTINCT FROM ($2, $3, $4)`,
			accountAccessRow(a)...); err != nil {
			return fmt.Errorf("write access of account %s: %w", a.ID, err)
		}
		if k := c.Contact; k != nil {
			row, err := contactRow(a.ID, *k, a.UpdatedAt, a.UpdatedAt)
			if err != nil {
				return err
			}
			// The process does not know a contact's notes: unless the change set them, the row keeps its own.
			if _, err := tx.Exec(ctx, `
				INSERT INTO contacts (id, account_id, reports_to, created_at, updated_at, doc) VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (id) DO UPDATE SET reports_to = $3, updated_at = $5,
					doc = CASE WHEN $7 OR NOT contacts.doc ? 'notes' THEN $6 ELSE $6 || jsonb_build_object('notes', contacts.doc->'notes') END`,
				append(row, c.NotesChanged)...); err != nil {
				return fmt.Errorf("write contact %s: %w", k.ID, err)
			}
		}
		if v := c.Activity; v != nil {
			doc, err := json.Marshal(v)
			if err != nil {
				return fmt.Errorf("encode activity %s: %w", v.ID, err)
			}
			if _, err := tx.Exec(ctx, `
				INSERT INTO activities (id, account_id, kind, state, review, day, created_at, doc)
				VALUES ($1, $2, $3, $4, $5, make_date($6, $7, $8), $9, $10)
				ON CONFLICT (id) DO UPDATE SET kind = $3, state = $4, review = $5, day = make_date($6, $7, $8), doc = $10`,
				v.ID, a.ID, v.Kind, v.State, v.Review, v.Date.Year, v.Date.Month, v.Date.Day, a.UpdatedAt, doc); err != nil {
				return fmt.Errorf("write activity %s: %w", v.ID, err)
			}
		}
		return appendEvents(ctx, tx, c.Events)
	})
	// A name and region another account has: the unique index refused the row (a creation or a rename racing
	// another one; the API looks first), and the caller learns which account is that customer's.
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == uniqueViolation && pgErr.ConstraintName == "accounts_one_per_customer" {
		existing, lookErr := s.AccountByKey(ctx, c.Account.Name, c.Account.Region)
		if lookErr != nil {
			return AccountWrite{}, fmt.Errorf("find the account that account %s duplicates: %w", c.Account.ID, lookErr)
		}
		return AccountWrite{}, &DuplicateAccountError{ExistingID: existing}
	}
	return w, err
}

// An account's rows are made by one function each, for ApplyAccount's upserts and ImportAccounts' COPY alike.

var accountColumns = []string{"id", "name", "name_key", "region_key", "name_search", "grade", "industry", "region",
	"org_unit", "owner_id", "target", "relationship_level", "revision", "created_at", "updated_at", "doc"}

// accountRow is the account's row at revision.
func accountRow(a ltc.Account, revision int64) ([]any, error) {
	doc, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("encode account %s: %w", a.ID, err)
	}
	level := ""
	if a.Relationship != nil {
		level = string(a.Relationship.Level)
	}
	return []any{a.ID, a.Name, ltc.NormaliseAccountName(a.Name), ltc.NormaliseRegion(a.Region), searchText(a.Name), a.Grade,
		a.Industry, a.Region, string(a.Unit), a.Owner.ID, a.Target, level, revision, a.CreatedAt, a.UpdatedAt, doc}, nil
}

// accountAccessRow is who may read the account, in deal_access as for a deal: its unit, its members (who also
// read its reports' rows) and its readers.
func accountAccessRow(a ltc.Account) []any {
	members := nonNil(a.Members())
	return []any{a.ID, string(a.Unit), members, nonNil(a.Readers()), members}
}

var contactColumns = []string{"id", "account_id", "reports_to", "created_at", "updated_at", "doc"}

// contactRow is the row of the account's contact k, whole (its notes included), added at created and last changed
// at updated.
func contactRow(accountID string, k ltc.Contact, created, updated time.Time) ([]any, error) {
	doc, err := json.Marshal(k)
	if err != nil {
		return nil, fmt.Errorf("encode contact %s: %w", k.ID, err)
	}
	return []any{k.ID, accountID, orNull(k.ReportsTo), created, updated, doc}, nil
}

// accountBehind is the account as the database holds it, with the requests applied after revision base.
func accountBehind(ctx context.Context, tx pgx.Tx, id string, base int64) (*AccountBehind, error) {
	b := &AccountBehind{}
	var doc []byte
	if err := tx.QueryRow(ctx, `SELECT revision, doc FROM accounts WHERE id = $1`, id).Scan(&b.Revision, &doc); err != nil {
		return nil, fmt.Errorf("load account %s: %w", id, err)
	}
	if err := json.Unmarshal(doc, &b.Account); err != nil {
		return nil, fmt.Errorf("decode account %s: %w", id, err)
	}
	rows, err := tx.Query(ctx, `SELECT request_id FROM requests WHERE deal_id = $1 AND revision > $2 ORDER BY revision`, id, base)
	if err != nil {
		return nil, fmt.Errorf("load requests of account %s: %w", id, err)
	}
	b.Requests, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("load requests of account %s: %w", id, err)
	}
	return b, nil
}

// AccountState is an account as its process starts from it: the row's document and revision.
type AccountState struct {
	Account  ltc.Account `json:"account"`
	Revision int64       `json:"revision"`
}

// LoadAccount returns the account as a process starts from it, or nil when there is no such account.
func (s *Store) LoadAccount(ctx context.Context, id string) (*AccountState, error) {
	st := &AccountState{}
	var doc []byte
	err := s.pool.QueryRow(ctx, `SELECT revision, doc FROM accounts WHERE id = $1`, id).Scan(&st.Revision, &doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load account %s: %w", id, err)
	}
	if err := json.Unmarshal(doc, &st.Account); err != nil {
		return nil, fmt.Errorf("decode account %s: %w", id, err)
	}
	return st, nil
}

// Account returns the account as its last change left it.
func (s *Store) Account(ctx context.Context, id string) (ltc.Account, error) {
	return getDoc[ltc.Account](ctx, s, `SELECT doc FROM accounts WHERE id = $1`, id, "account")
}

// AccountByKey returns the id of the account whose normalised name and region are those of name and region, or
// ErrNotFound.
func (s *Store) AccountByKey(ctx context.Context, name, region string) (string, error) {
	var id string
	err := s.pool.QueryRow(ctx, `SELECT id::text FROM accounts WHERE name_key = $1 AND region_key = $2`,
		ltc.NormaliseAccountName(name), ltc.NormaliseRegion(region)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("find account %q: %w", name, err)
	}
	return id, nil
}

// SimilarAccount is an account whose name is near another's.
type SimilarAccount struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	Region     string  `json:"region"`
	Similarity float64 `json:"similarity"`
}

// SimilarAccounts returns up to limit accounts whose normalised names are near name's (trigram similarity at least
// 0.4), the nearest first, other than the account except.
func (s *Store) SimilarAccounts(ctx context.Context, name, except string, limit int) ([]SimilarAccount, error) {
	key := ltc.NormaliseAccountName(name)
	if key == "" {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT id::text, name, region, similarity(name_key, $1)::float8 AS sim
		FROM accounts WHERE name_key % $1 AND id::text <> $2 AND similarity(name_key, $1) >= 0.4
		ORDER BY sim DESC, id LIMIT $3`, key, except, limit)
	if err != nil {
		return nil, fmt.Errorf("find accounts like %q: %w", name, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (SimilarAccount, error) {
		var a SimilarAccount
		return a, r.Scan(&a.ID, &a.Name, &a.Region, &a.Similarity)
	})
}

// AccountFilter selects accounts; zero fields match everything.
type AccountFilter struct {
	Grade             ltc.CustomerGrade
	Industry          string
	Region            string
	Unit              ltc.Unit
	TargetOnly        bool
	RelationshipLevel ltc.RelationshipLevel
	OwnerID           string
	// WithoutOpenDeals selects the accounts no open lead or deal names.
	WithoutOpenDeals bool
	// NameContains matches names containing it, case-insensitively in every script.
	NameContains string
	// Reader, when set, lists only the accounts they may read (ltc.AccountReach, as Get does).
	Reader *ltc.Actor
}

// AccountSummary is an account as a list shows it: without its contacts, histories, plans, reviews, scores and open
// activities, with how many contacts it has and how many open leads and deals name it.
type AccountSummary struct {
	ltc.Account
	ContactCount int `json:"contact_count"`
	OpenDeals    int `json:"open_deals"`
}

// ListAccounts returns a page of account summaries, newest first, and the token of the next page.
func (s *Store) ListAccounts(ctx context.Context, af AccountFilter, size int, token string) ([]AccountSummary, string, error) {
	var f filter
	if af.Grade != "" {
		f.add("grade = %s", af.Grade)
	}
	if af.Industry != "" {
		f.add("industry = %s", af.Industry)
	}
	if af.Region != "" {
		f.add("region = %s", af.Region)
	}
	if af.Unit != "" {
		f.where = append(f.where, f.unitIs("org_unit", af.Unit))
	}
	if af.TargetOnly {
		f.where = append(f.where, "target")
	}
	if af.RelationshipLevel != "" {
		f.add("relationship_level = %s", af.RelationshipLevel)
	}
	if af.OwnerID != "" {
		f.add("owner_id = %s", af.OwnerID)
	}
	if af.WithoutOpenDeals {
		f.where = append(f.where, `NOT EXISTS (SELECT 1 FROM opportunities o WHERE o.account_id = accounts.id AND o.outcome IS NULL)
			AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.account_id = accounts.id AND l.state = 'NEW')`)
	}
	if af.NameContains != "" {
		f.add("name_search LIKE %s", "%"+escapeLike(searchText(af.NameContains))+"%")
	}
	if af.Reader != nil {
		f.within("accounts.id", ltc.AccountReach(*af.Reader))
	}
	reader := readerID(af.Reader)
	af.Reader = nil
	return page[AccountSummary](ctx, s, "accounts", f, fmt.Sprintf("%+v|%s", af, reader), size, token)
}

// Contact returns one contact.
func (s *Store) Contact(ctx context.Context, id string) (ltc.Contact, error) {
	return getDoc[ltc.Contact](ctx, s, `SELECT doc FROM contacts WHERE id = $1`, id, "contact")
}

// Activity returns one activity.
func (s *Store) Activity(ctx context.Context, id string) (ltc.Activity, error) {
	return getDoc[ltc.Activity](ctx, s, `SELECT doc FROM activities WHERE id = $1`, id, "activity")
}

// ActivityFilter selects activities; zero fields match everything.
type ActivityFilter struct {
	AccountID string
	Kind      ltc.ActivityKind
	State     ltc.ActivityState
	Review    ltc.ComplianceReview
	// Reviewer, when set, selects the activities awaiting a LEGAL review the reviewer may give: of accounts in their
	// review unit, neither logged by them nor attended by them.
	Reviewer *ltc.Actor
}

// ListActivities returns a page of activities, the latest recorded first.
func (s *Store) ListActivities(ctx context.Context, af ActivityFilter, size int, token string) ([]ltc.Activity, string, error) {
	var f filter
	if af.AccountID != "" {
		f.add("account_id = %s", af.AccountID)
	}
	if af.Kind != "" {
		f.add("kind = %s", af.Kind)
	}
	if af.State != "" {
		f.add("state = %s", af.State)
	}
	if af.Review != "" {
		f.add("review = %s", af.Review)
	}
	reviewer := ""
	if r := af.Reviewer; r != nil {
		reviewer = r.ID
		unit, functions, ok := ltc.ReviewReach(*r)
		if !ok || !slices.Contains(functions, ltc.FunctionLegal) {
			f.where = append(f.where, "FALSE")
		} else {
			f.where = append(f.where, "review = 'PENDING'",
				access("activities.account_id", f.unitIs("x.org_unit", unit)),
				fmt.Sprintf("doc->'logged_by'->>'id' <> %s", f.arg(r.ID)),
				fmt.Sprintf("NOT jsonb_path_exists(doc, '$.our_people[*] ? (@.id == $me)', jsonb_build_object('me', %s::text))", f.arg(r.ID)))
		}
	}
	af.Reviewer = nil
	return page[ltc.Activity](ctx, s, "activities", f, fmt.Sprintf("%+v|%s", af, reviewer), size, token)
}

// OpenDeals counts the open leads and deals that name the account.
func (s *Store) OpenDeals(ctx context.Context, accountID string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM leads l WHERE l.account_id = $1 AND l.state = 'NEW')
			+ (SELECT count(*) FROM opportunities o WHERE o.account_id = $1 AND o.outcome IS NULL)`, accountID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count the open deals of account %s: %w", accountID, err)
	}
	return n, nil
}

// ContactFilter selects an account's contacts; zero fields but AccountID match everything.
type ContactFilter struct {
	AccountID string
	Role      ltc.ContactRole
	Attitude  ltc.Attitude
}

// ListContacts returns a page of an account's contacts, the latest added first.
func (s *Store) ListContacts(ctx context.Context, cf ContactFilter, size int, token string) ([]ltc.Contact, string, error) {
	var f filter
	f.add("account_id = %s", cf.AccountID)
	if cf.Role != "" {
		f.add("doc->>'role' = %s", string(cf.Role))
	}
	if cf.Attitude != "" {
		f.add("doc->>'attitude' = %s", string(cf.Attitude))
	}
	return page[ltc.Contact](ctx, s, "contacts", f, fmt.Sprintf("%+v", cf), size, token)
}

// StrategicAccountsWithoutProcess returns the S and A accounts no process has written yet (revision 0: made by the
// backfill from the deals recorded before accounts), as their processes start from them.
func (s *Store) StrategicAccountsWithoutProcess(ctx context.Context) ([]ltc.Account, error) {
	rows, err := s.pool.Query(ctx, `SELECT doc FROM accounts WHERE revision = 0 AND grade IN ('S', 'A') ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list accounts without a process: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ltc.Account, error) {
		var doc []byte
		var a ltc.Account
		if err := r.Scan(&doc); err != nil {
			return a, err
		}
		return a, json.Unmarshal(doc, &a)
	})
}
