package store_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/testenv"
)

// customerIDs lists the ids of the leads and deals whose customer the filter matches.
func customerIDs(t *testing.T, s *store.Store, customer string) (leads, deals []string) {
	t.Helper()
	ls, _, err := s.ListLeads(context.Background(), store.LeadFilter{Customer: customer}, 50, "")
	require.NoError(t, err)
	for _, l := range ls {
		leads = append(leads, l.ID)
	}
	os, _, err := s.ListOpportunities(context.Background(), store.OpportunityFilter{Customer: customer}, 50, "")
	require.NoError(t, err)
	for _, o := range os {
		deals = append(deals, o.ID)
	}
	return leads, deals
}

// TestCustomerFilterIsCaseInsensitiveInEveryScript: on a cluster created with the C locale (as testenv's is), the
// filter still matches whatever the case in Latin, Greek and Cyrillic, and folds ß to ss.
func TestCustomerFilterIsCaseInsensitiveInEveryScript(t *testing.T) {
	s, _ := open(t)
	names := map[string]string{"Åsa Ölund AB": "", "ΑΘΗΝΑ Τηλεπικοινωνίες": "", "ООО Ромашка": "", "Müller Straße GmbH": "", "Acme_%": ""}
	for name := range names {
		o := deal(ltc.LevelB, "ann", day(10, 2), ltc.Money{Currency: "EUR", AmountMinor: 1}, ltc.StageValidation, "")
		o.Customer = ltc.Customer{Name: name, Grade: ltc.GradeB}
		names[name] = o.ID
		fixtureDeal{o: o, changes: [][3]any{{"", "VALIDATION", day(10, 2)}}}.write(t, s)
	}
	for query, want := range map[string]string{
		"ölund": "Åsa Ölund AB", "ÅSA": "Åsa Ölund AB", "αθηνα": "ΑΘΗΝΑ Τηλεπικοινωνίες", "ΤΗΛΕΠΙΚΟΙΝΩΝΊΕΣ": "ΑΘΗΝΑ Τηλεπικοινωνίες",
		"ромашка": "ООО Ромашка", "STRASSE": "Müller Straße GmbH", "müller": "Müller Straße GmbH", "_%": "Acme_%",
	} {
		leads, deals := customerIDs(t, s, query)
		assert.Equal(t, []string{names[want]}, leads, "leads by %q", query)
		assert.Equal(t, []string{names[want]}, deals, "deals by %q", query)
	}
}

// TestOverdueFilterSelectsDealsWithSomethingLate writes a deal for each way of being late and one on time.
func TestOverdueFilterSelectsDealsWithSomethingLate(t *testing.T) {
	s, _ := open(t)
	at := day(10, 2)
	newDeal := func(change func(*ltc.Opportunity)) string {
		o := deal(ltc.LevelB, "ann", at, ltc.Money{Currency: "EUR", AmountMinor: 1}, ltc.StagePursuit, "")
		change(&o)
		fixtureDeal{o: o, changes: [][3]any{{"", string(o.Stage), at}}}.write(t, s)
		return o.ID
	}
	onTime := newDeal(func(o *ltc.Opportunity) {
		o.Cadence = &ltc.Cadence{Start: at, Checked: 1, Reports: []ltc.WeeklyReport{{Period: 0}}}
	})
	want := []string{
		newDeal(func(o *ltc.Opportunity) {
			o.Stage = ltc.StageInitiationReview
			o.Decisions = []ltc.Decision{{ID: uuid.NewString(), Status: ltc.DecisionPending, Overdue: true}}
		}),
		newDeal(func(o *ltc.Opportunity) { o.Cadence = &ltc.Cadence{Start: at, Checked: 1, OverduePeriods: []int{0}} }),
		newDeal(func(o *ltc.Opportunity) { o.Stage, o.HandoverOverdue = ltc.StageHandover, true }),
		newDeal(func(o *ltc.Opportunity) {
			o.Stage, o.Outcome, o.SummaryOverdue = ltc.StageClosed, ltc.OutcomeLost, true
		}),
	}
	got, _, err := s.ListOpportunities(context.Background(), store.OpportunityFilter{OverdueOnly: true}, 50, "")
	require.NoError(t, err)
	var ids []string
	for _, o := range got {
		ids = append(ids, o.ID)
	}
	assert.ElementsMatch(t, want, ids)
	assert.NotContains(t, ids, onTime)
}

// migrationNumber is the schema version of the migration whose file name ends in suffix.
func migrationNumber(t *testing.T, suffix string) int32 {
	entries, err := os.ReadDir("migrations")
	require.NoError(t, err)
	for i, e := range entries {
		if strings.HasSuffix(e.Name(), suffix) {
			return int32(i + 1)
		}
	}
	t.Fatalf("no migration %s", suffix)
	return 0
}

// databaseBefore is an empty database migrated to the schema before the migration of the suffix, with a connection
// to it (closed with the test), for a test that writes rows as that schema held them and then migrates.
func databaseBefore(t *testing.T, suffix string) (string, *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	url := testenv.EmptyDatabase(t)
	require.NoError(t, store.MigrateTo(ctx, url, migrationNumber(t, suffix)-1))
	old, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { old.Close(context.Background()) })
	return url, old
}

// TestMigrationBackfillsTheFoldedCustomerAndTheOverdueFlag writes a lead and a late deal as the previous schema
// held them, migrates, and finds them by a folded name and by the overdue filter.
func TestMigrationBackfillsTheFoldedCustomerAndTheOverdueFlag(t *testing.T) {
	ctx := context.Background()
	url, old := databaseBefore(t, "_input_limits.sql")
	var err error
	o := deal(ltc.LevelB, "ann", day(10, 2), ltc.Money{Currency: "EUR", AmountMinor: 1}, ltc.StageHandover, "")
	o.Customer, o.HandoverOverdue = ltc.Customer{Name: "Åsa Ölund AB"}, true
	lead := ltc.Lead{ID: o.ID, State: ltc.LeadQualified, Owner: o.Owner, Customer: o.Customer, CreatedAt: day(10, 1)}
	_, err = old.Exec(ctx, `INSERT INTO leads (id, state, owner_id, customer_name, overdue, created_at, updated_at, doc)
		VALUES ($1, 'QUALIFIED', 'ann', $2, false, $3, $3, $4)`, o.ID, o.Customer.Name, day(10, 1), lead)
	require.NoError(t, err)
	_, err = old.Exec(ctx, `INSERT INTO opportunities (id, lead_id, stage, owner_id, customer_name, created_at, updated_at, value_currency, value_minor, doc)
		VALUES ($1, $1, 'HANDOVER', 'ann', $2, $3, $3, 'EUR', 1, $4)`, o.ID, o.Customer.Name, day(10, 2), o)
	require.NoError(t, err)

	require.NoError(t, store.Migrate(ctx, url))
	s, err := store.Open(ctx, url, 2, nil)
	require.NoError(t, err)
	defer s.Close()
	leads, deals := customerIDs(t, s, "ÖLUND")
	assert.Equal(t, []string{o.ID}, leads)
	assert.Equal(t, []string{o.ID}, deals)
	late, _, err := s.ListOpportunities(ctx, store.OpportunityFilter{OverdueOnly: true}, 10, "")
	require.NoError(t, err)
	require.Len(t, late, 1)
	assert.Equal(t, o.ID, late[0].ID)
}

// TestPageTokensAreOpaqueAndTamperEvident: a token is not readable JSON, and any change to it, or one made up, is
// ErrBadPageToken (the API's INVALID_ARGUMENT), never a query with an id the engine did not issue.
func TestPageTokensAreOpaqueAndTamperEvident(t *testing.T) {
	ctx := context.Background()
	s, url := open(t)
	for i := range 3 {
		require.NoError(t, s.Apply(ctx, leadChange(uuid.NewString(), newLead("ann", day(10, 1).Add(time.Duration(i)*time.Minute)))))
	}
	_, next, err := s.ListLeads(ctx, store.LeadFilter{}, 1, "")
	require.NoError(t, err)
	raw, err := base64.RawURLEncoding.DecodeString(next)
	require.NoError(t, err)
	assert.False(t, json.Valid(raw), "not JSON") // random bytes hold a '{' about one time in six
	for i := range raw {
		edited := append([]byte(nil), raw...)
		edited[i] ^= 0x01
		_, _, err := s.ListLeads(ctx, store.LeadFilter{}, 1, base64.RawURLEncoding.EncodeToString(edited))
		assert.ErrorIs(t, err, store.ErrBadPageToken, "byte %d edited", i)
	}
	for name, token := range map[string]string{
		"json of the old kind": base64.RawURLEncoding.EncodeToString([]byte(`{"t":"2026-10-01T00:00:00Z","id":"x' OR 1=1"}`)),
		"truncated":            next[:len(next)-2],
		"not base64":           "!!",
	} {
		_, _, err := s.ListLeads(ctx, store.LeadFilter{}, 1, token)
		assert.ErrorIs(t, err, store.ErrBadPageToken, name)
	}
	page, _, err := s.ListLeads(ctx, store.LeadFilter{}, 1, next)
	require.NoError(t, err, "the token as issued")
	assert.Len(t, page, 1)

	// Another replica on the same database takes it: the key is the database's.
	other, err := store.Open(ctx, url, 1, nil)
	require.NoError(t, err)
	defer other.Close()
	_, _, err = other.ListLeads(ctx, store.LeadFilter{}, 1, next)
	require.NoError(t, err)
	// Under another key (another database's, or this one's replaced) it is refused.
	elsewhere, elsewhereURL := open(t)
	conn, err := pgx.Connect(ctx, elsewhereURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `UPDATE page_token_key SET key = uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())`)
	require.NoError(t, err)
	_, _, err = elsewhere.ListLeads(ctx, store.LeadFilter{}, 1, next)
	assert.ErrorIs(t, err, store.ErrBadPageToken)
}
