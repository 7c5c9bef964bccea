// Package auth turns bearer tokens into actors. Tokens are JWTs: HS256 with a shared secret by default, RS256
// checked against a public key, or RS256/ES256 from the company's identity provider checked against its JWKS
// (jwks.go). The claims carry the user id (sub), name, roles, authority level and review functions.
package auth

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

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
	// claims map an identity provider's claims to the engine's attributes; nil reads the engine's own names.
	claims *ClaimNames
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

// Leeway is the clock skew tolerated on exp, nbf and iat.
const Leeway = 30 * time.Second

// Verify checks the token's signature, algorithm, validity window (exp required, nbf and iat not in the future;
// and, for identity-provider tokens, issuer and audience) and the form of its claims, and returns its actor.
func (v *Verifier) Verify(token string) (ltc.Actor, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, v.keys, append([]jwt.ParserOption{
		jwt.WithValidMethods(v.methods), jwt.WithExpirationRequired(), jwt.WithLeeway(Leeway), jwt.WithIssuedAt()}, v.checks...)...)
	if err != nil {
		return ltc.Actor{}, err
	}
	raw, err := checkClaims(token, c)
	if err != nil {
		return ltc.Actor{}, err
	}
	if v.claims != nil {
		if err := v.claims.mapped(&c, raw); err != nil {
			return ltc.Actor{}, err
		}
		if err := checkText("name", c.Name); err != nil {
			return ltc.Actor{}, err
		}
	}
	return c.actor()
}

// maxClaimText bounds the subject and name: they become a person's id and name, which the API bounds to 200.
const maxClaimText = 200

// checkClaims refuses what the JWT library lets pass: times given as strings rather than numbers (RFC 7519 says
// NumericDate), and a subject or name that is blank, too long, or not text the engine can store (they are written
// into every event the caller causes).
// It returns the token's claims as decoded JSON, for a claim mapping to read.
func checkClaims(token string, c Claims) (map[string]any, error) {
	_, payload, _ := strings.Cut(token, ".")
	payload, _, _ = strings.Cut(payload, ".")
	b, err := jwt.NewParser().DecodeSegment(payload)
	if err != nil {
		return nil, fmt.Errorf("token claims: %w", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("token claims: %w", err)
	}
	for _, name := range []string{"exp", "nbf", "iat"} {
		if v, ok := raw[name]; ok && !isJSONNumber(v) {
			return nil, fmt.Errorf("token claim %s must be a number (NumericDate)", name)
		}
	}
	if strings.TrimSpace(c.Subject) == "" {
		return nil, errors.New("token has a blank subject")
	}
	for name, v := range map[string]string{"sub": c.Subject, "name": c.Name} {
		if err := checkText(name, v); err != nil {
			return nil, err
		}
	}
	var decoded map[string]any
	if err := json.Unmarshal(b, &decoded); err != nil {
		return nil, fmt.Errorf("token claims: %w", err)
	}
	return decoded, nil
}

// checkText refuses a claim that becomes a person's id or name and is no text the engine stores, or too long.
func checkText(name, v string) error {
	if problem := ltc.TextProblem(v); problem != "" {
		return fmt.Errorf("token claim %s %s", name, problem)
	}
	if utf8.RuneCountInString(v) > maxClaimText {
		return fmt.Errorf("token claim %s is longer than %d characters", name, maxClaimText)
	}
	return nil
}

// isJSONNumber reports whether v is a JSON number (not a string, even one holding digits).
func isJSONNumber(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) > 0 && (v[0] == '-' || (v[0] >= '0' && v[0] <= '9'))
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
