package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
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
		stop:   cancel,
	}, nil
}
