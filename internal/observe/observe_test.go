package observe_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/observe"
)

// pprofStatus serves the admin handler with opts and returns the status of each profile endpoint.
func pprofStatus(t *testing.T, opts ...observe.Option) map[string]int {
	t.Helper()
	m := observe.NewMetrics()
	t.Cleanup(m.Close)
	srv := httptest.NewServer(observe.Handler(m, func(context.Context) error { return nil }, opts...))
	t.Cleanup(srv.Close)
	codes := map[string]int{}
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/goroutine?debug=1", "/debug/pprof/cmdline", "/debug/pprof/symbol", "/healthz"} {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		resp.Body.Close()
		codes[path] = resp.StatusCode
	}
	return codes
}

func TestPprofIsOffUnlessAskedFor(t *testing.T) {
	for path, code := range pprofStatus(t) {
		if path == "/healthz" {
			assert.Equal(t, http.StatusOK, code, path)
			continue
		}
		assert.Equal(t, http.StatusNotFound, code, "%s is not served by default", path)
	}
	for path, code := range pprofStatus(t, observe.WithPprof(false)) {
		if path != "/healthz" {
			assert.Equal(t, http.StatusNotFound, code, path)
		}
	}
}

func TestPprofIsServedWhenAskedFor(t *testing.T) {
	for path, code := range pprofStatus(t, observe.WithPprof(true)) {
		assert.Equal(t, http.StatusOK, code, path)
	}
}
