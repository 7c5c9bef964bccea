package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// aggregates reads every per-day aggregate as text lines, without what counts nothing: rows whose counts came
// back to zero, and buckets emptied, which the triggers leave and a rebuild does not write.
func aggregates(t require.TestingT, conn *pgx.Conn) []string {
	var lines []string
	for _, query := range []string{
		`SELECT 'created', day, org_unit, level, stage, outcome, currency, deals, value FROM report_created_days WHERE deals <> 0`,
		`SELECT 'reached', day, org_unit, level, i, n FROM report_reached_days, unnest(reached) WITH ORDINALITY u (n, i) WHERE n <> 0`,
		`SELECT 'closed', day, org_unit, level, outcome, currency, deals, value FROM report_closed_days WHERE deals <> 0`,
		`SELECT 'stay', day, org_unit, level, stage, b, sum(n) FROM report_stay_days, unnest(buckets, counts) u (b, n)
			GROUP BY 2, 3, 4, 5, 6 HAVING sum(n) <> 0`,
		`SELECT 'turnaround', day, org_unit, level, gate, decision_level, b, sum(n)
			FROM report_turnaround_days, unnest(buckets, counts) u (b, n) GROUP BY 2, 3, 4, 5, 6, 7 HAVING sum(n) <> 0`,
		`SELECT 'flag', day, org_unit, level, type, flags FROM report_overdue_days WHERE flags <> 0`,
	} {
		rows, err := conn.Query(context.Background(), query)
		require.NoError(t, err)
		for rows.Next() {
			values, err := rows.Values()
			require.NoError(t, err)
			lines = append(lines, fmt.Sprint(values...))
		}
		require.NoError(t, rows.Err())
	}
	slices.Sort(lines)
	return lines
}

// dealMaker changes deals as their processes would, with random steps: stages entered and left (some stays of
// no length), levels set and changed, values, closes with and without contracts, decisions requested and taken,
// overdue flags, and a deal moved to another unit.
type dealMaker struct {
	t   *rapid.T
	s   *store.Store
	o   ltc.Opportunity
	now time.Time
	dec *ltc.Decision
}

var (
	testUnits  = []ltc.Unit{"", "emea/germany", "emea/france", "apac"}
	testLevels = []ltc.ProjectLevel{"", ltc.LevelA, ltc.LevelB, ltc.LevelC}
	currencies = []string{"EUR", "CNY"}
)

func (m *dealMaker) apply(events ...ltc.Event) {
	o := m.o
	o.UpdatedAt = m.now
	err := m.s.Apply(context.Background(), store.Change{Request: store.Request{ID: uuid.NewString(), Method: "x", DealID: o.ID,
		Result: json.RawMessage(`{}`)}, Opportunity: &o, Decision: m.dec, Events: events})
	if err != nil {
		m.t.Fatalf("apply: %v", err)
	}
}

func (m *dealMaker) event(typ string, after ltc.Stage) ltc.Event {
	return ltc.Event{DealID: m.o.ID, Type: typ, Actor: ltc.SystemPerson, StageBefore: string(m.o.Stage), StageAfter: string(after),
		Data: json.RawMessage(`{}`), OccurredAt: m.now}
}

func (m *dealMaker) step() {
	t := m.t
	// Stays of no length, of minutes, of weeks: across days, and sometimes within one.
	m.now = m.now.Add(time.Duration(rapid.SampledFrom([]int64{0, 1, 90, 7200, 86400, 3 * 86400, 20 * 86400}).Draw(t, "wait")) * time.Second)
	switch rapid.IntRange(0, 7).Draw(t, "step") {
	case 0, 1: // to another stage, or closed
		next := rapid.SampledFrom(append(slices.Clone(store.MainPath), ltc.StageClosed)).Draw(t, "stage")
		e := m.event("x.stage", next)
		m.o.Stage = next
		if next == ltc.StageClosed {
			closed := m.now
			m.o.ClosedAt = &closed
			m.o.Outcome = rapid.SampledFrom([]ltc.Outcome{ltc.OutcomeWon, ltc.OutcomeLost, ltc.OutcomeAbandoned}).Draw(t, "outcome")
			if m.o.Outcome == ltc.OutcomeWon && rapid.Bool().Draw(t, "contract") {
				m.o.Contract = &ltc.Contract{Amount: ltc.Money{Currency: rapid.SampledFrom(currencies).Draw(t, "contract currency"),
					AmountMinor: rapid.Int64Range(1, ltc.MaxAmountMinor).Draw(t, "contract amount")}}
			}
		}
		m.apply(e)
	case 2:
		m.o.Level = rapid.SampledFrom(testLevels).Draw(t, "level")
		m.apply()
	case 3:
		m.o.EstimatedValue = ltc.Money{Currency: rapid.SampledFrom(currencies).Draw(t, "currency"),
			AmountMinor: rapid.Int64Range(0, ltc.MaxAmountMinor).Draw(t, "amount")}
		m.apply()
	case 4: // a decision requested, then taken or withdrawn
		if m.dec == nil || m.dec.Status != ltc.DecisionPending {
			m.dec = &ltc.Decision{ID: uuid.NewString(), OpportunityID: m.o.ID, Status: ltc.DecisionPending, RequestedAt: m.now,
				Gate:  rapid.SampledFrom([]ltc.Gate{ltc.GateInitiation, ltc.GateATB, ltc.GateATC}).Draw(t, "gate"),
				Level: rapid.SampledFrom(testLevels).Draw(t, "decision level")}
		} else {
			d := *m.dec
			decided := m.now
			d.DecidedAt = &decided
			d.Status = rapid.SampledFrom([]ltc.DecisionStatus{ltc.DecisionApproved, ltc.DecisionRejected, ltc.DecisionWithdrawn}).Draw(t, "verdict")
			m.dec = &d
		}
		m.apply()
		m.dec = nil
	case 5:
		m.apply(m.event(rapid.SampledFrom([]string{ltc.EventWeeklyReportOverdue, ltc.EventDecisionOverdue}).Draw(t, "flag"), m.o.Stage))
	case 6:
		m.o.Unit = rapid.SampledFrom(testUnits).Draw(t, "new unit")
		m.apply()
	case 7: // two stages in one change
		first := rapid.SampledFrom(store.MainPath).Draw(t, "first stage")
		e1 := m.event("x.stage", first)
		m.o.Stage = first
		second := rapid.SampledFrom(store.MainPath).Draw(t, "second stage")
		e2 := m.event("x.stage", second)
		m.o.Stage = second
		m.apply(e1, e2)
	}
}

// The per-day aggregates the triggers keep agree, row for row, with a recomputation from the deals
// (report_days_rebuild) after any sequence of changes, and the report over whole days agrees with the same report
// read from the rows (an owner's report reads rows only).
func TestReportDaysAgreeWithTheDealsAfterRandomChanges(t *testing.T) {
	s, url := open(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	iteration := 0
	rapid.Check(t, func(rt *rapid.T) {
		// Each run's deals live in a time of their own (at most 40 + 25 * 20 days), so its reports count them alone.
		iteration++
		start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(iteration) * 1000 * 24 * time.Hour)
		owner := uuid.NewString()
		var makers []*dealMaker
		for range rapid.IntRange(1, 4).Draw(rt, "deals") {
			created := start.Add(time.Duration(rapid.IntRange(0, 40*24).Draw(rt, "created hour")) * time.Hour)
			o := deal(rapid.SampledFrom(testLevels).Draw(rt, "level"), owner, created,
				ltc.Money{Currency: rapid.SampledFrom(currencies).Draw(rt, "currency"), AmountMinor: rapid.Int64Range(0, ltc.MaxAmountMinor).Draw(rt, "amount")},
				ltc.StageValidation, "")
			o.Unit = rapid.SampledFrom(testUnits).Draw(rt, "unit")
			lead := ltc.Lead{ID: o.ID, State: ltc.LeadQualified, Owner: o.Owner, Customer: o.Customer, CreatedAt: created,
				UpdatedAt: created, Unit: o.Unit}
			if rapid.Bool().Draw(rt, "imported") {
				// Import writes a whole deal at once: here one that entered VALIDATION and left it for PURSUIT.
				left := created.Add(time.Duration(rapid.IntRange(0, 10*86400).Draw(rt, "stay")) * time.Second)
				o.Stage, o.UpdatedAt = ltc.StagePursuit, left
				events := []ltc.Event{
					{DealID: o.ID, Type: "x.stage", Actor: ltc.SystemPerson, StageAfter: string(ltc.StageValidation), Data: json.RawMessage(`{}`), OccurredAt: created},
					{DealID: o.ID, Type: "x.stage", Actor: ltc.SystemPerson, StageBefore: string(ltc.StageValidation), StageAfter: string(ltc.StagePursuit), Data: json.RawMessage(`{}`), OccurredAt: left},
				}
				decided := left
				o.Decisions = []ltc.Decision{{ID: uuid.NewString(), OpportunityID: o.ID, Gate: ltc.GateInitiation, Status: ltc.DecisionApproved,
					Level: o.Level, RequestedAt: created, DecidedAt: &decided}}
				require.NoError(rt, s.Import(ctx, []store.Deal{{Lead: lead, Opportunity: &o, Events: events}}))
				o.Decisions = nil
				makers = append(makers, &dealMaker{t: rt, s: s, o: o, now: left})
				continue
			}
			require.NoError(rt, s.Apply(ctx, store.Change{Request: store.Request{ID: uuid.NewString(), Method: "x", DealID: o.ID,
				Result: json.RawMessage(`{}`)}, Lead: &lead}))
			m := &dealMaker{t: rt, s: s, o: o, now: created}
			m.apply(ltc.Event{DealID: o.ID, Type: "x.stage", Actor: ltc.SystemPerson, StageAfter: string(ltc.StageValidation),
				Data: json.RawMessage(`{}`), OccurredAt: created})
			makers = append(makers, m)
		}
		for range rapid.IntRange(0, 25).Draw(rt, "steps") {
			rapid.SampledFrom(makers).Draw(rt, "deal").step()
		}

		kept := aggregates(rt, conn)
		// A period of whole days and one with ends inside days: the aggregates and the rows must tell the same.
		from := start.Add(time.Duration(rapid.IntRange(0, 60*24).Draw(rt, "from hour")) * time.Hour)
		to := from.Add(time.Duration(rapid.IntRange(1, 540*24).Draw(rt, "hours")) * time.Hour)
		level := rapid.SampledFrom(testLevels).Draw(rt, "level filter")
		reader := ltc.Actor{ID: "exec", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 2, Unit: "emea/uk"}
		for _, period := range [][2]time.Time{{from.Truncate(24 * time.Hour), to.Truncate(24 * time.Hour).Add(24 * time.Hour)}, {from, to}} {
			for _, who := range []*ltc.Actor{nil, &reader} {
				byDays, err := s.PipelineReport(ctx, store.ReportFilter{From: period[0], To: period[1], Level: level, Reader: who})
				require.NoError(rt, err)
				byRows, err := s.PipelineReport(ctx, store.ReportFilter{From: period[0], To: period[1], Level: level, Reader: who, OwnerID: owner})
				require.NoError(rt, err)
				assert.Equal(rt, fmt.Sprintf("%+v", byRows), fmt.Sprintf("%+v", byDays), "the report from the days and from the rows")
			}
		}

		_, err := conn.Exec(ctx, `SELECT report_days_rebuild()`)
		require.NoError(rt, err)
		assert.Equal(rt, aggregates(rt, conn), kept, "the aggregates the triggers kept, and those recomputed from the deals")
	})
}

// The report's percentiles are within 1 % of the exact ones (PostgreSQL's percentile_cont over the rows, which the
// report computed before the aggregates), over many durations spread from zero to a year, by whole days and by
// rows; and the database's bucket of a duration is the one of the library's mapping.
func TestReportPercentilesAreWithinOnePercent(t *testing.T) {
	s, url := open(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	var deals []store.Deal
	for i := range 3000 {
		o := deal(ltc.LevelB, fmt.Sprintf("owner-%d", i%3), start.Add(time.Duration(rng.Int64N(int64(30*24*time.Hour)))), ltc.Money{Currency: "EUR", AmountMinor: 1}, ltc.StagePursuit, "")
		// Durations log-uniform from a second to a year, and some of none.
		stay := time.Duration(math.Exp(rng.Float64()*math.Log(365*86400)) * float64(time.Second)).Round(time.Microsecond)
		if rng.IntN(20) == 0 {
			stay = 0
		}
		left := o.CreatedAt.Add(stay)
		o.UpdatedAt = left
		decided := o.CreatedAt.Add(stay / 3)
		o.Decisions = []ltc.Decision{{ID: uuid.NewString(), OpportunityID: o.ID, Gate: ltc.GateATB, Status: ltc.DecisionApproved,
			Level: ltc.LevelB, RequestedAt: o.CreatedAt, DecidedAt: &decided}}
		deals = append(deals, store.Deal{Lead: ltc.Lead{ID: o.ID, State: ltc.LeadQualified, Owner: o.Owner, Customer: o.Customer,
			CreatedAt: o.CreatedAt, UpdatedAt: o.CreatedAt}, Opportunity: &o, Events: []ltc.Event{
			{DealID: o.ID, Type: "x.stage", Actor: ltc.SystemPerson, StageAfter: string(ltc.StageValidation), Data: json.RawMessage(`{}`), OccurredAt: o.CreatedAt},
			{DealID: o.ID, Type: "x.stage", Actor: ltc.SystemPerson, StageBefore: string(ltc.StageValidation), StageAfter: string(ltc.StagePursuit), Data: json.RawMessage(`{}`), OccurredAt: left},
		}})
	}
	require.NoError(t, s.Import(ctx, deals))

	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	exact := func(query string, from, to time.Time, owner string) (n int, median, p90 float64) {
		var p []float64
		require.NoError(t, conn.QueryRow(ctx, query, from, to, owner).Scan(&n, &p))
		return n, p[0], p[1]
	}
	within := func(what string, want, got float64) {
		t.Helper()
		if want == 0 {
			assert.Zero(t, got, what)
			return
		}
		assert.LessOrEqual(t, math.Abs(got-want)/want, 0.01+1e-12, "%s: exact %v, reported %v", what, want, got)
	}
	end := start.Add(400 * 24 * time.Hour)
	for _, period := range []struct {
		name     string
		from, to time.Time
		owner    string
	}{
		{"whole days", start, end, ""},
		{"ends inside days", start.Add(7 * time.Hour), end.Add(-5 * time.Hour), ""},
		{"an owner's, from the rows", start, end, "owner-1"},
	} {
		r, err := s.PipelineReport(ctx, store.ReportFilter{From: period.from, To: period.to, OwnerID: period.owner})
		require.NoError(t, err)
		n, median, p90 := exact(`SELECT count(*), percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY v.seconds)
			FROM stage_visits v JOIN opportunities o ON o.id = v.deal_id
			WHERE v.stage = 'VALIDATION' AND v.left_at >= $1 AND v.left_at < $2 AND ($3 = '' OR o.owner_id = $3)`, period.from, period.to, period.owner)
		require.NotEmpty(t, r.TimeInStage, period.name)
		assert.Equal(t, n, r.TimeInStage[0].Count, period.name)
		within(period.name+", VALIDATION median", median, r.TimeInStage[0].Median.Seconds())
		within(period.name+", VALIDATION p90", p90, r.TimeInStage[0].P90.Seconds())
		n, median, p90 = exact(`SELECT count(*), percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY d.turnaround_seconds)
			FROM decisions d JOIN opportunities o ON o.id = d.opportunity_id
			WHERE d.updated_at >= $1 AND d.updated_at < $2 AND ($3 = '' OR o.owner_id = $3)`, period.from, period.to, period.owner)
		require.Len(t, r.GateTurnaround, 1, period.name)
		assert.Equal(t, n, r.GateTurnaround[0].Count, period.name)
		within(period.name+", ATB median", median, r.GateTurnaround[0].Median.Seconds())
		within(period.name+", ATB p90", p90, r.GateTurnaround[0].P90.Seconds())
	}

	// Every stay's bucket as the database computes it is the library's, so a value it gives back is within 1 %.
	rows, err := conn.Query(ctx, `SELECT seconds, report_bucket(seconds) FROM stage_visits WHERE left_at IS NOT NULL`)
	require.NoError(t, err)
	for rows.Next() {
		var seconds float64
		var bucket int
		require.NoError(t, rows.Scan(&seconds, &bucket))
		require.Equal(t, store.DurationBucket(seconds), bucket, "bucket of %v s", seconds)
	}
	require.NoError(t, rows.Err())
}

// Changes of many deals of one day, unit and level, moving between the same stages in opposite directions at
// once, update the same aggregate rows in opposite orders: none deadlocks (the triggers take the log's lock first),
// and the aggregates still agree with the deals.
func TestConcurrentChangesOfOneDayDoNotDeadlock(t *testing.T) {
	s, url := open(t)
	ctx := context.Background()
	created := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	const deals, moves = 8, 15
	errs := make(chan error, deals)
	for i := range deals {
		go func() {
			o := deal(ltc.LevelB, "ann", created, ltc.Money{Currency: "EUR", AmountMinor: 100}, ltc.StageValidation, "")
			o.Unit = "emea/germany"
			lead := ltc.Lead{ID: o.ID, State: ltc.LeadQualified, Owner: o.Owner, Customer: o.Customer, CreatedAt: created,
				UpdatedAt: created, Unit: o.Unit}
			change := func(events ...ltc.Event) error {
				c := o
				return s.Apply(ctx, store.Change{Request: store.Request{ID: uuid.NewString(), Method: "x", DealID: o.ID,
					Result: json.RawMessage(`{}`)}, Opportunity: &c, Events: events})
			}
			err := s.Apply(ctx, store.Change{Request: store.Request{ID: uuid.NewString(), Method: "x", DealID: o.ID,
				Result: json.RawMessage(`{}`)}, Lead: &lead})
			// Even deals go VALIDATION -> PURSUIT -> VALIDATION ..., odd ones the other way round.
			stages := []ltc.Stage{ltc.StageValidation, ltc.StagePursuit}
			if i%2 == 1 {
				stages[0], stages[1] = stages[1], stages[0]
			}
			for m := 0; m < moves && err == nil; m++ {
				next := stages[m%2]
				e := ltc.Event{DealID: o.ID, Type: "x.stage", Actor: ltc.SystemPerson, StageBefore: string(o.Stage),
					StageAfter: string(next), Data: json.RawMessage(`{}`), OccurredAt: created.Add(time.Duration(m) * time.Minute)}
				if m == 0 {
					e.StageBefore = ""
				}
				o.Stage = next
				err = change(e)
			}
			errs <- err
		}()
	}
	for range deals {
		require.NoError(t, <-errs)
	}
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	kept := aggregates(t, conn)
	_, err = conn.Exec(ctx, `SELECT report_days_rebuild()`)
	require.NoError(t, err)
	assert.Equal(t, aggregates(t, conn), kept)
}
