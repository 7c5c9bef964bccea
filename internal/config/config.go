// Package config reads ltcd's configuration: each setting from its flag, else its environment variable, else a
// default. Secrets come from the environment only, never from flags (which other users can see).
package config

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/ltcengine/ltc/internal/auth"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/transport"
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
	// Tracing is on when an OTLP endpoint is configured in the standard environment
	// (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT): gRPC, Temporal and pgx are traced.
	Tracing bool
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
	fs.StringVar(&c.TLSCertFile, "tls-cert-file", env("LTC_TLS_CERT_FILE", ""), "PEM certificate chain of the API; with --tls-key-file turns on TLS (LTC_TLS_CERT_FILE)")
	fs.StringVar(&c.TLSKeyFile, "tls-key-file", env("LTC_TLS_KEY_FILE", ""), "PEM private key of --tls-cert-file (LTC_TLS_KEY_FILE)")
	fs.StringVar(&c.TLSClientCAFile, "tls-client-ca-file", env("LTC_TLS_CLIENT_CA_FILE", ""), "PEM CAs of client certificates: turns on mTLS, a client without such a certificate is refused (LTC_TLS_CLIENT_CA_FILE)")
	fs.BoolVar(&c.Pprof, "pprof", envBool("LTC_PPROF", false), "serve /debug/pprof on the admin port (LTC_PPROF)")
	fs.StringVar(&c.PolicyFile, "policy-file", env("LTC_POLICY_FILE", ""), "JSON policy new deals start with; default: the built-in policy, see docs/process.md (LTC_POLICY_FILE)")
	c.JWTSecret = os.Getenv("LTC_JWT_SECRET")
	c.WebSessionKey = os.Getenv("LTC_WEB_SESSION_KEY")
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
		return auth.NewJWKS(auth.JWKSOptions{URL: c.JWKSURL, Issuer: c.JWTIssuer, Audience: c.JWTAudience, Logger: log})
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
