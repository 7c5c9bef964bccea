package testenv

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"github.com/ltcengine/ltc/internal/localpg"
	"github.com/ltcengine/ltc/internal/store"
)

// Postgres is a PostgreSQL server of one test's own, for tests that stop, freeze or restart it.
type Postgres struct {
	*localpg.Cluster
	opts localpg.Options
}

// OwnPostgres starts a migrated PostgreSQL server for the test alone, stopped when the test ends.
func OwnPostgres(t testing.TB) *Postgres {
	t.Helper()
	dir, err := os.MkdirTemp("", "ltc-own-pg-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	p := &Postgres{opts: localpg.Options{DataDir: filepath.Join(dir, "data"), Port: port, Throwaway: true,
		LogFile: filepath.Join(dir, "pg.log")}}
	t.Cleanup(func() {
		if p.Cluster != nil {
			_ = p.Cluster.Stop()
		}
		_ = os.RemoveAll(dir)
	})
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(context.Background(), p.URL("postgres")); err != nil {
		t.Fatal(err)
	}
	return p
}

// Start starts the server (again) on its data.
func (p *Postgres) Start() error {
	c, err := localpg.Start(context.Background(), p.opts)
	if err != nil {
		return fmt.Errorf("start PostgreSQL: %w", err)
	}
	p.Cluster = c
	return nil
}

// TemporalServer is a Temporal dev server of one test's own, on a file, for tests that stop and restart it.
type TemporalServer struct {
	*testsuite.DevServer
	opts testsuite.DevServerOptions
}

// OwnTemporal starts a Temporal dev server for the test alone, stopped when the test ends.
func OwnTemporal(t testing.TB) *TemporalServer {
	t.Helper()
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	s := &TemporalServer{opts: testsuite.DevServerOptions{
		ExistingPath:  filepath.Join(RepoRoot(t), ".bin", "temporal"),
		ClientOptions: &client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", port), Namespace: "default"},
		DBFilename:    filepath.Join(t.TempDir(), "temporal.db"),
		LogLevel:      "error",
		ExtraArgs:     []string{"--sqlite-pragma", "journal_mode=WAL"},
		Stdout:        io.Discard,
	}}
	t.Cleanup(func() {
		if s.DevServer != nil {
			_ = s.DevServer.Stop()
		}
	})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	return s
}

// Start starts the server (again) on its file.
func (s *TemporalServer) Start() error {
	srv, err := testsuite.StartDevServer(context.Background(), s.opts)
	if err != nil {
		return fmt.Errorf("start Temporal: %w", err)
	}
	s.DevServer = srv
	return nil
}

// Stop stops the server; Start starts it again.
func (s *TemporalServer) Stop() error {
	err := s.DevServer.Stop()
	s.DevServer = nil
	return err
}

// Address is the server's frontend address.
func (s *TemporalServer) Address() string { return s.opts.ClientOptions.HostPort }
