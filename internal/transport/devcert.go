package transport

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// CA is a small certificate authority for development stacks and tests: it issues server and client
// certificates, so clients verify the server (and the server its clients) as in production, without a company PKI.
type CA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	// PEM is the CA's certificate, for the clients' and the server's trust.
	PEM []byte
}

// NewCA makes a CA valid for the given time from now.
func NewCA(name string, valid time.Duration) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl, err := template(name, valid)
	if err != nil {
		return nil, err
	}
	tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("create CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{cert: cert, key: key, PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

// Issued is a certificate and its private key, both PEM.
type Issued struct{ CertPEM, KeyPEM []byte }

// IssueServer issues a server certificate for the host names and IP addresses in hosts.
func (ca *CA) IssueServer(hosts []string, valid time.Duration) (Issued, error) {
	if len(hosts) == 0 {
		return Issued{}, errors.New("a server certificate needs at least one host name or address")
	}
	return ca.issue(hosts[0], hosts, x509.ExtKeyUsageServerAuth, valid)
}

// IssueClient issues a client certificate (for mTLS) whose subject is name.
func (ca *CA) IssueClient(name string, valid time.Duration) (Issued, error) {
	return ca.issue(name, nil, x509.ExtKeyUsageClientAuth, valid)
}

func (ca *CA) issue(name string, hosts []string, usage x509.ExtKeyUsage, valid time.Duration) (Issued, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Issued{}, err
	}
	tmpl, err := template(name, valid)
	if err != nil {
		return Issued{}, err
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{usage}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return Issued{}, fmt.Errorf("issue certificate for %s: %w", name, err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return Issued{}, err
	}
	return Issued{
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}, nil
}

func template(name string, valid time.Duration) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: name, Organization: []string{"LTC engine (development)"}},
		NotBefore: now.Add(-time.Minute), NotAfter: now.Add(valid),
	}, nil
}

// The files WriteDevFiles writes into its folder.
const (
	CAFile         = "ca.pem"
	ServerCertFile = "server.pem"
	ServerKeyFile  = "server-key.pem"
	ClientCertFile = "client.pem"
	ClientKeyFile  = "client-key.pem"
)

// WriteDevFiles writes a new development CA's certificate, a server certificate for hosts and a client
// certificate into dir (keys readable by their owner only), and returns false without writing anything when the
// server certificate is already there and force is not set, so a stack that runs it at each start keeps the CA its
// clients trust. The CA's key is not kept: to issue more certificates, make a new set.
func WriteDevFiles(dir string, hosts []string, force bool) (bool, error) {
	if _, err := os.Stat(filepath.Join(dir, ServerCertFile)); err == nil && !force {
		return false, nil
	}
	const valid = 365 * 24 * time.Hour
	ca, err := NewCA("LTC engine development CA", valid)
	if err != nil {
		return false, err
	}
	server, err := ca.IssueServer(hosts, valid)
	if err != nil {
		return false, err
	}
	client, err := ca.IssueClient("ltcctl", valid)
	if err != nil {
		return false, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, err
	}
	// The server certificate goes last: it marks a complete set.
	for _, f := range []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{CAFile, ca.PEM, 0o644}, {ServerKeyFile, server.KeyPEM, 0o600}, {ClientCertFile, client.CertPEM, 0o644},
		{ClientKeyFile, client.KeyPEM, 0o600}, {ServerCertFile, server.CertPEM, 0o644},
	} {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, f.mode); err != nil {
			return false, fmt.Errorf("write %s: %w", f.name, err)
		}
	}
	return true, nil
}
