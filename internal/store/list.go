package store

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ltcengine/ltc/internal/ltc"
)

// ErrBadPageToken is returned for a page token that is malformed or was issued for other filters.
var ErrBadPageToken = fmt.Errorf("invalid page token")

// filter builds a WHERE clause with numbered arguments.
type filter struct {
	where []string
	args  []any
	// doc, when set, is what a page carries of each row instead of listed(table).
	doc string
}

// arg adds an argument and returns its placeholder.
func (f *filter) arg(v any) string {
	f.args = append(f.args, v)
	return fmt.Sprintf("$%d", len(f.args))
}

// add adds a condition built from the placeholder of v.
func (f *filter) add(format string, v any) { f.where = append(f.where, fmt.Sprintf(format, f.arg(v))) }

// containsCustomer matches the rows whose customer name contains text, case-insensitively in every script: both
// sides case-folded by searchText (served by a trigram index on customer_search).
func (f *filter) containsCustomer(text string) {
	f.add("customer_search LIKE %s", "%"+escapeLike(searchText(text))+"%")
}

// page lists the doc column of table, newest first by (created_at, id), a page at a time. The page token
// carries the last row's key and a digest of the filters it was issued for.
func page[T any](ctx context.Context, s *Store, table string, f filter, fingerprint string, size int, token string) ([]T, string, error) {
	secret, err := s.pageTokenKey(ctx)
	if err != nil {
		return nil, "", err
	}
	after, err := decodePageToken(secret, token, fingerprint)
	if err != nil {
		return nil, "", err
	}
	if after != nil {
		f.where = append(f.where, fmt.Sprintf("(created_at, id) < (%s, %s)", f.arg(after.Time), f.arg(after.ID)))
	}
	doc := listed(table)
	if f.doc != "" {
		doc = f.doc
	}
	query := "SELECT " + doc + ", created_at, id::text FROM " + table
	if len(f.where) > 0 {
		query += " WHERE " + strings.Join(f.where, " AND ")
	}
	query += " ORDER BY created_at DESC, id DESC LIMIT " + f.arg(size+1)
	rows, err := s.pool.Query(ctx, query, f.args...)
	if err != nil {
		return nil, "", fmt.Errorf("list %s: %w", table, err)
	}
	var items []T
	var last pageKey
	for rows.Next() {
		var doc []byte
		var key pageKey
		if err := rows.Scan(&doc, &key.Time, &key.ID); err != nil {
			return nil, "", fmt.Errorf("list %s: %w", table, err)
		}
		if len(items) == size {
			rows.Close()
			return items, encodePageToken(secret, last, fingerprint), nil
		}
		var v T
		if err := json.Unmarshal(doc, &v); err != nil {
			return nil, "", fmt.Errorf("decode %s row: %w", table, err)
		}
		items, last = append(items, v), key
	}
	return items, "", rows.Err()
}

// listed is what a list page carries of each row: the doc, but for deals a summary, so that a page stays small
// whatever its deals hold: the deal without its team, decisions, risks, meetings, weekly reports and project
// summary, the assessment's texts and the handover's attendees and record (GetOpportunity returns the whole deal).
func listed(table string) string {
	switch table {
	case "opportunities":
		return opportunitySummary
	case "leads":
		return withAccount
	case "accounts":
		return accountSummary
	}
	return "doc"
}

// accountSummary is what a list page carries of an account (AccountSummary): its doc without its people, histories,
// plans, reviews, scores and open activities (GetAccount returns the whole account), with how many contacts it has
// and how many open leads and deals name it.
const accountSummary = `(doc - '{contacts,grade_history,relationship_history,plans,reviews,satisfaction,open_activities}'::text[]
	|| jsonb_build_object('contact_count', coalesce(jsonb_array_length(doc->'contacts'), 0),
		'open_deals', (SELECT count(*) FROM opportunities o WHERE o.account_id = accounts.id AND o.outcome IS NULL)
			+ (SELECT count(*) FROM leads l WHERE l.account_id = accounts.id AND l.state = 'NEW')))`

// withAccount is the doc of a lead or deal with its customer's account_id, which the leads and deals recorded
// before accounts have in their row only (migration 013; their processes do not know it).
const withAccount = `(CASE WHEN account_id IS NULL OR doc->'customer' ? 'account_id' THEN doc
	ELSE jsonb_set(doc, '{customer,account_id}', to_jsonb(account_id::text)) END)`

// opportunitySummary is that summary of a deal's doc.
const opportunitySummary = `(` + withAccount + ` - '{team,decisions,risks,meetings,summary}'::text[]
	#- '{cadence,reports}' #- '{assessment,competitors}' #- '{assessment,decision_chain}' #- '{assessment,notes}'
	#- '{handover,attendees}' #- '{handover,record}')`

// pageKey is the sort key of the last row of a page.
type pageKey struct {
	Time time.Time
	ID   string
}

// A page token is opaque and tamper-evident: base64url of a version byte, the last row's created_at (Unix
// microseconds, PostgreSQL's precision) and id (16 bytes), 8 bytes of SHA-256 of the filters it was issued for, then
// 16 bytes of HMAC-SHA256 of all of that under the key every API replica reads from the database (migration
// page_token_key). A token that was edited, truncated or made up fails the HMAC; one of other filters fails the
// filter digest.
const (
	pageTokenVersion = 1
	pageTokenBody    = 1 + 8 + 16 + 8
	pageTokenMAC     = 16
)

func encodePageToken(key []byte, k pageKey, fingerprint string) string {
	id, _ := uuid.Parse(k.ID) // ids are uuid columns
	b := make([]byte, 0, pageTokenBody+pageTokenMAC)
	b = append(b, pageTokenVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(k.Time.UnixMicro()))
	b = append(b, id[:]...)
	b = append(b, filterDigest(fingerprint)...)
	return base64.RawURLEncoding.EncodeToString(append(b, pageTokenSum(key, b)...))
}

func decodePageToken(key []byte, token, fingerprint string) (*pageKey, error) {
	if token == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != pageTokenBody+pageTokenMAC || b[0] != pageTokenVersion ||
		!hmac.Equal(b[pageTokenBody:], pageTokenSum(key, b[:pageTokenBody])) {
		return nil, fmt.Errorf("%w: not a token this engine issued; start again without page_token", ErrBadPageToken)
	}
	if !bytes.Equal(b[1+8+16:pageTokenBody], filterDigest(fingerprint)) {
		return nil, fmt.Errorf("%w: the filters changed since the token was issued", ErrBadPageToken)
	}
	id, _ := uuid.FromBytes(b[1+8 : 1+8+16])
	return &pageKey{Time: time.UnixMicro(int64(binary.BigEndian.Uint64(b[1:9]))).UTC(), ID: id.String()}, nil
}

func filterDigest(fingerprint string) []byte {
	sum := sha256.Sum256([]byte(fingerprint))
	return sum[:8]
}

func pageTokenSum(key, body []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	return mac.Sum(nil)[:pageTokenMAC]
}

// pageTokenKey returns the key page tokens are signed with, read from the database once.
func (s *Store) pageTokenKey(ctx context.Context) ([]byte, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.pageKey == nil {
		if err := s.pool.QueryRow(ctx, `SELECT key FROM page_token_key`).Scan(&s.pageKey); err != nil {
			return nil, fmt.Errorf("read the page token key: %w", err)
		}
	}
	return s.pageKey, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// within adds the condition that the lead or deal whose id is column lies within the reach.
func (f *filter) within(column string, r ltc.Reach) {
	if c := f.reach(r, "readers"); c != "" {
		f.where = append(f.where, access(column, c))
	}
}

// reach is the condition on a deal_access row (aliased x) that its lead or deal lies within r, the people
// named on it taken from column readers (readers or report_readers); "" when the reach holds everything.
func (f *filter) reach(r ltc.Reach, readers string) string {
	if r.All {
		return ""
	}
	var any []string
	if r.Person != "" {
		// Containment, not "= ANY": the GIN index on deal_access.readers serves it, so a person who reads a few
		// deals finds them by the index instead of checking every deal.
		any = append(any, "x."+readers+" @> ARRAY["+f.arg(r.Person)+"]::text[]")
	}
	for _, u := range r.Units {
		any = append(any, f.inUnit(u))
	}
	if len(any) == 0 {
		return "FALSE"
	}
	return "(" + strings.Join(any, " OR ") + ")"
}

// inUnit is the condition on a deal_access row (aliased x) that its lead or deal belongs to u or a unit below.
func (f *filter) inUnit(u ltc.Unit) string { return f.unitIs("x.org_unit", u) }

// unitIs is the condition that the unit in column is u or a unit below it. Unit paths hold no LIKE wildcards
// (ltc.ParseUnit).
func (f *filter) unitIs(column string, u ltc.Unit) string {
	if u == ltc.Company {
		return "TRUE"
	}
	p := f.arg(string(u))
	return fmt.Sprintf("(%s = %s OR %s LIKE %s || '/%%')", column, p, column, p)
}

// access is the condition that the deal_access row of the lead or deal whose id is column meets cond.
func access(column, cond string) string {
	return "EXISTS (SELECT 1 FROM deal_access x WHERE x.deal_id = " + column + " AND " + cond + ")"
}
