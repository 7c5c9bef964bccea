package web_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/config"
	"github.com/ltcengine/ltc/internal/dev"
	"github.com/ltcengine/ltc/internal/engine"
	"github.com/ltcengine/ltc/internal/testenv"
	"github.com/ltcengine/ltc/internal/transport"
	"github.com/ltcengine/ltc/internal/web"
)

// TestTheWorkplaceReachesAnAPIThatRequiresClientCertificates runs the API with mTLS: the workplace gets through
// with its client certificate (--web-client-cert-file), and without one its pages say the API is unavailable.
func TestTheWorkplaceReachesAnAPIThatRequiresClientCertificates(t *testing.T) {
	dir := t.TempDir()
	_, err := transport.WriteDevFiles(dir, []string{"localhost", "127.0.0.1"}, false)
	require.NoError(t, err)
	file := func(name string) string { return filepath.Join(dir, name) }
	e := testenv.StartEngine(t, testenv.Configure(func(c *config.Config) {
		c.TLSCertFile, c.TLSKeyFile, c.TLSClientCAFile = file(transport.ServerCertFile), file(transport.ServerKeyFile), file(transport.CAFile)
	}))
	tokens, err := dev.MintTokens([]byte(e.Config.JWTSecret), time.Now())
	require.NoError(t, err)
	leads := func(cfg config.Config) int {
		conn, err := engine.WorkplaceConn(cfg, e.Config.GRPCAddr)
		require.NoError(t, err)
		t.Cleanup(func() { _ = conn.Close() })
		workplace, err := web.New(web.Options{API: conn, SignIn: dev.SignIn(tokens), Timeout: 3 * time.Second})
		require.NoError(t, err)
		site := httptest.NewServer(workplace)
		t.Cleanup(site.Close)
		code, _ := read(t, func() (*http.Response, error) { return signedIn(t, site, "sales").Get(site.URL + "/leads") })
		return code
	}

	with := e.Config
	with.WebClientCertFile, with.WebClientKeyFile = file(transport.ClientCertFile), file(transport.ClientKeyFile)
	assert.Equal(t, http.StatusOK, leads(with), "with its client certificate")
	assert.Equal(t, http.StatusServiceUnavailable, leads(e.Config), "without one the API refuses the connection")
}
