package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/ltcengine/ltc/internal/web"
)

// nowhere is an API connection that is never used: the handlers under test make no call.
func nowhere(t *testing.T) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///127.0.0.1:1", grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

var eva = web.DevPerson{Key: "executive2", Name: "Eva Region", About: "executive, authority 2, emea", Token: "token-of-eva"}

func workplace(t *testing.T, o web.Options) *web.Server {
	t.Helper()
	o.API = nowhere(t)
	s, err := web.New(o)
	require.NoError(t, err)
	return s
}

func serve(s http.Handler, r *http.Request) *http.Response {
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w.Result()
}

func form(target string, values url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(values.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// TestEveryResponseCarriesTheContentSecurityPolicy checks the headers of pages, assets, redirects and refusals,
// and that the pages have no inline script or style for the policy to block.
func TestEveryResponseCarriesTheContentSecurityPolicy(t *testing.T) {
	s := workplace(t, web.Options{SignIn: web.DevSignIn{People: []web.DevPerson{eva}}})
	crossSite := form("/signin/dev", url.Values{"person": {"executive2"}})
	crossSite.Header.Set("Sec-Fetch-Site", "cross-site")
	for name, r := range map[string]*http.Request{
		"sign-in page":        httptest.NewRequest(http.MethodGet, "/signin/", nil),
		"asset":               httptest.NewRequest(http.MethodGet, "/static/style.css", nil),
		"redirect to sign-in": httptest.NewRequest(http.MethodGet, "/work", nil),
		"cross-site refusal":  crossSite,
	} {
		resp := serve(s, r)
		csp := resp.Header.Get("Content-Security-Policy")
		assert.Equal(t, web.ContentSecurityPolicy, csp, name)
		assert.Contains(t, csp, "default-src 'self'", name)
		assert.NotContains(t, csp, "unsafe-inline", name)
		assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), name)
		assert.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"), name)
	}
	page := body(t, serve(s, httptest.NewRequest(http.MethodGet, "/signin/", nil)))
	for _, script := range regexp.MustCompile(`<script[^>]*>`).FindAllString(page, -1) {
		assert.Contains(t, script, `src="/static/`, "scripts come from /static, never inline")
	}
	assert.NotContains(t, page, "<style", "no inline style element")
	assert.NotContains(t, page, " style=", "no style attribute")
	assert.NotRegexp(t, ` on[a-z]+=`, page, "no inline event handler")
}

// TestFormsFromOtherSitesAreRefused checks the cross-origin protection of every non-GET request.
func TestFormsFromOtherSitesAreRefused(t *testing.T) {
	s := workplace(t, web.Options{SignIn: web.DevSignIn{People: []web.DevPerson{eva}}})
	for name, header := range map[string][2]string{
		"a cross-site fetch":       {"Sec-Fetch-Site", "cross-site"},
		"a same-site other origin": {"Sec-Fetch-Site", "same-site"},
		"an old browser's origin":  {"Origin", "https://evil.example"},
	} {
		for _, target := range []string{"/signin/dev", "/decisions/7e1b3a57-3f7e-4f1e-9a55-0d5d1c6f0a11/decide", "/signout", "/lang"} {
			r := form(target, url.Values{"person": {"executive2"}})
			r.Header.Set(header[0], header[1])
			assert.Equal(t, http.StatusForbidden, serve(s, r).StatusCode, "%s to %s", name, target)
		}
	}
	same := form("/signin/dev", url.Values{"person": {"executive2"}})
	same.Header.Set("Sec-Fetch-Site", "same-origin")
	assert.Equal(t, http.StatusSeeOther, serve(s, same).StatusCode, "the workplace's own form goes through")
}

// TestDevSignInIsNotFoundOutsideDev checks that a workplace without the dev sign-in (as `ltcd serve` runs it)
// offers no way to sign in as a demo person.
func TestDevSignInIsNotFoundOutsideDev(t *testing.T) {
	s := workplace(t, web.Options{})
	assert.Equal(t, http.StatusNotFound, serve(s, form("/signin/dev", url.Values{"person": {"executive2"}})).StatusCode)
	assert.Equal(t, http.StatusNotFound, serve(s, httptest.NewRequest(http.MethodGet, "/signin/dev", nil)).StatusCode)
	resp := serve(s, httptest.NewRequest(http.MethodGet, "/signin/", nil))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	page := body(t, resp)
	assert.Contains(t, page, "No sign-in is configured")
	assert.NotContains(t, page, "Eva Region")
}

// TestDevSignInStartsASessionAndSignOutEndsIt checks the session cookie's attributes and that pages need it.
func TestDevSignInStartsASessionAndSignOutEndsIt(t *testing.T) {
	for _, secure := range []bool{false, true} {
		s := workplace(t, web.Options{SignIn: web.DevSignIn{People: []web.DevPerson{eva}}, Secure: secure})
		resp := serve(s, httptest.NewRequest(http.MethodGet, "/work", nil))
		assert.Equal(t, http.StatusSeeOther, resp.StatusCode, "no session: to the sign-in")
		assert.Equal(t, "/signin/", resp.Header.Get("Location"))

		resp = serve(s, httptest.NewRequest(http.MethodGet, "/signin/", nil))
		assert.Contains(t, body(t, resp), "Eva Region", "the dev sign-in lists the demo people")

		resp = serve(s, form("/signin/dev", url.Values{"person": {"nobody"}}))
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "only a listed person")
		assert.Empty(t, resp.Cookies())

		resp = serve(s, form("/signin/dev", url.Values{"person": {"executive2"}}))
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		assert.Equal(t, "/work", resp.Header.Get("Location"))
		require.Len(t, resp.Cookies(), 1)
		c := resp.Cookies()[0]
		assert.True(t, c.HttpOnly)
		assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
		assert.Equal(t, secure, c.Secure, "Secure off loopback")
		assert.NotContains(t, c.Value, "token-of-eva", "the token is encrypted in the cookie")

		page := httptest.NewRequest(http.MethodGet, "/leads", nil)
		page.AddCookie(c)
		resp = serve(s, page)
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "the session opens the pages (whose API is unreachable here)")
		assert.Contains(t, body(t, resp), "Eva Region", "the header names the person")

		forged := httptest.NewRequest(http.MethodGet, "/leads", nil)
		forged.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value[:len(c.Value)-4] + "AAAA"})
		assert.Equal(t, http.StatusSeeOther, serve(s, forged).StatusCode, "a forged session is no session")

		resp = serve(s, form("/signout", nil))
		assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
		require.Len(t, resp.Cookies(), 1)
		assert.Negative(t, resp.Cookies()[0].MaxAge, "signing out removes the session")
	}
}

// TestLanguageFromTheBrowserElseTheChoice checks Accept-Language and the language switch.
func TestLanguageFromTheBrowserElseTheChoice(t *testing.T) {
	s := workplace(t, web.Options{SignIn: web.DevSignIn{People: []web.DevPerson{eva}}})
	r := httptest.NewRequest(http.MethodGet, "/signin/", nil)
	r.Header.Set("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.5")
	resp := serve(s, r)
	assert.Equal(t, "zh-Hans", resp.Header.Get("Content-Language"))
	assert.Contains(t, body(t, resp), "登录")

	resp = serve(s, httptest.NewRequest(http.MethodGet, "/signin/", nil))
	assert.Equal(t, "en", resp.Header.Get("Content-Language"), "English without a preference")

	resp = serve(s, form("/lang", url.Values{"lang": {"zh-Hans"}, "back": {"/signin/"}}))
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/signin/", resp.Header.Get("Location"))
	require.Len(t, resp.Cookies(), 1)
	r = httptest.NewRequest(http.MethodGet, "/signin/", nil)
	r.Header.Set("Accept-Language", "en")
	r.AddCookie(resp.Cookies()[0])
	assert.Equal(t, "zh-Hans", serve(s, r).Header.Get("Content-Language"), "the choice wins over the browser")

	resp = serve(s, form("/lang", url.Values{"lang": {"en"}, "back": {"//evil.example/"}}))
	assert.Equal(t, "/work", resp.Header.Get("Location"), "the switch only goes back within the workplace")
}
