package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/bench/seed"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// importedDeal is a deal waiting on its INITIATION decision, with its three events.
func importedDeal(at time.Time) store.Deal {
	l := newLead("owner-7", at)
	l = l.Qualify(ltc.Qualification{BudgetConfirmed: true, Urgency: ltc.UrgencyHot}, l.ID, at.Add(time.Hour))
	o := ltc.NewOpportunity(l, at.Add(time.Hour), 0).UpdateAssessment(ltc.Assessment{WinRate: 50}, at.Add(time.Hour))
	o, _ = o.RequestDecision(ltc.DecisionID("init-"+l.ID), ltc.GateInitiation,
		ltc.Package{Initiation: &ltc.InitiationPackage{ProposedLevel: ltc.LevelB, Rationale: "fits"}},
		ltc.DefaultPolicy(), l.Owner, at.Add(2*time.Hour))
	event := func(typ string, before, after string, at time.Time) ltc.Event {
		return ltc.Event{DealID: l.ID, Type: typ, Actor: l.Owner, RequestID: "r-" + typ, StageBefore: before, StageAfter: after,
			Recipients: []string{"user:owner-7"}, Data: json.RawMessage(`{"k": 1}`), OccurredAt: at}
	}
	return store.Deal{Lead: l, Opportunity: &o, Events: []ltc.Event{
		event(ltc.EventLeadCreated, "", "NEW", at),
		event(ltc.EventOpportunityCreated, "", string(ltc.StageValidation), at.Add(time.Hour)),
		event(ltc.EventDecisionRequested, string(ltc.StageValidation), string(ltc.StageInitiationReview), at.Add(2*time.Hour)),
	}}
}

// rowsOf returns a deal's rows in every table as text, its ids replaced by "ID", so deals can be compared.
func rowsOf(t *testing.T, url string, deal store.Deal) map[string][]string {
	id := deal.Lead.ID
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows := map[string][]string{}
	for table, query := range map[string]string{
		"leads":         `SELECT to_jsonb(x)::text FROM leads x WHERE id = $1`,
		"opportunities": `SELECT to_jsonb(x)::text FROM opportunities x WHERE id = $1`,
		"decisions":     `SELECT to_jsonb(x)::text FROM decisions x WHERE opportunity_id = $1 ORDER BY created_at`,
		"events":        `SELECT (to_jsonb(x) - 'sequence' - 'recorded_at')::text FROM events x WHERE deal_id = $1 ORDER BY sequence`,
		"stage_visits":  `SELECT to_jsonb(x)::text FROM stage_visits x WHERE deal_id = $1 ORDER BY entered_at, stage`,
	} {
		r, err := conn.Query(ctx, query, id)
		require.NoError(t, err)
		texts, err := pgx.CollectRows(r, pgx.RowTo[string])
		require.NoError(t, err)
		for _, text := range texts {
			for _, d := range deal.Opportunity.Decisions {
				text = strings.ReplaceAll(text, d.ID, "DECISION-ID")
			}
			rows[table] = append(rows[table], strings.ReplaceAll(text, id, "ID"))
		}
	}
	return rows
}

func TestImportWritesTheRowsApplyWrites(t *testing.T) {
	ctx := context.Background()
	s, url := open(t)
	at := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	imported, applied := importedDeal(at), importedDeal(at) // the same deal under two ids
	require.NoError(t, s.Import(ctx, []store.Deal{imported}))
	d := applied.Opportunity.Decisions[0]
	require.NoError(t, s.Apply(ctx, store.Change{
		Request: store.Request{ID: "apply-1", Method: "QualifyLead", PayloadHash: []byte{1}, DealID: applied.Lead.ID, Result: json.RawMessage(`{}`)},
		Lead:    &applied.Lead, Opportunity: applied.Opportunity, Decision: &d, Events: applied.Events,
	}))

	got, want := rowsOf(t, url, imported), rowsOf(t, url, applied)
	for _, table := range []string{"leads", "opportunities", "decisions", "events", "stage_visits"} {
		require.NotEmpty(t, got[table], table)
		assert.Equal(t, want[table], got[table], "%s: Import writes what Apply writes", table)
	}

	o, err := s.Opportunity(ctx, imported.Lead.ID)
	require.NoError(t, err)
	assert.Equal(t, ltc.StageInitiationReview, o.Stage)
	owned, _, err := s.ListOpportunities(ctx, store.OpportunityFilter{OwnerID: "owner-7", Stage: ltc.StageInitiationReview}, 10, "")
	require.NoError(t, err)
	assert.Len(t, owned, 2)
	exec := ltc.Actor{ID: "eva", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 2}
	inbox, _, err := s.ListDecisions(ctx, store.DecisionFilter{PendingFor: &exec}, 10, "")
	require.NoError(t, err)
	assert.Len(t, inbox, 2, "imported pending decisions reach the inbox")

	// A change applied to an imported deal continues both its own sequence and the global one.
	next := *imported.Opportunity
	next.UpdatedAt = at.Add(3 * time.Hour)
	require.NoError(t, s.Apply(ctx, store.Change{
		Request:     store.Request{ID: "apply-2", Method: "UpdateAssessment", PayloadHash: []byte{2}, DealID: next.ID, Result: json.RawMessage(`{}`)},
		Opportunity: &next,
		Events: []ltc.Event{{DealID: next.ID, Type: ltc.EventAssessmentUpdated, Actor: next.Owner, Data: json.RawMessage(`{}`),
			OccurredAt: next.UpdatedAt}},
	}))
	page, err := s.Events(ctx, store.EventQuery{DealID: next.ID, Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Events, 4)
	last := page.Events[3]
	assert.Equal(t, int64(4), last.DealSequence)
	assert.Equal(t, int64(7), last.Sequence, "after the 3 imported and the 3 applied events")
	for i, e := range page.Events[:3] {
		assert.Equal(t, int64(i+1), e.Sequence, "imported events take the log's next numbers in order")
	}
}

func TestImportOfAnExistingDealWritesNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	at := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	first, second := importedDeal(at), importedDeal(at)
	require.NoError(t, s.Import(ctx, []store.Deal{first}))
	require.Error(t, s.Import(ctx, []store.Deal{second, first}), "the second batch holds a deal already there")
	_, err := s.Opportunity(ctx, second.Lead.ID)
	require.ErrorIs(t, err, store.ErrNotFound, "one transaction: nothing of the failed batch stays")
}

func TestTwoEventsIntoOneStageMakeOneVisit(t *testing.T) {
	ctx := context.Background()
	s, url := open(t)
	at := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	applied, imported := importedDeal(at), importedDeal(at)
	closing := func(d store.Deal) []ltc.Event {
		var events []ltc.Event
		for _, typ := range []string{ltc.EventHandoverCompleted, ltc.EventOpportunityClosed} {
			events = append(events, ltc.Event{DealID: d.Lead.ID, Type: typ, Actor: d.Lead.Owner, StageBefore: string(ltc.StageHandover),
				StageAfter: string(ltc.StageClosed), Data: json.RawMessage(`{}`), OccurredAt: at.Add(5 * time.Hour)})
		}
		return events
	}
	imported.Events = append(imported.Events, closing(imported)...)
	require.NoError(t, s.Import(ctx, []store.Deal{imported}))
	require.NoError(t, s.Apply(ctx, store.Change{
		Request: store.Request{ID: "close-1", Method: "CompleteHandover", PayloadHash: []byte{1}, DealID: applied.Lead.ID, Result: json.RawMessage(`{}`)},
		Lead:    &applied.Lead, Opportunity: applied.Opportunity, Events: closing(applied),
	}))
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	for _, id := range []string{imported.Lead.ID, applied.Lead.ID} {
		var n int
		require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM stage_visits WHERE deal_id = $1 AND stage = 'CLOSED'`, id).Scan(&n))
		assert.Equal(t, 1, n, "one stay in CLOSED")
	}
}

// A whole deal's document is kept in its row (compressed), not in the TOAST table: one page per deal read.
func TestDealDocumentsStayInTheirRow(t *testing.T) {
	ctx := context.Background()
	s, url := open(t)
	var deals []store.Deal
	for i := 0; len(deals) < 20; i++ {
		d, err := seed.MakeDeal(i)
		require.NoError(t, err)
		if d.Opportunity != nil && d.Opportunity.Outcome == ltc.OutcomeWon {
			deals = append(deals, d)
		}
	}
	require.NoError(t, s.Import(ctx, deals))
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var largest, toasted int64
	require.NoError(t, conn.QueryRow(ctx, `SELECT max(octet_length(doc::text)) FROM opportunities`).Scan(&largest))
	require.Greater(t, largest, int64(2032), "documents larger than the default TOAST target")
	require.NoError(t, conn.QueryRow(ctx,
		`SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE relname = 'opportunities'`).Scan(&toasted))
	assert.Zero(t, toasted, "nothing moved out of line")
}

// accountChanges are the changes of one account as its process makes them through ltc.RunAccount: created A by an
// executive with its team, three contacts in an org chart (the second with notes, which the process does not keep),
// the second's attitude updated (its row keeps its notes), and the relationship assessed.
func accountChanges(t *testing.T, at time.Time) []ltc.AccountChange {
	t.Helper()
	owner := ltc.Actor{ID: "owner-7", Name: "Olga Owner", Roles: []ltc.Role{ltc.RoleSales}, Unit: "emea/germany"}
	exec := ltc.Actor{ID: "eric", Name: "Eric", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: ltc.MaxAuthority}
	var a ltc.Account
	var changes []ltc.AccountChange
	run := func(cmd ltc.AccountCommand, as ltc.Actor) ltc.AccountChange {
		n := len(changes) + 1
		ch, err := ltc.RunAccount(cmd, a, ltc.Context{Actor: as, Now: at.Add(time.Duration(n) * time.Hour), Policy: ltc.DefaultPolicy(),
			RequestID: fmt.Sprintf("account-request-%d", n)})
		require.NoError(t, err)
		a, changes = ch.Account, append(changes, ch)
		return ch
	}
	run(ltc.CreateAccount{Name: "Nordwind Energie GmbH", Grade: ltc.GradeA, Industry: "Energy", Region: "Germany",
		Unit: owner.Unit, Owner: owner.Person(), Target: true, GradeRationale: "the region's largest utility",
		Team: ltc.Team{{Person: owner.Person(), Role: ltc.TeamAR}, {Person: ltc.Person{ID: "sven", Name: "Sven"}, Role: ltc.TeamSR}}}, exec)
	ceo := run(ltc.AddContact{Contact: ltc.Contact{Name: "Anna Keller", Title: "CEO", Role: ltc.ContactDecisionMaker,
		Attitude: ltc.AttitudeAcceptsUs}}, owner).Contact.ID
	cto := run(ltc.AddContact{Contact: ltc.Contact{Name: "Ben Weber", Title: "CTO", ReportsTo: ceo, Role: ltc.ContactInfluencer,
		Holder: &ltc.Person{ID: "sven", Name: "Sven"}, Strength: 3, Notes: "plays chess"}}, owner).Contact.ID
	run(ltc.AddContact{Contact: ltc.Contact{Name: "Chen Li", Title: "Architect", ReportsTo: cto, Role: ltc.ContactEvaluator,
		RisingStar: true}}, owner)
	run(ltc.UpdateContact{ContactID: cto, Fields: []string{ltc.ContactFieldAttitude}, Contact: ltc.Contact{Attitude: ltc.AttitudeValuesUs}}, owner)
	run(ltc.AssessRelationship{Assessment: ltc.RelationshipAssessment{Level: ltc.LevelPreferredSupplier, Communication: 4,
		BusinessFit: 3, JointUndertakings: 2, Identification: 3}}, owner)
	return changes
}

// An account imported whole is what ApplyAccount writes of its changes one by one: the same rows of accounts,
// contacts and deal_access, read back as RunAccount made it.
func TestImportAccountsWritesTheRowsApplyAccountWrites(t *testing.T) {
	ctx := context.Background()
	changes := accountChanges(t, time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
	applied, appliedURL := open(t)
	imported, importedURL := open(t)
	var ia store.ImportedAccount
	for i, ch := range changes {
		w, err := applied.ApplyAccount(ctx, store.AccountChange{
			Request: store.Request{ID: fmt.Sprintf("apply-%d", i), Method: "AccountCommand", PayloadHash: []byte{byte(i)},
				DealID: ch.Account.ID, Result: json.RawMessage(`{}`)},
			Account: ch.Account, Contact: ch.Contact, NotesChanged: ch.NotesChanged, Events: ch.Events, Revision: int64(i + 1)})
		require.NoError(t, err)
		require.Zero(t, w)
		ia.Fold(ch)
	}
	require.NoError(t, imported.ImportAccounts(ctx, []store.ImportedAccount{ia}))

	want := changes[len(changes)-1].Account
	rows := func(url string) map[string][]string {
		conn, err := pgx.Connect(ctx, url)
		require.NoError(t, err)
		defer conn.Close(ctx)
		rows := map[string][]string{}
		for table, query := range map[string]string{
			"accounts":    `SELECT to_jsonb(x)::text FROM accounts x WHERE id = $1`,
			"contacts":    `SELECT to_jsonb(x)::text FROM contacts x WHERE account_id = $1 ORDER BY created_at, id`,
			"deal_access": `SELECT to_jsonb(x)::text FROM deal_access x WHERE deal_id = $1`,
		} {
			r, err := conn.Query(ctx, query, want.ID)
			require.NoError(t, err)
			rows[table], err = pgx.CollectRows(r, pgx.RowTo[string])
			require.NoError(t, err)
		}
		return rows
	}
	got, wantRows := rows(importedURL), rows(appliedURL)
	for _, table := range []string{"accounts", "contacts", "deal_access"} {
		require.NotEmpty(t, wantRows[table], table)
		assert.Equal(t, wantRows[table], got[table], "%s: ImportAccounts writes what ApplyAccount writes", table)
	}

	a, err := imported.Account(ctx, want.ID)
	require.NoError(t, err)
	assert.Equal(t, want, a, "the account as RunAccount left it")
	require.Len(t, a.Contacts, 3)
	assert.Empty(t, a.Contacts[1].Notes, "the account's document keeps no notes")
	contacts, _, err := imported.ListContacts(ctx, store.ContactFilter{AccountID: want.ID}, ltc.MaxContacts, "")
	require.NoError(t, err)
	wantContacts := slices.Clone(want.Contacts)
	wantContacts[1].Notes = "plays chess"
	assert.ElementsMatch(t, wantContacts, contacts, "the contacts whole, the notes kept through the update")
	updated := slices.IndexFunc(contacts, func(c ltc.Contact) bool { return c.ID == wantContacts[1].ID })
	require.GreaterOrEqual(t, updated, 0)
	assert.Equal(t, ltc.AttitudeValuesUs, contacts[updated].Attitude)
	reader := ltc.Actor{ID: "mia", Roles: []ltc.Role{ltc.RoleSalesManager}, Unit: "emea/germany"}
	listed, _, err := imported.ListAccounts(ctx, store.AccountFilter{Grade: ltc.GradeA, TargetOnly: true, NameContains: "nordwind",
		Reader: &reader}, 10, "")
	require.NoError(t, err)
	summary := want
	summary.Contacts, summary.GradeHistory, summary.RelationshipHistory = nil, nil, nil
	assert.Equal(t, []store.AccountSummary{{Account: summary, ContactCount: 3}}, listed, "listed as a summary, to the office's sales manager")
	other := ltc.Actor{ID: "yui", Roles: []ltc.Role{ltc.RoleSalesManager}, Unit: "apac/japan"}
	listed, _, err = imported.ListAccounts(ctx, store.AccountFilter{Reader: &other}, 10, "")
	require.NoError(t, err)
	assert.Empty(t, listed, "and to no other office's")
}
