package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/auth"
	"github.com/ltcengine/ltc/internal/ltc"
)

const (
	issuer   = "https://id.example.com/realms/sales"
	audience = "ltc-api"
)

// idp is an identity provider's JWKS endpoint on a local HTTP server; keys can be added while it runs.
type idp struct {
	url  string
	mu   sync.Mutex
	keys []map[string]string
}

func newIDP(t *testing.T) *idp {
	t.Helper()
	p := &idp{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		p.mu.Lock()
		defer p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": p.keys})
	}))
	t.Cleanup(srv.Close)
	p.url = srv.URL + "/protocol/openid-connect/certs"
	return p
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (p *idp) publishRSA(kid string, k *rsa.PublicKey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keys = append(p.keys, map[string]string{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
		"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())})
}

func (p *idp) publishEC(kid string, k *ecdsa.PublicKey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pub, err := k.Bytes() // 0x04 || X || Y, each 32 bytes for P-256
	if err != nil {
		panic(err)
	}
	p.keys = append(p.keys, map[string]string{"kty": "EC", "use": "sig", "alg": "ES256", "kid": kid, "crv": "P-256",
		"x": b64(pub[1:33]), "y": b64(pub[33:])})
}

func newJWKS(t *testing.T, url string) *auth.Verifier {
	t.Helper()
	v, err := auth.NewJWKS(auth.JWKSOptions{URL: url, Issuer: issuer, Audience: audience,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	t.Cleanup(v.Close)
	return v
}

// idpClaims are the claims the identity provider puts in a sales rep's token, valid for an hour.
func idpClaims() auth.Claims {
	now := time.Now()
	return auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{Subject: "sam", Issuer: issuer, Audience: jwt.ClaimStrings{"account", audience},
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))},
		Name: "Sam Sales", Roles: []string{"sales"}, Org: "emea/germany",
	}
}

func sign(t *testing.T, method jwt.SigningMethod, kid string, c auth.Claims, key any) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	require.NoError(t, err)
	return s
}

func TestIdentityProviderTokensAreCheckedAgainstItsJWKS(t *testing.T) {
	p := newIDP(t)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	p.publishRSA("rsa-1", &rsaKey.PublicKey)
	p.publishEC("ec-1", &ecKey.PublicKey)
	v := newJWKS(t, p.url)
	sam := ltc.Actor{ID: "sam", Name: "Sam Sales", Roles: []ltc.Role{ltc.RoleSales}, Unit: "emea/germany"}

	got, err := v.Verify(sign(t, jwt.SigningMethodRS256, "rsa-1", idpClaims(), rsaKey))
	require.NoError(t, err, "RS256 from the key set")
	assert.Equal(t, sam, got)
	got, err = v.Verify(sign(t, jwt.SigningMethodES256, "ec-1", idpClaims(), ecKey))
	require.NoError(t, err, "ES256 from the key set")
	assert.Equal(t, sam, got)

	wrongIssuer, wrongAudience, expired, noAudience := idpClaims(), idpClaims(), idpClaims(), idpClaims()
	wrongIssuer.Issuer = "https://evil.example.com"
	wrongAudience.Audience = jwt.ClaimStrings{"another-app"}
	noAudience.Audience = nil
	expired.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Hour))
	pubDER, err := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	require.NoError(t, err)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	stranger, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, idpClaims()).SignedString(jwt.UnsafeAllowNoneSignatureType)
	require.NoError(t, err)

	for name, c := range map[string]struct{ tok, why string }{
		"wrong issuer":   {sign(t, jwt.SigningMethodRS256, "rsa-1", wrongIssuer, rsaKey), "invalid issuer"},
		"wrong audience": {sign(t, jwt.SigningMethodRS256, "rsa-1", wrongAudience, rsaKey), "invalid audience"},
		"no audience":    {sign(t, jwt.SigningMethodRS256, "rsa-1", noAudience, rsaKey), "aud claim is required"},
		"unknown kid":    {sign(t, jwt.SigningMethodRS256, "rsa-9", idpClaims(), stranger), `key not found "rsa-9"`},
		"no kid":         {sign(t, jwt.SigningMethodRS256, "", idpClaims(), rsaKey), "no key id"},
		"expired":        {sign(t, jwt.SigningMethodRS256, "rsa-1", expired, rsaKey), "token is expired"},
		// The public key is public: used as an HMAC secret it proves nothing.
		"HS256 with the public key (PEM)":  {sign(t, jwt.SigningMethodHS256, "rsa-1", idpClaims(), pubPEM), "signing method HS256 is invalid"},
		"HS256 with the public key (DER)":  {sign(t, jwt.SigningMethodHS256, "rsa-1", idpClaims(), pubDER), "signing method HS256 is invalid"},
		"alg none":                         {none, "signing method none is invalid"},
		"RS512, an algorithm not accepted": {sign(t, jwt.SigningMethodRS512, "rsa-1", idpClaims(), rsaKey), "signing method RS512 is invalid"},
		"signed by a stranger, known kid":  {sign(t, jwt.SigningMethodRS256, "rsa-1", idpClaims(), stranger), "verification error"},
		"RS256 naming the ES256 key":       {sign(t, jwt.SigningMethodRS256, "ec-1", idpClaims(), rsaKey), "does not match"},
	} {
		_, err := v.Verify(c.tok)
		if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), c.why, name)
		}
	}
}

func TestAKeyTheIdentityProviderPublishesLaterIsAccepted(t *testing.T) {
	p := newIDP(t)
	first, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	p.publishRSA("2026-11", &first.PublicKey)
	v := newJWKS(t, p.url)

	// The provider rotates: a token of the new key makes the verifier read the set again.
	next, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	p.publishRSA("2026-12", &next.PublicKey)
	_, err = v.Verify(sign(t, jwt.SigningMethodRS256, "2026-12", idpClaims(), next))
	assert.NoError(t, err)
	_, err = v.Verify(sign(t, jwt.SigningMethodRS256, "2026-11", idpClaims(), first))
	assert.NoError(t, err, "the old key still works while the set has it")
}

func TestJWKSNeedsIssuerAudienceAndASafeURL(t *testing.T) {
	p := newIDP(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	p.publishRSA("k", &key.PublicKey)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for name, o := range map[string]auth.JWKSOptions{
		"no issuer":              {URL: p.url, Audience: audience, Logger: log},
		"no audience":            {URL: p.url, Issuer: issuer, Logger: log},
		"http off loopback":      {URL: "http://id.example.com/certs", Issuer: issuer, Audience: audience, Logger: log},
		"not a URL":              {URL: "id.example.com/certs", Issuer: issuer, Audience: audience, Logger: log},
		"unreachable at startup": {URL: "http://127.0.0.1:1/certs", Issuer: issuer, Audience: audience, Logger: log},
	} {
		v, err := auth.NewJWKS(o)
		if !assert.Error(t, err, name) {
			v.Close()
		}
	}
}

// A provider that carries the engine's attributes under its own claim names (Keycloak's nested realm roles, a
// custom org claim, roles as one string) is read through the configured mapping; the engine's names are then
// not read, and values that are not the engine's are refused as ever.
func TestIdentityProviderClaimsAreReadThroughTheMapping(t *testing.T) {
	p := newIDP(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	p.publishRSA("rsa-1", &key.PublicKey)
	v, err := auth.NewJWKS(auth.JWKSOptions{URL: p.url, Issuer: issuer, Audience: audience,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Claims: auth.ClaimNames{Name: "preferred_username", Roles: "realm_access.roles", Authority: "ltc.authority",
			Functions: "review_functions", Org: "department"}})
	require.NoError(t, err)
	t.Cleanup(v.Close)
	now := time.Now()
	token := func(extra map[string]any) string {
		claims := jwt.MapClaims{"sub": "eva", "iss": issuer, "aud": []string{audience}, "iat": now.Unix(),
			"exp": now.Add(time.Hour).Unix(), "roles": []string{"admin"}, "org": "/"}
		for k, x := range extra {
			claims[k] = x
		}
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
		tok.Header["kid"] = "rsa-1"
		s, err := tok.SignedString(key)
		require.NoError(t, err)
		return s
	}
	got, err := v.Verify(token(map[string]any{"preferred_username": "Eva Region",
		"realm_access": map[string]any{"roles": []string{"executive", "reviewer"}}, "ltc": map[string]any{"authority": "2"},
		"review_functions": "FINANCE, LEGAL", "department": "emea"}))
	require.NoError(t, err)
	assert.Equal(t, ltc.Actor{ID: "eva", Name: "Eva Region", Roles: []ltc.Role{ltc.RoleExecutive, ltc.RoleReviewer}, Authority: 2,
		Functions: []ltc.ReviewFunction{ltc.FunctionFinance, ltc.FunctionLegal}, Unit: "emea"}, got,
		"the mapped claims, not the engine's own names (roles admin, org /) that the token also carries")
	_, err = v.Verify(token(map[string]any{"realm_access": map[string]any{"roles": []string{"root"}}, "department": "emea"}))
	assert.ErrorContains(t, err, "unknown role")
	_, err = v.Verify(token(map[string]any{"realm_access": map[string]any{"roles": []string{"sales"}}}))
	assert.ErrorContains(t, err, "org", "the org unit is required under its mapped name")
	_, err = v.Verify(token(map[string]any{"realm_access": map[string]any{"roles": []string{"executive"}}, "department": "emea",
		"ltc": map[string]any{"authority": 2.5}}))
	assert.ErrorContains(t, err, "whole number")
}
