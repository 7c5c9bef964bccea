package api_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jhump/protoreflect/grpcreflect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ltcengine/ltc/internal/config"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// Two executives decide the same decision at the same moment: exactly one wins, the other is told it is decided.
func TestConcurrentDecisionsExactlyOneWins(t *testing.T) {
	e := testenv.StartEngine(t)
	_, d := assessedInitiation(t, e, sam, ltcv1.ProjectLevel_PROJECT_LEVEL_B)
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	verdicts := []ltcv1.Verdict{ltcv1.Verdict_VERDICT_APPROVE, ltcv1.Verdict_VERDICT_REJECT}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, who := range []string{"eva", "eric"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			by := eva
			if who == "eric" {
				by = eric
			}
			_, errs[i] = decisions.Decide(e.As(t, by), &ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: d.Id,
				Verdict: verdicts[i], Rationale: who})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		assert.Equal(t, codes.FailedPrecondition, status.Code(err), err)
	}
	assert.Equal(t, 1, won, "exactly one decision stands")
	page, err := e.Store.Events(context.Background(), storeQuery(d.OpportunityId, "decision.decided"))
	require.NoError(t, err)
	assert.Len(t, page.Events, 1, "decided once")
}

// A team member of deal A is nobody on deal B.
func TestTeamMembershipIsPerDeal(t *testing.T) {
	e := testenv.StartEngine(t)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	var ids []string
	for range 2 {
		id, d := assessedInitiation(t, e, sam, ltcv1.ProjectLevel_PROJECT_LEVEL_C)
		_, err := decisions.Decide(e.As(t, mia), &ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: d.Id,
			Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "go"})
		require.NoError(t, err)
		ids = append(ids, id)
	}
	_, err := deals.AppointTeam(e.As(t, mia), &ltcv1.AppointTeamRequest{RequestId: uuid.NewString(), OpportunityId: ids[0], Members: team()})
	require.NoError(t, err)
	other := team()
	other[1].Person = &ltcv1.Person{Id: "sue"}
	_, err = deals.AppointTeam(e.As(t, mia), &ltcv1.AppointTeamRequest{RequestId: uuid.NewString(), OpportunityId: ids[1], Members: other})
	require.NoError(t, err)

	report := &ltcv1.SubmitWeeklyReportRequest{RequestId: uuid.NewString(), OpportunityId: ids[1],
		Report: &ltcv1.WeeklyReport{Progress: "p", NextSteps: "n"}}
	_, err = deals.SubmitWeeklyReport(e.As(t, sara), report)
	requireCode(t, err, codes.PermissionDenied, "AR, SR or FR")
	report.OpportunityId = ids[0]
	_, err = deals.SubmitWeeklyReport(e.As(t, sara), report)
	require.NoError(t, err, "on her own deal she reports")
}

// The logs carry ids, never the token or the secret; and reflection can be turned off.
func TestLogsHoldNoSecretsAndReflectionCanBeOff(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	e := testenv.StartEngine(t, testenv.Configure(func(c *config.Config) { c.Reflection = false }), testenv.LogTo(&lockedWriter{w: &logs, mu: &mu}, slog.LevelDebug))
	token := e.Token(t, sam)
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	created, err := leads.CreateLead(testenv.WithToken(context.Background(), token), createRequest())
	require.NoError(t, err)
	_, _ = leads.CreateLead(testenv.WithToken(context.Background(), token+"x"), createRequest())

	mu.Lock()
	text := logs.String()
	mu.Unlock()
	assert.Contains(t, text, created.Lead.Id, "calls are logged with their ids")
	assert.NotContains(t, text, token[:40], "no token in the logs")
	assert.NotContains(t, text, e.Config.JWTSecret, "no secret in the logs")

	_, err = grpcreflect.NewClientAuto(context.Background(), e.Conn).ListServices()
	assert.Equal(t, codes.Unimplemented, status.Code(err), "reflection is off")
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func storeQuery(dealID, typ string) store.EventQuery {
	return store.EventQuery{DealID: dealID, Types: []string{typ}, Limit: 100}
}
