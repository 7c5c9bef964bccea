package ctl_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReassignAndReopenWithLtcctl(t *testing.T) {
	_, o := setup(t)
	out, err := run(o, "--as", "sales_manager", "lead", "create", "--customer", "Initech", "--grade", "b", "--title", "Billing system",
		"--value", "180000", "--currency", "usd", "--close", "2027-03-31", "--owner", "sam", "-o", "json")
	require.NoError(t, err)
	var created struct{ Lead struct{ ID string } }
	require.NoError(t, json.Unmarshal([]byte(out), &created))
	id := created.Lead.ID

	_, err = run(o, "--as", "sales", "lead", "reassign", id, "--to", "sara", "--reason", "territory")
	assert.ErrorContains(t, err, "PermissionDenied")
	out, err = run(o, "--as", "sales_manager", "lead", "reassign", id, "--to", "sara", "--name", "Sara Solution", "--reason", "territory")
	require.NoError(t, err)
	assert.Contains(t, out, "Sara Solution")

	_, err = run(o, "--as", "sales_manager", "lead", "qualify", id, "--urgency", "warm")
	require.NoError(t, err)
	out, err = run(o, "--as", "executive1", "deal", "reassign", id, "--to", "sam", "--name", "Sam Sales", "--reason", "sara moved")
	require.NoError(t, err)
	assert.Regexp(t, `Owner\s+Sam Sales`, out)
	_, err = run(o, "--as", "sales", "deal", "close", id, "--outcome", "lost", "--reason", "price")
	require.NoError(t, err)

	out, err = run(o, "--as", "sales", "gate", "request", id, "--gate", "reopen", "--stage", "validation",
		"--rationale", "the customer asked again", "-o", "json")
	require.NoError(t, err)
	var requested struct{ ID string }
	require.NoError(t, json.Unmarshal([]byte(out), &requested))
	out, err = run(o, "--as", "executive1", "gate", "show", requested.ID)
	require.NoError(t, err)
	assert.Regexp(t, `Reopen to\s+VALIDATION: the customer asked again`, out)
	_, err = run(o, "--as", "executive1", "gate", "decide", requested.ID, "--verdict", "approve", "--rationale", "worth it")
	require.NoError(t, err)
	_, err = run(o, "--as", "sales_manager", "review", "reassign", requested.ID, "--function", "finance", "--to", "fiona", "--reason", "away")
	assert.ErrorContains(t, err, "FailedPrecondition: decision")

	out, err = run(o, "--as", "sales", "deal", "show", id)
	require.NoError(t, err)
	assert.Regexp(t, `Stage\s+VALIDATION\n`, out)
	assert.Regexp(t, `Reopened\s+to VALIDATION .*was LOST .*price`, out)
	for _, typ := range []string{"lead.reassigned", "opportunity.owner_reassigned", "opportunity.reopened"} {
		assert.Contains(t, out, typ)
	}
}
