package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/oauth2-proxy/mockoidc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// TestASignInWithoutItsPKCEVerifierIsRefused gets a code the provider issued for a PKCE challenge, and brings it to
// the callback of a sign-in whose verifier is missing: the workplace refuses it without asking the provider, and
// the provider would refuse the code without the verifier too.
func TestASignInWithoutItsPKCEVerifierIsRefused(t *testing.T) {
	provider, err := mockoidc.Run()
	require.NoError(t, err)
	t.Cleanup(func() { _ = provider.Shutdown() })
	redirect := "http://127.0.0.1:1" + OIDCCallbackPath
	signIn, err := NewOIDC(context.Background(), OIDCOptions{Issuer: provider.Issuer(), ClientID: provider.ClientID,
		ClientSecret: provider.ClientSecret, RedirectURL: redirect})
	require.NoError(t, err)
	conn, err := grpc.NewClient("passthrough:///127.0.0.1:1", grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	s, err := New(Options{API: conn, SignIn: signIn})
	require.NoError(t, err)

	verifier := oauth2.GenerateVerifier()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(signIn.config.AuthCodeURL("state", oauth2.S256ChallengeOption(verifier)))
	require.NoError(t, err)
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	code := back.Query().Get("code")
	require.NotEmpty(t, code)

	held := httptest.NewRecorder()
	require.NoError(t, s.sessions.hold(held, pendingSignIn{State: "state", Nonce: "nonce"}))
	r := httptest.NewRequest(http.MethodGet, OIDCCallbackPath+"?"+url.Values{"code": {code}, "state": {"state"}}.Encode(), nil)
	for _, c := range held.Result().Cookies() {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	page, err := io.ReadAll(w.Result().Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Contains(t, string(page), "no PKCE verifier")
	for _, c := range w.Result().Cookies() {
		assert.False(t, c.Name == sessionCookie && c.MaxAge > 0, "no session")
	}

	_, err = signIn.config.Exchange(context.Background(), code)
	assert.ErrorContains(t, err, "code verifier", "the provider refuses the code without its verifier")
}

// providerSignOut is a sign-in whose provider has a session to end.
type providerSignOut struct {
	DevSignIn
	oidc *OIDC
}

func (p providerSignOut) SignOutURL(id Identity) string { return p.oidc.SignOutURL(id) }

// TestSigningOutEndsTheProvidersSessionToo: with a provider that has an end_session_endpoint, signing out ends the
// workplace's session and sends the browser there with the ID token as the hint and the sign-in page to come back
// to (RP-Initiated Logout); without one, it goes to the sign-in page.
func TestSigningOutEndsTheProvidersSessionToo(t *testing.T) {
	o := &OIDC{config: oauth2.Config{ClientID: "ltc-web"}, endSession: "https://id.example.com/logout?realm=sales",
		signedOut: "https://ltc.example.com/signin/"}
	got, err := url.Parse(o.SignOutURL(Identity{Token: "id-token"}))
	require.NoError(t, err)
	assert.Equal(t, "id.example.com", got.Host)
	assert.Equal(t, url.Values{"realm": {"sales"}, "id_token_hint": {"id-token"}, "client_id": {"ltc-web"},
		"post_logout_redirect_uri": {"https://ltc.example.com/signin/"}}, got.Query())
	assert.Empty(t, (&OIDC{}).SignOutURL(Identity{Token: "id-token"}), "no end point, nothing to end")

	conn, err := grpc.NewClient("passthrough:///127.0.0.1:1", grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	s, err := New(Options{API: conn, SignIn: providerSignOut{DevSignIn: DevSignIn{People: []DevPerson{{Key: "eva", Token: "id-token"}}}, oidc: o}})
	require.NoError(t, err)
	session := httptest.NewRecorder()
	require.NoError(t, s.sessions.start(session, Identity{Token: "id-token", Name: "Eva"}))
	r := httptest.NewRequest(http.MethodPost, "/signout", nil)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, c := range session.Result().Cookies() {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	assert.Equal(t, http.StatusSeeOther, w.Code)
	assert.Equal(t, o.SignOutURL(Identity{Token: "id-token"}), w.Header().Get("Location"))
	ended := false
	for _, c := range w.Result().Cookies() {
		ended = ended || (c.Name == sessionCookie && c.MaxAge < 0)
	}
	assert.True(t, ended, "the workplace's session ends")
}
