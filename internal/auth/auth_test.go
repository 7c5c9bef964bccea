package auth_test

import (
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
