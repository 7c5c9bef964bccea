package ctl_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDelegateCommands(t *testing.T) {
	_, o := setup(t)
	_, err := run(o, "--as", "sales", "delegate", "set", "sara", "--days", "3")
	assert.ErrorContains(t, err, "PermissionDenied")
	_, err = run(o, "--as", "executive2", "delegate", "set", "eli", "--days", "91")
	assert.ErrorContains(t, err, "90 days")
	_, err = run(o, "--as", "executive2", "delegate", "set", "eli")
	assert.ErrorContains(t, err, "--end or --days")

	out, err := run(o, "--as", "executive2", "delegate", "set", "eli", "--days", "14", "--gate", "initiation,atb", "--reason", "annual leave", "-o", "json")
	require.NoError(t, err)
	var set struct{ ID string }
	require.NoError(t, json.Unmarshal([]byte(out), &set))
	require.NotEmpty(t, set.ID)

	out, err = run(o, "--as", "executive1", "delegate", "list", "--current")
	require.NoError(t, err)
	assert.Contains(t, out, "Eva Region (eva)")
	assert.Contains(t, out, "INITIATION,ATB")
	assert.Contains(t, out, "annual leave")

	_, err = run(o, "--as", "executive1", "delegate", "revoke", set.ID)
	assert.ErrorContains(t, err, "PermissionDenied")
	out, err = run(o, "--as", "executive2", "delegate", "revoke", set.ID, "-o", "json")
	require.NoError(t, err)
	assert.Contains(t, out, "revoke")
	out, err = run(o, "--as", "executive1", "delegate", "list", "--current")
	require.NoError(t, err)
	assert.Contains(t, out, "No delegations.")
}
