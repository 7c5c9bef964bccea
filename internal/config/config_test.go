package config_test

import (
	"flag"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/config"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func parse(t *testing.T, args ...string) *config.Config {
	t.Helper()
	c := &config.Config{}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	c.Register(fs)
	require.NoError(t, fs.Parse(args))
	return c
}

// clearEnv unsets the environment the transport and identity settings read, for the test.
func clearEnv(t *testing.T) {
	for _, k := range []string{"LTC_TLS_CERT_FILE", "LTC_TLS_KEY_FILE", "LTC_TLS_CLIENT_CA_FILE", "LTC_JWKS_URL",
		"LTC_JWT_ISSUER", "LTC_JWT_AUDIENCE", "LTC_PPROF", "LTC_GRPC_ADDR", "LTC_JWT_PUBLIC_KEY_FILE",
		"LTC_OIDC_CLIENT_ID", "LTC_OIDC_REDIRECT_URL", "LTC_OIDC_CLIENT_SECRET", "LTC_OIDC_CLIENT_SECRET_FILE"} {
		t.Setenv(k, "") // restored when the test ends
		require.NoError(t, os.Unsetenv(k))
	}
}

func TestTransportAndIdentitySettingsFromFlagsElseEnvironment(t *testing.T) {
	clearEnv(t)
	c := parse(t)
	assert.False(t, c.Pprof, "pprof is off unless asked for")
	assert.Empty(t, c.TLSCertFile)
	assert.Empty(t, c.JWKSURL)

	t.Setenv("LTC_PPROF", "true")
	t.Setenv("LTC_TLS_CERT_FILE", "/tls/server.pem")
	t.Setenv("LTC_TLS_KEY_FILE", "/tls/server-key.pem")
	t.Setenv("LTC_TLS_CLIENT_CA_FILE", "/tls/ca.pem")
	t.Setenv("LTC_JWKS_URL", "https://id.example.com/certs")
	t.Setenv("LTC_JWT_ISSUER", "https://id.example.com")
	t.Setenv("LTC_JWT_AUDIENCE", "ltc-api")
	c = parse(t)
	assert.Equal(t, config.Config{GRPCAddr: c.GRPCAddr, AdminAddr: c.AdminAddr, DBMaxConns: c.DBMaxConns,
		TemporalAddress: c.TemporalAddress, TemporalNamespace: c.TemporalNamespace, TaskQueue: c.TaskQueue,
		Reflection: c.Reflection, RequestTimeout: c.RequestTimeout, LogLevel: c.LogLevel, LogFormat: c.LogFormat,
		JWTSecret: c.JWTSecret, DatabaseURL: c.DatabaseURL, Tracing: c.Tracing, WebAddr: c.WebAddr, WebSessionKey: c.WebSessionKey,
		Pprof: true, TLSCertFile: "/tls/server.pem", TLSKeyFile: "/tls/server-key.pem", TLSClientCAFile: "/tls/ca.pem",
		JWKSURL: "https://id.example.com/certs", JWTIssuer: "https://id.example.com", JWTAudience: "ltc-api",
		SMTPTLS: c.SMTPTLS, RemindBefore: c.RemindBefore, DigestHour: c.DigestHour}, *c)

	c = parse(t, "--pprof=false", "--tls-cert-file", "a.pem", "--tls-key-file", "b.pem", "--tls-client-ca-file", "",
		"--jwks-url", "https://other/certs", "--jwt-issuer", "i", "--jwt-audience", "a")
	assert.False(t, c.Pprof, "a flag wins over the environment")
	assert.Equal(t, []string{"a.pem", "b.pem", "", "https://other/certs", "i", "a"},
		[]string{c.TLSCertFile, c.TLSKeyFile, c.TLSClientCAFile, c.JWKSURL, c.JWTIssuer, c.JWTAudience})
}

func TestPlaintextIsRefusedOffLoopback(t *testing.T) {
	clearEnv(t)
	tlsConfig, err := parse(t).ServerTLS(quiet)
	require.NoError(t, err, "the default address is loopback: plaintext for development")
	assert.Nil(t, tlsConfig)

	_, err = parse(t, "--grpc-addr", "0.0.0.0:7070").ServerTLS(quiet)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "configure TLS with --tls-cert-file and --tls-key-file")
}

func TestJWKSNeedsIssuerAndAudienceAndIsTheOnlyKeySource(t *testing.T) {
	clearEnv(t)
	_, err := parse(t, "--jwks-url", "https://id.example.com/certs", "--jwt-issuer", "https://id.example.com").Verifier(quiet)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--jwt-audience")
	_, err = parse(t, "--jwks-url", "https://id.example.com/certs", "--jwt-audience", "ltc-api").Verifier(quiet)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--jwt-issuer")
	_, err = parse(t, "--jwks-url", "https://id.example.com/certs", "--jwt-issuer", "i", "--jwt-audience", "a",
		"--jwt-public-key-file", "key.pem").Verifier(quiet)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "choose one")
}

func TestWebAddressFromFlagElseEnvironmentElseLoopback(t *testing.T) {
	t.Setenv("LTC_WEB_ADDR", "")
	require.NoError(t, os.Unsetenv("LTC_WEB_ADDR"))
	assert.Equal(t, "127.0.0.1:7080", parse(t).WebAddr)
	t.Setenv("LTC_WEB_ADDR", "127.0.0.1:9080")
	t.Setenv("LTC_WEB_SESSION_KEY", "0123456789abcdef0123456789abcdef")
	c := parse(t)
	assert.Equal(t, "127.0.0.1:9080", c.WebAddr)
	assert.Equal(t, "0123456789abcdef0123456789abcdef", c.WebSessionKey, "the session key comes from the environment only")
	assert.Empty(t, parse(t, "--web-addr", "").WebAddr, "an empty address turns the workplace off")
}

// TestOIDCSignInUsesTheAPIsIdentityProvider: the sign-in is off without a client id, takes the issuer the API
// checks, needs the API to accept the provider's tokens, and reads its secret from the environment or a file, not
// both.
func TestOIDCSignInUsesTheAPIsIdentityProvider(t *testing.T) {
	clearEnv(t)
	_, on, err := parse(t).OIDC()
	require.NoError(t, err)
	assert.False(t, on, "off without a client id")
	_, _, err = parse(t, "--oidc-redirect-url", "https://ltc.example.com/signin/oidc/callback").OIDC()
	assert.ErrorContains(t, err, "--oidc-client-id")

	provider := []string{"--jwks-url", "https://id.example.com/certs", "--jwt-issuer", "https://id.example.com",
		"--jwt-audience", "ltc-web", "--oidc-client-id", "ltc-web"}
	_, _, err = parse(t, "--oidc-client-id", "ltc-web").OIDC()
	assert.ErrorContains(t, err, "--jwks-url", "the API must accept the tokens the sign-in gets")
	_, _, err = parse(t, append(provider, "--oidc-redirect-url", "https://ltc.example.com/signin/oidc/callback")...).OIDC()
	assert.ErrorContains(t, err, "client secret")

	t.Setenv("LTC_OIDC_CLIENT_SECRET", "s3cret")
	o, on, err := parse(t, append(provider, "--oidc-redirect-url", "https://ltc.example.com/signin/oidc/callback")...).OIDC()
	require.NoError(t, err)
	assert.True(t, on)
	assert.Equal(t, "https://id.example.com", o.Issuer, "the API's issuer")
	assert.Equal(t, []string{"ltc-web", "s3cret", "https://ltc.example.com/signin/oidc/callback"},
		[]string{o.ClientID, o.ClientSecret, o.RedirectURL})
	for _, bad := range []string{"http://ltc.example.com/signin/oidc/callback", "https://ltc.example.com/callback", ""} {
		_, _, err = parse(t, append(provider, "--oidc-redirect-url", bad)...).OIDC()
		assert.ErrorContains(t, err, "--oidc-redirect-url", bad)
	}
	_, _, err = parse(t, append(provider, "--oidc-redirect-url", "http://127.0.0.1:7080/signin/oidc/callback")...).OIDC()
	assert.NoError(t, err, "http on loopback")

	file := t.TempDir() + "/secret"
	require.NoError(t, os.WriteFile(file, []byte("from-file\n"), 0o600))
	_, _, err = parse(t, append(provider, "--oidc-redirect-url", "https://ltc.example.com/signin/oidc/callback",
		"--oidc-client-secret-file", file)...).OIDC()
	assert.ErrorContains(t, err, "choose one")
	require.NoError(t, os.Unsetenv("LTC_OIDC_CLIENT_SECRET"))
	o, _, err = parse(t, append(provider, "--oidc-redirect-url", "https://ltc.example.com/signin/oidc/callback",
		"--oidc-client-secret-file", file)...).OIDC()
	require.NoError(t, err)
	assert.Equal(t, "from-file", o.ClientSecret)
}

func TestNotificationSettings(t *testing.T) {
	for _, k := range []string{"LTC_PEOPLE_FILE", "LTC_WEB_URL", "LTC_SMTP_ADDR", "LTC_SMTP_FROM", "LTC_SMTP_USERNAME",
		"LTC_SMTP_PASSWORD", "LTC_SMTP_TLS", "LTC_REMIND_BEFORE", "LTC_DIGEST_HOUR"} {
		t.Setenv(k, "")
		require.NoError(t, os.Unsetenv(k))
	}
	c := parse(t)
	assert.Equal(t, "starttls", c.SMTPTLS, "mail goes over TLS unless asked otherwise")
	assert.Equal(t, 24*time.Hour, c.RemindBefore)
	assert.Equal(t, 8, c.DigestHour)
	assert.Empty(t, c.SMTPAddr, "no mail unless a server is named")

	t.Setenv("LTC_SMTP_ADDR", "smtp.example.com:587")
	t.Setenv("LTC_SMTP_PASSWORD", "pw")
	t.Setenv("LTC_REMIND_BEFORE", "2h")
	c = parse(t, "--smtp-from", "LTC <ltc@example.com>", "--people-file", "people.json", "--web-url", "https://ltc.example.com")
	assert.Equal(t, "smtp.example.com:587", c.SMTPAddr)
	assert.Equal(t, "pw", c.SMTPPassword, "the password from the environment only")
	assert.Equal(t, 2*time.Hour, c.RemindBefore)
	assert.Equal(t, "people.json", c.PeopleFile)
	assert.Equal(t, "https://ltc.example.com", c.WebURL)
}
