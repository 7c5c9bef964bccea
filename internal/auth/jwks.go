package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"

	"github.com/ltcengine/ltc/internal/transport"
)

// JWKSOptions configure a verifier of the identity provider's tokens.
type JWKSOptions struct {
	// URL is the identity provider's JWKS endpoint: https, or http on loopback only (keys fetched in the clear
	// could be swapped on the way).
	URL string
	// Issuer must equal the tokens' iss claim; Audience must be among their aud.
	Issuer, Audience string
	// Logger receives the failures of the background refresh.
	Logger *slog.Logger
	// Client fetches the key set; nil means a client with a 10-second timeout.
	Client *http.Client
	// Claims name the claims that carry the engine's attributes in the provider's tokens; zero fields keep the
	// engine's names (DefaultClaimNames).
	Claims ClaimNames
}

// ClaimNames name the claims of an identity provider's tokens that carry a person's name, roles, authority, review
// functions, org unit and scope. A dotted name reaches into nested objects (Keycloak's "realm_access.roles"); a
// list may also come as one string of names separated by spaces or commas. The values are the engine's own (role
// names, function names, an org unit path): mapping values is the provider's job (its claim mappers).
type ClaimNames struct {
	Name, Roles, Authority, Functions, Org, Scope string
}

// DefaultClaimNames are the engine's own claim names, which its own tokens use.
var DefaultClaimNames = ClaimNames{Name: "name", Roles: "roles", Authority: "authority", Functions: "functions", Org: "org", Scope: "scope"}

// withDefaults fills the names not given with the engine's.
func (n ClaimNames) withDefaults() ClaimNames {
	d := DefaultClaimNames
	for _, f := range []struct {
		to  *string
		def string
	}{{&n.Name, d.Name}, {&n.Roles, d.Roles}, {&n.Authority, d.Authority},
		{&n.Functions, d.Functions}, {&n.Org, d.Org}, {&n.Scope, d.Scope}} {
		if *f.to == "" {
			*f.to = f.def
		}
	}
	return n
}

// mapped reads the engine's attributes into c from the claims the names give, in the token's raw claims.
func (n ClaimNames) mapped(c *Claims, raw map[string]any) error {
	c.Name, c.Org, c.Scope = text(lookup(raw, n.Name)), text(lookup(raw, n.Org)), text(lookup(raw, n.Scope))
	c.Roles, c.Functions = names(lookup(raw, n.Roles)), names(lookup(raw, n.Functions))
	switch v := lookup(raw, n.Authority).(type) {
	case nil:
		c.Authority = 0
	case float64:
		if v != float64(int(v)) {
			return fmt.Errorf("token claim %s must be a whole number", n.Authority)
		}
		c.Authority = int(v)
	case string:
		a, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("token claim %s must be a whole number", n.Authority)
		}
		c.Authority = a
	default:
		return fmt.Errorf("token claim %s must be a whole number", n.Authority)
	}
	return nil
}

// lookup is the value at the dotted path in the claims, or nil.
func lookup(raw map[string]any, path string) any {
	var v any = raw
	for _, part := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[part]
	}
	return v
}

func text(v any) string {
	s, _ := v.(string)
	return s
}

// names is a list claim: an array of strings, or one string of names separated by spaces or commas.
func names(v any) []string {
	switch v := v.(type) {
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case string:
		return strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })
	}
	return nil
}

// JWKS timing. The key set is fetched at start (a start with an unreachable identity provider fails, so a wrong
// URL shows at once), then every RefreshInterval; a token signed with a key id not in the set triggers one
// early fetch, at most once per JWKSUnknownKeyPeriod, so a key the provider just published works at once while a
// stream of made-up key ids cannot make the server hammer the provider.
const (
	JWKSRefreshInterval  = 15 * time.Minute
	JWKSUnknownKeyPeriod = time.Minute
	jwksFetchTimeout     = 10 * time.Second
)

// JWKSMethods are the algorithms accepted from an identity provider: asymmetric only. HS256 is refused even
// when a provider publishes a symmetric key, and "none" always is: the key set is public, so a token "signed"
// with it as an HMAC secret, or not at all, proves nothing.
var JWKSMethods = []string{jwt.SigningMethodRS256.Alg(), jwt.SigningMethodES256.Alg()}

// NewJWKS verifies the company identity provider's tokens against the keys its JWKS URL publishes, checking
// issuer and audience as well as signature, algorithm and validity. The key set is read and refreshed with
// github.com/MicahParks/keyfunc/v3 (over github.com/MicahParks/jwkset), the JWKS extension that
// golang-jwt's README lists for its jwt.Keyfunc: maintained, small, and it handles what is easy to get wrong by hand
// (RSA and EC key decoding, refresh without dropping keys in use, a rate-limited refresh on unknown key ids).
// Close the verifier to stop its background refresh.
func NewJWKS(o JWKSOptions) (*Verifier, error) {
	if o.Issuer == "" || o.Audience == "" {
		return nil, errors.New("a JWKS URL needs the issuer and the audience its tokens must carry " +
			"(--jwt-issuer, --jwt-audience; LTC_JWT_ISSUER, LTC_JWT_AUDIENCE)")
	}
	u, err := url.Parse(o.URL)
	if err != nil {
		return nil, fmt.Errorf("JWKS URL: %w", err)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && transport.IsLoopback(u.Hostname())) {
		return nil, fmt.Errorf("JWKS URL %s: want https (http only on loopback)", o.URL)
	}
	client := o.Client
	if client == nil {
		client = &http.Client{Timeout: jwksFetchTimeout}
	}
	log := o.Logger.With("jwks_url", o.URL)
	ctx, cancel := context.WithCancel(context.Background())
	strict := false
	k, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{o.URL}, keyfunc.Override{
		Client:                    client,
		HTTPTimeout:               jwksFetchTimeout,
		NoErrorReturnFirstHTTPReq: &strict,
		RefreshInterval:           JWKSRefreshInterval,
		RefreshUnknownKID:         rate.NewLimiter(rate.Every(JWKSUnknownKeyPeriod), 1),
		// Bounds both the wait for the limiter and the early fetch: a token with an unknown key id waits at most
		// this long, and is refused at once while the limiter has no fetch to give.
		RateLimitWaitMax: 5 * time.Second,
		RefreshErrorHandlerFunc: func(string) func(context.Context, error) {
			return func(_ context.Context, err error) {
				log.Warn("refreshing the identity provider's keys failed", "err", err)
			}
		},
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("read the identity provider's keys from %s: %w", o.URL, err)
	}
	keys := k.Keyfunc
	claims := o.Claims.withDefaults()
	return &Verifier{
		methods: JWKSMethods,
		keys: func(t *jwt.Token) (any, error) {
			// A provider's set holds several keys over a rotation: the token must say which one signed it.
			if kid, _ := t.Header["kid"].(string); kid == "" {
				return nil, errors.New("token has no key id (kid)")
			}
			return keys(t)
		},
		checks: []jwt.ParserOption{jwt.WithIssuer(o.Issuer), jwt.WithAudience(o.Audience)},
		claims: &claims,
		stop:   cancel,
	}, nil
}
