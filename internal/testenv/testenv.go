// Package testenv gives tests real servers: each test its own freshly migrated PostgreSQL database, and each test
// binary one Temporal dev server built from the pinned CLI (tests keep apart by task queue and ids). Both are
// started on first use and stopped by Main.
//
// LTC_TEST_DATABASE_URL points the tests at an existing PostgreSQL server (a superuser URL); otherwise a
// throwaway cluster is started with the system's PostgreSQL binaries.
package testenv

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"github.com/ltcengine/ltc/internal/localpg"
	"github.com/ltcengine/ltc/internal/store"
)

var (
	mu        sync.Mutex
	stoppers  []func()
	adminURL  string // superuser URL of the test PostgreSQL server, once started
	template  string // migrated template database
	temporal  *testsuite.DevServer
	databases atomic.Int64
)

// Main runs the package's tests, then stops the servers they started. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	mu.Lock()
	for i := len(stoppers) - 1; i >= 0; i-- {
		stoppers[i]()
	}
	mu.Unlock()
	os.Exit(code)
}

// Database returns the URL of a new database, migrated to the newest schema, dropped when the test ends.
func Database(t testing.TB) string {
	t.Helper()
	return newDatabase(t, true)
}

// EmptyDatabase returns the URL of a new database with no schema, dropped when the test ends: for tests of the
// migrations themselves.
func EmptyDatabase(t testing.TB) string {
	t.Helper()
	return newDatabase(t, false)
}

// newDatabase creates a database, from the migrated template or empty, once the test PostgreSQL runs.
func newDatabase(t testing.TB, migrated bool) string {
	t.Helper()
	ctx := context.Background()
	mu.Lock()
	defer mu.Unlock()
	if template == "" {
		if err := startPostgres(ctx); err != nil {
			t.Fatalf("start test PostgreSQL: %v", err)
		}
	}
	from := "template1"
	if migrated {
		from = template
	}
	name := fmt.Sprintf("ltc_test_%d_%d", os.Getpid(), databases.Add(1))
	if err := exec(ctx, adminURL, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, from)); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if err := exec(context.Background(), adminURL, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	return withDatabase(adminURL, name)
}

// Temporal returns the address of the test binary's Temporal dev server.
func Temporal(t testing.TB) string {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if temporal == nil {
		cli := filepath.Join(RepoRoot(t), ".bin", "temporal")
		if _, err := os.Stat(cli); err != nil {
			t.Fatalf("the Temporal CLI is not built at %s: run `make tools`", cli)
		}
		srv, err := testsuite.StartDevServer(context.Background(), testsuite.DevServerOptions{
			ExistingPath:  cli,
			LogLevel:      "error",
			ClientOptions: &client.Options{Namespace: "default"},
			Stdout:        io.Discard,
			Stderr:        os.Stderr,
		})
		if err != nil {
			t.Fatalf("start Temporal dev server: %v", err)
		}
		temporal = srv
		stoppers = append(stoppers, func() { _ = srv.Stop() })
	}
	return temporal.FrontendHostPort()
}

// RepoRoot returns the repository's top directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "tools")); err == nil {
				return dir
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("repository root not found")
		}
		dir = parent
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startPostgres(ctx context.Context) error {
	adminURL = os.Getenv("LTC_TEST_DATABASE_URL")
	if adminURL == "" {
		port, err := FreePort()
		if err != nil {
			return err
		}
		dir, err := os.MkdirTemp("", "ltc-test-pg-")
		if err != nil {
			return err
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			return err
		}
		cluster, err := localpg.Start(ctx, localpg.Options{
			DataDir: filepath.Join(dir, "data"), Port: port, Throwaway: true, LogFile: filepath.Join(dir, "postgres.log"),
		})
		if err != nil {
			return err
		}
		stoppers = append(stoppers, func() { _ = cluster.Stop(); _ = os.RemoveAll(dir) })
		adminURL = cluster.URL("postgres")
	}
	name := fmt.Sprintf("ltc_template_%d", os.Getpid())
	if err := exec(ctx, adminURL, "CREATE DATABASE "+name); err != nil {
		return err
	}
	stoppers = append(stoppers, func() { _ = exec(context.Background(), adminURL, "DROP DATABASE "+name+" WITH (FORCE)") })
	if err := store.Migrate(ctx, withDatabase(adminURL, name)); err != nil {
		return err
	}
	template = name
	return nil
}

func withDatabase(url, db string) string {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, db)
}

func exec(ctx context.Context, url, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}
