// Package temporalpg runs a real Temporal server (v1.29.1, the server version of the CLI's dev server) on
// PostgreSQL, on loopback only, so the benchmark can compare the dev server (SQLite, one shard) with the kind of
// persistence a production deployment uses.
//
// Nothing of Temporal's configuration is copied into this repository: Start copies the server module's own
// config/development-postgres12.yaml from the module cache as the base configuration and writes beside it an
// override file (Temporal's loader reads base.yaml, then <env>.yaml over it) holding only what must differ: the
// databases, free ports, log level and archival off. The dynamic configuration is the module's
// development-sql.yaml with the few values the dev server sets differently.
package temporalpg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/template"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	temporallog "go.temporal.io/sdk/log"
	"golang.org/x/sync/errgroup"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Version is the Temporal server version the binaries in Options.BinDir must be built from: the schema and the
// base configuration are read from the same version's module source.
const Version = "v1.29.1"

// Paths inside the go.temporal.io/server module source.
const (
	baseConfig    = "config/development-postgres12.yaml"
	dynamicConfig = "config/dynamicconfig/development-sql.yaml" // the file baseConfig points at
	schemaDir     = "schema/postgresql/v12"
)

// Options configures the server.
type Options struct {
	// BinDir holds the `server` and `sql` binaries, built by
	// GOBIN=<BinDir> go install go.temporal.io/server/cmd/server@v1.29.1 go.temporal.io/server/cmd/tools/sql@v1.29.1
	// (the server is not a dependency of this module, so it is built apart).
	BinDir string
	// Dir is the working directory for the generated configuration and the server's log, temporal.log; it is
	// created if missing.
	Dir string
	// Postgres is the URL of a superuser of a running PostgreSQL server, e.g.
	// postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable; the server connects to its host and port
	// as that user.
	Postgres string
	// Database is the prefix of the two databases Temporal uses, e.g. "temporal_bench" for temporal_bench and
	// temporal_bench_visibility; Start drops and recreates both, so every run starts empty.
	Database string
	// Shards is the number of history shards (0: 4, as Temporal's development configuration; the dev server has
	// 1). Workflow executions are spread over the shards, each with its own queues and persistence; the number is
	// fixed for the life of the databases, which Start recreates.
	Shards int
}

// Server is a running Temporal server process; Stop ends it (and it ends with the calling process anyway).
type Server struct {
	cmd     *exec.Cmd
	done    chan struct{} // closed when the process has exited; then waitErr is set
	waitErr error
	address string
	log     string

	stopOnce sync.Once
	stopErr  error
}

// Start creates the two databases and their schema with Temporal's sql tool, writes the configuration into
// o.Dir, starts the server with every port free on 127.0.0.1, and returns once the frontend answers and the
// "default" namespace (retention 1 day) is registered and described: the caller can start workflows at once.
func Start(ctx context.Context, o Options) (*Server, error) {
	if o.BinDir == "" || o.Dir == "" || o.Postgres == "" || o.Database == "" {
		return nil, errors.New("temporalpg: BinDir, Dir, Postgres and Database are required")
	}
	if o.Shards < 0 {
		return nil, fmt.Errorf("temporalpg: %d shards", o.Shards)
	}
	if o.Shards == 0 {
		o.Shards = 4
	}
	for _, bin := range []string{"server", "sql"} {
		if _, err := os.Stat(filepath.Join(o.BinDir, bin)); err != nil {
			return nil, fmt.Errorf("temporalpg: %w; build it with: GOBIN=%s go install "+
				"go.temporal.io/server/cmd/server@%s go.temporal.io/server/cmd/tools/sql@%s", err, o.BinDir, Version, Version)
		}
	}
	pg, err := parsePostgres(o.Postgres)
	if err != nil {
		return nil, err
	}
	src, err := moduleDir(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "config"), 0o755); err != nil {
		return nil, fmt.Errorf("temporalpg: %w", err)
	}
	if err := createDatabases(ctx, o, pg, src); err != nil {
		return nil, err
	}
	ports, err := freePorts(10)
	if err != nil {
		return nil, err
	}
	c := settings{Shards: o.Shards, Postgres: pg,
		Stores:   []store{{"postgres-default", o.Database}, {"postgres-visibility", o.Database + "_visibility"}},
		Frontend: ports[0], FrontendMembership: ports[1], FrontendHTTP: ports[2], History: ports[3],
		HistoryMembership: ports[4], Matching: ports[5], MatchingMembership: ports[6], Worker: ports[7],
		WorkerMembership: ports[8], Metrics: ports[9], DynamicConfig: filepath.Join(dir, "config", "dynamicconfig.yaml")}
	if err := writeConfig(dir, src, c); err != nil {
		return nil, err
	}

	s := &Server{done: make(chan struct{}), address: net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Frontend)),
		log: filepath.Join(dir, "temporal.log")}
	logFile, err := os.Create(s.log)
	if err != nil {
		return nil, fmt.Errorf("temporalpg: %w", err)
	}
	defer logFile.Close()
	s.cmd = exec.Command(filepath.Join(o.BinDir, "server"), "--root", dir, "--config", "config", "--env", env,
		"--allow-no-auth", "start")
	s.cmd.Dir = dir
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	// The kernel sends SIGTERM if the caller dies, so the server never outlives the benchmark.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM, Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("temporalpg: start server: %w", err)
	}
	go func() { s.waitErr = s.cmd.Wait(); close(s.done) }()
	if err := s.waitReady(ctx); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// Address is the frontend's gRPC host:port on 127.0.0.1, for client.Options.HostPort.
func (s *Server) Address() string { return s.address }

// PID is the server's process id, to read its memory and CPU time from /proc/PID.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Stop sends the server SIGTERM and waits for it to exit, killing it after 30 seconds; it returns an error if
// the server had to be killed or had already exited on its own. Later calls return the first call's result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		select {
		case <-s.done:
			s.stopErr = fmt.Errorf("temporalpg: server had exited (%v): %s", s.waitErr, tail(s.log))
			return
		default:
		}
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
			s.stopErr = errors.New("temporalpg: server did not stop within 30s of SIGTERM; killed")
		}
	})
	return s.stopErr
}

// waitReady registers the "default" namespace as soon as the frontend answers, then waits until a client can
// describe it. The server is given two minutes.
func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	quiet := temporallog.NewStructuredLogger(slog.New(slog.DiscardHandler))
	ns, err := client.NewNamespaceClient(client.Options{HostPort: s.address, Logger: quiet})
	if err != nil {
		return fmt.Errorf("temporalpg: %w", err)
	}
	defer ns.Close()
	registered := false
	for {
		if !registered {
			err = call(ctx, func(ctx context.Context) error {
				return ns.Register(ctx, &workflowservice.RegisterNamespaceRequest{
					Namespace: "default", WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour)})
			})
			var exists *serviceerror.NamespaceAlreadyExists
			registered = err == nil || errors.As(err, &exists)
		}
		if registered {
			if err = s.describe(ctx, quiet); err == nil {
				return nil
			}
		}
		select {
		case <-s.done:
			return fmt.Errorf("temporalpg: server exited while starting (%v); %s: %s", s.waitErr, s.log, tail(s.log))
		case <-ctx.Done():
			return fmt.Errorf("temporalpg: server at %s not ready: %w (last error: %v); %s: %s",
				s.address, ctx.Err(), err, s.log, tail(s.log))
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// describe dials the frontend as a workflow client of the default namespace and describes the namespace.
func (s *Server) describe(ctx context.Context, logger temporallog.Logger) error {
	return call(ctx, func(ctx context.Context) error {
		c, err := client.DialContext(ctx, client.Options{HostPort: s.address, Namespace: "default", Logger: logger})
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
		return err
	})
}

// call runs f with a short deadline, so a call the starting server leaves hanging does not use up the wait.
func call(ctx context.Context, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return f(ctx)
}

// postgres is where the server connects.
type postgres struct{ Host, Port, User, Password string }

func parsePostgres(raw string) (postgres, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return postgres{}, fmt.Errorf("temporalpg: PostgreSQL URL: %w", err)
	}
	pg := postgres{Host: u.Hostname(), Port: u.Port(), User: u.User.Username()}
	pg.Password, _ = u.User.Password()
	if pg.Host == "" {
		return postgres{}, fmt.Errorf("temporalpg: PostgreSQL URL %q has no host", raw)
	}
	if pg.Port == "" {
		pg.Port = "5432"
	}
	if pg.User == "" {
		pg.User = "postgres"
	}
	return pg, nil
}

// moduleDir is the go.temporal.io/server@Version source in the module cache, which holds the base configuration
// and the schema. It is not a dependency of this module, so `go list -m` cannot name it.
func moduleDir(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMODCACHE").Output()
	if err != nil {
		return "", fmt.Errorf("temporalpg: go env GOMODCACHE: %w", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "go.temporal.io", "server@"+Version)
	if _, err := os.Stat(filepath.Join(dir, baseConfig)); err != nil {
		return "", fmt.Errorf("temporalpg: the source of go.temporal.io/server@%s is not in the module cache (%v); "+
			"download it with: go mod download go.temporal.io/server@%s", Version, err, Version)
	}
	return dir, nil
}

// createDatabases drops both databases and creates them again with the schema, the two at once.
func createDatabases(ctx context.Context, o Options, pg postgres, src string) error {
	g, ctx := errgroup.WithContext(ctx)
	for db, schema := range map[string]string{o.Database: "temporal", o.Database + "_visibility": "visibility"} {
		g.Go(func() error {
			if err := dropDatabase(ctx, o.Postgres, db); err != nil {
				return err
			}
			for _, args := range [][]string{
				{"create-database"},
				{"setup-schema", "-v", "0.0"},
				{"update-schema", "-d", filepath.Join(src, schemaDir, schema, "versioned")},
			} {
				cmd := exec.CommandContext(ctx, filepath.Join(o.BinDir, "sql"), append([]string{"--plugin", "postgres12",
					"--ep", pg.Host, "-p", pg.Port, "-u", pg.User, "--db", db}, args...)...)
				cmd.Env = append(os.Environ(), "SQL_PASSWORD="+pg.Password) // not on the command line, for ps to show
				if out, err := cmd.CombinedOutput(); err != nil {
					return fmt.Errorf("temporalpg: sql %s on %s: %w\n%s", args[0], db, err, out)
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// dropDatabase drops db if it exists, ending its sessions first (a server from an earlier run may still hold some).
func dropDatabase(ctx context.Context, superuser, db string) error {
	conn, err := pgx.Connect(ctx, superuser)
	if err != nil {
		return fmt.Errorf("temporalpg: connect to PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = $1 AND pid <> pg_backend_pid()`, db); err != nil {
		return fmt.Errorf("temporalpg: end sessions on %s: %w", db, err)
	}
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{db}.Sanitize()); err != nil {
		return fmt.Errorf("temporalpg: drop %s: %w", db, err)
	}
	return nil
}

// freePorts returns n distinct ports on 127.0.0.1 that were free a moment ago. They are taken below 32768, not
// from the kernel's ephemeral range (listening on :0): Temporal records each service's membership port in a
// SMALLINT column (cluster_membership.rpc_port), and the kernel never hands out ports below its ephemeral range
// to other programs' connections between our probe and the server's bind.
func freePorts(n int) ([]int, error) {
	const low, high = 20000, 32767
	var ports []int
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	start := low + rand.IntN(high-low+1)
	for i := 0; i <= high-low && len(ports) < n; i++ {
		port := low + (start-low+i)%(high-low+1)
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		held = append(held, l) // held until all are found, so none is picked twice
		ports = append(ports, port)
	}
	if len(ports) < n {
		return nil, fmt.Errorf("temporalpg: found only %d free ports in %d-%d on 127.0.0.1", len(ports), low, high)
	}
	return ports, nil
}

// env is the Temporal configuration environment Start writes: config/bench.yaml, read over config/base.yaml.
const env = "bench"

// settings fill the override templates.
type settings struct {
	Shards                       int
	Postgres                     postgres
	Stores                       []store
	Frontend, FrontendMembership int
	FrontendHTTP                 int
	History, HistoryMembership   int
	Matching, MatchingMembership int
	Worker, WorkerMembership     int
	Metrics                      int
	DynamicConfig                string
}

// store is a Temporal datastore of the base configuration and the database it is to use.
type store struct{ Name, Database string }

// writeConfig writes dir/config: base.yaml, the module's development-postgres12.yaml as it is; bench.yaml, the
// overrides; and the dynamic configuration.
func writeConfig(dir, src string, c settings) error {
	base, err := os.ReadFile(filepath.Join(src, baseConfig))
	if err != nil {
		return fmt.Errorf("temporalpg: %w", err)
	}
	dynamic, err := os.ReadFile(filepath.Join(src, dynamicConfig))
	if err != nil {
		return fmt.Errorf("temporalpg: %w", err)
	}
	var override, extra strings.Builder
	if err := overrideTemplate.Execute(&override, c); err != nil {
		return fmt.Errorf("temporalpg: %w", err)
	}
	if err := dynamicTemplate.Execute(&extra, c); err != nil {
		return fmt.Errorf("temporalpg: %w", err)
	}
	files := map[string]string{
		"base.yaml":          string(base),
		env + ".yaml":        override.String(),
		"dynamicconfig.yaml": withoutKeys(string(dynamic), extra.String()) + extra.String(),
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, "config", name), []byte(text), 0o644); err != nil {
			return fmt.Errorf("temporalpg: %w", err)
		}
	}
	return nil
}

// withoutKeys drops from the dynamic configuration yaml the top-level entries that extra sets, since a yaml
// mapping cannot hold a key twice. An entry is its key line and the indented or comment lines under it.
func withoutKeys(yaml, extra string) string {
	set := map[string]bool{}
	for line := range strings.SplitSeq(extra, "\n") {
		if key, ok := topKey(line); ok {
			set[key] = true
		}
	}
	var b strings.Builder
	skip := false
	for line := range strings.Lines(yaml) {
		if key, ok := topKey(line); ok {
			skip = set[key]
		}
		if !skip {
			b.WriteString(line)
		}
	}
	if s := b.String(); s != "" && !strings.HasSuffix(s, "\n") {
		b.WriteString("\n")
	}
	return b.String()
}

// topKey is the key of a top-level mapping entry's first line.
func topKey(line string) (string, bool) {
	if line == "" || line[0] == ' ' || line[0] == '\t' || line[0] == '#' || line[0] == '-' {
		return "", false
	}
	key, _, ok := strings.Cut(line, ":")
	return strings.TrimSpace(key), ok
}

// overrideTemplate is read over the base configuration. Temporal's loader decodes each file into the same
// struct, so struct fields merge but map entries (datastores, services, clusters) are replaced whole: those are
// written in full. Logging is at warn, as the benchmark runs the dev server; pprof is off, as in the dev server;
// archival is off (the base enables it with a file store).
var overrideTemplate = template.Must(template.New(env).Parse(`# Written by github.com/ltcengine/ltc/bench/temporalpg over base.yaml
# (go.temporal.io/server@` + Version + ` ` + baseConfig + `).
log:
  stdout: true
  level: warn
persistence:
  numHistoryShards: {{.Shards}}
  datastores:
{{- range .Stores}}
    {{.Name}}:
      sql:
        pluginName: postgres12
        databaseName: {{printf "%q" .Database}}
        connectAddr: "{{$.Postgres.Host}}:{{$.Postgres.Port}}"
        connectProtocol: tcp
        user: {{printf "%q" $.Postgres.User}}
        password: {{printf "%q" $.Postgres.Password}}
        maxConns: 20
        maxIdleConns: 20
        maxConnLifetime: 1h
{{- end}}
global:
  pprof:
    port: 0
  metrics:
    prometheus:
      listenAddress: "127.0.0.1:{{.Metrics}}"
services:
  frontend:
    rpc:
      grpcPort: {{.Frontend}}
      membershipPort: {{.FrontendMembership}}
      bindOnLocalHost: true
      httpPort: {{.FrontendHTTP}}
  history:
    rpc:
      grpcPort: {{.History}}
      membershipPort: {{.HistoryMembership}}
      bindOnLocalHost: true
  matching:
    rpc:
      grpcPort: {{.Matching}}
      membershipPort: {{.MatchingMembership}}
      bindOnLocalHost: true
  worker:
    rpc:
      grpcPort: {{.Worker}}
      membershipPort: {{.WorkerMembership}}
      bindOnLocalHost: true
clusterMetadata:
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:{{.Frontend}}"
      httpAddress: "127.0.0.1:{{.FrontendHTTP}}"
archival:
  history:
    state: disabled
    enableRead: false
    provider: null
  visibility:
    state: disabled
    enableRead: false
    provider: null
namespaceDefaults:
  archival:
    history:
      state: disabled
      URI: ""
    visibility:
      state: disabled
      URI: ""
dynamicConfigClient:
  filepath: {{printf "%q" .DynamicConfig}}
  pollInterval: 10s
`))

// dynamicTemplate holds the dynamic configuration values set over the module's development-sql.yaml: Nexus
// callbacks go to this server's own HTTP port only (the file has localhost:7243 and any address), and the limits
// the CLI's dev server (v1.5.1) raises are raised alike, so the comparison is of storage, not of rate limits.
var dynamicTemplate = template.Must(template.New("dynamic").Delims("[[", "]]").Parse(`# Set by github.com/ltcengine/ltc/bench/temporalpg:
component.nexusoperations.callback.endpoint.template:
  - value: http://127.0.0.1:[[.FrontendHTTP]]/namespaces/{{.NamespaceName}}/nexus/callback
component.callbacks.allowedAddresses:
  - value:
      - Pattern: "127.0.0.1:[[.FrontendHTTP]]"
        AllowInsecure: true
frontend.namespaceRPS.visibility:
  - value: 100
frontend.persistenceMaxQPS:
  - value: 10000
history.persistenceMaxQPS:
  - value: 45000
`))

// tail is the end of the server's log, for errors.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return strings.TrimSpace(string(b))
}
