package web_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/config"
	"github.com/ltcengine/ltc/internal/testenv"
	"github.com/ltcengine/ltc/internal/web"
)

// person is a person of the test identity provider: their ID token carries the claims the API makes its actor of.
type person struct {
	subject, name string
	roles         []string
	authority     int
	org           string
	// audience, when set, replaces the workplace's client id as the ID token's aud.
	audience string
}

func (p person) ID() string { return p.subject }

func (p person) Userinfo([]string) ([]byte, error) {
	return json.Marshal(map[string]string{"sub": p.subject, "name": p.name})
}

func (p person) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	if p.audience != "" {
		base.Audience = jwt.ClaimStrings{p.audience}
	}
	return &personClaims{IDTokenClaims: base, Name: p.name, Roles: p.roles, Authority: p.authority, Org: p.org}, nil
}

type personClaims struct {
	*mockoidc.IDTokenClaims
	Name      string   `json:"name"`
	Roles     []string `json:"roles"`
	Authority int      `json:"authority"`
	Org       string   `json:"org"`
}

var olga = person{subject: "olga", name: "Olga Region", roles: []string{"executive"}, authority: 2, org: "emea"}

// oidcWorkplace starts the test identity provider, an engine whose API accepts the provider's tokens by its JWKS,
// issuer and audience (the workplace's client id), and the workplace with the OpenID Connect sign-in; adjust sets
// the provider up before it starts.
func oidcWorkplace(t *testing.T, adjust ...func(*mockoidc.MockOIDC)) (*mockoidc.MockOIDC, *httptest.Server) {
	t.Helper()
	provider, err := mockoidc.NewServer(nil)
	require.NoError(t, err)
	for _, a := range adjust {
		a(provider)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	require.NoError(t, provider.Start(ln, nil))
	t.Cleanup(func() { _ = provider.Shutdown() })
	e := testenv.StartEngine(t, testenv.Configure(func(c *config.Config) {
		c.JWKSURL, c.JWTIssuer, c.JWTAudience = provider.JWKSEndpoint(), provider.Issuer(), provider.ClientID
	}))
	var workplace http.Handler
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { workplace.ServeHTTP(w, r) }))
	t.Cleanup(site.Close)
	signIn, err := web.NewOIDC(context.Background(), web.OIDCOptions{Issuer: provider.Issuer(),
		ClientID: provider.ClientID, ClientSecret: provider.ClientSecret, RedirectURL: site.URL + web.OIDCCallbackPath})
	require.NoError(t, err)
	workplace, err = web.New(web.Options{API: e.Conn, SignIn: signIn})
	require.NoError(t, err)
	return provider, site
}

// visitor is a browser without one: an HTTP client that keeps cookies and the addresses it was sent to.
type visitor struct {
	client  *http.Client
	visited []*url.URL
	// holdCallback stops before the provider's redirect to the workplace's callback, which is then in callback.
	holdCallback bool
	callback     *url.URL
}

func newVisitor(t *testing.T, holdCallback bool) *visitor {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	v := &visitor{holdCallback: holdCallback}
	v.client = &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		v.visited = append(v.visited, r.URL)
		if v.holdCallback && r.URL.Path == web.OIDCCallbackPath {
			v.callback = r.URL
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return v
}

// startSignIn presses the provider's button and returns the callback the provider sends the browser back to.
func (v *visitor) startSignIn(t *testing.T, site *httptest.Server) url.URL {
	t.Helper()
	resp, err := v.client.PostForm(site.URL+"/signin/oidc", nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.NotNil(t, v.callback, "the provider sends the browser back to the callback")
	return *v.callback
}

// signedIn reports whether the visitor has a session: My work answers rather than sending to the sign-in.
func (v *visitor) signedIn(t *testing.T, site *httptest.Server) bool {
	t.Helper()
	v.holdCallback = false
	resp, err := v.client.Get(site.URL + "/work")
	require.NoError(t, err)
	resp.Body.Close()
	return resp.Request.URL.Path == "/work"
}

// TestOIDCSignInRoundTrip signs in with the identity provider, as a browser would: the button sends it to the
// provider with a PKCE challenge (S256), a state and a nonce, the provider sends it back with a code, the
// workplace exchanges it for the ID token and starts the session, and My work, made of API calls with that
// token, answers with the person's name.
func TestOIDCSignInRoundTrip(t *testing.T) {
	provider, site := oidcWorkplace(t)
	provider.QueueUser(olga)
	v := newVisitor(t, false)

	status, page := read(t, func() (*http.Response, error) { return v.client.Get(site.URL + "/work") })
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, `id="signin-oidc"`, "the sign-in page shows the provider's button")
	assert.NotContains(t, page, `action="/signin/dev"`, "no dev sign-in beside it")

	v.visited = nil
	resp, err := v.client.PostForm(site.URL+"/signin/oidc", nil)
	require.NoError(t, err)
	status, page = read(t, func() (*http.Response, error) { return resp, nil })
	require.Equal(t, "/work", resp.Request.URL.Path, "signed in, to My work: %v", v.visited)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "<h1>My work</h1>", "My work's API calls succeed with the ID token")
	assert.Contains(t, page, "Nothing waits for you.", "the API answered: nothing is refused")
	assert.Contains(t, page, "Olga Region")

	require.NotEmpty(t, v.visited)
	authorize := v.visited[0]
	assert.Equal(t, mockoidc.AuthorizationEndpoint, authorize.Path)
	q := authorize.Query()
	assert.Equal(t, "S256", q.Get("code_challenge_method"))
	assert.NotEmpty(t, q.Get("code_challenge"))
	assert.NotEmpty(t, q.Get("state"))
	assert.NotEmpty(t, q.Get("nonce"))
	assert.Equal(t, "code", q.Get("response_type"))
}

// refused checks that the callback shows the sign-in page with the refusal's sentence and starts no session.
func refused(t *testing.T, site *httptest.Server, v *visitor, callback url.URL, sentence string) {
	t.Helper()
	status, page := read(t, func() (*http.Response, error) { return v.client.Get(callback.String()) })
	assert.Contains(t, []int{http.StatusBadRequest, http.StatusForbidden}, status)
	assert.Contains(t, page, `id="signin-refusal"`)
	assert.Contains(t, page, sentence)
	assert.Contains(t, page, `id="signin-oidc"`, "the button to sign in again")
	assert.False(t, v.signedIn(t, site), "no session")
}

// TestOIDCSignInRefusals: a callback with another state than the sign-in's, a code used before, and an ID token
// issued for another audience are each refused with a sentence, and no session starts.
func TestOIDCSignInRefusals(t *testing.T) {
	provider, site := oidcWorkplace(t)

	t.Run("a wrong state", func(t *testing.T) {
		v := newVisitor(t, true)
		callback := v.startSignIn(t, site)
		q := callback.Query()
		q.Set("state", "forged")
		callback.RawQuery = q.Encode()
		refused(t, site, v, callback, "another state")
	})

	t.Run("a replayed code", func(t *testing.T) {
		provider.QueueUser(olga)
		first := newVisitor(t, true)
		used := first.startSignIn(t, site)
		resp, err := first.client.Get(used.String())
		require.NoError(t, err)
		resp.Body.Close()
		require.True(t, first.signedIn(t, site), "the code signs in once")

		v := newVisitor(t, true)
		callback := v.startSignIn(t, site)
		q := callback.Query()
		q.Set("code", used.Query().Get("code"))
		callback.RawQuery = q.Encode()
		refused(t, site, v, callback, "did not accept")
	})

	t.Run("a token of another audience", func(t *testing.T) {
		other := olga
		other.audience = "another-application"
		provider.QueueUser(other)
		v := newVisitor(t, true)
		refused(t, site, v, v.startSignIn(t, site), "not valid for this workplace")
	})

	t.Run("a provider's refusal", func(t *testing.T) {
		v := newVisitor(t, true)
		callback := v.startSignIn(t, site)
		callback.RawQuery = url.Values{"error": {"access_denied"}, "state": {callback.Query().Get("state")}}.Encode()
		refused(t, site, v, callback, "refused the sign-in")
	})

	t.Run("a callback without a sign-in", func(t *testing.T) {
		v := newVisitor(t, true)
		callback := newVisitor(t, true).startSignIn(t, site) // another browser's
		refused(t, site, v, callback, "not started in this browser")
	})
}

// TestTheSessionRenewsItsTokenBeforeItExpires signs in with a provider whose ID tokens live a little longer than
// the minute before expiry when the workplace renews them: the first page keeps the session as it is; once the
// token is in its last minute, the next page renews it with the refresh token (a new session cookie), and the
// API accepts the new token.
func TestTheSessionRenewsItsTokenBeforeItExpires(t *testing.T) {
	provider, site := oidcWorkplace(t, func(p *mockoidc.MockOIDC) { p.AccessTTL = time.Minute + 3*time.Second })
	provider.QueueUser(olga)
	v := newVisitor(t, false)
	resp, err := v.client.PostForm(site.URL+"/signin/oidc", nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, "/work", resp.Request.URL.Path)

	work := func() (*http.Response, string) {
		resp, err := v.client.Get(site.URL + "/work")
		require.NoError(t, err)
		_, page := read(t, func() (*http.Response, error) { return resp, nil })
		return resp, page
	}
	renewed := func(resp *http.Response) bool {
		for _, c := range resp.Cookies() {
			if c.Name == "ltc_session" && c.MaxAge > 0 {
				return true
			}
		}
		return false
	}
	resp, _ = work()
	assert.False(t, renewed(resp), "a token with more than a minute to live is kept")
	time.Sleep(4 * time.Second)
	resp, page := work()
	assert.True(t, renewed(resp), "a token in its last minute is renewed")
	assert.Contains(t, page, "Nothing waits for you.", "the API accepts the renewed token")
	resp, _ = work()
	assert.False(t, renewed(resp), "the renewed token lives a minute more")
}
