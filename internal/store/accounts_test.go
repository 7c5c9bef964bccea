package store_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// TestMigrationGivesEveryCustomerOfTheDealsBeforeAccountsOneAccount writes leads and a deal as the schema before
// accounts held them: three leads of one customer under different spellings of its name and legal form, one of
// another customer, one graded S. After the migration each customer has exactly one account, every lead and deal
// names its customer's, the account reads as its first lead declared it, and a second run changes nothing.
func TestMigrationGivesEveryCustomerOfTheDealsBeforeAccountsOneAccount(t *testing.T) {
	ctx := context.Background()
	url, old := databaseBefore(t, "_accounts.sql")
	var err error
	insertLead := func(name, region string, grade ltc.CustomerGrade, month int) string {
		l := newLead("ann", day(month, 1))
		l.ID, l.Customer, l.Unit = uuid.NewString(), ltc.Customer{Name: name, Grade: grade, Industry: "energy", Region: region}, "emea/germany"
		_, err := old.Exec(ctx, `INSERT INTO leads (id, state, owner_id, customer_name, overdue, created_at, updated_at, doc, customer_search)
			VALUES ($1, 'NEW', 'ann', $2, false, $3, $3, $4, lower($2))`, l.ID, name, l.CreatedAt, l)
		require.NoError(t, err)
		return l.ID
	}
	first := insertLead("Nordwind Energie GmbH", "EMEA", ltc.GradeB, 1)
	second := insertLead("NORDWIND ENERGIE", "emea", ltc.GradeA, 2)
	third := insertLead("Nordwind  Energie G.m.b.H.", "EMEA ", ltc.GradeB, 3)
	other := insertLead("Südwind Solar AG", "EMEA", ltc.GradeS, 4)
	o := deal(ltc.LevelB, "ann", day(2, 2), ltc.Money{Currency: "EUR", AmountMinor: 1}, ltc.StagePursuit, "")
	o.ID, o.LeadID, o.Customer = second, second, ltc.Customer{Name: "NORDWIND ENERGIE", Grade: ltc.GradeA, Region: "emea"}
	_, err = old.Exec(ctx, `INSERT INTO opportunities (id, lead_id, stage, owner_id, customer_name, created_at, updated_at, value_currency, value_minor, doc)
		VALUES ($1, $1, 'PURSUIT', 'ann', $2, $3, $3, 'EUR', 1, $4)`, o.ID, o.Customer.Name, day(2, 2), o)
	require.NoError(t, err)

	require.NoError(t, store.Migrate(ctx, url))
	require.NoError(t, store.Migrate(ctx, url), "a second run changes nothing")
	s, err := store.Open(ctx, url, 2, nil)
	require.NoError(t, err)
	defer s.Close()

	var accounts int
	require.NoError(t, old.QueryRow(ctx, `SELECT count(*) FROM accounts`).Scan(&accounts))
	assert.Equal(t, 2, accounts, "one account per customer")
	accountOf := func(leadID string) string {
		l, err := s.Lead(ctx, leadID)
		require.NoError(t, err)
		require.NotEmpty(t, l.Customer.AccountID, "lead %s names its account", leadID)
		return l.Customer.AccountID
	}
	nordwind := accountOf(first)
	assert.Equal(t, nordwind, accountOf(second))
	assert.Equal(t, nordwind, accountOf(third))
	assert.NotEqual(t, nordwind, accountOf(other))
	got, err := s.Opportunity(ctx, second)
	require.NoError(t, err)
	assert.Equal(t, nordwind, got.Customer.AccountID, "the deal names it too")
	deals, _, err := s.ListOpportunities(ctx, store.OpportunityFilter{AccountID: nordwind}, 10, "")
	require.NoError(t, err)
	require.Len(t, deals, 1)
	assert.Equal(t, nordwind, deals[0].Customer.AccountID, "and so does its list summary")

	a, err := s.Account(ctx, nordwind)
	require.NoError(t, err)
	assert.Equal(t, "Nordwind Energie GmbH", a.Name, "as the customer's first lead named it")
	assert.Equal(t, ltc.GradeB, a.Grade)
	assert.Equal(t, ltc.Unit("emea/germany"), a.Unit)
	assert.Equal(t, "ann", a.Owner.ID)
	require.Len(t, a.GradeHistory, 1)
	assert.Contains(t, a.GradeHistory[0].Rationale, first)
	s2, err := s.Account(ctx, accountOf(other))
	require.NoError(t, err)
	assert.NotNil(t, s2.Cadence, "an S account owes its reviews")
	waiting, err := s.StrategicAccountsWithoutProcess(ctx)
	require.NoError(t, err)
	require.Len(t, waiting, 1, "and gets its process when a worker starts")
	assert.Equal(t, s2.ID, waiting[0].ID)
}
