// Package config reads ltcd's configuration: each setting from its flag, else its environment variable, else a
// default. Secrets come from the environment only, never from flags (which other users can see).
package config

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ltcengine/ltc/internal/auth"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/transport"
	"github.com/ltcengine/ltc/internal/web"
	"github.com/ltcengine/ltc/workflows"
)

// Config is ltcd's configuration.
type Config struct {
	GRPCAddr          string
	AdminAddr         string
	DatabaseURL       string
	DBMaxConns        int
	TemporalAddress   string
	TemporalNamespace string
	TaskQueue         string
	// TemporalGzip compresses calls to Temporal: worth it over slow links, CPU spent for nothing in a data centre.
	TemporalGzip   bool
	Reflection     bool
	RequestTimeout time.Duration
	LogLevel       string
	LogFormat      string
	// JWTSecret (LTC_JWT_SECRET) signs and checks HS256 tokens; JWTPublicKeyFile switches checking to RS256.
	JWTSecret        string
	JWTPublicKeyFile string
	// JWKSURL switches checking to the company identity provider's tokens (RS256/ES256, keys from its JWKS),
	// whose iss must be JWTIssuer and whose aud must include JWTAudience.
	JWKSURL     string
	JWTIssuer   string
	JWTAudience string
	// JWTClaimMap names the provider's claims that carry the engine's attributes, as "roles=realm_access.roles,
	// org=department" (keys name, roles, authority, functions, org, scope; the others keep the engine's names).
	JWTClaimMap string
	// TLSCertFile and TLSKeyFile turn on TLS for the API; TLSClientCAFile adds mTLS (client certificates issued
	// by these CAs are required). Without them the API serves plaintext, on loopback only.
	TLSCertFile     string
	TLSKeyFile      string
	TLSClientCAFile string
	// Pprof serves Go's profiles under /debug/pprof on the admin port. Off by default: profiles reveal the
	// command line and the program's internals, and a CPU profile or trace costs time while it runs.
	Pprof bool
	// PolicyFile holds the policy new deals start with (JSON); empty means the default policy of domain.md.
	PolicyFile string
	// WebAddr is the web workplace's HTTP address; empty turns it off. Off loopback its cookies are Secure, so
	// serve it behind a TLS-terminating proxy there.
	WebAddr string
	// WebSessionKey (LTC_WEB_SESSION_KEY, 32+ bytes) signs and encrypts the workplace's session cookies; unset,
	// each process makes its own and sessions end when it stops. Environment only.
	WebSessionKey string
	// WebClientCertFile and WebClientKeyFile are the client certificate the workplace presents to the API when
	// the API requires one (TLSClientCAFile); without them the workplace is off there.
	WebClientCertFile, WebClientKeyFile string
	// OIDCClientID turns on the workplace's sign-in with the company's identity provider (OpenID Connect), whose
	// issuer is JWTIssuer: discovery from it, and the ID token, which the session holds, checked by the API with
	// JWKSURL, JWTIssuer and JWTAudience. OIDCRedirectURL is the workplace's callback registered with the provider.
	OIDCClientID    string
	OIDCRedirectURL string
	// OIDCClientSecret is the client's secret: from LTC_OIDC_CLIENT_SECRET, or read from OIDCClientSecretFile.
	OIDCClientSecret     string
	OIDCClientSecretFile string
	// Tracing is on when an OTLP endpoint is configured in the standard environment
	// (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT): gRPC, Temporal and pgx are traced.
	Tracing bool
	// PeopleFile is the directory of people (JSON), upserted at start by serve and worker.
	PeopleFile string
	// WebURL is the web workplace's public address, for the links in mails.
	WebURL string
	// SMTPAddr turns on mail through that server (host:port); SMTPFrom is the sender, SMTPUsername and
	// SMTPPassword (LTC_SMTP_PASSWORD, environment only) authenticate, SMTPTLS is starttls, tls or none.
	SMTPAddr, SMTPFrom, SMTPUsername, SMTPPassword, SMTPTLS string
	// MailDir catches mails as .eml files instead of sending them (ltcd dev).
	MailDir string
	// RemindBefore is how long before a deadline people are reminded of it (0: never); DigestHour the hour
	// (UTC) of the daily digests.
	RemindBefore time.Duration
	DigestHour   int
}

// Register declares the flags on fs, with defaults from the environment.
func (c *Config) Register(fs *flag.FlagSet) {
	fs.StringVar(&c.GRPCAddr, "grpc-addr", env("LTC_GRPC_ADDR", "127.0.0.1:7070"), "gRPC listen address (LTC_GRPC_ADDR)")
	fs.StringVar(&c.AdminAddr, "admin-addr", env("LTC_ADMIN_ADDR", "127.0.0.1:7071"), "admin HTTP address for /metrics, /healthz, /readyz; empty turns it off (LTC_ADMIN_ADDR)")
	fs.StringVar(&c.WebAddr, "web-addr", env("LTC_WEB_ADDR", "127.0.0.1:7080"), "web workplace HTTP address; empty turns it off (LTC_WEB_ADDR)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("DATABASE_URL", ""), "PostgreSQL URL (DATABASE_URL)")
	fs.IntVar(&c.DBMaxConns, "db-max-conns", envInt("LTC_DB_MAX_CONNS", 20), "PostgreSQL pool size (LTC_DB_MAX_CONNS)")
	fs.StringVar(&c.TemporalAddress, "temporal-address", env("TEMPORAL_ADDRESS", "127.0.0.1:7233"), "Temporal frontend host:port (TEMPORAL_ADDRESS)")
	fs.StringVar(&c.TemporalNamespace, "temporal-namespace", env("TEMPORAL_NAMESPACE", "default"), "Temporal namespace (TEMPORAL_NAMESPACE)")
	fs.StringVar(&c.TaskQueue, "task-queue", env("LTC_TASK_QUEUE", workflows.TaskQueue), "Temporal task queue (LTC_TASK_QUEUE)")
	fs.BoolVar(&c.TemporalGzip, "temporal-gzip", envBool("LTC_TEMPORAL_GZIP", false), "gzip calls to Temporal (LTC_TEMPORAL_GZIP)")
	fs.BoolVar(&c.Reflection, "reflection", envBool("LTC_REFLECTION", true), "serve gRPC reflection (LTC_REFLECTION)")
	fs.DurationVar(&c.RequestTimeout, "request-timeout", envDuration("LTC_REQUEST_TIMEOUT", 10*time.Second), "deadline of every API call (LTC_REQUEST_TIMEOUT)")
	fs.StringVar(&c.LogLevel, "log-level", env("LTC_LOG_LEVEL", "info"), "debug, info, warn or error (LTC_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("LTC_LOG_FORMAT", "text"), "text or json (LTC_LOG_FORMAT)")
	fs.StringVar(&c.JWTPublicKeyFile, "jwt-public-key-file", env("LTC_JWT_PUBLIC_KEY_FILE", ""), "PEM RSA public key: check RS256 tokens instead of HS256 (LTC_JWT_PUBLIC_KEY_FILE)")
	fs.StringVar(&c.JWKSURL, "jwks-url", env("LTC_JWKS_URL", ""), "identity provider's JWKS URL: check its RS256/ES256 tokens instead (LTC_JWKS_URL)")
	fs.StringVar(&c.JWTIssuer, "jwt-issuer", env("LTC_JWT_ISSUER", ""), "iss the identity provider's tokens must carry; required with --jwks-url (LTC_JWT_ISSUER)")
	fs.StringVar(&c.JWTAudience, "jwt-audience", env("LTC_JWT_AUDIENCE", ""), "aud the identity provider's tokens must include; required with --jwks-url (LTC_JWT_AUDIENCE)")
	fs.StringVar(&c.JWTClaimMap, "jwt-claim-map", env("LTC_JWT_CLAIM_MAP", ""), "the identity provider's claim names for the engine's attributes, as roles=realm_access.roles,org=department (keys name, roles, authority, functions, org, scope) (LTC_JWT_CLAIM_MAP)")
	fs.StringVar(&c.OIDCClientID, "oidc-client-id", env("LTC_OIDC_CLIENT_ID", ""), "web workplace's client id at the identity provider: turns on OpenID Connect sign-in, issuer --jwt-issuer (LTC_OIDC_CLIENT_ID)")
	fs.StringVar(&c.OIDCRedirectURL, "oidc-redirect-url", env("LTC_OIDC_REDIRECT_URL", ""), "web workplace's sign-in callback as registered with the identity provider, ending in "+web.OIDCCallbackPath+" (LTC_OIDC_REDIRECT_URL)")
	fs.StringVar(&c.OIDCClientSecretFile, "oidc-client-secret-file", env("LTC_OIDC_CLIENT_SECRET_FILE", ""), "file holding the client secret, instead of LTC_OIDC_CLIENT_SECRET (LTC_OIDC_CLIENT_SECRET_FILE)")
	fs.StringVar(&c.TLSCertFile, "tls-cert-file", env("LTC_TLS_CERT_FILE", ""), "PEM certificate chain of the API; with --tls-key-file turns on TLS (LTC_TLS_CERT_FILE)")
	fs.StringVar(&c.TLSKeyFile, "tls-key-file", env("LTC_TLS_KEY_FILE", ""), "PEM private key of --tls-cert-file (LTC_TLS_KEY_FILE)")
	fs.StringVar(&c.TLSClientCAFile, "tls-client-ca-file", env("LTC_TLS_CLIENT_CA_FILE", ""), "PEM CAs of client certificates: turns on mTLS, a client without such a certificate is refused (LTC_TLS_CLIENT_CA_FILE)")
	fs.StringVar(&c.WebClientCertFile, "web-client-cert-file", env("LTC_WEB_CLIENT_CERT_FILE", ""), "PEM client certificate the web workplace presents to an API that requires mTLS (LTC_WEB_CLIENT_CERT_FILE)")
	fs.StringVar(&c.WebClientKeyFile, "web-client-key-file", env("LTC_WEB_CLIENT_KEY_FILE", ""), "PEM private key of --web-client-cert-file (LTC_WEB_CLIENT_KEY_FILE)")
	fs.BoolVar(&c.Pprof, "pprof", envBool("LTC_PPROF", false), "serve /debug/pprof on the admin port (LTC_PPROF)")
	fs.StringVar(&c.PolicyFile, "policy-file", env("LTC_POLICY_FILE", ""), "JSON policy new deals start with; default: the built-in policy, see docs/process.md (LTC_POLICY_FILE)")
	fs.StringVar(&c.PeopleFile, "people-file", env("LTC_PEOPLE_FILE", ""), "JSON directory of people (id, name, email, roles, authority, functions, org, manager, language), loaded at start (LTC_PEOPLE_FILE)")
	fs.StringVar(&c.WebURL, "web-url", env("LTC_WEB_URL", ""), "public address of the web workplace, for the links in mails, e.g. https://ltc.example.com (LTC_WEB_URL)")
	fs.StringVar(&c.SMTPAddr, "smtp-addr", env("LTC_SMTP_ADDR", ""), "mail submission server host:port; empty sends no mail (LTC_SMTP_ADDR)")
	fs.StringVar(&c.SMTPFrom, "smtp-from", env("LTC_SMTP_FROM", ""), "sender of the mails, e.g. \"LTC <ltc@example.com>\" (LTC_SMTP_FROM)")
	fs.StringVar(&c.SMTPUsername, "smtp-username", env("LTC_SMTP_USERNAME", ""), "SMTP user; the password comes from LTC_SMTP_PASSWORD (LTC_SMTP_USERNAME)")
	fs.StringVar(&c.SMTPTLS, "smtp-tls", env("LTC_SMTP_TLS", "starttls"), "starttls (required of the server), tls (implicit, port 465) or none (loopback only) (LTC_SMTP_TLS)")
	fs.DurationVar(&c.RemindBefore, "remind-before", envDuration("LTC_REMIND_BEFORE", 24*time.Hour), "remind people of a deadline (decision SLA, weekly report, handover, summary, lead SLA) this long before it; 0 turns reminders off (LTC_REMIND_BEFORE)")
	fs.IntVar(&c.DigestHour, "digest-hour", envInt("LTC_DIGEST_HOUR", 8), "hour of the day (UTC, 0-23) the daily digests go out (LTC_DIGEST_HOUR)")
	c.SMTPPassword = os.Getenv("LTC_SMTP_PASSWORD")
	c.JWTSecret = os.Getenv("LTC_JWT_SECRET")
	c.WebSessionKey = os.Getenv("LTC_WEB_SESSION_KEY")
	c.OIDCClientSecret = os.Getenv("LTC_OIDC_CLIENT_SECRET")
	c.Tracing = os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// Policy reads the configured policy, or returns the default one.
func (c *Config) Policy() (ltc.Policy, error) {
	if c.PolicyFile == "" {
		return ltc.DefaultPolicy(), nil
	}
	b, err := os.ReadFile(c.PolicyFile)
	if err != nil {
		return ltc.Policy{}, err
	}
	return ltc.ParsePolicy(b)
}

// Verifier builds the token verifier the configuration asks for: the identity provider's keys, a public key, or
// the shared secret. One source only, so a deployment that moved to its identity provider does not keep
// accepting tokens of the old kind by accident. Close it when done; log receives its background failures.
func (c *Config) Verifier(log *slog.Logger) (*auth.Verifier, error) {
	if c.JWKSURL != "" {
		if c.JWTPublicKeyFile != "" {
			return nil, errors.New("--jwks-url and --jwt-public-key-file are two sources of keys: choose one")
		}
		claims, err := parseClaimMap(c.JWTClaimMap)
		if err != nil {
			return nil, err
		}
		return auth.NewJWKS(auth.JWKSOptions{URL: c.JWKSURL, Issuer: c.JWTIssuer, Audience: c.JWTAudience, Logger: log, Claims: claims})
	}
	if c.JWTPublicKeyFile != "" {
		pem, err := os.ReadFile(c.JWTPublicKeyFile)
		if err != nil {
			return nil, err
		}
		return auth.NewRS256(pem)
	}
	if c.JWTSecret == "" {
		return nil, errors.New("LTC_JWT_SECRET is not set (at least 32 bytes; `openssl rand -hex 32` makes one)")
	}
	return auth.NewHS256([]byte(c.JWTSecret))
}

// OIDC returns the options of the workplace's sign-in with the company's identity provider; false when no client
// id is configured. The provider is the one whose tokens the API accepts: its issuer is --jwt-issuer, and
// --jwks-url must be set, for the API checks the session's ID token with the provider's keys.
func (c *Config) OIDC() (web.OIDCOptions, bool, error) {
	if c.OIDCClientID == "" {
		if c.OIDCRedirectURL != "" || c.OIDCClientSecret != "" || c.OIDCClientSecretFile != "" {
			return web.OIDCOptions{}, false, errors.New("OpenID Connect sign-in is half configured: set --oidc-client-id (LTC_OIDC_CLIENT_ID)")
		}
		return web.OIDCOptions{}, false, nil
	}
	if c.JWKSURL == "" || c.JWTIssuer == "" || c.JWTAudience == "" {
		return web.OIDCOptions{}, false, errors.New("OpenID Connect sign-in needs the API to accept the provider's tokens: " +
			"set --jwks-url, --jwt-issuer (the provider's issuer) and --jwt-audience")
	}
	secret := c.OIDCClientSecret
	if c.OIDCClientSecretFile != "" {
		if secret != "" {
			return web.OIDCOptions{}, false, errors.New("LTC_OIDC_CLIENT_SECRET and --oidc-client-secret-file are two sources of the secret: choose one")
		}
		b, err := os.ReadFile(c.OIDCClientSecretFile)
		if err != nil {
			return web.OIDCOptions{}, false, err
		}
		secret = strings.TrimSpace(string(b))
	}
	if secret == "" {
		return web.OIDCOptions{}, false, errors.New("OpenID Connect sign-in needs the client secret (LTC_OIDC_CLIENT_SECRET or --oidc-client-secret-file)")
	}
	u, err := url.Parse(c.OIDCRedirectURL)
	if err != nil || u.Path != web.OIDCCallbackPath ||
		!(u.Scheme == "https" || (u.Scheme == "http" && transport.IsLoopback(u.Hostname()))) {
		return web.OIDCOptions{}, false, fmt.Errorf("--oidc-redirect-url %q: want the workplace's https address (http only on loopback) followed by %s",
			c.OIDCRedirectURL, web.OIDCCallbackPath)
	}
	return web.OIDCOptions{Issuer: c.JWTIssuer, ClientID: c.OIDCClientID, ClientSecret: secret, RedirectURL: c.OIDCRedirectURL}, true, nil
}

// ServerTLS returns the API's TLS configuration, or nil for plaintext, which it refuses unless the gRPC address is
// a loopback address. log receives the certificate reloads.
func (c *Config) ServerTLS(log *slog.Logger) (*tls.Config, error) {
	return transport.Server(c.GRPCAddr, transport.ServerFiles{
		CertFile: c.TLSCertFile, KeyFile: c.TLSKeyFile, ClientCAFile: c.TLSClientCAFile,
	}, log)
}

// RequireDatabase fails when no database URL is configured.
func (c *Config) RequireDatabase() error {
	if c.DatabaseURL == "" {
		return errors.New("DATABASE_URL (or --database-url) is not set")
	}
	return nil
}

// Logger builds the logger the configuration asks for.
func (c *Config) Logger() (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", c.LogLevel, err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.LogFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", c.LogFormat)
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return v
	}
	return def
}

func envBool(key string, def bool) bool {
	if v, err := strconv.ParseBool(os.Getenv(key)); err == nil {
		return v
	}
	return def
}

func envDuration(key string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(key)); err == nil {
		return v
	}
	return def
}

// parseClaimMap reads --jwt-claim-map: comma-separated key=claim pairs, each key once.
func parseClaimMap(s string) (auth.ClaimNames, error) {
	var n auth.ClaimNames
	fields := map[string]*string{"name": &n.Name, "roles": &n.Roles, "authority": &n.Authority, "functions": &n.Functions,
		"org": &n.Org, "scope": &n.Scope}
	for _, pair := range strings.Split(s, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		key, claim, ok := strings.Cut(pair, "=")
		key, claim = strings.TrimSpace(key), strings.TrimSpace(claim)
		field, known := fields[key]
		switch {
		case !ok || claim == "":
			return n, fmt.Errorf("--jwt-claim-map: %q is not key=claim", pair)
		case !known:
			return n, fmt.Errorf("--jwt-claim-map: %q is not one of name, roles, authority, functions, org, scope", key)
		case *field != "":
			return n, fmt.Errorf("--jwt-claim-map: %s is mapped twice", key)
		}
		*field = claim
	}
	return n, nil
}
