// Command ltcd is the LTC engine: `serve` runs the gRPC API and the web workplace, `worker` the Temporal worker,
// `migrate` brings the database schema up to date, `token` mints a bearer token, `tls-cert` makes development
// certificates, and `dev` runs all of it on one machine.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ltcengine/ltc/internal/auth"
	"github.com/ltcengine/ltc/internal/config"
	"github.com/ltcengine/ltc/internal/dev"
	"github.com/ltcengine/ltc/internal/engine"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/observe"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/transport"
	"github.com/ltcengine/ltc/internal/web"
	"github.com/ltcengine/ltc/worker"
)

const usage = `usage: ltcd <command> [flags]

commands:
  serve     run the gRPC API and the web workplace
  worker    run the Temporal worker
  migrate   apply database migrations
  token     mint a bearer token (needs LTC_JWT_SECRET)
  tls-cert  write a development CA, server and client certificate for TLS and mTLS
  dev       run PostgreSQL, Temporal, migrations, worker, API and web workplace on this machine

Run 'ltcd <command> -h' for the command's flags.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	commands := map[string]func(context.Context, []string) error{
		"serve": serve, "worker": runWorker, "migrate": migrate, "token": token, "tls-cert": tlsCert, "dev": runDev,
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err := cmd(ctx, os.Args[2:]); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "ltcd "+os.Args[1]+":", err)
		os.Exit(1)
	}
}

// parse reads the common configuration and any extra flags of the command.
func parse(name string, args []string, extra func(*flag.FlagSet)) (config.Config, error) {
	var cfg config.Config
	fs := flag.NewFlagSet("ltcd "+name, flag.ContinueOnError)
	cfg.Register(fs)
	if extra != nil {
		extra(fs)
	}
	return cfg, fs.Parse(args)
}

// connect reads a command's configuration, runs check on it (before anything starts, so a wrong configuration
// fails at once), starts tracing if it is configured, and connects to PostgreSQL and Temporal. Close the backends,
// then call the returned stop.
func connect(ctx context.Context, name string, args []string, check func(config.Config, *slog.Logger) error) (config.Config, *slog.Logger, *engine.Backends, func(), error) {
	cfg, err := parse(name, args, nil)
	if err != nil {
		return cfg, nil, nil, nil, err
	}
	log, err := cfg.Logger()
	if err != nil {
		return cfg, nil, nil, nil, err
	}
	if check != nil {
		if err := check(cfg, log); err != nil {
			return cfg, nil, nil, nil, err
		}
	}
	stop := func() {}
	if cfg.Tracing {
		shutdown, err := observe.StartTracing(ctx, "ltcd-"+name)
		if err != nil {
			return cfg, nil, nil, nil, err
		}
		stop = func() { _ = shutdown(context.Background()) }
	}
	b, err := engine.Dial(ctx, cfg, log)
	if err != nil {
		stop()
	}
	return cfg, log, b, stop, err
}

// checkTransport fails when the API's transport is misconfigured: plaintext off loopback, TLS files that do not
// load.
func checkTransport(cfg config.Config, log *slog.Logger) error {
	_, err := cfg.ServerTLS(log)
	return err
}

func serve(ctx context.Context, args []string) error {
	cfg, log, b, stop, err := connect(ctx, "serve", args, checkTransport)
	if err != nil {
		return err
	}
	defer stop()
	defer b.Close()
	if err := b.LoadPeople(ctx, cfg, log); err != nil {
		return err
	}
	srv, l, err := b.API(cfg, log)
	if err != nil {
		return err
	}
	log.Info("serving the gRPC API", "addr", l.Addr().String(), "tls", cfg.TLSCertFile != "", "mtls", cfg.TLSClientCAFile != "")
	signIn, err := oidcSignIn(ctx, cfg, log)
	if err != nil {
		_ = l.Close()
		return err
	}
	workplace, wl, err := b.Web(cfg, log, l.Addr().String(), signIn)
	if err != nil {
		_ = l.Close()
		return err
	}
	if wl != nil {
		log.Info("serving the web workplace", "url", "http://"+wl.Addr().String(), "oidc_sign_in", signIn != nil)
	}
	return b.Run(ctx, cfg, log, func(ctx context.Context) error { return engine.ServeWithWeb(ctx, srv, l, workplace, wl, log) })
}

// oidcSignIn is the workplace's sign-in with the company's identity provider, or nil when none is configured
// (then nobody can sign in to the workplace of `ltcd serve`). It reads the provider's discovery document, so a
// wrong issuer or an unreachable provider fails at start.
func oidcSignIn(ctx context.Context, cfg config.Config, log *slog.Logger) (web.SignIn, error) {
	o, ok, err := cfg.OIDC()
	if err != nil || !ok || cfg.WebAddr == "" {
		return nil, err
	}
	if cfg.JWTAudience != o.ClientID {
		log.Warn("the API's audience is not the workplace's client id: the provider must add it to the ID tokens, "+
			"or the API refuses the sessions' tokens", "jwt_audience", cfg.JWTAudience, "oidc_client_id", o.ClientID)
	}
	o.Logger = log.With("component", "web")
	signIn, err := web.NewOIDC(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("OpenID Connect discovery from %s: %w", o.Issuer, err)
	}
	return signIn, nil
}

func runWorker(ctx context.Context, args []string) error {
	cfg, log, b, stop, err := connect(ctx, "worker", args, nil)
	if err != nil {
		return err
	}
	defer stop()
	defer b.Close()
	log.Info("running the worker", "task_queue", cfg.TaskQueue)
	policy, err := cfg.Policy()
	if err != nil {
		return err
	}
	if err := b.LoadPeople(ctx, cfg, log); err != nil {
		return err
	}
	notifier, err := b.Notifier(cfg, log)
	if err != nil {
		return err
	}
	if err := worker.StartAccountProcesses(ctx, b.Temporal, cfg.TaskQueue, b.Store, policy); err != nil {
		return err
	}
	return b.Run(ctx, cfg, log, func(ctx context.Context) error {
		g, ctx := errgroup.WithContext(ctx)
		g.Go(func() error { return notifier.Run(ctx) })
		g.Go(func() error { return b.ForecastSnapshots(ctx, log) })
		g.Go(func() error { return worker.Run(ctx, b.Temporal, cfg.TaskQueue, b.Store, log) })
		return g.Wait()
	})
}

func migrate(ctx context.Context, args []string) error {
	cfg, err := parse("migrate", args, nil)
	if err != nil {
		return err
	}
	if err := cfg.RequireDatabase(); err != nil {
		return err
	}
	return store.Migrate(ctx, cfg.DatabaseURL)
}

func token(_ context.Context, args []string) error {
	var a ltc.Actor
	var roles, functions, org, scope string
	var ttl time.Duration
	cfg, err := parse("token", args, func(fs *flag.FlagSet) {
		fs.StringVar(&a.ID, "user", "", "user id (required)")
		fs.StringVar(&a.Name, "name", "", "display name")
		fs.StringVar(&roles, "roles", "", "comma-separated roles: "+joinRoles())
		fs.IntVar(&a.Authority, "authority", 0, "executive authority level, 1-3")
		fs.StringVar(&functions, "functions", "", "comma-separated review functions: FINANCE, LEGAL, DELIVERY, SOLUTION")
		fs.StringVar(&org, "org", "", "org unit (required): a path such as emea/germany, or / for the whole company")
		fs.StringVar(&scope, "scope", "", "space-separated grants: read (a system reads the deals of its unit)")
		fs.DurationVar(&ttl, "ttl", 24*time.Hour, "validity")
	})
	if err != nil {
		return err
	}
	if a.ID == "" || roles == "" || org == "" {
		return errors.New("--user, --roles and --org are required")
	}
	if a.Unit, err = ltc.ParseUnit(org); err != nil {
		return fmt.Errorf("--org: %w", err)
	}
	a.Scopes = strings.Fields(scope)
	if cfg.JWTSecret == "" {
		return errors.New("LTC_JWT_SECRET is not set")
	}
	for _, r := range split(roles) {
		a.Roles = append(a.Roles, ltc.Role(r))
	}
	for _, f := range split(functions) {
		a.Functions = append(a.Functions, ltc.ReviewFunction(strings.ToUpper(f)))
	}
	tok, err := auth.Mint([]byte(cfg.JWTSecret), a, time.Now(), ttl)
	if err != nil {
		return err
	}
	fmt.Println(tok)
	return nil
}

// tlsCert writes a development CA and a server and client certificate it issued, for TLS (and mTLS) without a
// company PKI: the compose stack runs it at each start and keeps what it wrote the first time.
func tlsCert(_ context.Context, args []string) error {
	fs := flag.NewFlagSet("ltcd tls-cert", flag.ContinueOnError)
	dir := fs.String("dir", "tls", "folder to write "+strings.Join([]string{transport.CAFile, transport.ServerCertFile,
		transport.ServerKeyFile, transport.ClientCertFile, transport.ClientKeyFile}, ", ")+" into")
	hosts := fs.String("hosts", "localhost,127.0.0.1,::1", "comma-separated host names and addresses of the server certificate")
	force := fs.Bool("force", false, "write a new set even when the folder has one")
	if err := fs.Parse(args); err != nil {
		return err
	}
	wrote, err := transport.WriteDevFiles(*dir, split(*hosts), *force)
	if err != nil {
		return err
	}
	if !wrote {
		fmt.Printf("kept the certificates in %s (--force writes new ones)\n", *dir)
		return nil
	}
	fmt.Printf("wrote a development CA and certificates for %s into %s\n", *hosts, *dir)
	return nil
}

func runDev(ctx context.Context, args []string) error {
	opts := dev.Options{Out: os.Stdout}
	cfg, err := parse("dev", args, func(fs *flag.FlagSet) {
		fs.StringVar(&opts.Dir, "dir", ".dev", "state directory (data, logs, tokens)")
		fs.StringVar(&opts.TemporalCLI, "temporal-cli", envOr("LTC_TEMPORAL_CLI", ".bin/temporal"), "Temporal CLI binary (LTC_TEMPORAL_CLI)")
		fs.IntVar(&opts.PostgresPort, "postgres-port", 55432, "port of the local PostgreSQL cluster (when DATABASE_URL is unset)")
		fs.IntVar(&opts.TemporalPort, "temporal-port", 7233, "port of the Temporal dev server")
		fs.IntVar(&opts.UIPort, "temporal-ui-port", 8233, "port of the Temporal UI")
	})
	if err != nil {
		return err
	}
	log, err := cfg.Logger()
	if err != nil {
		return err
	}
	if err := checkTransport(cfg, log); err != nil {
		return err
	}
	if cfg.Tracing {
		shutdown, err := observe.StartTracing(ctx, "ltcd-dev")
		if err != nil {
			return err
		}
		defer func() { _ = shutdown(context.Background()) }()
	}
	return dev.Run(ctx, cfg, opts, log)
}

func split(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func joinRoles() string {
	var names []string
	for _, r := range ltc.Roles {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
