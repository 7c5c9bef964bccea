package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/ltcengine/ltc/internal/transport"
)

// Mailer sends mails.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// SMTPOptions configure the mail server.
type SMTPOptions struct {
	// Addr is host:port of the submission server.
	Addr string
	// From is the sender's address, e.g. "LTC engine <ltc@example.com>".
	From string
	// Username and Password authenticate (PLAIN, or LOGIN when the server offers only that); none when empty.
	Username, Password string
	// TLS is "starttls" (the default; the server must offer it), "tls" (implicit TLS, port 465) or "none"
	// (plaintext, refused off loopback).
	TLS string
	// Timeout bounds one delivery (default 30 s).
	Timeout time.Duration
}

// SMTP sends through a mail server with go-mail.
type SMTP struct {
	opts SMTPOptions
	host string
	port int
}

// NewSMTP checks the options and returns the mailer.
func NewSMTP(o SMTPOptions) (*SMTP, error) {
	host, portText, err := net.SplitHostPort(o.Addr)
	if err != nil {
		return nil, fmt.Errorf("--smtp-addr %q: want host:port", o.Addr)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return nil, fmt.Errorf("--smtp-addr %q: want host:port", o.Addr)
	}
	if o.From == "" {
		return nil, errors.New("--smtp-from is required with --smtp-addr")
	}
	switch o.TLS {
	case "":
		o.TLS = "starttls"
	case "starttls", "tls":
	case "none":
		if !transport.IsLoopback(host) {
			return nil, fmt.Errorf("--smtp-tls none sends mail (and the SMTP password) in the clear: only to a loopback server, not %s", host)
		}
	default:
		return nil, fmt.Errorf("--smtp-tls %q: want starttls, tls or none", o.TLS)
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	return &SMTP{opts: o, host: host, port: port}, nil
}

// Send delivers one mail.
func (s *SMTP) Send(ctx context.Context, m Mail) error {
	msg, err := message(s.opts.From, m)
	if err != nil {
		return err
	}
	options := []gomail.Option{gomail.WithPort(s.port), gomail.WithTimeout(s.opts.Timeout)}
	switch s.opts.TLS {
	case "tls":
		options = append(options, gomail.WithSSL())
	case "none":
		options = append(options, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		options = append(options, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.opts.Username != "" {
		auth := gomail.SMTPAuthAutoDiscover
		if s.opts.TLS == "none" {
			auth = gomail.SMTPAuthPlainNoEnc // on loopback only (NewSMTP)
		}
		options = append(options, gomail.WithSMTPAuth(auth),
			gomail.WithUsername(s.opts.Username), gomail.WithPassword(s.opts.Password))
	}
	c, err := gomail.NewClient(s.host, options...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

// message builds the MIME message of a mail.
func message(from string, m Mail) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("sender %q: %w", from, err)
	}
	if err := msg.AddToFormat(m.ToName, m.To); err != nil {
		return nil, fmt.Errorf("recipient %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDate()
	msg.SetGenHeader("Content-Language", m.Language)
	msg.SetGenHeader("X-LTC-Event-Id", strconv.FormatInt(m.EventSequence, 10))
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	return msg, nil
}

// Folder catches mails as .eml files in a directory (ltcd dev): one file per mail, named by its Message-ID
// (ltc-EVENT-PERSON.eml), so a mail sent again replaces itself.
type Folder struct {
	Dir  string
	From string
}

// Send writes the mail's file.
func (f Folder) Send(_ context.Context, m Mail) error {
	if err := os.MkdirAll(f.Dir, 0o755); err != nil {
		return err
	}
	msg, err := message(f.From, m)
	if err != nil {
		return err
	}
	name := filepath.Join(f.Dir, safeName(strings.TrimSuffix(m.MessageID, "@ltc.engine"))+".eml")
	tmp := name + ".tmp"
	if err := msg.WriteToFile(tmp); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}

func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	return string(b)
}
