// Package auth turns bearer tokens into actors. Tokens are JWTs: HS256 with a shared secret by default, RS256
// checked against a public key, or RS256/ES256 from the company's identity provider checked against its JWKS
// (jwks.go). The claims carry the user id (sub), name, roles, authority level and review functions.
package auth

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ltcengine/ltc/internal/ltc"
)

// Claims are the token's claims.
type Claims struct {
	jwt.RegisteredClaims
	Name      string   `json:"name,omitempty"`
	Roles     []string `json:"roles"`
	Authority int      `json:"authority,omitempty"`
	Functions []string `json:"functions,omitempty"`
	// Org is the person's org unit, a path such as "emea/germany", or "/" for the whole company. Required.
	Org string `json:"org"`
	// Scope holds space-separated grants (OAuth 2 style): "read" lets a system read the deals of its unit.
	Scope string `json:"scope,omitempty"`
}

// Issuer is the issuer of tokens minted by ltcd.
const Issuer = "ltcd"

// MinSecretLen is the shortest HS256 secret accepted.
const MinSecretLen = 32

// Verifier checks tokens.
type Verifier struct {
	methods []string
	keys    jwt.Keyfunc
	// checks are the claims checks beyond the validity window (issuer and audience of identity-provider tokens).
	checks []jwt.ParserOption
	// stop ends what the verifier runs in the background (the JWKS refresh); nil when nothing runs.
	stop func()
}

// fixedKey verifies tokens of one algorithm with one key.
func fixedKey(method string, key any) *Verifier {
	return &Verifier{methods: []string{method}, keys: func(*jwt.Token) (any, error) { return key, nil }}
}

// NewHS256 verifies tokens signed with the shared secret.
func NewHS256(secret []byte) (*Verifier, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("the JWT secret must be at least %d bytes", MinSecretLen)
	}
	return fixedKey(jwt.SigningMethodHS256.Alg(), secret), nil
}

// NewRS256 verifies tokens signed by the holder of the RSA key whose public half is given in PEM.
func NewRS256(publicKeyPEM []byte) (*Verifier, error) {
	key, err := jwt.ParseRSAPublicKeyFromPEM(publicKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("parse RS256 public key: %w", err)
	}
	return fixedKey(jwt.SigningMethodRS256.Alg(), (*rsa.PublicKey)(key)), nil
}

// Close stops what the verifier runs in the background.
func (v *Verifier) Close() {
	if v.stop != nil {
		v.stop()
	}
}

// Verify checks the token's signature, algorithm, validity window (and, for identity-provider tokens, issuer
// and audience) and returns its actor.
func (v *Verifier) Verify(token string) (ltc.Actor, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, v.keys, append([]jwt.ParserOption{
		jwt.WithValidMethods(v.methods), jwt.WithExpirationRequired(), jwt.WithLeeway(30 * time.Second)}, v.checks...)...)
	if err != nil {
		return ltc.Actor{}, err
	}
	return c.actor()
}

func (c Claims) actor() (ltc.Actor, error) {
	if c.Subject == "" {
		return ltc.Actor{}, errors.New("token has no subject")
	}
	a := ltc.Actor{ID: c.Subject, Name: c.Name, Authority: c.Authority}
	for _, s := range c.Roles {
		r, ok := ltc.ParseRole(s)
		if !ok {
			return ltc.Actor{}, fmt.Errorf("token has unknown role %q", s)
		}
		a.Roles = append(a.Roles, r)
	}
	for _, s := range c.Functions {
		f, ok := ltc.ParseReviewFunction(s)
		if !ok {
			return ltc.Actor{}, fmt.Errorf("token has unknown review function %q", s)
		}
		a.Functions = append(a.Functions, f)
	}
	if a.Authority < 0 || a.Authority > ltc.MaxAuthority {
		return ltc.Actor{}, fmt.Errorf("token has authority %d outside 0-%d", a.Authority, ltc.MaxAuthority)
	}
	unit, err := ltc.ParseUnit(c.Org)
	if err != nil {
		return ltc.Actor{}, fmt.Errorf("token claim org: %w", err)
	}
	a.Unit = unit
	if scopes := strings.Fields(c.Scope); len(scopes) > 0 {
		a.Scopes = scopes
	}
	return a, nil
}

// Mint signs an HS256 token for the actor, valid for ttl from now.
func Mint(secret []byte, a ltc.Actor, now time.Time, ttl time.Duration) (string, error) {
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject: a.ID, Issuer: Issuer,
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Name: a.Name, Authority: a.Authority, Org: a.Unit.String(), Scope: strings.Join(a.Scopes, " "),
	}
	for _, r := range a.Roles {
		c.Roles = append(c.Roles, string(r))
	}
	for _, f := range a.Functions {
		c.Functions = append(c.Functions, string(f))
	}
	if _, err := c.actor(); err != nil {
		return "", err
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
}

type actorKey struct{}

// WithActor returns a context carrying the authenticated actor.
func WithActor(ctx context.Context, a ltc.Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the authenticated actor of the call.
func ActorFrom(ctx context.Context) (ltc.Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(ltc.Actor)
	return a, ok
}
