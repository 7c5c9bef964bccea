// Package observe gives operators the engine's metrics (Prometheus), liveness and readiness on an admin HTTP
// port: gRPC calls by method and code with latency, the Temporal SDK's own metrics, the PostgreSQL pool, and the
// business gauges (open deals by stage and level, pending and overdue decisions, overdue weekly reports).
package observe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"

	"github.com/ltcengine/ltc/internal/store"
)

// Metrics is the process's metrics registry.
type Metrics struct {
	Registry *prometheus.Registry
	// GRPC counts and times the API's calls by method and code.
	GRPC     *grpcprom.ServerMetrics
	temporal tally.Scope
	closer   io.Closer
}

// NewMetrics makes a registry with the Go runtime, process and gRPC server metrics.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	g := grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram())
	reg.MustRegister(g)
	scope, closer := tally.NewRootScope(tally.ScopeOptions{
		CachedReporter:  tallyprom.NewReporter(tallyprom.Options{Registerer: reg}),
		Separator:       "_",
		SanitizeOptions: &sdktally.PrometheusSanitizeOptions,
	}, time.Second)
	return &Metrics{Registry: reg, GRPC: g, temporal: sdktally.NewPrometheusNamingScope(scope), closer: closer}
}

// TemporalHandler feeds the Temporal SDK's metrics (requests, workflow tasks, activities) into the registry.
func (m *Metrics) TemporalHandler() client.MetricsHandler {
	return sdktally.NewMetricsHandler(m.temporal)
}

// WatchStore adds the PostgreSQL pool statistics and the business gauges, read from the database on each scrape.
func (m *Metrics) WatchStore(st *store.Store) {
	m.Registry.MustRegister(storeCollector{st})
}

// Close flushes and stops the Temporal metrics scope.
func (m *Metrics) Close() { _ = m.closer.Close() }

var (
	poolConns     = prometheus.NewDesc("ltc_db_pool_connections", "PostgreSQL pool connections by state.", []string{"state"}, nil)
	poolMax       = prometheus.NewDesc("ltc_db_pool_max_connections", "PostgreSQL pool size limit.", nil, nil)
	poolAcquires  = prometheus.NewDesc("ltc_db_pool_acquires_total", "Connections acquired from the pool.", nil, nil)
	poolWaits     = prometheus.NewDesc("ltc_db_pool_empty_acquires_total", "Acquires that had to wait for a connection.", nil, nil)
	openDeals     = prometheus.NewDesc("ltc_open_deals", "Deals open for sales (neither CLOSED nor in EXECUTION) by stage and project level.", []string{"stage", "level"}, nil)
	decisions     = prometheus.NewDesc("ltc_decisions_pending", "Pending decisions by gate; overdue ones are past the SLA at the top authority.", []string{"gate", "overdue"}, nil)
	reportsMissed = prometheus.NewDesc("ltc_weekly_reports_overdue", "Weekly report periods without a report, over the deals open for sales.", nil, nil)
	notifyPending = prometheus.NewDesc("ltc_notifications_pending", "Notifications waiting in the outbox, by channel (email, webhook, digest).", []string{"channel"}, nil)
	notifyOldest  = prometheus.NewDesc("ltc_notifications_oldest_pending_seconds", "Age of the oldest notification waiting, by channel.", []string{"channel"}, nil)
	dispatchLag   = prometheus.NewDesc("ltc_notifications_dispatch_lag_events", "Events of the log the notifications' dispatcher has not gone over yet.", nil, nil)
	scrapeErrors  = prometheus.NewDesc("ltc_metrics_scrape_errors", "1 when the business gauges could not be read on this scrape.", nil, nil)
)

type storeCollector struct{ st *store.Store }

func (c storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolConns, poolMax, poolAcquires, poolWaits, openDeals, decisions, reportsMissed, notifyPending, notifyOldest, dispatchLag, scrapeErrors} {
		ch <- d
	}
}

func (c storeCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.st.PoolStat()
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.AcquiredConns()), "acquired")
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.IdleConns()), "idle")
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.TotalConns()), "total")
	ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(poolAcquires, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolWaits, prometheus.CounterValue, float64(s.EmptyAcquireCount()))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	g, err := c.st.Gauges(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(scrapeErrors, prometheus.GaugeValue, 1)
		return
	}
	ch <- prometheus.MustNewConstMetric(scrapeErrors, prometheus.GaugeValue, 0)
	for _, d := range g.OpenDeals {
		ch <- prometheus.MustNewConstMetric(openDeals, prometheus.GaugeValue, float64(d.Count), string(d.Stage), string(d.Level))
	}
	for _, d := range g.PendingDecisions {
		ch <- prometheus.MustNewConstMetric(decisions, prometheus.GaugeValue, float64(d.Count), string(d.Gate), fmt.Sprint(d.Overdue))
	}
	ch <- prometheus.MustNewConstMetric(reportsMissed, prometheus.GaugeValue, float64(g.OverdueReports))
	for _, d := range g.PendingDeliveries {
		ch <- prometheus.MustNewConstMetric(notifyPending, prometheus.GaugeValue, float64(d.Count), d.Channel)
		ch <- prometheus.MustNewConstMetric(notifyOldest, prometheus.GaugeValue, d.Oldest, d.Channel)
	}
	ch <- prometheus.MustNewConstMetric(dispatchLag, prometheus.GaugeValue, float64(g.DispatchLag))
}

// Option adjusts what the admin port serves.
type Option func(*options)

type options struct{ pprof bool }

// WithPprof serves Go's profiles under /debug/pprof/ when on. They are off unless asked for: a profile shows the
// command line and the program's internals, and a CPU profile or trace slows the process while it runs.
func WithPprof(on bool) Option { return func(o *options) { o.pprof = on } }

// Handler serves /metrics, /healthz (the process answers) and /readyz (ready answers nil: PostgreSQL and
// Temporal are reachable), and /debug/pprof/ with WithPprof(true).
func Handler(m *Metrics, ready func(context.Context) error, opts ...Option) http.Handler {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := ready(ctx); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ready\n")
	})
	if o.pprof {
		// Profiles for finding where time and memory go.
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	}
	return mux
}

// Serve serves Handler, adjusted by opts, on addr until ctx ends.
func Serve(ctx context.Context, addr string, m *Metrics, ready func(context.Context) error, log *slog.Logger, opts ...Option) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("admin listener: %w", err)
	}
	srv := &http.Server{Handler: Handler(m, ready, opts...), ReadHeaderTimeout: 5 * time.Second}
	log.Info("serving metrics and health", "addr", l.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
