// Package engine wires the engine's parts from its configuration: the database, the Temporal client, the worker
// and the API server. ltcd's commands and the tests all start the engine through it.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
	temporallog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/ltcengine/ltc/internal/api"
	"github.com/ltcengine/ltc/internal/config"
	"github.com/ltcengine/ltc/internal/notify"
	"github.com/ltcengine/ltc/internal/observe"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/transport"
	"github.com/ltcengine/ltc/internal/web"
	"github.com/ltcengine/ltc/worker"
)

// Backends are the connections the engine's parts share, and the metrics they report to.
type Backends struct {
	Store    *store.Store
	Temporal client.Client
	Metrics  *observe.Metrics
	// closers stop what the parts built on the backends run in the background (the JWKS refresh), on Close.
	closers []func()
}

// Dial connects to PostgreSQL and Temporal, waiting up to a minute for Temporal to answer.
func Dial(ctx context.Context, cfg config.Config, log *slog.Logger) (*Backends, error) {
	metrics := observe.NewMetrics()
	if err := cfg.RequireDatabase(); err != nil {
		return nil, err
	}
	var tracer pgx.QueryTracer
	if cfg.Tracing {
		tracer = otelpgx.NewTracer()
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, int32(cfg.DBMaxConns), tracer)
	if err != nil {
		return nil, err
	}
	metrics.WatchStore(st)
	tc, err := dialTemporal(ctx, cfg, log, metrics)
	if err != nil {
		st.Close()
		return nil, err
	}
	return &Backends{Store: st, Temporal: tc, Metrics: metrics}, nil
}

func dialTemporal(ctx context.Context, cfg config.Config, log *slog.Logger, metrics *observe.Metrics) (client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	opts := client.Options{
		HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace,
		Logger:         temporallog.NewStructuredLogger(log.With("component", "temporal")),
		MetricsHandler: metrics.TemporalHandler(),
	}
	if !cfg.TemporalGzip {
		opts.ConnectionOptions.GrpcCompression = &client.GrpcCompressionNone{}
	}
	if cfg.Tracing {
		tracing, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{})
		if err != nil {
			return nil, err
		}
		opts.Interceptors = []interceptor.ClientInterceptor{tracing}
	}
	for {
		c, err := client.DialContext(ctx, opts)
		if err == nil {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connect Temporal at %s: %w", cfg.TemporalAddress, err)
		case <-time.After(time.Second):
		}
	}
}

// Close closes the connections, the database pool last.
func (b *Backends) Close() {
	for _, c := range b.closers {
		c()
	}
	b.Temporal.Close()
	b.Metrics.Close()
	b.Store.Close()
}

// Ready reports whether PostgreSQL and Temporal both answer.
func (b *Backends) Ready(ctx context.Context) error {
	if err := b.Store.Ping(ctx); err != nil {
		return fmt.Errorf("postgresql: %w", err)
	}
	if _, err := b.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return fmt.Errorf("temporal: %w", err)
	}
	return nil
}

// Run runs fn beside the admin HTTP port until ctx ends or either fails.
func (b *Backends) Run(ctx context.Context, cfg config.Config, log *slog.Logger, fn func(context.Context) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return b.ServeAdmin(ctx, cfg, log) })
	g.Go(func() error { return fn(ctx) })
	return g.Wait()
}

// ServeAdmin serves the admin HTTP port (metrics, health, readiness, and profiles when configured) until ctx ends;
// an empty address turns it off.
func (b *Backends) ServeAdmin(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if cfg.AdminAddr == "" {
		return nil
	}
	return observe.Serve(ctx, cfg.AdminAddr, b.Metrics, b.Ready, log, observe.WithPprof(cfg.Pprof))
}

// Worker builds the engine's Temporal worker.
func (b *Backends) Worker(cfg config.Config, log *slog.Logger) sdkworker.Worker {
	return worker.New(b.Temporal, cfg.TaskQueue, b.Store, log)
}

// API builds the gRPC server, with TLS when configured (plaintext is refused off loopback), and opens its
// listener on the configured address.
func (b *Backends) API(cfg config.Config, log *slog.Logger) (*api.Server, net.Listener, error) {
	tlsConfig, err := cfg.ServerTLS(log)
	if err != nil {
		return nil, nil, err
	}
	verifier, err := cfg.Verifier(log)
	if err != nil {
		return nil, nil, err
	}
	b.closers = append(b.closers, verifier.Close)
	policy, err := cfg.Policy()
	if err != nil {
		return nil, nil, err
	}
	srv, err := api.New(api.Config{
		Store: b.Store, Temporal: b.Temporal, TaskQueue: cfg.TaskQueue, Policy: policy,
		Verifier: verifier, Logger: log, Reflection: cfg.Reflection, RequestTimeout: cfg.RequestTimeout, Metrics: b.Metrics.GRPC,
		Tracing: cfg.Tracing, TLS: tlsConfig,
	})
	if err != nil {
		return nil, nil, err
	}
	l, err := net.Listen("tcp", cfg.GRPCAddr)
	if err != nil {
		return nil, nil, err
	}
	return srv, l, nil
}

// Web builds the web workplace, a client of the API listening at apiAddr, and opens its listener on the configured
// address; all nil when the configuration turns it off. signIn is how people sign in: the dev sign-in under
// `ltcd dev`, OpenID Connect with the company's identity provider under `ltcd serve` when configured. The
// workplace's connection is WorkplaceConn's; an API that requires client certificates while the workplace has
// none leaves the workplace off, with a warning.
func (b *Backends) Web(cfg config.Config, log *slog.Logger, apiAddr string, signIn web.SignIn) (*web.Server, net.Listener, error) {
	if cfg.WebAddr == "" {
		return nil, nil, nil
	}
	if cfg.TLSClientCAFile != "" && cfg.WebClientCertFile == "" {
		log.Warn("the web workplace is off: the API requires client certificates; give the workplace one with " +
			"--web-client-cert-file and --web-client-key-file")
		return nil, nil, nil
	}
	conn, err := WorkplaceConn(cfg, apiAddr)
	if err != nil {
		return nil, nil, err
	}
	b.closers = append(b.closers, func() { _ = conn.Close() })
	srv, err := web.New(web.Options{API: conn, SignIn: signIn, SessionKey: []byte(cfg.WebSessionKey),
		Secure: !transport.IsLoopback(cfg.WebAddr), Timeout: cfg.RequestTimeout, Logger: log.With("component", "web")})
	if err != nil {
		return nil, nil, err
	}
	l, err := net.Listen("tcp", cfg.WebAddr)
	if err != nil {
		return nil, nil, err
	}
	return srv, l, nil
}

// WorkplaceConn is the web workplace's connection to the API at apiAddr: plaintext on loopback; with TLS when the
// API serves it, trusting the API's own certificate and presenting the workplace's client certificate, when
// configured, to an API that requires one.
func WorkplaceConn(cfg config.Config, apiAddr string) (*grpc.ClientConn, error) {
	creds := insecure.NewCredentials()
	if cfg.TLSCertFile != "" {
		tlsConfig, err := transport.Client(transport.ClientFiles{CAFile: cfg.TLSCertFile,
			CertFile: cfg.WebClientCertFile, KeyFile: cfg.WebClientKeyFile})
		if err != nil {
			return nil, fmt.Errorf("web workplace: %w", err)
		}
		creds = credentials.NewTLS(tlsConfig)
	}
	return grpc.NewClient(dialable(apiAddr), grpc.WithTransportCredentials(creds))
}

// dialable turns a listen address into one to dial: a wildcard host (all interfaces) is reached on loopback.
func dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return addr
}

// ServeWithWeb serves the API on l and, when workplace is not nil, the web workplace on wl, until ctx ends or
// either fails; both then stop gracefully.
func ServeWithWeb(ctx context.Context, srv *api.Server, l net.Listener, workplace *web.Server, wl net.Listener, log *slog.Logger) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return Serve(ctx, srv, l) })
	if workplace != nil {
		hs := &http.Server{Handler: workplace, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
		g.Go(func() error {
			return serveUntil(ctx, func() error { return hs.Serve(wl) }, func(ctx context.Context) { _ = hs.Shutdown(ctx) }, http.ErrServerClosed)
		})
	}
	return g.Wait()
}

// Serve serves the API on l until ctx ends, then stops gracefully (calls in flight get 10 seconds).
func Serve(ctx context.Context, srv *api.Server, l net.Listener) error {
	return serveUntil(ctx, func() error { return srv.Serve(l) }, srv.Stop, net.ErrClosed)
}

// serveUntil runs serve until it fails or ctx ends, then calls stop, which has 10 seconds to finish what is in
// flight; closed is what serve returns once stopped.
func serveUntil(ctx context.Context, serve func() error, stop func(context.Context), closed error) error {
	errc := make(chan error, 1)
	go func() { errc <- serve() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stop(stopCtx)
	if err := <-errc; err != nil && !errors.Is(err, closed) {
		return err
	}
	return nil
}

// LoadPeople upserts the people file's directory, when one is configured.
func (b *Backends) LoadPeople(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if cfg.PeopleFile == "" {
		return nil
	}
	people, err := notify.ReadPeopleFile(cfg.PeopleFile)
	if err != nil {
		return err
	}
	if err := b.Store.UpsertPeople(ctx, people); err != nil {
		return err
	}
	log.Info("loaded the directory of people", "file", cfg.PeopleFile, "people", len(people))
	return nil
}

// Notifier builds the notifications' dispatcher and senders: mail through the configured SMTP server (or into
// MailDir), webhooks always.
func (b *Backends) Notifier(cfg config.Config, log *slog.Logger) (*notify.Notifier, error) {
	var mailer notify.Mailer
	switch {
	case cfg.MailDir != "":
		from := cfg.SMTPFrom
		if from == "" {
			from = "LTC engine <ltc@localhost>"
		}
		mailer = notify.Folder{Dir: cfg.MailDir, From: from}
	case cfg.SMTPAddr != "":
		m, err := notify.NewSMTP(notify.SMTPOptions{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom, Username: cfg.SMTPUsername,
			Password: cfg.SMTPPassword, TLS: cfg.SMTPTLS})
		if err != nil {
			return nil, err
		}
		mailer = m
	default:
		log.Info("no mail server configured (--smtp-addr): notifications go to webhooks only")
	}
	if cfg.WebURL != "" {
		if u, err := url.Parse(cfg.WebURL); err != nil || !u.IsAbs() {
			return nil, fmt.Errorf("--web-url %q: want the workplace's absolute address, e.g. https://ltc.example.com", cfg.WebURL)
		}
	}
	if cfg.DigestHour < 0 || cfg.DigestHour > 23 {
		return nil, fmt.Errorf("--digest-hour %d: want an hour of the day, 0 to 23", cfg.DigestHour)
	}
	policy, err := cfg.Policy()
	if err != nil {
		return nil, err
	}
	log = log.With("component", "notify")
	return notify.New(notify.Options{Store: b.Store, Mailer: mailer, Encode: api.EventJSON(log), WebURL: cfg.WebURL, Log: log,
		RemindBefore: cfg.RemindBefore, Policy: policy, DigestHour: cfg.DigestHour}), nil
}
