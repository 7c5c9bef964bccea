package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDCOptions configure the sign-in with the company's identity provider.
type OIDCOptions struct {
	// Issuer is the provider's issuer URL: its discovery document (Issuer/.well-known/openid-configuration) gives
	// the endpoints and the keys, and the ID tokens must carry it as iss.
	Issuer string
	// ClientID and ClientSecret are the workplace's client at the provider; the ID tokens' aud must include
	// ClientID.
	ClientID, ClientSecret string
	// RedirectURL is the workplace's callback as registered with the provider: its address followed by
	// /signin/oidc/callback.
	RedirectURL string
	Logger      *slog.Logger
}

// OIDCCallbackPath is where the provider sends the browser back with the authorization code.
const OIDCCallbackPath = "/signin/oidc/callback"

// OIDC signs people in with the company's identity provider by OpenID Connect: the authorization code flow with
// PKCE (S256), state and nonce. The session holds the person's ID token, which the API accepts by the provider's
// JWKS (its issuer and audience configured as --jwt-issuer and --jwt-audience): it is always a JWT, signed by the
// provider, and carries the claims the API maps to the person (name, roles, authority, functions, org), where an
// access token may be opaque.
type OIDC struct {
	config   oauth2.Config
	verifier *oidc.IDTokenVerifier
	// endSession is the provider's end_session_endpoint (RP-initiated logout), empty when it has none;
	// signedOut is where it sends the browser back: the workplace's sign-in page.
	endSession, signedOut string
	log                   *slog.Logger
}

// NewOIDC reads the provider's discovery document; it fails when the provider cannot be reached.
func NewOIDC(ctx context.Context, o OIDCOptions) (*OIDC, error) {
	if o.Issuer == "" || o.ClientID == "" || o.ClientSecret == "" || o.RedirectURL == "" {
		return nil, errors.New("OpenID Connect sign-in needs the issuer, the client id and secret and the redirect URL")
	}
	provider, err := oidc.NewProvider(ctx, o.Issuer)
	if err != nil {
		return nil, err
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var discovered struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := provider.Claims(&discovered); err != nil {
		return nil, err
	}
	callback, err := url.Parse(o.RedirectURL)
	if err != nil {
		return nil, fmt.Errorf("the redirect URL: %w", err)
	}
	return &OIDC{
		config: oauth2.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, Endpoint: provider.Endpoint(),
			RedirectURL: o.RedirectURL, Scopes: []string{oidc.ScopeOpenID, "profile"}},
		verifier:   provider.Verifier(&oidc.Config{ClientID: o.ClientID}),
		endSession: discovered.EndSession,
		signedOut:  callback.ResolveReference(&url.URL{Path: "/signin/"}).String(),
		log:        log,
	}, nil
}

// SignOutURL ends the person's session at the provider too (OpenID Connect RP-Initiated Logout): the provider's
// end_session_endpoint with the ID token as the hint, which sends the browser back to the sign-in page.
func (o *OIDC) SignOutURL(id Identity) string {
	if o.endSession == "" {
		return ""
	}
	u, err := url.Parse(o.endSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("id_token_hint", id.Token)
	q.Set("client_id", o.config.ClientID)
	q.Set("post_logout_redirect_uri", o.signedOut)
	u.RawQuery = q.Encode()
	return u.String()
}

// Renew exchanges the session's refresh token for a new ID token, checked as at sign-in (but for the nonce,
// which a refresh does not carry); the provider may rotate the refresh token.
func (o *OIDC) Renew(ctx context.Context, id Identity) (Identity, error) {
	token, err := o.config.TokenSource(ctx, &oauth2.Token{RefreshToken: id.Refresh}).Token()
	if err != nil {
		return id, err
	}
	renewed, _, err := o.identity(ctx, token)
	if err != nil {
		return id, err
	}
	if renewed.Refresh == "" {
		renewed.Refresh = id.Refresh
	}
	return renewed, nil
}

// identity verifies the ID token of the provider's token response (signature, issuer, audience, expiry) and
// makes the session's identity of it, with the refresh token when the provider gave one; it returns the token's
// nonce too.
func (o *OIDC) identity(ctx context.Context, token *oauth2.Token) (Identity, string, error) {
	raw, _ := token.Extra("id_token").(string)
	id, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return Identity{}, "", err
	}
	var claims struct {
		Name string `json:"name"`
	}
	if err := id.Claims(&claims); err != nil || claims.Name == "" {
		claims.Name = id.Subject
	}
	return Identity{Token: raw, Name: claims.Name, Refresh: token.RefreshToken, Expiry: id.Expiry}, id.Nonce, nil
}

// pendingSignIn is what a started sign-in keeps in the browser until the provider sends it back: the state the
// callback must return, the nonce the ID token must carry and the PKCE verifier of the code's challenge.
type pendingSignIn struct {
	State, Nonce, Verifier string
}

// signInPage is the data of the sign-in page.
type signInPage struct {
	// People are the dev sign-in's demo people.
	People []DevPerson
	// Provider offers the sign-in with the company's identity provider.
	Provider bool
	// Refusal is the catalogue key of why the last sign-in was refused.
	Refusal string
}

// Sentences of a refused sign-in, keys of the catalogue.
const (
	refusedNotStarted = "This sign-in was not started in this browser, or took too long. Sign in again."
	refusedState      = "The sign-in came back with another state than it was started with. Sign in again."
	refusedVerifier   = "The sign-in has no PKCE verifier. Sign in again."
	refusedProvider   = "The identity provider refused the sign-in. Sign in again."
	refusedCode       = "The identity provider did not accept the sign-in's code. Sign in again."
	refusedToken      = "The identity provider's ID token is not valid for this workplace."
)

// Handler serves GET /signin/ (the provider's button), POST /signin/oidc (to the provider) and the callback.
func (o *OIDC) Handler(ui UI) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /signin/{$}", func(w http.ResponseWriter, r *http.Request) {
		ui.Render(w, r, http.StatusOK, "signin", signInPage{Provider: true})
	})
	mux.HandleFunc("POST /signin/oidc", func(w http.ResponseWriter, r *http.Request) { o.start(ui, w, r) })
	mux.HandleFunc("GET "+OIDCCallbackPath, func(w http.ResponseWriter, r *http.Request) { o.callback(ui, w, r) })
	return mux
}

// start sends the browser to the provider with a new state, nonce and PKCE challenge, which it keeps.
func (o *OIDC) start(ui UI, w http.ResponseWriter, r *http.Request) {
	p := pendingSignIn{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier()}
	if err := ui.Hold(w, p); err != nil {
		o.log.Error("web: keep the sign-in", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, o.config.AuthCodeURL(p.State, oidc.Nonce(p.Nonce), oauth2.S256ChallengeOption(p.Verifier)),
		http.StatusSeeOther)
}

// callback checks what the provider sent back, exchanges the code with the PKCE verifier, verifies the ID token
// (signature, issuer, audience, expiry, nonce) and starts the session with it. The pending sign-in is used once.
func (o *OIDC) callback(ui UI, w http.ResponseWriter, r *http.Request) {
	refuse := func(status int, key string, err error) {
		o.log.Info("web: sign-in refused", "why", key, "err", err)
		ui.Render(w, r, status, "signin", signInPage{Provider: true, Refusal: key})
	}
	var p pendingSignIn
	if !ui.Take(w, r, &p) {
		refuse(http.StatusBadRequest, refusedNotStarted, nil)
		return
	}
	q := r.URL.Query()
	switch {
	case q.Get("error") != "":
		refuse(http.StatusForbidden, refusedProvider, errors.New(q.Get("error")+": "+q.Get("error_description")))
		return
	case subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(p.State)) != 1:
		refuse(http.StatusBadRequest, refusedState, nil)
		return
	case p.Verifier == "":
		refuse(http.StatusBadRequest, refusedVerifier, nil)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	token, err := o.config.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(p.Verifier))
	if err != nil {
		refuse(http.StatusForbidden, refusedCode, err)
		return
	}
	id, nonce, err := o.identity(ctx, token)
	if err == nil && subtle.ConstantTimeCompare([]byte(nonce), []byte(p.Nonce)) != 1 {
		err = errors.New("the ID token's nonce is not the sign-in's")
	}
	if err != nil {
		refuse(http.StatusForbidden, refusedToken, err)
		return
	}
	ui.Start(w, r, id)
}
