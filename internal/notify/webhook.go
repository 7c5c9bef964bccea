package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ltcengine/ltc/internal/transport"
)

// Headers of a webhook delivery.
const (
	HeaderEventID   = "LTC-Event-Id"
	HeaderEventType = "LTC-Event-Type"
	HeaderTimestamp = "LTC-Timestamp"
	HeaderSignature = "LTC-Signature"
)

// Sign is the LTC-Signature of a body sent at t with the secret: "t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">"
// (Stripe's scheme).
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// NewSecret makes a webhook's signing secret: 32 random bytes, as "whsec_" and hex.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "whsec_" + hex.EncodeToString(b), nil
}

// CheckWebhookURL accepts an absolute https URL, or http to a loopback host.
func CheckWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || !u.IsAbs():
		return fmt.Errorf("%q is not an absolute URL", raw)
	case u.User != nil:
		return fmt.Errorf("the URL carries credentials; the signature authenticates the deliveries")
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && transport.IsLoopback(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%q: webhooks are https (http only to a loopback host)", raw)
}

// post sends one delivery; a 2xx answer is success, anything else (a redirect too) a failure to retry.
func post(ctx context.Context, client *http.Client, target, secret string, sequence int64, typ string, body []byte, now time.Time) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ltc-webhooks/1")
	req.Header.Set(HeaderEventID, strconv.FormatInt(sequence, 10))
	req.Header.Set(HeaderEventType, typ)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderSignature, Sign(secret, now, body))
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return nil
}

// webhookClient posts without following redirects (a receiver cannot point the engine elsewhere).
func webhookClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
