package ctl_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/auth"
	"github.com/ltcengine/ltc/internal/config"
	"github.com/ltcengine/ltc/internal/ctl"
	"github.com/ltcengine/ltc/internal/dev"
	"github.com/ltcengine/ltc/internal/testenv"
	"github.com/ltcengine/ltc/internal/transport"
)

// TestLtcctlSpeaksMTLSWithIdentityProviderTokens runs the engine as deployed for systems: mTLS on the API and
// tokens of the company identity provider checked against its JWKS. ltcctl gets through with the CA, its client
// certificate and a provider token, and not without any one of them.
func TestLtcctlSpeaksMTLSWithIdentityProviderTokens(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	b64 := base64.RawURLEncoding.EncodeToString
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{"kty": "RSA", "alg": "RS256", "use": "sig",
			"kid": "k1", "n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}}})
	}))
	t.Cleanup(idp.Close)
	dir := t.TempDir()
	_, err = transport.WriteDevFiles(dir, []string{"localhost", "127.0.0.1"}, false)
	require.NoError(t, err)
	file := func(name string) string { return filepath.Join(dir, name) }

	e := testenv.StartEngine(t, testenv.Configure(func(c *config.Config) {
		c.TLSCertFile, c.TLSKeyFile, c.TLSClientCAFile = file(transport.ServerCertFile), file(transport.ServerKeyFile), file(transport.CAFile)
		c.JWKSURL, c.JWTIssuer, c.JWTAudience = idp.URL, "https://id.example.com", "ltc-api"
	}))
	now := time.Now()
	claims := func(iss string) auth.Claims {
		return auth.Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "sam", Issuer: iss, Audience: jwt.ClaimStrings{"ltc-api"},
			ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}, Roles: []string{"sales"}, Org: "emea/germany"}
	}
	token := func(c auth.Claims) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
		tok.Header["kid"] = "k1"
		s, err := tok.SignedString(key)
		require.NoError(t, err)
		return s
	}
	good := token(claims("https://id.example.com"))
	o := ctl.Options{Addr: e.Config.GRPCAddr}
	mtls := []string{"--tls-ca", file(transport.CAFile), "--tls-cert", file(transport.ClientCertFile), "--tls-key", file(transport.ClientKeyFile)}
	list := func(args ...string) error {
		_, err := run(o, append(append(args, "--timeout", "5s"), "lead", "list")...)
		return err
	}

	assert.NoError(t, list(append(mtls, "--token", good)...))
	assert.ErrorContains(t, list(append(mtls, "--token", token(claims("https://evil.example.com")))...), "Unauthenticated",
		"a token of another issuer")
	assert.ErrorContains(t, list(append(mtls, "--token", e.Token(t, dev.DemoPeople["sales"]))...), "Unauthenticated",
		"an HS256 token of ltcd's own secret: the provider is the one source of tokens")
	assert.ErrorContains(t, list("--tls-ca", file(transport.CAFile), "--token", good), "Unavailable", "no client certificate")
	assert.ErrorContains(t, list("--token", good), "Unavailable", "plaintext")
}
