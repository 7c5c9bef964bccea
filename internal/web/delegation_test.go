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
