package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// TestDelegationsOnMyWorkAndTheDecisionPage: the region executive hands her INITIATION decisions to the office
// executive, whose My work lists hers on her behalf with the delegation; he decides it with the page's form, and
// the decision names both.
func TestDelegationsOnMyWorkAndTheDecisionPage(t *testing.T) {
	e, tokens, site := startWorkplace(t)
	_, decisionID := pendingInitiation(t, e, tokens)
	_, err := ltcv1.NewPeopleServiceClient(e.Conn).SetDelegation(testenv.WithToken(context.Background(), tokens["executive2"]),
		&ltcv1.SetDelegationRequest{RequestId: uuid.NewString(), Deputy: &ltcv1.Person{Id: "eli", Name: "Eli Office"},
			EndTime: timestamppb.New(time.Now().Add(48 * time.Hour)), Gates: []ltcv1.Gate{ltcv1.Gate_GATE_INITIATION}, Reason: "annual leave"})
	require.NoError(t, err)

	eli := signedIn(t, site, "executive1")
	_, page := read(t, func() (*http.Response, error) { return eli.Get(site.URL + "/work") })
	assert.Contains(t, page, decisionID)
	assert.Contains(t, page, "on behalf of Eva Region")
	assert.Contains(t, page, `id="delegations"`)
	assert.Contains(t, page, "annual leave")

	_, page = read(t, func() (*http.Response, error) { return eli.Get(site.URL + "/decisions/" + decisionID) })
	m := regexp.MustCompile(`action="/decisions/[^"]+/decide"[^>]*>\s*<input type="hidden" name="request_id" value="([^"]+)"`).FindStringSubmatch(page)
	require.NotNil(t, m, "the deputy gets the decision form")
	code, page := read(t, func() (*http.Response, error) {
		return eli.PostForm(site.URL+"/decisions/"+decisionID+"/decide", url.Values{"request_id": {m[1]},
			"verdict": {"VERDICT_APPROVE"}, "rationale": {"for Eva, as agreed"}})
	})
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, "Eli Office (on behalf of Eva Region)")
}

// TestDelegatingFromMyWork: the region executive delegates her INITIATION decisions with My work's form, the
// deputy's My work lists hers, and she ends the delegation with the other form; a sales rep, who decides nothing,
// is refused with the API's sentence beside the form, and nothing is recorded.
func TestDelegatingFromMyWork(t *testing.T) {
	e, tokens, site := startWorkplace(t)
	_, decisionID := pendingInitiation(t, e, tokens)
	until := time.Now().UTC().Add(72 * time.Hour).Format("2006-01-02T15:04")
	delegate := url.Values{"deputy": {"eli"}, "end": {until}, "gates": {"GATE_INITIATION"}, "reason": {"annual leave"}}

	sam := signedIn(t, site, "sales")
	delegate.Set("request_id", uuid.NewString())
	code, page := read(t, func() (*http.Response, error) { return sam.PostForm(site.URL+"/work/actions/delegate", delegate) })
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Regexp(t, `id="delegate-refusal">[^<]*delegat`, page, "the API's sentence, beside the form")
	assert.Contains(t, page, `value="annual leave"`, "the refused form keeps its values")

	eva := signedIn(t, site, "executive2")
	delegate.Set("request_id", uuid.NewString())
	code, page = read(t, func() (*http.Response, error) { return eva.PostForm(site.URL+"/work/actions/delegate", delegate) })
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, `id="delegations"`)
	assert.Contains(t, page, `id="revoke-form"`, "a delegation in force can be ended")

	eli := signedIn(t, site, "executive1")
	_, page = read(t, func() (*http.Response, error) { return eli.Get(site.URL + "/work") })
	assert.Contains(t, page, decisionID, "the deputy's My work lists her decision")

	people := ltcv1.NewPeopleServiceClient(e.Conn)
	given, err := people.ListDelegations(testenv.WithToken(context.Background(), tokens["executive2"]), &ltcv1.ListDelegationsRequest{})
	require.NoError(t, err)
	require.Len(t, given.Delegations, 1, "one delegation, Eva's; the rep's was not recorded")
	code, _ = read(t, func() (*http.Response, error) {
		return eva.PostForm(site.URL+"/work/actions/revoke", url.Values{"request_id": {uuid.NewString()}, "delegation": {given.Delegations[0].Id}})
	})
	require.Equal(t, http.StatusOK, code)
	_, page = read(t, func() (*http.Response, error) { return eli.Get(site.URL + "/work") })
	assert.NotContains(t, page, decisionID, "ended, the delegation hands nothing over")
}

// TestNotificationPreferencesFromMyWork: a person chooses a daily digest in Chinese, without weekly-report mails,
// with My work's form, and the directory keeps it.
func TestNotificationPreferencesFromMyWork(t *testing.T) {
	e, _, site := startWorkplace(t)
	eli := signedIn(t, site, "executive1")
	code, page := read(t, func() (*http.Response, error) {
		return eli.PostForm(site.URL+"/work/actions/notifications", url.Values{"request_id": {uuid.NewString()}, "email": {"on"},
			"daily_digest": {"on"}, "language": {"zh-CN"}, "muted": {"weekly_report.submitted, weekly_report.overdue"}})
	})
	require.Equal(t, http.StatusOK, code, "%s", refusalOf(page))
	people, err := e.Store.People(context.Background())
	require.NoError(t, err)
	var found bool
	for _, p := range people {
		if p.ID == "eli" {
			found = true
			pr := p.Prefs()
			assert.True(t, pr.Email)
			assert.True(t, pr.DailyDigest)
			assert.Equal(t, "zh-CN", pr.Language)
			assert.Equal(t, []string{"weekly_report.submitted", "weekly_report.overdue"}, pr.Muted)
		}
	}
	assert.True(t, found, "Eli is in the directory")
}

// TestWebhooksFromTheirPage: an admin registers a webhook with the page's form and sees its secret once, then
// stops it; a sales rep is refused the page with the API's sentence.
func TestWebhooksFromTheirPage(t *testing.T) {
	_, _, site := startWorkplace(t)
	sam := signedIn(t, site, "sales")
	code, _ := read(t, func() (*http.Response, error) { return sam.Get(site.URL + "/webhooks") })
	assert.Equal(t, http.StatusForbidden, code)

	ops := signedIn(t, site, "admin")
	code, page := read(t, func() (*http.Response, error) {
		return ops.PostForm(site.URL+"/webhooks/actions/create", url.Values{"request_id": {uuid.NewString()},
			"url": {"ftp://crm.example.com/ltc"}, "types": {"decision.decided"}})
	})
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, page, `id="create-refusal"`)
	code, page = read(t, func() (*http.Response, error) {
		return ops.PostForm(site.URL+"/webhooks/actions/create", url.Values{"request_id": {uuid.NewString()},
			"url": {"http://127.0.0.1:9/ltc"}, "types": {"decision.decided, opportunity.closed"}})
	})
	require.Equal(t, http.StatusOK, code, "%s", refusalOf(page))
	m := regexp.MustCompile(`id="webhook-secret">[^<]*<code>([^<]+)</code>`).FindStringSubmatch(page)
	require.NotNil(t, m, "the secret is shown once")
	assert.Contains(t, page, "http://127.0.0.1:9/ltc")
	_, page = read(t, func() (*http.Response, error) { return ops.Get(site.URL + "/webhooks") })
	assert.NotContains(t, page, m[1], "and never again")
	hook := regexp.MustCompile(`<option value="([^"]+)"[^>]*>http://127.0.0.1:9/ltc</option>`).FindStringSubmatch(page)
	require.NotNil(t, hook)
	code, page = read(t, func() (*http.Response, error) {
		return ops.PostForm(site.URL+"/webhooks/actions/delete", url.Values{"request_id": {uuid.NewString()}, "webhook": {hook[1]}})
	})
	require.Equal(t, http.StatusOK, code, "%s", refusalOf(page))
	assert.Contains(t, page, "No webhooks yet.")
}
