// Command bench measures the LTC engine on this machine, in one run on the same servers: the write path (whole
// deals over gRPC) against the Temporal floor (a workflow that only accepts as many Updates), the resources open
// deals hold, a bounded load of concurrent users mixing writes and reads, the read path and the web workplace's
// pages at 10^4, 10^5 and 10^6 deals and the account reads at 10^5 accounts with 10^6 contacts, on the Temporal dev server and on a Temporal server backed by PostgreSQL. It starts every server it
// needs on loopback, makes a fixed number of requests (the load runs a fixed time), prints Markdown tables and
// stops. `make bench` runs it; bench/README.md keeps the results and what they mean.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"

	"github.com/ltcengine/ltc/bench/temporalpg"
	"github.com/ltcengine/ltc/internal/localpg"
	"github.com/ltcengine/ltc/internal/store"
)

type options struct {
	deals, concurrency, openDeals int
	readSizes, accountSizes       []int
	readRequests                  int
	servers                       []string
	keep                          bool
	profiles                      string
	loadClients                   []int
	loadDuration                  time.Duration
}

func main() {
	var o options
	var sizes, accountSizes, servers, loadClients string
	flag.IntVar(&o.deals, "deals", 100, "deals driven from lead to WON per Temporal server (and as many floor workflows)")
	flag.IntVar(&o.concurrency, "concurrency", 10, "deals in flight at once")
	flag.IntVar(&o.openDeals, "open-deals", 400, "open deals (in PURSUIT, weekly report timer running) for the resource figures; 0 skips")
	flag.StringVar(&sizes, "read-sizes", "10000,100000,1000000", "deal counts the read path is measured at, ascending; empty skips")
	flag.StringVar(&accountSizes, "account-sizes", "100000", "account counts (10 contacts each on average) the account reads are measured at, ascending, seeded after the read path's deals; empty skips")
	flag.IntVar(&o.readRequests, "read-requests", 150, "requests per read query and size")
	flag.StringVar(&servers, "servers", "dev,postgres", "Temporal servers: dev (the CLI's, SQLite) and/or postgres (server 1.29.1)")
	flag.StringVar(&o.profiles, "profiles", "", "directory to write CPU profiles of ltcd serve and ltcd worker taken during the write path")
	flag.StringVar(&loadClients, "load-clients", "10,30,50", "concurrent clients of each bounded load run, the first the baseline; empty skips")
	flag.DurationVar(&o.loadDuration, "load-duration", 30*time.Second, "length of each bounded load run")
	flag.BoolVar(&o.keep, "keep", false, "keep the working directory (logs, databases) instead of removing it")
	flag.Parse()
	o.readSizes = ascending("-read-sizes", sizes)
	o.accountSizes = ascending("-account-sizes", accountSizes)
	for _, s := range strings.Split(loadClients, ",") {
		if s = strings.TrimSpace(s); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n <= 0 {
				fmt.Fprintf(os.Stderr, "bench: -load-clients must be positive counts, got %q\n", loadClients)
				os.Exit(2)
			}
			o.loadClients = append(o.loadClients, n)
		}
	}
	for _, s := range strings.Split(servers, ",") {
		if s != "dev" && s != "postgres" {
			fmt.Fprintf(os.Stderr, "bench: unknown Temporal server %q (dev or postgres)\n", s)
			os.Exit(2)
		}
		o.servers = append(o.servers, s)
	}
	if o.profiles != "" {
		if err := os.MkdirAll(o.profiles, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(2)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := benchmark(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// ascending parses the flag's comma-separated ascending positive counts, or exits.
func ascending(name, value string) []int {
	var ns []int
	for _, s := range strings.Split(value, ",") {
		if s = strings.TrimSpace(s); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n <= 0 || (len(ns) > 0 && n <= ns[len(ns)-1]) {
				fmt.Fprintf(os.Stderr, "bench: %s must be ascending positive counts, got %q\n", name, value)
				os.Exit(2)
			}
			ns = append(ns, n)
		}
	}
	return ns
}

// benchmark runs every part and prints its tables to out as each part ends.
func benchmark(ctx context.Context, o options, out io.Writer) error {
	started := time.Now()
	root, err := repoRoot()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "ltc-bench-")
	if err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o755); err != nil { // PostgreSQL runs as the postgres user when we are root
		return err
	}
	if o.keep {
		fmt.Fprintf(os.Stderr, "working directory: %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	progress("building ltcd")
	ltcd := filepath.Join(dir, "ltcd")
	if err := command(root, "go", "build", "-o", ltcd, "./cmd/ltcd"); err != nil {
		return err
	}
	cli := filepath.Join(root, ".bin", "temporal")
	if _, err := os.Stat(cli); err != nil {
		return fmt.Errorf("the Temporal CLI is not built at %s: run `make tools`", cli)
	}
	pgPort, err := freePort()
	if err != nil {
		return err
	}
	progress("starting PostgreSQL")
	cluster, err := localpg.Start(ctx, localpg.Options{DataDir: filepath.Join(dir, "postgres"), Port: pgPort,
		LogFile: filepath.Join(dir, "postgres.log")})
	if err != nil {
		return err
	}
	defer cluster.Stop()
	if err := tune(ctx, cluster.URL("postgres")); err != nil {
		return err
	}
	if err := machine(ctx, out, cluster.URL("postgres"), o); err != nil {
		return err
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	secret := hex.EncodeToString(raw) // the engine's LTC_JWT_SECRET; tokens are signed with its bytes

	var writes []writeResult
	var resources []resourceRow
	var loads []loadResult
	for _, server := range o.servers {
		progress("starting the Temporal " + server + " server")
		addr, pid, stopTemporal, err := startTemporal(ctx, server, dir, root, cli, cluster)
		if err != nil {
			return err
		}
		err = func() error {
			defer stopTemporal()
			db := "ltc_" + server
			e, d, stopEngine, err := deploy(ctx, dir, ltcd, cluster, db, addr, secret)
			if err != nil {
				return err
			}
			defer stopEngine()
			// The floor's client and worker speak to Temporal as the engine's do: without gzip.
			tc, err := client.Dial(client.Options{HostPort: addr, Logger: quiet,
				ConnectionOptions: client.ConnectionOptions{GrpcCompression: &client.GrpcCompressionNone{}}})
			if err != nil {
				return err
			}
			defer tc.Close()
			pgPID, err := postmasterPID(filepath.Join(dir, "postgres"))
			if err != nil {
				return err
			}
			procs := []process{{name: "Temporal server", pid: pid}, {name: "PostgreSQL", pid: pgPID, children: true},
				{name: "ltcd serve", pid: e.api.pid()}, {name: "ltcd worker", pid: e.worker.pid()}, {name: "driver", pid: os.Getpid()}}
			progress(fmt.Sprintf("write path on %s: %d deals and %d floor workflows, %d in flight", server, o.deals, o.deals, o.concurrency))
			w, err := writePath(ctx, server, e, procs, d, tc, "bench-floor-"+uuid.NewString(), o.deals, o.concurrency, o.profiles)
			if err != nil {
				return err
			}
			writes = append(writes, w)
			if o.openDeals > 0 {
				progress(fmt.Sprintf("resources on %s: %d open deals", server, o.openDeals))
				rows, err := openDealResources(ctx, server, d, map[string]int{"ltcd worker": e.worker.pid(),
					"ltcd serve (API)": e.api.pid(), "Temporal " + server + " server": pid}, o.openDeals, o.concurrency)
				if err != nil {
					return err
				}
				resources = append(resources, rows...)
			}
			if len(o.loadClients) > 0 {
				loads = append(loads, loadRuns(ctx, server, d, o.loadClients, o.loadDuration)...)
			}
			if server == o.servers[0] && len(o.readSizes)+len(o.accountSizes) > 0 {
				return readPath(ctx, out, dir, ltcd, cluster, addr, secret, o.readSizes, o.accountSizes, o.readRequests)
			}
			return nil
		}()
		if err != nil {
			return err
		}
	}
	printWrites(out, writes)
	printResources(out, resources, o.openDeals)
	printLoad(out, loads, o.loadDuration)
	fmt.Fprintf(out, "\nThe whole run took %s.\n", time.Since(started).Round(time.Second))
	return nil
}

// deploy creates and migrates database db, starts the engine on it and the Temporal frontend, and connects a
// driver to its API; stop undoes it all.
func deploy(ctx context.Context, dir, ltcd string, cluster *localpg.Cluster, db, temporal, secret string) (*engine, *driver, func(), error) {
	if err := cluster.CreateDatabase(ctx, db); err != nil {
		return nil, nil, nil, err
	}
	if err := store.Migrate(ctx, cluster.URL(db)); err != nil {
		return nil, nil, nil, err
	}
	e, err := startEngine(ctx, dir, db, ltcd, cluster.URL(db), temporal, secret)
	if err != nil {
		return nil, nil, nil, err
	}
	d, err := newDriver(e.grpcAddr, secret)
	if err != nil {
		e.stop()
		return nil, nil, nil, err
	}
	return e, d, func() { d.close(); e.stop() }, nil
}

// startTemporal starts the named Temporal server and returns its frontend address, its process id and how to stop it.
func startTemporal(ctx context.Context, server, dir, root, cli string, cluster *localpg.Cluster) (string, int, func(), error) {
	if server == "dev" {
		p, addr, err := devServer(ctx, dir, cli)
		if err != nil {
			return "", 0, nil, err
		}
		return addr, p.pid(), p.stop, nil
	}
	s, err := temporalpg.Start(ctx, temporalpg.Options{BinDir: filepath.Join(root, ".bin", "temporal-1.29.1"),
		Dir: filepath.Join(dir, "temporal-postgres"), Postgres: cluster.URL("postgres"), Database: "temporal"})
	if err != nil {
		return "", 0, nil, err
	}
	return s.Address(), s.PID(), func() { _ = s.Stop() }, nil
}

// pgSettings are the PostgreSQL settings the benchmark changes from the defaults, as one would for a server that
// takes bulk loads: checkpoints less often than every 1 GB of WAL.
var pgSettings = map[string]string{"max_wal_size": "8GB"}

func tune(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for name, value := range pgSettings {
		if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER SYSTEM SET %s = '%s'", name, value)); err != nil {
			return err
		}
	}
	_, err = conn.Exec(ctx, "SELECT pg_reload_conf()")
	return err
}

// machine prints what the figures were measured on.
func machine(ctx context.Context, out io.Writer, url string, o options) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var pg string
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&pg); err != nil {
		return err
	}
	cpu, mem := "unknown", "unknown"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		f := strings.Fields(string(b))
		if len(f) > 1 {
			kb, _ := strconv.Atoi(f[1])
			mem = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	fmt.Fprintf(out, "# LTC engine benchmark, %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(out, "Machine: %d cores (%s), %s RAM, %s/%s, %s, PostgreSQL %s (fsync on, default settings but max_wal_size 8GB), everything on one machine over loopback.\n",
		runtime.NumCPU(), cpu, mem, runtime.GOOS, runtime.GOARCH, runtime.Version(), pg)
	fmt.Fprintf(out, "Command: go run ./bench -deals %d -concurrency %d -open-deals %d -read-sizes '%s' -account-sizes '%s' -read-requests %d -servers %s -load-clients '%s' -load-duration %s\n",
		o.deals, o.concurrency, o.openDeals, joinInts(o.readSizes), joinInts(o.accountSizes), o.readRequests, strings.Join(o.servers, ","), joinInts(o.loadClients), o.loadDuration)
	return nil
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

func progress(msg string) { fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), msg) }

func command(dir, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return nil
}

// repoRoot finds the repository from the working directory up.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "bench", "main.go")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("run the benchmark from the repository (make bench)")
		}
		dir = parent
	}
}
