package dev_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ltcengine/ltc/internal/config"
	"github.com/ltcengine/ltc/internal/dev"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

func freePort(t *testing.T) int {
	t.Helper()
	p, err := testenv.FreePort()
	require.NoError(t, err)
	return p
}

// start runs `ltcd dev` in the background until the returned stop is called, and waits until its API serves.
func start(t *testing.T, cfg config.Config, opts dev.Options) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- dev.Run(ctx, cfg, opts, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	conn, err := grpc.NewClient(cfg.GRPCAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		h, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
		if err == nil && h.Status == healthpb.HealthCheckResponse_SERVING {
			break
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("ltcd dev stopped while starting: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
		require.True(t, time.Now().Before(deadline), "ltcd dev did not serve within 2 minutes")
	}
	return func() error { cancel(); return <-done }
}

// TestDevStack runs the one-machine stack twice on the same directory: it serves the API with ready tokens,
// refuses a second instance, stops cleanly, and keeps its data across the restart.
func TestDevStack(t *testing.T) {
	dir, err := os.MkdirTemp("", "ltc-dev-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o755))
	t.Cleanup(func() { os.RemoveAll(dir) })
	cfg := config.Config{
		GRPCAddr: "127.0.0.1:" + strconv.Itoa(freePort(t)), AdminAddr: "127.0.0.1:" + strconv.Itoa(freePort(t)),
		WebAddr: "127.0.0.1:" + strconv.Itoa(freePort(t)), DBMaxConns: 4, TemporalNamespace: "default", TaskQueue: "ltc",
		Reflection: true, RequestTimeout: 20 * time.Second,
	}
	opts := dev.Options{
		Dir: dir, TemporalCLI: filepath.Join(testenv.RepoRoot(t), ".bin", "temporal"), Out: io.Discard,
		PostgresPort: freePort(t), TemporalPort: freePort(t), UIPort: freePort(t),
	}

	stop := start(t, cfg, opts)
	err = dev.Run(context.Background(), cfg, opts, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.ErrorContains(t, err, "already running", "a second ltcd dev on the same directory fails clearly")

	var tokens map[string]string
	raw, err := os.ReadFile(filepath.Join(dir, "tokens.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &tokens))
	for _, name := range []string{"sales", "sales_manager", "executive1", "executive2", "executive3",
		"reviewer_finance", "reviewer_legal", "reviewer_delivery", "reviewer_solution"} {
		assert.NotEmpty(t, tokens[name], name)
	}

	conn, err := grpc.NewClient(cfg.GRPCAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	leads := ltcv1.NewLeadServiceClient(conn)
	created, err := leads.CreateLead(testenv.WithToken(context.Background(), tokens["sales"]), &ltcv1.CreateLeadRequest{
		RequestId: uuid.NewString(), Title: "Grid upgrade",
		Customer:          &ltcv1.Customer{Name: "Northwind Power", Grade: ltcv1.CustomerGrade_CUSTOMER_GRADE_S},
		Source:            ltcv1.LeadSource_LEAD_SOURCE_INDUSTRY_ANALYSIS,
		EstimatedValue:    &ltcv1.Money{CurrencyCode: "CNY", AmountMinor: 5_000_000_000},
		ExpectedCloseDate: &date.Date{Year: 2027, Month: 3, Day: 31},
	})
	require.NoError(t, err)
	// The INITIATION it asks for is mailed to its deciders, caught in .dev/mail with a link to the workplace.
	_, err = leads.QualifyLead(testenv.WithToken(context.Background(), tokens["sales_manager"]), &ltcv1.QualifyLeadRequest{
		RequestId: uuid.NewString(), LeadId: created.Lead.Id,
		Qualification: &ltcv1.Qualification{BudgetConfirmed: true, DecisionChainKnown: true, Urgency: ltcv1.Urgency_URGENCY_HOT}})
	require.NoError(t, err)
	_, err = ltcv1.NewOpportunityServiceClient(conn).UpdateAssessment(testenv.WithToken(context.Background(), tokens["sales"]), &ltcv1.UpdateAssessmentRequest{
		RequestId: uuid.NewString(), OpportunityId: created.Lead.Id, Assessment: &ltcv1.Assessment{WinRate: 60,
			Value: &ltcv1.Money{CurrencyCode: "CNY", AmountMinor: 5_000_000_000}, Competitors: []string{"Globex"}, DecisionChain: "CTO decides"}})
	require.NoError(t, err)
	requested, err := ltcv1.NewDecisionServiceClient(conn).RequestDecision(testenv.WithToken(context.Background(), tokens["sales"]), &ltcv1.RequestDecisionRequest{
		RequestId: uuid.NewString(), OpportunityId: created.Lead.Id, Gate: ltcv1.Gate_GATE_INITIATION,
		Package: &ltcv1.RequestDecisionRequest_Initiation{Initiation: &ltcv1.InitiationPackage{
			ProposedLevel: ltcv1.ProjectLevel_PROJECT_LEVEL_A, Rationale: "strategic"}}})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		mails, _ := filepath.Glob(filepath.Join(dir, "mail", "*.eml"))
		for _, m := range mails {
			if b, err := os.ReadFile(m); err == nil && strings.Contains(string(b), "eric@example.com") &&
				strings.Contains(strings.ReplaceAll(string(b), "=\r\n", ""), "http://"+cfg.WebAddr+"/decisions/"+requested.Decision.Id) {
				return true
			}
		}
		return false
	}, 30*time.Second, 100*time.Millisecond, "the decision's mail to Eric is in %s/mail", dir)
	resp, err := http.Get("http://" + cfg.AdminAddr + "/readyz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the admin port says ready")
	resp, err = http.Get("http://" + cfg.WebAddr + "/signin/")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(page), "Eva Region", "the web workplace offers the demo people's sign-in")
	require.NoError(t, stop(), "stops cleanly")

	stop = start(t, cfg, opts)
	defer func() { assert.NoError(t, stop()) }()
	raw, err = os.ReadFile(filepath.Join(dir, "tokens.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &tokens))
	got, err := leads.GetLead(testenv.WithToken(context.Background(), tokens["sales"]), &ltcv1.GetLeadRequest{Id: created.Lead.Id})
	require.NoError(t, err, "the lead survived the restart")
	assert.Equal(t, "Grid upgrade", got.Lead.Title)
}
