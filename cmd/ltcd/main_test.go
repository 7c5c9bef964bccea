package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/transport"
)

// unsetTransportEnv keeps the environment of the machine out of the commands' configuration.
func unsetTransportEnv(t *testing.T) {
	for _, k := range []string{"LTC_TLS_CERT_FILE", "LTC_TLS_KEY_FILE", "LTC_TLS_CLIENT_CA_FILE", "LTC_GRPC_ADDR",
		"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"} {
		t.Setenv(k, "") // restored when the test ends
		require.NoError(t, os.Unsetenv(k))
	}
}

// TestPlaintextIsRefusedOffLoopbackAtStartup starts `ltcd serve` on every interface without TLS: it stops at
// once, before connecting to anything (the database and Temporal named here do not exist), saying what to set.
func TestPlaintextIsRefusedOffLoopbackAtStartup(t *testing.T) {
	unsetTransportEnv(t)
	nowhere := []string{"--database-url", "postgres://ltc@127.0.0.1:1/ltc", "--temporal-address", "127.0.0.1:1", "--admin-addr", ""}
	for _, addr := range []string{"0.0.0.0:7070", ":7070", "[::]:7070"} {
		start := time.Now()
		err := serve(context.Background(), append([]string{"--grpc-addr", addr}, nowhere...))
		require.Error(t, err, addr)
		assert.Contains(t, err.Error(), "plaintext is only for loopback", addr)
		assert.Contains(t, err.Error(), "--tls-cert-file")
		assert.Less(t, time.Since(start), 5*time.Second, "refused before dialling the backends")
	}

	// A TLS setting that does not load stops it just as early.
	err := serve(context.Background(), append([]string{"--grpc-addr", "0.0.0.0:7070", "--tls-cert-file", "missing.pem",
		"--tls-key-file", "missing-key.pem"}, nowhere...))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "missing.pem")
}

func TestTLSCertWritesADevelopmentSetOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	require.NoError(t, tlsCert(context.Background(), []string{"--dir", dir, "--hosts", "localhost,127.0.0.1,ltcd-serve"}))
	ca, err := os.ReadFile(filepath.Join(dir, transport.CAFile))
	require.NoError(t, err)
	_, err = transport.Server("0.0.0.0:7070", transport.ServerFiles{CertFile: filepath.Join(dir, transport.ServerCertFile),
		KeyFile: filepath.Join(dir, transport.ServerKeyFile), ClientCAFile: filepath.Join(dir, transport.CAFile)}, slog.New(slog.DiscardHandler))
	require.NoError(t, err, "ltcd serve takes what it wrote")

	require.NoError(t, tlsCert(context.Background(), []string{"--dir", dir}))
	again, err := os.ReadFile(filepath.Join(dir, transport.CAFile))
	require.NoError(t, err)
	assert.Equal(t, ca, again, "kept")
	require.NoError(t, tlsCert(context.Background(), []string{"--dir", dir, "--force"}))
	renewed, err := os.ReadFile(filepath.Join(dir, transport.CAFile))
	require.NoError(t, err)
	assert.NotEqual(t, ca, renewed, "--force makes a new set")
}
