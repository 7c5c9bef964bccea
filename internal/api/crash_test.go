package api_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ltcengine/ltc/internal/config"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// buildLtcd builds the ltcd binary for the test and returns its path.
func buildLtcd(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ltcd")
	build := exec.Command("go", "build", "-o", bin, "./cmd/ltcd")
	build.Dir = testenv.RepoRoot(t)
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

// startWorker runs `ltcd worker` as its own process on the engine's database and task queue.
func startWorker(t *testing.T, bin string, e *testenv.Engine) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "worker")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+e.Config.DatabaseURL, "TEMPORAL_ADDRESS="+e.Config.TemporalAddress,
		"TEMPORAL_NAMESPACE=default", "LTC_TASK_QUEUE="+e.Config.TaskQueue, "LTC_ADMIN_ADDR=", "LTC_LOG_LEVEL=error")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// retry calls until the change is accepted or refused, repeating the same request id after a fault, as a
// client should; it returns the refusal, if any. It gives up after 5 minutes, longer than every outage the tests
// make.
func retry(t *testing.T, do func(context.Context) error) error {
	t.Helper()
	return retryVia(t, func(ctx context.Context, _ int) error { return do(ctx) })
}

// retryVia is retry whose call learns the attempt's number, so a client of several API servers can go to the
// next one after a fault.
func retryVia(t *testing.T, do func(ctx context.Context, attempt int) error) error {
	t.Helper()
	for attempt, deadline := 0, time.Now().Add(5*time.Minute); time.Now().Before(deadline); attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		err := do(ctx, attempt)
		cancel()
		switch status.Code(err) {
		case codes.OK:
			return nil
		case codes.DeadlineExceeded, codes.Unavailable:
			time.Sleep(200 * time.Millisecond)
		default:
			return err
		}
	}
	return fmt.Errorf("no answer within 5 minutes")
}

// faultyTraffic drives n deals from lead to PURSUIT concurrently, each call retried with its request id after a
// fault, runs fault once a third of the calls went through, then checks that every deal completed with each
// change recorded exactly once and in order, and that every call answered with success is in the record.
func faultyTraffic(t *testing.T, e *testenv.Engine, n int, fault func()) []string {
	t.Helper()
	return faultyTrafficVia(t, e, []*grpc.ClientConn{e.Conn}, n, fault)
}

// faultyTrafficVia is faultyTraffic through several API servers: deal i starts on conns[i], and each retry goes
// to the next server. It returns the deals' ids.
func faultyTrafficVia(t *testing.T, e *testenv.Engine, conns []*grpc.ClientConn, n int, fault func()) []string {
	t.Helper()
	var succeeded sync.Map // request id -> deal id
	var progress atomic.Int32
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var leads ltcv1.LeadServiceClient
			var deals ltcv1.OpportunityServiceClient
			var decisions ltcv1.DecisionServiceClient
			create := createRequest()
			id := ltc.LeadID(create.RequestId)
			ids[i] = id
			initiation := uuid.NewString()
			steps := []struct {
				rid string
				do  func(ctx context.Context, rid string) error
			}{
				{create.RequestId, func(ctx context.Context, _ string) error {
					_, err := leads.CreateLead(testenv.WithToken(ctx, e.Token(t, sam)), create)
					return err
				}},
				{uuid.NewString(), func(ctx context.Context, rid string) error {
					q := qualifyRequest(id)
					q.RequestId = rid
					_, err := leads.QualifyLead(testenv.WithToken(ctx, e.Token(t, mia)), q)
					return err
				}},
				{uuid.NewString(), func(ctx context.Context, rid string) error {
					_, err := deals.UpdateAssessment(testenv.WithToken(ctx, e.Token(t, sam)), &ltcv1.UpdateAssessmentRequest{
						RequestId: rid, OpportunityId: id, Assessment: assessment()})
					return err
				}},
				{initiation, func(ctx context.Context, rid string) error {
					_, err := decisions.RequestDecision(testenv.WithToken(ctx, e.Token(t, sam)), &ltcv1.RequestDecisionRequest{
						RequestId: rid, OpportunityId: id, Gate: ltcv1.Gate_GATE_INITIATION,
						Package: &ltcv1.RequestDecisionRequest_Initiation{Initiation: &ltcv1.InitiationPackage{
							ProposedLevel: ltcv1.ProjectLevel_PROJECT_LEVEL_C, Rationale: "r"}}})
					return err
				}},
				{uuid.NewString(), func(ctx context.Context, rid string) error {
					_, err := decisions.Decide(testenv.WithToken(ctx, e.Token(t, eric)), &ltcv1.DecideRequest{RequestId: rid,
						DecisionId: ltc.DecisionID(initiation), Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "go"})
					return err
				}},
				{uuid.NewString(), func(ctx context.Context, rid string) error {
					_, err := deals.AppointTeam(testenv.WithToken(ctx, e.Token(t, mia)), &ltcv1.AppointTeamRequest{
						RequestId: rid, OpportunityId: id, Members: team()})
					return err
				}},
			}
			for _, s := range steps {
				if err := retryVia(t, func(ctx context.Context, attempt int) error {
					conn := conns[(i+attempt)%len(conns)]
					leads = ltcv1.NewLeadServiceClient(conn)
					deals = ltcv1.NewOpportunityServiceClient(conn)
					decisions = ltcv1.NewDecisionServiceClient(conn)
					return s.do(ctx, s.rid)
				}); err != nil {
					t.Errorf("deal %d: %v", i, err)
					return
				}
				succeeded.Store(s.rid, id)
				progress.Add(1)
			}
		}()
	}
	require.Eventually(t, func() bool { return progress.Load() >= int32(n*6/3) }, time.Minute, 10*time.Millisecond)
	fault()
	wg.Wait()

	ctx := context.Background()
	want := []string{"lead.created", "lead.qualified", "opportunity.created", "opportunity.assessment_updated",
		"decision.requested", "decision.decided", "team.appointed"}
	for _, id := range ids {
		o, err := e.Store.Opportunity(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, ltc.StagePursuit, o.Stage, "every deal completed")
		page, err := e.Store.Events(ctx, store.EventQuery{DealID: id, Limit: 100})
		require.NoError(t, err)
		var types []string
		for i, ev := range page.Events {
			assert.Equal(t, int64(i+1), ev.DealSequence)
			types = append(types, ev.Type)
		}
		assert.Equal(t, want, types, "each change once, in order")
	}
	succeeded.Range(func(rid, id any) bool {
		r, err := e.Store.Request(ctx, rid.(string))
		assert.NoError(t, err, "a call that answered success is recorded")
		assert.Equal(t, id, r.DealID)
		return true
	})
	for _, id := range ids {
		checkMatchesTheProcess(t, e, id)
	}
	return ids
}

// TestWorkerKilledMidTraffic kills -9 the worker while deals are moving and starts a new one.
func TestWorkerKilledMidTraffic(t *testing.T) {
	bin := buildLtcd(t)
	e := testenv.StartEngine(t, testenv.NoWorker())
	worker := startWorker(t, bin, e)
	faultyTraffic(t, e, 6, func() {
		require.NoError(t, worker.Process.Signal(syscall.SIGKILL))
		_ = worker.Wait()
		time.Sleep(time.Second)
		startWorker(t, bin, e)
	})
}

// TestPostgreSQLRestartMidTraffic stops the engine's PostgreSQL while deals are moving and starts it again:
// calls in flight fail cleanly (UNAVAILABLE or DEADLINE_EXCEEDED, then succeed when retried), the processes'
// writes wait and retry, and nothing is lost, doubled or half-applied.
func TestPostgreSQLRestartMidTraffic(t *testing.T) {
	pg := testenv.OwnPostgres(t)
	e := testenv.StartEngine(t, testenv.Configure(func(c *config.Config) { c.DatabaseURL = pg.URL("postgres") }))
	faultyTraffic(t, e, 6, func() {
		require.NoError(t, pg.Stop())
		time.Sleep(2 * time.Second)
		require.NoError(t, pg.Start())
	})
}

// TestTemporalRestartMidTraffic stops the Temporal server (a dev server on a file) while deals are moving and
// starts it again on the same file: calls during the outage fail cleanly, and the deals resume and complete.
func TestTemporalRestartMidTraffic(t *testing.T) {
	server := testenv.OwnTemporal(t)
	e := testenv.StartEngine(t, testenv.Configure(func(c *config.Config) { c.TemporalAddress = server.Address() }))
	faultyTraffic(t, e, 4, func() {
		require.NoError(t, server.Stop())
		time.Sleep(2 * time.Second)
		require.NoError(t, server.Start())
	})
}
