package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/activities"
	"github.com/ltcengine/ltc/internal/config"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// Outages last longer than every timeout of the engine: a write attempt (10 s), an API call (20 s in tests), a
// workflow task (10 s).
const (
	stallFor = 60 * time.Second
	downFor  = 2 * time.Minute
	// deadlineIn is the decision SLA of level B in these tests: the deadline passes inside the outage.
	deadlineIn = 20 * time.Second
)

// databaseOutage runs deals through an outage of the engine's own PostgreSQL made by outage, while a deal's
// decision deadline passes: every deal completes with each change once and in order, the read model and the log
// follow each process, and the deadline's deal still runs (its escalation recorded once it could be, its
// decision taken afterwards).
func databaseOutage(t *testing.T, outage func(pg *testenv.Postgres)) {
	ctx := context.Background()
	pg := testenv.OwnPostgres(t)
	e := startWithPolicy(t, func(p *ltc.Policy) {
		p.Version = "test-outage"
		lb := p.Levels[ltc.LevelB]
		lb.DecisionSLA = ltc.Duration(deadlineIn)
		p.Levels[ltc.LevelB] = lb
	}, testenv.Configure(func(c *config.Config) { c.DatabaseURL = pg.URL("postgres") }))

	var timed string
	var decision *ltcv1.Decision
	var inFlight []burstChange
	var sent sync.WaitGroup
	faultyTraffic(t, e, 6, func() {
		timed, decision = assessedInitiation(t, e, sam, ltcv1.ProjectLevel_PROJECT_LEVEL_B)
		deals := ltcv1.NewOpportunityServiceClient(e.Conn)
		for i := range 12 {
			inFlight = append(inFlight, burstChange{uuid.NewString(), func(ctx context.Context, rid string) error {
				r := risk()
				r.Description = fmt.Sprintf("risk %d", i)
				_, err := deals.AddRisk(testenv.WithToken(ctx, e.Token(t, sam)), &ltcv1.AddRiskRequest{RequestId: rid, OpportunityId: timed, Risk: r})
				return err
			}})
		}
		sent.Go(func() { sendAll(t, inFlight) })
		time.Sleep(30 * time.Millisecond) // some changes are being written when the outage starts
		outage(pg)
	})
	sent.Wait()

	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	require.Eventually(t, func() bool {
		page, err := e.Store.Events(ctx, store.EventQuery{DealID: timed, Types: []string{ltc.EventDecisionEscalated}, Limit: 10})
		return err == nil && len(page.Events) > 0
	}, time.Minute, 100*time.Millisecond, "the deadline that passed in the outage was recorded after it")
	require.NoError(t, retry(t, func(ctx context.Context) error {
		_, err := decisions.Decide(testenv.WithToken(ctx, e.Token(t, eric)), &ltcv1.DecideRequest{RequestId: uuid.NewString(),
			DecisionId: decision.Id, Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "after the outage"})
		return err
	}), "the deal's process still runs and takes its decision")
	got, err := e.Store.Opportunity(ctx, timed)
	require.NoError(t, err)
	assert.Equal(t, ltc.StageTeamFormation, got.Stage)
	d, _ := got.Decision(decision.Id)
	page, err := e.Store.Events(ctx, store.EventQuery{DealID: timed, Types: []string{ltc.EventDecisionEscalated}, Limit: 10})
	require.NoError(t, err)
	assert.Len(t, page.Events, d.Escalations, "each escalation recorded once")
	st := checkMatchesTheProcess(t, e, timed)
	for _, c := range inFlight {
		assert.Contains(t, st.Applied, c.rid, "every change in flight at the outage was applied")
	}
	assert.Len(t, st.Opportunity.Risks, len(inFlight), "each once")

	resp, err := http.Get(e.AdminURL + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	metrics, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Contains(t, string(metrics), activities.FailedAttempts, "failed write attempts are counted")
}

// requireNoAnswer checks that the database at url does not answer within 3 s.
func requireNoAnswer(t *testing.T, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err == nil {
		err = conn.Ping(ctx)
		_ = conn.Close(context.Background())
	}
	require.Error(t, err, "the database is out")
}

// TestPostgreSQLStoppedAMinuteAtADeadlineAndMidUpdateLosesNothing freezes every process of the engine's
// PostgreSQL (SIGSTOP: connections hang, nothing answers) for 60 s while changes are in flight and a decision's
// deadline passes. No process fails: writes wait and retry, the calls that timed out succeed when retried.
func TestPostgreSQLStoppedAMinuteAtADeadlineAndMidUpdateLosesNothing(t *testing.T) {
	t.Parallel()
	databaseOutage(t, func(pg *testenv.Postgres) {
		require.NoError(t, pg.Signal(syscall.SIGSTOP))
		requireNoAnswer(t, pg.URL("postgres"))
		time.Sleep(stallFor)
		require.NoError(t, pg.Signal(syscall.SIGCONT))
	})
}

// TestPostgreSQLDownTwoMinutesAtADeadlineAndMidUpdateLosesNothing stops the engine's PostgreSQL for 2 minutes
// while changes are in flight and a decision's deadline passes, then starts it again.
func TestPostgreSQLDownTwoMinutesAtADeadlineAndMidUpdateLosesNothing(t *testing.T) {
	t.Parallel()
	databaseOutage(t, func(pg *testenv.Postgres) {
		require.NoError(t, pg.Stop())
		requireNoAnswer(t, pg.URL("postgres"))
		time.Sleep(downFor)
		require.NoError(t, pg.Start())
	})
}

// TestTemporalDownAMinuteLosesNothing stops the Temporal server (a dev server on a file) for 60 s while changes
// are in flight, then starts it again on the same file.
func TestTemporalDownAMinuteLosesNothing(t *testing.T) {
	t.Parallel()
	server := testenv.OwnTemporal(t)
	e := testenv.StartEngine(t, testenv.Configure(func(c *config.Config) { c.TemporalAddress = server.Address() }))
	faultyTraffic(t, e, 6, func() {
		require.NoError(t, server.Stop())
		time.Sleep(stallFor)
		require.NoError(t, server.Start())
	})
}
