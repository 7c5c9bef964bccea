package engine_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/config"
	"github.com/ltcengine/ltc/internal/engine"
	"github.com/ltcengine/ltc/internal/localpg"
	"github.com/ltcengine/ltc/internal/observe"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func status(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestReadinessFollowsPostgreSQL stops the engine's PostgreSQL under it: /readyz fails while it is down, names
// it, and recovers when it is back, while /healthz stays up throughout.
func TestReadinessFollowsPostgreSQL(t *testing.T) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ltc-ready-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o755))
	t.Cleanup(func() { os.RemoveAll(dir) })
	port, err := testenv.FreePort()
	require.NoError(t, err)
	opts := localpg.Options{DataDir: filepath.Join(dir, "data"), Port: port, Throwaway: true, LogFile: filepath.Join(dir, "pg.log")}
	pg, err := localpg.Start(ctx, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = pg.Stop() })
	require.NoError(t, store.Migrate(ctx, pg.URL("postgres")))

	cfg := config.Config{DatabaseURL: pg.URL("postgres"), DBMaxConns: 2, TemporalAddress: testenv.Temporal(t), TemporalNamespace: "default"}
	b, err := engine.Dial(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	t.Cleanup(b.Close)
	admin := httptest.NewServer(observe.Handler(b.Metrics, b.Ready))
	t.Cleanup(admin.Close)

	code, _ := status(t, admin.URL+"/readyz")
	assert.Equal(t, http.StatusOK, code)

	require.NoError(t, pg.Stop())
	code, body := status(t, admin.URL+"/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Contains(t, body, "postgresql")
	code, _ = status(t, admin.URL+"/healthz")
	assert.Equal(t, http.StatusOK, code, "alive, just not ready")

	pg, err = localpg.Start(ctx, opts)
	require.NoError(t, err)
	assert.Eventually(t, func() bool {
		code, _ := status(t, admin.URL+"/readyz")
		return code == http.StatusOK
	}, 30*time.Second, 200*time.Millisecond, "ready again once PostgreSQL is back")
}
