package store_test

import (
	"context"
	"encoding/json"
	"math/big"
	"slices"
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

func day(month, d int) time.Time { return time.Date(2026, time.Month(month), d, 9, 0, 0, 0, time.UTC) }

// fixtureDeal writes a deal and its stage changes (stage before, after, when) as the processes would.
type fixtureDeal struct {
	o       ltc.Opportunity
	changes [][3]any // before, after, time
	extra   []ltc.Event
	dec     *ltc.Decision
}

func (f fixtureDeal) write(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	lead := ltc.Lead{ID: f.o.ID, State: ltc.LeadQualified, Owner: f.o.Owner, Customer: f.o.Customer, CreatedAt: f.o.CreatedAt, UpdatedAt: f.o.CreatedAt}
	require.NoError(t, s.Apply(ctx, store.Change{Request: store.Request{ID: uuid.NewString(), Method: "x", DealID: f.o.ID, Result: json.RawMessage(`{}`)}, Lead: &lead}))
	events := f.extra
	for _, c := range f.changes {
		events = append(events, ltc.Event{DealID: f.o.ID, Type: "x.stage", Actor: ltc.SystemPerson,
			StageBefore: c[0].(string), StageAfter: c[1].(string), Data: json.RawMessage(`{}`), OccurredAt: c[2].(time.Time)})
	}
	// The log is in time order per deal.
	slices.SortStableFunc(events, func(a, b ltc.Event) int { return a.OccurredAt.Compare(b.OccurredAt) })
	for _, e := range events {
		o := f.o
		require.NoError(t, s.Apply(ctx, store.Change{Request: store.Request{ID: uuid.NewString(), Method: "x", DealID: f.o.ID,
			Result: json.RawMessage(`{}`)}, Opportunity: &o, Decision: f.dec, Events: []ltc.Event{e}}))
	}
}

func deal(level ltc.ProjectLevel, owner string, created time.Time, value ltc.Money, stage ltc.Stage, outcome ltc.Outcome) ltc.Opportunity {
	o := ltc.Opportunity{ID: uuid.NewString(), Stage: stage, Outcome: outcome, Level: level, Owner: ltc.Person{ID: owner},
		Customer: ltc.Customer{Name: "Acme"}, EstimatedValue: value, CreatedAt: created, UpdatedAt: created}
	o.LeadID = o.ID
	return o
}

func decision(o ltc.Opportunity, level ltc.ProjectLevel, status ltc.DecisionStatus, requested, decided time.Time) *ltc.Decision {
	return &ltc.Decision{ID: uuid.NewString(), OpportunityID: o.ID, Gate: ltc.GateInitiation, Status: status, Level: level,
		RequestedAt: requested, DecidedAt: &decided}
}

func overdue(o ltc.Opportunity, typ string, at time.Time) ltc.Event {
	return ltc.Event{DealID: o.ID, Type: typ, Actor: ltc.SystemPerson, StageBefore: string(o.Stage), StageAfter: string(o.Stage),
		Data: json.RawMessage(`{}`), OccurredAt: at}
}

// TestPipelineReportAgainstAHandComputedFixture checks every number of the report for October 2026 against
// five deals whose history is written out below.
func TestPipelineReportAgainstAHandComputedFixture(t *testing.T) {
	s, _ := open(t)
	eur := func(m int64) ltc.Money { return ltc.Money{Currency: "EUR", AmountMinor: m * 100} }
	cny := func(m int64) ltc.Money { return ltc.Money{Currency: "CNY", AmountMinor: m * 100} }
	const v, ir, tf, pu, cl = "VALIDATION", "INITIATION_REVIEW", "TEAM_FORMATION", "PURSUIT", "CLOSED"

	a := deal(ltc.LevelB, "ann", day(10, 2), eur(1_000_000), ltc.StagePursuit, "")
	b := deal(ltc.LevelC, "bob", day(10, 3), eur(200_000), ltc.StageClosed, ltc.OutcomeNotPursued)
	closedB := day(10, 10)
	b.ClosedAt = &closedB
	c := deal(ltc.LevelB, "ann", day(10, 5), cny(5_000_000), ltc.StageClosed, ltc.OutcomeWon)
	closedC := day(10, 20)
	c.ClosedAt = &closedC
	c.Contract = &ltc.Contract{Amount: cny(4_800_000)}
	d := deal(ltc.LevelC, "bob", day(9, 20), eur(300_000), ltc.StageClosed, ltc.OutcomeLost)
	closedD := day(10, 12)
	d.ClosedAt = &closedD
	e := deal(ltc.LevelA, "cat", day(10, 10), eur(50_000), ltc.StageValidation, "")

	for _, f := range []fixtureDeal{
		{o: a, changes: [][3]any{{"", v, day(10, 2)}, {v, ir, day(10, 4)}, {ir, tf, day(10, 5)}, {tf, pu, day(10, 6)}},
			extra: []ltc.Event{overdue(a, ltc.EventWeeklyReportOverdue, day(10, 15))},
			dec:   decision(a, ltc.LevelB, ltc.DecisionApproved, day(10, 4), day(10, 5))},
		{o: b, changes: [][3]any{{"", v, day(10, 3)}, {v, ir, day(10, 7)}, {ir, cl, day(10, 10)}},
			extra: []ltc.Event{overdue(b, ltc.EventDecisionOverdue, day(10, 9))},
			dec:   decision(b, ltc.LevelC, ltc.DecisionRejected, day(10, 7), day(10, 10))},
		{o: c, changes: [][3]any{{"", v, day(10, 5)}, {v, ir, day(10, 6)}, {ir, tf, day(10, 8)}, {tf, cl, day(10, 20)}},
			dec: decision(c, ltc.LevelB, ltc.DecisionApproved, day(10, 6), day(10, 8))},
		{o: d, changes: [][3]any{{"", v, day(9, 20)}, {v, cl, day(10, 12)}}},
		{o: e, changes: [][3]any{{"", v, day(10, 10)}}},
	} {
		f.write(t, s)
	}

	r, err := s.PipelineReport(context.Background(), store.ReportFilter{From: day(10, 1), To: day(11, 1)})
	require.NoError(t, err)
	h := 24 * time.Hour
	assert.Equal(t, []store.FunnelRow{
		{Stage: ltc.StageClosed, Outcome: ltc.OutcomeNotPursued, Deals: 1, Value: totals(eur(200_000))},
		{Stage: ltc.StageClosed, Outcome: ltc.OutcomeWon, Deals: 1, Value: totals(cny(5_000_000))},
		{Stage: ltc.StagePursuit, Deals: 1, Value: totals(eur(1_000_000))},
		{Stage: ltc.StageValidation, Deals: 1, Value: totals(eur(50_000))},
	}, r.Funnel, "deals created in October (not D) by where they stand")
	assert.Equal(t, store.Conversion{From: ltc.StageValidation, To: ltc.StageInitiationReview, ReachedFrom: 4, ReachedTo: 3}, r.Conversions[0])
	assert.Equal(t, store.Conversion{From: ltc.StageInitiationReview, To: ltc.StageTeamFormation, ReachedFrom: 3, ReachedTo: 2}, r.Conversions[1])
	assert.Equal(t, store.Conversion{From: ltc.StageTeamFormation, To: ltc.StagePursuit, ReachedFrom: 2, ReachedTo: 1}, r.Conversions[2])
	assert.Equal(t, store.Conversion{From: ltc.StagePursuit, To: ltc.StageATBReview, ReachedFrom: 1, ReachedTo: 0}, r.Conversions[3])
	assert.Len(t, r.Conversions, len(store.MainPath)-1)

	// The percentiles are within 1 % of the exact ones (the report's histograms, see store.durations).
	approx := func(want time.Duration, got time.Duration, what string) {
		t.Helper()
		assert.InEpsilon(t, want.Seconds(), got.Seconds(), 0.01, what)
	}
	require.Len(t, r.TimeInStage, 3)
	// VALIDATION stays ending in October: A 2d, B 4d, C 1d, D 22d -> median 3d; p90 = 4 + 0.7 x 18 = 16.6d.
	assert.Equal(t, ltc.StageValidation, r.TimeInStage[0].Stage)
	assert.Equal(t, 4, r.TimeInStage[0].Count)
	approx(3*h, r.TimeInStage[0].Median, "VALIDATION median")
	approx(time.Duration(16.6*float64(h)), r.TimeInStage[0].P90, "VALIDATION p90")
	// INITIATION_REVIEW: A 1d, B 3d, C 2d -> median 2d, p90 2.8d.
	assert.Equal(t, 3, r.TimeInStage[1].Count)
	approx(2*h, r.TimeInStage[1].Median, "INITIATION_REVIEW median")
	approx(time.Duration(2.8*float64(h)), r.TimeInStage[1].P90, "INITIATION_REVIEW p90")
	// TEAM_FORMATION: A 1d, C 12d -> median 6.5d, p90 10.9d.
	assert.Equal(t, 2, r.TimeInStage[2].Count)
	approx(time.Duration(6.5*float64(h)), r.TimeInStage[2].Median, "TEAM_FORMATION median")
	approx(time.Duration(10.9*float64(h)), r.TimeInStage[2].P90, "TEAM_FORMATION p90")

	require.Len(t, r.GateTurnaround, 2)
	assert.Equal(t, ltc.LevelB, r.GateTurnaround[0].Level)
	assert.Equal(t, 2, r.GateTurnaround[0].Count)
	approx(time.Duration(1.5*float64(h)), r.GateTurnaround[0].Median, "INITIATION B median")
	approx(time.Duration(1.9*float64(h)), r.GateTurnaround[0].P90, "INITIATION B p90")
	assert.Equal(t, ltc.LevelC, r.GateTurnaround[1].Level)
	approx(3*h, r.GateTurnaround[1].Median, "INITIATION C")

	assert.Equal(t, 1, r.OverdueWeeklyReports)
	assert.Equal(t, 1, r.OverdueDecisions)
	assert.Equal(t, 3, r.Closed, "B, C and D closed in October")
	assert.Equal(t, 1, r.Won)
	assert.Equal(t, totals(cny(4_800_000)), r.ValueWon, "the contract amount")

	levelB, err := s.PipelineReport(context.Background(), store.ReportFilter{From: day(10, 1), To: day(11, 1), Level: ltc.LevelB})
	require.NoError(t, err)
	assert.Len(t, levelB.Funnel, 2, "A and C")
	assert.Equal(t, 1, levelB.Won)
	assert.Equal(t, 2, levelB.Conversions[0].ReachedFrom, "A and C reached VALIDATION")
	require.Len(t, levelB.GateTurnaround, 1)
	assert.Equal(t, 2, levelB.GateTurnaround[0].Count)
	bobs, err := s.PipelineReport(context.Background(), store.ReportFilter{From: day(10, 1), To: day(11, 1), OwnerID: "bob"})
	require.NoError(t, err)
	assert.Equal(t, 2, bobs.Closed, "B and D")
	assert.Equal(t, 0, bobs.Won)
	assert.Equal(t, 1, bobs.OverdueDecisions)
	assert.Equal(t, 0, bobs.OverdueWeeklyReports)
	require.NotEmpty(t, bobs.TimeInStage)
	assert.Equal(t, 2, bobs.TimeInStage[0].Count, "B's and D's VALIDATION stays")
	approx(13*h, bobs.TimeInStage[0].Median, "bob's VALIDATION median: 4d and 22d")
}

func TestPipelineReportCountsAReturnedDealOnce(t *testing.T) {
	s, _ := open(t)
	const v, ir = "VALIDATION", "INITIATION_REVIEW"
	a := deal(ltc.LevelB, "ann", day(10, 2), ltc.Money{Currency: "EUR", AmountMinor: 100}, ltc.StageInitiationReview, "")
	fixtureDeal{o: a, changes: [][3]any{{"", v, day(10, 2)}, {v, ir, day(10, 4)}, {ir, v, day(10, 5)}, {v, ir, day(10, 9)}}}.write(t, s)

	r, err := s.PipelineReport(context.Background(), store.ReportFilter{From: day(10, 1), To: day(11, 1)})
	require.NoError(t, err)
	assert.Equal(t, store.Conversion{From: ltc.StageValidation, To: ltc.StageInitiationReview, ReachedFrom: 1, ReachedTo: 1},
		r.Conversions[0], "one deal, however often it came back")
	require.Len(t, r.TimeInStage, 2)
	assert.Equal(t, 2, r.TimeInStage[0].Count, "both VALIDATION stays count for the time in stage")
	assert.InEpsilon(t, 3*24*time.Hour.Seconds(), r.TimeInStage[0].Median.Seconds(), 0.01, "2 days and 4 days")
}

// Migration 007 derives the report's new columns from what version 6 kept: the main-path stages each deal entered
// (from its stage visits), the length of each finished stay and each decision's turnaround; and a stage the old
// binary records while it still runs counts. Migration 012 then reports them from its per-day aggregates.
func TestMigrationToTheReportColumnsKeepsWhatTheDealsDid(t *testing.T) {
	ctx := context.Background()
	url := testenv.EmptyDatabase(t)
	require.NoError(t, store.MigrateTo(ctx, url, 6))

	old, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer old.Close(ctx)
	returned, untouched := uuid.NewString(), uuid.NewString()
	for _, id := range []string{returned, untouched} {
		_, err = old.Exec(ctx, `INSERT INTO leads (id, state, owner_id, customer_name, overdue, created_at, updated_at, doc)
			VALUES ($1, 'QUALIFIED', 'ann', 'Acme', false, $2, $2, '{}')`, id, day(10, 1))
		require.NoError(t, err)
		_, err = old.Exec(ctx, `INSERT INTO opportunities (id, lead_id, stage, owner_id, customer_name, created_at, updated_at, value_currency, value_minor, doc)
			VALUES ($1, $1, 'TEAM_FORMATION', 'ann', 'Acme', $2, $2, 'EUR', 100, '{}')`, id, day(10, 2))
		require.NoError(t, err)
	}
	// returned went VALIDATION -> INITIATION_REVIEW -> VALIDATION -> INITIATION_REVIEW -> TEAM_FORMATION, as a lead first.
	_, err = old.Exec(ctx, `INSERT INTO stage_visits (deal_id, stage, entered_at, left_at, deal_created_at, first_visit) VALUES
		($1, 'QUALIFIED', $2, $3, $2, true), ($1, 'VALIDATION', $3, $4, $3, true), ($1, 'INITIATION_REVIEW', $4, $5, $3, true),
		($1, 'VALIDATION', $5, $6, $3, false), ($1, 'INITIATION_REVIEW', $6, $7, $3, false), ($1, 'TEAM_FORMATION', $7, NULL, $3, true)`,
		returned, day(10, 1), day(10, 2), day(10, 4), day(10, 5), day(10, 8), day(10, 9))
	require.NoError(t, err)
	_, err = old.Exec(ctx, `INSERT INTO decisions (id, opportunity_id, gate, status, authority, missing_reviews, overdue, created_at, updated_at, level, doc)
		VALUES ($1, $2, 'INITIATION', 'APPROVED', 1, '{}', false, $3, $4, 'B', '{}')`, uuid.NewString(), returned, day(10, 8), day(10, 9))
	require.NoError(t, err)

	require.NoError(t, store.MigrateTo(ctx, url, 10))
	var reached int32
	require.NoError(t, old.QueryRow(ctx, `SELECT reached_stages FROM opportunities WHERE id = $1`, returned).Scan(&reached))
	assert.Equal(t, int32(0b111), reached, "VALIDATION, INITIATION_REVIEW and TEAM_FORMATION: bits 0 to 2")
	require.NoError(t, old.QueryRow(ctx, `SELECT reached_stages FROM opportunities WHERE id = $1`, untouched).Scan(&reached))
	assert.Zero(t, reached, "a deal without visits reached nothing")
	rows, err := old.Query(ctx, `SELECT seconds FROM stage_visits WHERE deal_id = $1 ORDER BY entered_at`, returned)
	require.NoError(t, err)
	stays, err := pgx.CollectRows(rows, pgx.RowTo[*float64])
	require.NoError(t, err)
	h := 24 * time.Hour
	require.Len(t, stays, 6)
	for i, want := range []time.Duration{h, 2 * h, h, 3 * h, h} {
		require.NotNil(t, stays[i])
		assert.InDelta(t, want.Seconds(), *stays[i], 0.001, "stay %d", i)
	}
	assert.Nil(t, stays[5], "the stay under way has no length yet")
	var turnaround float64
	require.NoError(t, old.QueryRow(ctx, `SELECT turnaround_seconds FROM decisions WHERE opportunity_id = $1`, returned).Scan(&turnaround))
	assert.InDelta(t, h.Seconds(), turnaround, 0.001)

	// Until it is rolled, the old binary records stages as before; the stage's bit is set for it.
	_, err = old.Exec(ctx, `INSERT INTO stage_visits (deal_id, stage, entered_at, deal_created_at, first_visit)
		VALUES ($1, 'VALIDATION', $2, $2, true)`, untouched, day(10, 2))
	require.NoError(t, err)
	require.NoError(t, old.QueryRow(ctx, `SELECT reached_stages FROM opportunities WHERE id = $1`, untouched).Scan(&reached))
	assert.Equal(t, int32(0b1), reached, "VALIDATION recorded by the old binary")

	// Migration 012 drops what the old binary needed and counts the deals into the report's aggregates.
	require.NoError(t, store.Migrate(ctx, url))
	r, err := store.Open(ctx, url, 2, nil)
	require.NoError(t, err)
	defer r.Close()
	rep, err := r.PipelineReport(ctx, store.ReportFilter{From: day(10, 1), To: day(11, 1)})
	require.NoError(t, err)
	assert.Equal(t, store.Conversion{From: ltc.StageValidation, To: ltc.StageInitiationReview, ReachedFrom: 2, ReachedTo: 1}, rep.Conversions[0])
	assert.Equal(t, store.Conversion{From: ltc.StageTeamFormation, To: ltc.StagePursuit, ReachedFrom: 1, ReachedTo: 0}, rep.Conversions[2])
}

// totals is the report's exact sums of the amounts, one a currency.
func totals(amounts ...ltc.Money) []store.Total {
	out := make([]store.Total, len(amounts))
	for i, m := range amounts {
		out[i] = store.Total{Currency: m.Currency, AmountMinor: big.NewInt(m.AmountMinor)}
	}
	return out
}

// TestReportSumsOfManyDealsAtTheMaximumAmountAreExact imports 10,000 deals at the largest amount the API takes
// (10^15 minor units), all won, in one currency: their sums pass int64 (9.2 * 10^18) and must come out exact,
// neither refused nor wrapped to a negative value.
func TestReportSumsOfManyDealsAtTheMaximumAmountAreExact(t *testing.T) {
	s, _ := open(t)
	const n, maxAmount = 10_000, 1_000_000_000_000_000
	deals := make([]store.Deal, n)
	for i := range deals {
		o := deal(ltc.LevelA, "ann", day(10, 2), ltc.Money{Currency: "EUR", AmountMinor: maxAmount}, ltc.StageClosed, ltc.OutcomeWon)
		closed := day(10, 20)
		o.ClosedAt = &closed
		deals[i] = store.Deal{Lead: ltc.Lead{ID: o.ID, State: ltc.LeadQualified, Owner: o.Owner, Customer: o.Customer,
			CreatedAt: o.CreatedAt, UpdatedAt: o.CreatedAt}, Opportunity: &o}
	}
	require.NoError(t, s.Import(context.Background(), deals))

	r, err := s.PipelineReport(context.Background(), store.ReportFilter{From: day(10, 1), To: day(11, 1)})
	require.NoError(t, err)
	want := new(big.Int).Mul(big.NewInt(n), big.NewInt(maxAmount))
	require.Len(t, r.Funnel, 1)
	assert.Equal(t, n, r.Funnel[0].Deals)
	require.Len(t, r.Funnel[0].Value, 1)
	assert.Equal(t, want.String(), r.Funnel[0].Value[0].AmountMinor.String(), "the funnel's sum")
	require.Len(t, r.ValueWon, 1)
	assert.Equal(t, want.String(), r.ValueWon[0].AmountMinor.String(), "the value won")
	assert.False(t, want.IsInt64(), "the sum is past int64")
}
