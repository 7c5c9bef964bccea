package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/auth"
)

func TestTheClaimMapIsReadOrRefused(t *testing.T) {
	n, err := parseClaimMap(" roles=realm_access.roles , org=department,")
	require.NoError(t, err)
	assert.Equal(t, auth.ClaimNames{Roles: "realm_access.roles", Org: "department"}, n)
	for _, bad := range []string{"roles", "roles=", "team=groups", "roles=a,roles=b"} {
		_, err := parseClaimMap(bad)
		assert.Error(t, err, bad)
	}
}
