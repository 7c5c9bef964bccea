package store_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// TestMigrationDerivesTheForecastOfTheDealsBefore writes an open deal past ATB and a won one as the schema before
// the forecast held them; after the migration each reads the forecast derived from its lead and its own row (the
// lead's close date, the estimated value, PIPELINE; the approved ATB's win rate), and the report counts them.
func TestMigrationDerivesTheForecastOfTheDealsBefore(t *testing.T) {
	ctx := context.Background()
	url, old := databaseBefore(t, "_forecast.sql")
	var err error
	insert := func(o ltc.Opportunity, closeDate ltc.Date) {
		l := newLead("ann", o.CreatedAt)
		l.ID, l.ExpectedCloseDate, l.Unit = o.ID, closeDate, "emea/germany"
		_, err := old.Exec(ctx, `INSERT INTO leads (id, state, owner_id, customer_name, overdue, created_at, updated_at, doc, customer_search)
			VALUES ($1, 'QUALIFIED', 'ann', 'Acme', false, $2, $2, $3, 'acme')`, l.ID, l.CreatedAt, l)
		require.NoError(t, err)
		var contractCurrency, contractMinor any
		if o.Contract != nil {
			contractCurrency, contractMinor = o.Contract.Amount.Currency, o.Contract.Amount.AmountMinor
		}
		_, err = old.Exec(ctx, `INSERT INTO opportunities (id, lead_id, stage, outcome, owner_id, customer_name, created_at, updated_at,
				closed_at, value_currency, value_minor, contract_currency, contract_minor, doc)
			VALUES ($1, $1, $2, $3, 'ann', 'Acme', $4, $4, $5, $6, $7, $8, $9, $10)`, o.ID, o.Stage, nullable(string(o.Outcome)),
			o.CreatedAt, o.ClosedAt, o.EstimatedValue.Currency, o.EstimatedValue.AmountMinor, contractCurrency, contractMinor, o)
		require.NoError(t, err)
		_, err = old.Exec(ctx, `INSERT INTO deal_access (deal_id, org_unit, members, readers, report_readers)
			VALUES ($1, 'emea/germany', '{ann}', '{ann}', '{ann}')`, o.ID)
		require.NoError(t, err)
	}
	q1 := ltc.Date{Year: 2027, Month: 2, Day: 15}
	open := deal(ltc.LevelB, "ann", day(10, 1), ltc.Money{Currency: "EUR", AmountMinor: 1_000_00}, ltc.StageBidding, "")
	open.Assessment = &ltc.Assessment{WinRate: 40, Value: open.EstimatedValue}
	open.Decisions = []ltc.Decision{
		{ID: "atb-1", Gate: ltc.GateATB, Status: ltc.DecisionApproved, Package: ltc.Package{Bid: &ltc.BidPackage{WinRate: 55}}},
		{ID: "atb-2", Gate: ltc.GateATB, Status: ltc.DecisionApprovedWithConditions, Package: ltc.Package{Bid: &ltc.BidPackage{WinRate: 70}}},
		{ID: "atb-3", Gate: ltc.GateATB, Status: ltc.DecisionRejected, Package: ltc.Package{Bid: &ltc.BidPackage{WinRate: 90}}},
	}
	insert(open, q1)
	wonAt := time.Date(2027, 1, 10, 12, 0, 0, 0, time.UTC)
	won := deal(ltc.LevelB, "ann", day(9, 1), ltc.Money{Currency: "EUR", AmountMinor: 5_00}, ltc.StageClosed, ltc.OutcomeWon)
	won.ClosedAt, won.Contract = &wonAt, &ltc.Contract{Number: "C-1", Amount: ltc.Money{Currency: "EUR", AmountMinor: 7_00}}
	insert(won, q1)

	require.NoError(t, store.Migrate(ctx, url))
	s, err := store.Open(ctx, url, 2, nil)
	require.NoError(t, err)
	defer s.Close()
	got, err := s.Opportunity(ctx, open.ID)
	require.NoError(t, err)
	require.NotNil(t, got.Forecast)
	assert.Equal(t, ltc.Forecast{ExpectedCloseDate: q1, Value: open.EstimatedValue, Category: ltc.ForecastPipeline}, *got.Forecast)

	start, _, err := ltc.QuarterBounds("2027-Q1")
	require.NoError(t, err)
	r, err := s.ForecastReport(ctx, store.ForecastFilter{Quarter: start, Now: wonAt.Add(time.Hour)})
	require.NoError(t, err)
	require.Len(t, r.Rows, 1)
	row := r.Rows[0]
	assert.Equal(t, []string{"emea/germany", "ann", "EUR"}, []string{row.Unit, row.OwnerID, row.Currency})
	assert.Equal(t, []string{"0", "0", "100000", "7000000", "700"},
		[]string{row.Committed.String(), row.BestCase.String(), row.Pipeline.String(), row.Weighted.String(), row.Won.String()},
		"the pipeline at PIPELINE, weighted by the last approved ATB's 70 %, and the contract won")
	assert.Equal(t, []int{0, 0, 1, 1, 0}, []int{row.CommittedDeals, row.BestCaseDeals, row.PipelineDeals, row.WonDeals, row.OmittedDeals})
}

// TestAWeeksSnapshotIsTakenOnceByConcurrentWorkers: workers taking the same week's snapshot at once take it once,
// and a deal's forecast lands in it under its own row and its unit's.
func TestAWeeksSnapshotIsTakenOnceByConcurrentWorkers(t *testing.T) {
	ctx := context.Background()
	s, url := open(t)
	o := deal(ltc.LevelB, "ann", day(11, 1), ltc.Money{Currency: "EUR", AmountMinor: 9_00}, ltc.StagePursuit, "")
	o.Unit = "emea/germany"
	at := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC) // a Monday: the week of 2026-11-30 ended
	o.Forecast = &ltc.Forecast{ExpectedCloseDate: ltc.Date{Year: 2027, Month: 1, Day: 15}, Value: o.EstimatedValue, Category: ltc.ForecastCommit}
	require.NoError(t, s.Import(ctx, []store.Deal{{Lead: ltc.Lead{ID: o.ID, State: ltc.LeadQualified, Owner: o.Owner}, Opportunity: &o}}))

	var wg sync.WaitGroup
	var taken atomic.Int32
	for range 4 {
		wg.Go(func() {
			ok, err := s.TakeForecastSnapshot(ctx, at)
			assert.NoError(t, err)
			if ok {
				taken.Add(1)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), taken.Load())
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT week_start::text, quarter::text, owner_id, category, deals, value::text FROM forecast_snapshots ORDER BY owner_id`)
	require.NoError(t, err)
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var week, quarter, owner, category, value string
		var deals int
		err := r.Scan(&week, &quarter, &owner, &category, &deals, &value)
		return strings.Join([]string{week, quarter, owner, category, strconv.Itoa(deals), value}, " "), err
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"2026-11-30 2027-01-01 * COMMIT 1 900", "2026-11-30 2027-01-01 ann COMMIT 1 900"}, got,
		"the next quarter's forecast, under the owner and the unit")
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
