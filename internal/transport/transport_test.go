package transport_test

import (
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ltcengine/ltc/internal/transport"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// pki is a CA with a server and a client certificate, and a client certificate of another CA, written as files.
type pki struct {
	dir                             string
	ca, serverCert, serverKey       string
	clientCert, clientKey           string
	otherClientCert, otherClientKey string
	serverHosts                     []string
	writeFile                       func(name string, data []byte) string
}

func newPKI(t *testing.T) pki {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, data, 0o600))
		return path
	}
	ca, err := transport.NewCA("test CA", time.Hour)
	require.NoError(t, err)
	other, err := transport.NewCA("another CA", time.Hour)
	require.NoError(t, err)
	hosts := []string{"localhost", "127.0.0.1"}
	server, err := ca.IssueServer(hosts, time.Hour)
	require.NoError(t, err)
	client, err := ca.IssueClient("crm", time.Hour)
	require.NoError(t, err)
	stranger, err := other.IssueClient("crm", time.Hour)
	require.NoError(t, err)
	return pki{
		dir: dir, ca: write("ca.pem", ca.PEM), serverHosts: hosts, writeFile: write,
		serverCert: write("server.pem", server.CertPEM), serverKey: write("server-key.pem", server.KeyPEM),
		clientCert: write("client.pem", client.CertPEM), clientKey: write("client-key.pem", client.KeyPEM),
		otherClientCert: write("other.pem", stranger.CertPEM), otherClientKey: write("other-key.pem", stranger.KeyPEM),
	}
}

// serve runs a gRPC server (the health service) on a loopback port with the TLS configuration and returns its
// address.
func serve(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var opts []grpc.ServerOption
	if cfg != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(cfg)))
	}
	srv := grpc.NewServer(opts...)
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(srv.Stop)
	return l.Addr().String()
}

// check makes one health call over creds.
func check(t *testing.T, addr string, creds credentials.TransportCredentials) error {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	require.NoError(t, err)
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	return err
}

func clientCreds(t *testing.T, f transport.ClientFiles) credentials.TransportCredentials {
	t.Helper()
	cfg, err := transport.Client(f)
	require.NoError(t, err)
	return credentials.NewTLS(cfg)
}

func TestTLSHandshakeWorksAndPlaintextClientIsRefused(t *testing.T) {
	p := newPKI(t)
	cfg, err := transport.Server("0.0.0.0:7070", transport.ServerFiles{CertFile: p.serverCert, KeyFile: p.serverKey}, quiet)
	require.NoError(t, err)
	addr := serve(t, cfg)

	assert.NoError(t, check(t, addr, clientCreds(t, transport.ClientFiles{CAFile: p.ca})), "a client trusting the CA")
	assert.Error(t, check(t, addr, insecure.NewCredentials()), "a plaintext client")
	assert.Error(t, check(t, addr, clientCreds(t, transport.ClientFiles{})), "a client trusting only the system's roots")

	// The version floor: a client that offers at most TLS 1.1 does not get a connection.
	_, err = tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11}) //nolint:gosec // testing the floor
	assert.Error(t, err, "TLS 1.1")
}

func TestMTLSRefusesClientsWithoutACertificateOfItsCA(t *testing.T) {
	p := newPKI(t)
	cfg, err := transport.Server("0.0.0.0:7070", transport.ServerFiles{CertFile: p.serverCert, KeyFile: p.serverKey, ClientCAFile: p.ca}, quiet)
	require.NoError(t, err)
	addr := serve(t, cfg)

	assert.NoError(t, check(t, addr, clientCreds(t, transport.ClientFiles{CAFile: p.ca, CertFile: p.clientCert, KeyFile: p.clientKey})),
		"a client with a certificate of the CA")
	assert.Error(t, check(t, addr, clientCreds(t, transport.ClientFiles{CAFile: p.ca})), "a client without a certificate")
	assert.Error(t, check(t, addr, clientCreds(t, transport.ClientFiles{CAFile: p.ca, CertFile: p.otherClientCert, KeyFile: p.otherClientKey})),
		"a client with a certificate of another CA")
	assert.Error(t, check(t, addr, insecure.NewCredentials()), "a plaintext client")
}

func TestPlaintextIsRefusedOffLoopback(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:7070", "[::1]:7070", "localhost:7070", "127.0.0.2:0"} {
		cfg, err := transport.Server(addr, transport.ServerFiles{}, quiet)
		assert.NoError(t, err, addr)
		assert.Nil(t, cfg, "%s: plaintext for development", addr)
	}
	for _, addr := range []string{"0.0.0.0:7070", ":7070", "[::]:7070", "10.1.2.3:7070", "ltcd.example.com:7070"} {
		_, err := transport.Server(addr, transport.ServerFiles{}, quiet)
		require.Error(t, err, addr)
		assert.Contains(t, err.Error(), "plaintext is only for loopback", addr)
		assert.Contains(t, err.Error(), "--tls-cert-file", "the error says what to configure")
	}
}

func TestTLSNeedsACertificateThatLoads(t *testing.T) {
	p := newPKI(t)
	for name, f := range map[string]transport.ServerFiles{
		"key missing":       {CertFile: p.serverCert},
		"only a client CA":  {ClientCAFile: p.ca},
		"key of other cert": {CertFile: p.serverCert, KeyFile: p.clientKey},
		"no such file":      {CertFile: filepath.Join(p.dir, "nope.pem"), KeyFile: p.serverKey},
		"CA not PEM":        {CertFile: p.serverCert, KeyFile: p.serverKey, ClientCAFile: p.serverKey},
	} {
		_, err := transport.Server("127.0.0.1:7070", f, quiet)
		assert.Error(t, err, name)
	}
}

func TestRenewedCertificateIsServedWithoutRestart(t *testing.T) {
	p := newPKI(t)
	cfg, err := transport.Server("127.0.0.1:0", transport.ServerFiles{CertFile: p.serverCert, KeyFile: p.serverKey}, quiet)
	require.NoError(t, err)
	addr := serve(t, cfg)
	require.NoError(t, check(t, addr, clientCreds(t, transport.ClientFiles{CAFile: p.ca})))

	// The certificate is renewed by another CA (as when an operator moves to a new PKI): the next connection gets it.
	next, err := transport.NewCA("next CA", time.Hour)
	require.NoError(t, err)
	renewed, err := next.IssueServer(p.serverHosts, time.Hour)
	require.NoError(t, err)
	later := time.Now().Add(time.Second)
	p.writeFile("server-key.pem", renewed.KeyPEM)
	p.writeFile("server.pem", renewed.CertPEM)
	require.NoError(t, os.Chtimes(p.serverCert, later, later))
	require.NoError(t, os.Chtimes(p.serverKey, later, later))
	nextCA := p.writeFile("next-ca.pem", next.PEM)
	assert.NoError(t, check(t, addr, clientCreds(t, transport.ClientFiles{CAFile: nextCA})), "the renewed certificate")
	assert.Error(t, check(t, addr, clientCreds(t, transport.ClientFiles{CAFile: p.ca})), "not the old one")

	// A broken renewal keeps the certificate that works.
	p.writeFile("server.pem", []byte("not a certificate"))
	require.NoError(t, os.Chtimes(p.serverCert, later.Add(time.Second), later.Add(time.Second)))
	assert.NoError(t, check(t, addr, clientCreds(t, transport.ClientFiles{CAFile: nextCA})))
}

func TestDevFilesAreWrittenOnceAndWork(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	wrote, err := transport.WriteDevFiles(dir, []string{"localhost", "127.0.0.1"}, false)
	require.NoError(t, err)
	assert.True(t, wrote)
	first, err := os.ReadFile(filepath.Join(dir, transport.CAFile))
	require.NoError(t, err)
	st, err := os.Stat(filepath.Join(dir, transport.ServerKeyFile))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "the key is its owner's only")

	wrote, err = transport.WriteDevFiles(dir, []string{"localhost"}, false)
	require.NoError(t, err)
	assert.False(t, wrote, "a second start keeps the CA its clients trust")
	again, err := os.ReadFile(filepath.Join(dir, transport.CAFile))
	require.NoError(t, err)
	assert.Equal(t, first, again)

	path := func(name string) string { return filepath.Join(dir, name) }
	cfg, err := transport.Server("0.0.0.0:0", transport.ServerFiles{CertFile: path(transport.ServerCertFile),
		KeyFile: path(transport.ServerKeyFile), ClientCAFile: path(transport.CAFile)}, quiet)
	require.NoError(t, err)
	addr := serve(t, cfg)
	assert.NoError(t, check(t, addr, clientCreds(t, transport.ClientFiles{CAFile: path(transport.CAFile),
		CertFile: path(transport.ClientCertFile), KeyFile: path(transport.ClientKeyFile)})))
}
