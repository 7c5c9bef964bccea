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
	codec   *securecookie.SecureCookie
	pending *securecookie.SecureCookie
	secure  bool
}

// newSessions derives the cookie's signing and encryption keys from key; an empty key makes random ones, so
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
	codec := securecookie.New(hash[:], block[:]).MaxAge(int(SessionTTL / time.Second))
	codec.SetSerializer(securecookie.JSONEncoder{})
	pending := securecookie.New(hash[:], block[:]).MaxAge(int(PendingSignInTTL / time.Second))
	pending.SetSerializer(securecookie.JSONEncoder{})
	return &sessions{codec: codec, pending: pending, secure: secure}, nil
}

// start writes the session cookie of id.
func (s *sessions) start(w http.ResponseWriter, id Identity) error {
	v, err := s.codec.Encode(sessionCookie, id)
	if err != nil {
		return err
	}
	http.SetCookie(w, s.cookie(v, int(SessionTTL/time.Second)))
	return nil
}

// end removes the session cookie.
func (s *sessions) end(w http.ResponseWriter) {
	http.SetCookie(w, s.cookie("", -1))
}

// identity reads the request's session; false when there is none (or it is forged or expired).
func (s *sessions) identity(r *http.Request) (Identity, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return Identity{}, false
	}
	var id Identity
	if err := s.codec.Decode(sessionCookie, c.Value, &id); err != nil || id.Token == "" {
		return Identity{}, false
	}
	return id, true
}

func (s *sessions) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: sessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure}
}

// hold writes the cookie of a sign-in in progress.
func (s *sessions) hold(w http.ResponseWriter, v any) error {
	sealed, err := s.pending.Encode(pendingCookie, v)
	if err != nil {
		return err
	}
	http.SetCookie(w, s.signInCookie(sealed, int(PendingSignInTTL/time.Second)))
	return nil
}

// take reads the cookie of a sign-in in progress into v and removes it; false when there is none (or it is
// forged or expired).
func (s *sessions) take(w http.ResponseWriter, r *http.Request, v any) bool {
	c, err := r.Cookie(pendingCookie)
	if err != nil {
		return false
	}
	http.SetCookie(w, s.signInCookie("", -1))
	return s.pending.Decode(pendingCookie, c.Value, v) == nil
}

func (s *sessions) signInCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: pendingCookie, Value: value, Path: "/signin/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure}
}
