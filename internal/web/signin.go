package web

import (
	"context"
	"net/http"
)

// SignIn proves who a person is and hands the workplace their identity. The workplace mounts it under /signin/
// and sends everyone without a session to /signin/. The dev sign-in (DevSignIn) lists the demo people of
// `ltcd dev`; OpenID Connect against the company's identity provider (OIDC: authorization code with PKCE) is the
// production one: its button sends the browser to the provider and, on the callback, it starts the session with
// the ID token the provider issued, which the API accepts by the provider's JWKS.
type SignIn interface {
	// Handler serves the paths under /signin/ (the whole path is passed). It calls ui.Start once the person is
	// known, and may draw its pages with ui.Render.
	Handler(ui UI) http.Handler
}

// Renewer is a sign-in whose sessions renew their token before it expires, as OIDC does with the provider's
// refresh token.
type Renewer interface {
	// Renew returns id with a new token.
	Renew(ctx context.Context, id Identity) (Identity, error)
}

// ProviderSignOut is a sign-in whose identity provider keeps a session of its own, which signing out ends too.
type ProviderSignOut interface {
	// SignOutURL is where the browser goes once the workplace's session has ended, to end the provider's; empty
	// when the provider offers no such end point.
	SignOutURL(id Identity) string
}

// UI is what the workplace lends a sign-in: its pages and its sessions.
type UI interface {
	// Render draws the page of the template name (a file of templates/) with data, in the request's language.
	Render(w http.ResponseWriter, r *http.Request, status int, name string, data any)
	// Start starts the session of id and sends the browser to My work.
	Start(w http.ResponseWriter, r *http.Request, id Identity)
	// Hold keeps v in the browser, sealed, until the sign-in takes it back (for at most PendingSignInTTL).
	Hold(w http.ResponseWriter, v any) error
	// Take reads into v what Hold kept and forgets it, so it is used once; false when there is none.
	Take(w http.ResponseWriter, r *http.Request, v any) bool
}

// DevPerson is a person the dev sign-in offers: a demo person of `ltcd dev` with the token it minted for them.
type DevPerson struct {
	// Key is the person's name in .dev/tokens.json ("executive2").
	Key string
	// Name is the person's display name ("Eva Region").
	Name string
	// About says what the person does: roles, authority, functions and org unit.
	About string
	Token string
}

// DevSignIn signs in as any of the demo people, without a password: for `ltcd dev` only. A workplace served by
// `ltcd serve` has no DevSignIn, so /signin/dev is not found there.
type DevSignIn struct {
	People []DevPerson
}

// Handler serves GET /signin/ (the list of people) and POST /signin/dev (sign in as the posted person).
func (d DevSignIn) Handler(ui UI) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /signin/{$}", func(w http.ResponseWriter, r *http.Request) {
		ui.Render(w, r, http.StatusOK, "signin", signInPage{People: d.People})
	})
	mux.HandleFunc("POST /signin/dev", func(w http.ResponseWriter, r *http.Request) {
		key := r.PostFormValue("person")
		for _, p := range d.People {
			if p.Key == key {
				ui.Start(w, r, Identity{Token: p.Token, Name: p.Name})
				return
			}
		}
		ui.Render(w, r, http.StatusBadRequest, "signin", signInPage{People: d.People})
	})
	return mux
}
