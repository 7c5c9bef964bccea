package auth_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/auth"
	"github.com/ltcengine/ltc/internal/ltc"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func TestMintedTokenVerifies(t *testing.T) {
	v, err := auth.NewHS256(secret)
	require.NoError(t, err)
	exec := ltc.Actor{ID: "eve", Name: "Eve", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 2,
		Functions: []ltc.ReviewFunction{ltc.FunctionFinance}, Unit: "emea/germany", Scopes: []string{ltc.ScopeRead}}
	tok, err := auth.Mint(secret, exec, time.Now(), time.Hour)
	require.NoError(t, err)
	got, err := v.Verify(tok)
	require.NoError(t, err)
	assert.Equal(t, exec, got)
}

func TestBadTokensAreRefused(t *testing.T) {
	v, err := auth.NewHS256(secret)
	require.NoError(t, err)
	a := ltc.Actor{ID: "sam", Roles: []ltc.Role{ltc.RoleSales}}
	now := time.Now()
	expired, _ := auth.Mint(secret, a, now.Add(-2*time.Hour), time.Hour)
	future, _ := auth.Mint(secret, a, now.Add(time.Hour), time.Hour)
	wrongKey, _ := auth.Mint([]byte("another-secret-another-secret-xx"), a, now, time.Hour)
	good, _ := auth.Mint(secret, a, now, time.Hour)
	parts := strings.Split(good, ".")
	// Same signature, claims rewritten to raise the authority.
	forgedClaims, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{Subject: "sam", ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))},
		Roles:            []string{"executive"}, Authority: 3,
	}).SigningString()
	forged := forgedClaims + "." + parts[2]
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{Subject: "sam", ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))},
		Roles:            []string{"admin"},
	}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	noExpiry, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{Subject: "sam"}, Roles: []string{"sales"},
	}).SignedString(secret)
	badRole, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{Subject: "sam", ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))},
		Roles:            []string{"emperor"},
	}).SignedString(secret)

	noOrg, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{Subject: "sam", ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))},
		Roles:            []string{"sales"},
	}).SignedString(secret)
	badOrg, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{Subject: "sam", ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))},
		Roles:            []string{"sales"}, Org: "emea/../apac",
	}).SignedString(secret)

	for name, tok := range map[string]string{
		"no org unit": noOrg, "malformed org unit": badOrg, "expired": expired, "not yet valid": future, "wrong signature": wrongKey, "forged authority": forged,
		"alg none": none, "no expiry": noExpiry, "unknown role": badRole, "garbage": "abc.def.ghi", "empty": "",
	} {
		_, err := v.Verify(tok)
		assert.Error(t, err, name)
	}
}

func TestShortSecretIsRefused(t *testing.T) {
	_, err := auth.NewHS256([]byte("short"))
	assert.Error(t, err)
}

// signed signs raw JSON claims with the test secret, as a token of another minting tool might carry them.
func signed(t *testing.T, claims string) string {
	t.Helper()
	enc := base64.RawURLEncoding
	unsigned := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(claims))
	sig, err := jwt.SigningMethodHS256.Sign(unsigned, secret)
	require.NoError(t, err)
	return unsigned + "." + enc.EncodeToString(sig)
}

// TestMalformedClaimsAreRefused covers what the JWT library takes on its own: an issue time in the future, times
// as strings, and a subject or name that is blank, too long or not storable text.
func TestMalformedClaimsAreRefused(t *testing.T) {
	v, err := auth.NewHS256(secret)
	require.NoError(t, err)
	now := time.Now().Unix()
	exp := fmt.Sprint(now + 3600)
	require.NotEmpty(t, exp)
	_, err = v.Verify(signed(t, `{"org":"/","sub":"sam","roles":["sales"],"exp":`+exp+`,"iat":`+fmt.Sprint(now)+`}`))
	require.NoError(t, err, "the well-formed token the cases below spoil")

	for name, claims := range map[string]string{
		"iat in the future":    `{"org":"/","sub":"sam","roles":["sales"],"exp":` + exp + `,"iat":` + fmt.Sprint(now+600) + `}`,
		"exp as a string":      `{"org":"/","sub":"sam","roles":["sales"],"exp":"` + exp + `"}`,
		"iat as a string":      `{"org":"/","sub":"sam","roles":["sales"],"exp":` + exp + `,"iat":"` + fmt.Sprint(now) + `"}`,
		"nbf as a string":      `{"org":"/","sub":"sam","roles":["sales"],"exp":` + exp + `,"nbf":"` + fmt.Sprint(now) + `"}`,
		"blank subject":        `{"org":"/","sub":"   ","roles":["sales"],"exp":` + exp + `}`,
		"no subject":           `{"org":"/","roles":["sales"],"exp":` + exp + `}`,
		"NUL in the subject":   `{"org":"/","sub":"sam\u0000","roles":["sales"],"exp":` + exp + `}`,
		"escape in the name":   `{"org":"/","sub":"sam","name":"Sam\u001b[2J","roles":["sales"],"exp":` + exp + `}`,
		"a 201-character name": `{"org":"/","sub":"sam","name":"` + strings.Repeat("n", 201) + `","roles":["sales"],"exp":` + exp + `}`,
	} {
		_, err := v.Verify(signed(t, claims))
		assert.Error(t, err, name)
	}
	_, err = v.Verify(signed(t, `{"org":"/","sub":"sam","roles":["sales"],"exp":`+exp+`,"iat":`+fmt.Sprint(now+10)+`}`))
	assert.NoError(t, err, "an issue time within the leeway")
}
