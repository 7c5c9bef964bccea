package ctl_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWebhookAndNotificationCommands(t *testing.T) {
	_, o := setup(t)
	_, err := run(o, "--as", "sales", "webhook", "create", "https://crm.example.com/ltc")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "PermissionDenied")

	out, err := run(o, "--as", "admin", "webhook", "create", "https://crm.example.com/ltc", "--events", "decision.requested,decision.decided", "-o", "json")
	require.NoError(t, err)
	var created struct {
		Webhook struct{ ID string }
		Secret  string
	}
	require.NoError(t, json.Unmarshal([]byte(out), &created))
	assert.NotEmpty(t, created.Secret)

	out, err = run(o, "--as", "admin", "webhook", "list")
	require.NoError(t, err)
	assert.Contains(t, out, created.Webhook.ID)
	assert.Contains(t, out, "decision.requested,decision.decided")
	assert.NotContains(t, out, created.Secret)

	_, err = run(o, "--as", "admin", "webhook", "create", "http://crm.example.com/ltc")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "https")

	out, err = run(o, "--as", "admin", "webhook", "delete", created.Webhook.ID)
	require.NoError(t, err)
	assert.Contains(t, out, "deleted")
	out, err = run(o, "--as", "system", "webhook", "list")
	require.NoError(t, err)
	assert.Contains(t, out, "No webhooks.")

	out, err = run(o, "--as", "executive2", "notifications", "set", "--daily-digest", "--mute", "weekly_report.overdue", "--language", "zh-CN")
	require.NoError(t, err)
	assert.Regexp(t, `Daily digest\s+true`, out)
	assert.Regexp(t, `Language\s+zh-CN`, out)
}
