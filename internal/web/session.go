package web

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
)

// Identity is a signed-in person as the API knows them: the bearer token every call of theirs carries, and the
// name the pages show. The API checks the token on each call; the workplace trusts nothing else about it.
type Identity struct {
	Token string
	Name  string
	// Refresh is the identity provider's refresh token, when it gave one, and Expiry the token's expiry: the
	// session renews the token shortly before it expires (Renewer).
	Refresh string    `json:",omitempty"`
	Expiry  time.Time `json:",omitzero"`
}

// sessionCookie holds the session: the identity, encrypted and signed with the server's session key, so the
// browser can neither read the token nor forge a session.
const sessionCookie = "ltc_session"

// SessionTTL is how long a session lasts; the token's own expiry may end it sooner (the API then refuses it and
// the person signs in again).
const SessionTTL = 12 * time.Hour

// pendingCookie holds a sign-in in progress (OpenID Connect's state, nonce and PKCE verifier), sealed like the
// session, on the sign-in's paths only.
const pendingCookie = "ltc_signin"

// PendingSignInTTL is how long a started sign-in waits for the identity provider to send the browser back.
const PendingSignInTTL = 10 * time.Minute

// sessions writes and reads session cookies, and the cookie of a sign-in in progress.
type sessions struct {
	session, pending sealedCookie
	secure           bool
}

// newSessions derives the cookies' signing and encryption keys from key; an empty key makes random ones, so
// sessions end when the process does.
func newSessions(key []byte, secure bool) (*sessions, error) {
	if len(key) == 0 {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
	}
	if len(key) < 32 {
		return nil, errors.New("the web session key needs at least 32 bytes")
	}
	hash := sha256.Sum256(append([]byte("ltc web session hash\x00"), key...))
	block := sha256.Sum256(append([]byte("ltc web session block\x00"), key...))
	sealed := func(name, path string, ttl time.Duration) sealedCookie {
		codec := securecookie.New(hash[:], block[:]).MaxAge(int(ttl / time.Second))
		codec.SetSerializer(securecookie.JSONEncoder{})
		return sealedCookie{name: name, path: path, ttl: ttl, secure: secure, codec: codec}
	}
	return &sessions{session: sealed(sessionCookie, "/", SessionTTL),
		pending: sealed(pendingCookie, "/signin/", PendingSignInTTL), secure: secure}, nil
}

// start writes the session cookie of id.
func (s *sessions) start(w http.ResponseWriter, id Identity) error { return s.session.write(w, id) }

// end removes the session cookie.
func (s *sessions) end(w http.ResponseWriter) { s.session.clear(w) }

// identity reads the request's session; false when there is none (or it is forged or expired).
func (s *sessions) identity(r *http.Request) (Identity, bool) {
	var id Identity
	if !s.session.read(r, &id) || id.Token == "" {
		return Identity{}, false
	}
	return id, true
}

// hold writes the cookie of a sign-in in progress.
func (s *sessions) hold(w http.ResponseWriter, v any) error { return s.pending.write(w, v) }

// take reads the cookie of a sign-in in progress into v and removes it; false when there is none (or it is
// forged or expired).
func (s *sessions) take(w http.ResponseWriter, r *http.Request, v any) bool {
	ok := s.pending.read(r, v)
	s.pending.clear(w)
	return ok
}

// sealedCookie is a cookie whose value is encrypted and signed: HttpOnly, SameSite=Lax, Secure when asked, valid
// for ttl.
type sealedCookie struct {
	name, path string
	ttl        time.Duration
	secure     bool
	codec      *securecookie.SecureCookie
}

func (c sealedCookie) write(w http.ResponseWriter, v any) error {
	sealed, err := c.codec.Encode(c.name, v)
	if err != nil {
		return err
	}
	http.SetCookie(w, c.cookie(sealed, int(c.ttl/time.Second)))
	return nil
}

func (c sealedCookie) read(r *http.Request, v any) bool {
	cookie, err := r.Cookie(c.name)
	return err == nil && c.codec.Decode(c.name, cookie.Value, v) == nil
}

func (c sealedCookie) clear(w http.ResponseWriter) { http.SetCookie(w, c.cookie("", -1)) }

func (c sealedCookie) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: c.name, Value: value, Path: c.path, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.secure}
}
