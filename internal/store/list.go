package store

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ltcengine/ltc/internal/ltc"
)

// ErrBadPageToken is returned for a page token that is malformed or was issued for other filters.
var ErrBadPageToken = fmt.Errorf("invalid page token")

// filter builds a WHERE clause with numbered arguments.
type filter struct {
	where []string
	args  []any
}

// arg adds an argument and returns its placeholder.
func (f *filter) arg(v any) string {
	f.args = append(f.args, v)
	return fmt.Sprintf("$%d", len(f.args))
}

// add adds a condition built from the placeholder of v.
func (f *filter) add(format string, v any) { f.where = append(f.where, fmt.Sprintf(format, f.arg(v))) }

// contains matches a column that contains text, case-insensitively (served by a trigram index).
func (f *filter) contains(column, text string) {
	f.add("lower("+column+") LIKE %s", "%"+escapeLike(strings.ToLower(text))+"%")
}

// page lists the doc column of table, newest first by (created_at, id), a page at a time. The page token
// carries the last row's key and a digest of the filters it was issued for.
func page[T any](ctx context.Context, s *Store, table string, f filter, fingerprint string, size int, token string) ([]T, string, error) {
	after, err := decodePageToken(token, fingerprint)
	if err != nil {
		return nil, "", err
	}
	if after != nil {
		f.where = append(f.where, fmt.Sprintf("(created_at, id) < (%s, %s)", f.arg(after.Time), f.arg(after.ID)))
	}
	query := "SELECT doc, created_at, id::text FROM " + table
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
			return items, encodePageToken(last, fingerprint), nil
		}
		var v T
		if err := json.Unmarshal(doc, &v); err != nil {
			return nil, "", fmt.Errorf("decode %s row: %w", table, err)
		}
		items, last = append(items, v), key
	}
	return items, "", rows.Err()
}

// pageKey is the sort key of the last row of a page.
type pageKey struct {
	Time time.Time `json:"t"`
	ID   string    `json:"id"`
	// Filter is a digest of the filters the token was issued for.
	Filter []byte `json:"f"`
}

func encodePageToken(k pageKey, fingerprint string) string {
	sum := sha256.Sum256([]byte(fingerprint))
	k.Filter = sum[:8]
	b, _ := json.Marshal(k)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodePageToken(token, fingerprint string) (*pageKey, error) {
	if token == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return nil, ErrBadPageToken
	}
	var k pageKey
	if err := json.Unmarshal(b, &k); err != nil || k.ID == "" {
		return nil, ErrBadPageToken
	}
	sum := sha256.Sum256([]byte(fingerprint))
	if string(k.Filter) != string(sum[:8]) {
		return nil, fmt.Errorf("%w: the filters changed since the token was issued", ErrBadPageToken)
	}
	return &k, nil
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
		any = append(any, f.arg(r.Person)+" = ANY (x."+readers+")")
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

func orTrue(cond string) string {
	if cond == "" {
		return "TRUE"
	}
	return cond
}
