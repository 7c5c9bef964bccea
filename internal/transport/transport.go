// Package transport secures the API's connections: the TLS (and optional mTLS) configuration of `ltcd serve` and
// of its clients, and the rule that plaintext is only for loopback, where nothing crosses a network.
package transport

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"
)

// MinVersion is the oldest TLS version either side accepts: TLS 1.2, whose cipher suites in Go's default list are
// all AEAD with forward secrecy; 1.3 is negotiated whenever both sides have it.
const MinVersion = tls.VersionTLS12

// ServerFiles name the PEM files of a server's TLS configuration.
type ServerFiles struct {
	// CertFile holds the server's certificate chain, leaf first; KeyFile its private key.
	CertFile, KeyFile string
	// ClientCAFile, when set, turns on mTLS: every client must present a certificate issued by one of these CAs.
	ClientCAFile string
}

// Enabled reports whether any TLS file is configured.
func (f ServerFiles) Enabled() bool {
	return f.CertFile != "" || f.KeyFile != "" || f.ClientCAFile != ""
}

// Server returns the TLS configuration of a server listening on addr, or nil for plaintext. Plaintext is refused
// unless addr is a loopback address, so a deployment cannot serve tokens in the clear by forgetting a setting.
// The certificate and key are read again when either file changes, so a renewed certificate needs no restart;
// a renewal that does not load is logged and the previous certificate kept.
func Server(addr string, f ServerFiles, log *slog.Logger) (*tls.Config, error) {
	if !f.Enabled() {
		if !IsLoopback(addr) {
			return nil, fmt.Errorf("the API would listen on %s in plaintext: plaintext is only for loopback "+
				"(127.0.0.1, ::1, localhost); configure TLS with --tls-cert-file and --tls-key-file "+
				"(LTC_TLS_CERT_FILE, LTC_TLS_KEY_FILE)", addr)
		}
		return nil, nil
	}
	if f.CertFile == "" || f.KeyFile == "" {
		return nil, errors.New("TLS needs both --tls-cert-file and --tls-key-file (LTC_TLS_CERT_FILE, LTC_TLS_KEY_FILE)")
	}
	kp := &keyPair{certFile: f.CertFile, keyFile: f.KeyFile, log: log}
	if err := kp.load(); err != nil {
		return nil, err
	}
	cfg := &tls.Config{MinVersion: MinVersion, GetCertificate: kp.get}
	if f.ClientCAFile != "" {
		pool, err := certPool(f.ClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("client CA for mTLS: %w", err)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// ClientFiles name the PEM files of a client's TLS configuration.
type ClientFiles struct {
	// CAFile holds the CAs that issue the server's certificate; empty trusts the system's roots.
	CAFile string
	// CertFile and KeyFile are the client's certificate and key, for servers that require mTLS.
	CertFile, KeyFile string
}

// Client returns the TLS configuration of a client of the API.
func Client(f ClientFiles) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: MinVersion}
	if f.CAFile != "" {
		pool, err := certPool(f.CAFile)
		if err != nil {
			return nil, fmt.Errorf("server CA: %w", err)
		}
		cfg.RootCAs = pool
	}
	if (f.CertFile == "") != (f.KeyFile == "") {
		return nil, errors.New("a client certificate needs both its certificate and its key file")
	}
	if f.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(f.CertFile, f.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// IsLoopback reports whether the host of addr (host:port) is a loopback address or localhost. An empty host, a
// wildcard (0.0.0.0, ::) and every other name are not: they may be reached from the network.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func certPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", file)
	}
	return pool, nil
}

// keyPair is a server certificate that follows its files: each handshake checks their modification times and
// loads them again when they changed.
type keyPair struct {
	certFile, keyFile string
	log               *slog.Logger

	mu       sync.Mutex
	cert     *tls.Certificate
	modified [2]time.Time
}

func (k *keyPair) load() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, err := k.reload()
	return err
}

// reload loads the files when they changed since the last load; k.mu is held.
func (k *keyPair) reload() (bool, error) {
	var modified [2]time.Time
	for i, name := range []string{k.certFile, k.keyFile} {
		st, err := os.Stat(name)
		if err != nil {
			return false, fmt.Errorf("TLS certificate: %w", err)
		}
		modified[i] = st.ModTime()
	}
	if k.cert != nil && modified == k.modified {
		return false, nil
	}
	cert, err := tls.LoadX509KeyPair(k.certFile, k.keyFile)
	if err != nil {
		return false, fmt.Errorf("TLS certificate %s with key %s: %w", k.certFile, k.keyFile, err)
	}
	k.cert, k.modified = &cert, modified
	return true, nil
}

func (k *keyPair) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	changed, err := k.reload()
	switch {
	case err != nil:
		k.log.Error("keeping the previous TLS certificate: the new one does not load", "err", err)
	case changed:
		k.log.Info("loaded a renewed TLS certificate", "file", k.certFile)
	}
	return k.cert, nil
}
