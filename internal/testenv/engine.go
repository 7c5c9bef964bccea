package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/ltcengine/ltc/internal/auth"
	"github.com/ltcengine/ltc/internal/config"
	"github.com/ltcengine/ltc/internal/engine"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/observe"
	"github.com/ltcengine/ltc/internal/store"
)

// Engine is a whole engine for one test: its own database and task queue on the binary's Temporal dev server,
// a worker, and the gRPC API on a loopback port.
type Engine struct {
	Config config.Config
	// AdminURL serves /metrics, /healthz and /readyz.
	AdminURL string
	Conn     *grpc.ClientConn
	Store    *store.Store
	Temporal client.Client
}

// Setup is what options of StartEngine adjust: the configuration, and where the engine logs from which level
// (by default the test log, warnings and above).
type Setup struct {
	Config config.Config
	Log    io.Writer
	Level  slog.Level
	// NoWorker leaves the task queue to workers the test runs itself.
	NoWorker bool
}

// Option adjusts an engine of StartEngine.
type Option func(*Setup)

// Configure adjusts the engine's configuration.
func Configure(f func(*config.Config)) Option { return func(s *Setup) { f(&s.Config) } }

// NoWorker starts the engine without its in-process worker.
func NoWorker() Option { return func(s *Setup) { s.NoWorker = true } }

// LogTo sends the engine's log to w from level on.
func LogTo(w io.Writer, level slog.Level) Option {
	return func(s *Setup) { s.Log, s.Level = w, level }
}

// StartEngine starts an engine that stops when the test ends; options adjust it.
func StartEngine(t testing.TB, options ...Option) *Engine {
	t.Helper()
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	cfg := config.Config{
		DatabaseURL: Database(t), DBMaxConns: 8,
		TemporalAddress: Temporal(t), TemporalNamespace: "default", TaskQueue: "test-" + uuid.NewString(),
		Reflection: true, RequestTimeout: 20 * time.Second, JWTSecret: hex.EncodeToString(secret),
	}
	setup := Setup{Config: cfg, Log: testWriter{t}, Level: slog.LevelWarn}
	for _, option := range options {
		option(&setup)
	}
	cfg = setup.Config
	log := slog.New(slog.NewTextHandler(setup.Log, &slog.HandlerOptions{Level: setup.Level}))
	ctx, cancel := context.WithCancel(context.Background())
	b, err := engine.Dial(ctx, cfg, log)
	if err != nil {
		t.Fatalf("dial backends: %v", err)
	}
	stopWorker := func() {}
	if !setup.NoWorker {
		w := b.Worker(cfg, log)
		if err := w.Start(); err != nil {
			t.Fatalf("start worker: %v", err)
		}
		stopWorker = w.Stop
	}
	cfg.GRPCAddr = "127.0.0.1:0"
	srv, l, err := b.API(cfg, log)
	if err != nil {
		t.Fatalf("start API: %v", err)
	}
	cfg.GRPCAddr = l.Addr().String()
	served := make(chan error, 1)
	go func() { served <- engine.Serve(ctx, srv, l) }()
	admin := httptest.NewServer(observe.Handler(b.Metrics, b.Ready, observe.WithPprof(cfg.Pprof)))
	conn, err := grpc.NewClient(cfg.GRPCAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Close()
		_ = conn.Close()
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		stopWorker()
		b.Close()
	})
	return &Engine{Config: cfg, AdminURL: admin.URL, Conn: conn, Store: b.Store, Temporal: b.Temporal}
}

// Token mints a valid token for the actor.
func (e *Engine) Token(t testing.TB, a ltc.Actor) string {
	t.Helper()
	tok, err := auth.Mint([]byte(e.Config.JWTSecret), a, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// As returns a context whose calls carry the actor's token.
func (e *Engine) As(t testing.TB, a ltc.Actor) context.Context {
	return WithToken(context.Background(), e.Token(t, a))
}

// WithToken returns a context whose calls carry the bearer token.
func WithToken(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

// History returns the whole recorded history of a workflow's latest run.
func (e *Engine) History(t testing.TB, workflowID string) *historypb.History {
	t.Helper()
	it := e.Temporal.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("read history of %s: %v", workflowID, err)
		}
		h.Events = append(h.Events, ev)
	}
	return h
}
