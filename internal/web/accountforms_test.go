package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// accountForms posts the account page's forms as the signed-in client, as a browser without JavaScript does.
func accountForms(t *testing.T, site string, client *http.Client, account string) func(action string, v url.Values) (int, string) {
	return func(action string, v url.Values) (int, string) {
		return read(t, func() (*http.Response, error) {
			return client.PostForm(site+"/accounts/"+account+"/actions/"+action, v)
		})
	}
}

// TestAnExecutiveGradesAnAccountAAndItsOwnerMayNot grades the rep's B account to A with the account page's form:
// the rep, its owner, is refused (nobody grades their own account strategic) and the page shows the API's sentence
// beside the form, unfolded with the values and the request id as posted; the region executive, who is not on the
// account, grades it A and the page shows the new grade and its rationale; the same form sent again changes
// nothing twice.
func TestAnExecutiveGradesAnAccountAAndItsOwnerMayNot(t *testing.T) {
	e, tokens, site := startWorkplace(t)
	account, _ := acmeAccount(t, e, tokens)

	rid := uuid.NewString()
	grade := url.Values{"request_id": {rid}, "grade": {"CUSTOMER_GRADE_A"}, "rationale": {"national grid operator, 3-year plan"}}
	code, page := accountForms(t, site.URL, signedIn(t, site, "sales"), account)("grade", grade)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Regexp(t, `id="grade-refusal">[^<]*needs an executive whose scope holds emea/germany<`, page,
		"the API's sentence, beside the form")
	assert.Contains(t, page, `<details class="action" id="action-grade" open>`, "the refused form is drawn unfolded")
	assert.Contains(t, page, `value="`+rid+`"`, "with its request id")
	assert.Contains(t, page, `<option value="CUSTOMER_GRADE_A" selected>`, "and its values")
	assert.Contains(t, page, `>national grid operator, 3-year plan</textarea>`)
	assert.Contains(t, page, `id="account-grade">grade B<`, "the grade is unchanged")
	assert.Contains(t, page, `name="back" value="/accounts/`+account+`"`, "a language switch returns to the account")

	eva := accountForms(t, site.URL, signedIn(t, site, "executive2"), account)
	grade.Set("request_id", uuid.NewString())
	for range 2 {
		code, page = eva("grade", grade)
		assert.Equal(t, http.StatusOK, code)
		assert.Contains(t, page, `id="account-grade">grade A<`)
		assert.Regexp(t, `grade B → grade A</td><td>national grid operator, 3-year plan</td><td>Eva Region<`, page, "the grade's history")
		assert.Contains(t, page, "Review of ", "an A account has its review cadence")
	}
	got, err := ltcv1.NewAccountServiceClient(e.Conn).GetAccount(testenv.WithToken(context.Background(), tokens["sales"]),
		&ltcv1.GetAccountRequest{Id: account})
	require.NoError(t, err)
	assert.Equal(t, ltcv1.CustomerGrade_CUSTOMER_GRADE_A, got.Account.Grade)
	assert.Len(t, got.Account.GradeHistory, 2, "graded once: created B, then A")
}

// TestARepRecordsAnActivityAndAssessesTheRelationship has the account's rep record a held exchange with the CFO
// (a gift without its value refused first, the API's sentence beside the form) and assess the relationship, with
// the account page's forms; the page lists the activity and shows the assessment.
func TestARepRecordsAnActivityAndAssessesTheRelationship(t *testing.T) {
	e, tokens, site := startWorkplace(t)
	account, cfo := acmeAccount(t, e, tokens)
	sam := accountForms(t, site.URL, signedIn(t, site, "sales"), account)
	today := time.Now().UTC().Format(time.DateOnly)

	activity := url.Values{"request_id": {uuid.NewString()}, "kind": {"ACTIVITY_KIND_GIFT"}, "state": {"ACTIVITY_STATE_HELD"},
		"date": {today}, "subject": {"Workshop on grid analytics"}, "our_people": {"sam, sara"}, "contacts": {cfo},
		"outcome": {"CFO asks for a TCO model"}}
	code, page := sam("activity", activity)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Regexp(t, `id="activity-refusal">[^<]*GIFT carries its value`, page)
	assert.Regexp(t, `<input type="checkbox" id="activity-contacts-\d+" name="contacts" value="`+cfo+`" checked>`, page,
		"the contact ticked stays ticked")
	activity.Set("kind", "ACTIVITY_KIND_BUSINESS_EXCHANGE")
	code, page = sam("activity", activity)
	require.Equal(t, http.StatusOK, code, "%s", refusalOf(page))
	activities := regexp.MustCompile(`(?s)<table class="list" id="activities">.*?</table>`).FindString(page)
	for _, want := range []string{today, "Business or technical exchange", "Workshop on grid analytics", "sam, sara", "Held", "Not needed"} {
		assert.Contains(t, activities, want)
	}

	code, page = sam("assess", url.Values{"request_id": {uuid.NewString()}, "level": {"RELATIONSHIP_LEVEL_PREFERRED_SUPPLIER"},
		"communication": {"4"}, "business_fit": {"3"}, "joint_undertakings": {"2"}, "identification": {"3"},
		"rationale": {"regular exchanges, no joint project yet"}})
	require.Equal(t, http.StatusOK, code, "%s", refusalOf(page))
	assert.Contains(t, page, `id="account-relationship">Preferred supplier · communication 4, business fit 3, joint undertakings 2, identification 3 (of 5)<`)
	assert.Contains(t, page, `<option value="4" selected>4</option>`, "a new assessment starts from the current one")

	as := testenv.WithToken(context.Background(), tokens["sales"])
	listed, err := ltcv1.NewAccountServiceClient(e.Conn).ListActivities(as, &ltcv1.ListActivitiesRequest{AccountId: account})
	require.NoError(t, err)
	require.Len(t, listed.Activities, 1, "the refused gift recorded nothing")
	a := listed.Activities[0]
	assert.Equal(t, ltcv1.ActivityState_ACTIVITY_STATE_HELD, a.State)
	assert.Equal(t, []string{cfo}, a.ContactIds)
	assert.Len(t, a.OurPeople, 2)
	got, err := ltcv1.NewAccountServiceClient(e.Conn).GetAccount(as, &ltcv1.GetAccountRequest{Id: account})
	require.NoError(t, err)
	assert.Equal(t, "sam", got.Account.GetRelationship().GetAssessedBy().GetId())
	assert.Equal(t, "regular exchanges, no joint project yet", got.Account.GetRelationship().GetRationale())
}

// refusalOf is the sentence of a refused form on a page, for a failure's message.
func refusalOf(page string) string {
	m := regexp.MustCompile(`class="refusal"[^>]*>([^<]*)<`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestTheAccountFormsInTheBrowser has the rep, in Chromium, unfold the form that updates a contact, make the CFO's
// attitude "accepts us" with Sam holding the relationship, and see the power map say so; then unfold the
// assessment's form beside the others for the screenshot docs/images/web-account-forms.png.
func TestTheAccountFormsInTheBrowser(t *testing.T) {
	ctx := browser(t)
	e, tokens, site := startWorkplace(t)
	account, cfo := acmeAccount(t, e, tokens)
	b := tour{t: t, ctx: ctx, site: site.URL}

	b.as("sales")
	b.do(chromedp.Navigate(site.URL+"/accounts/"+account), chromedp.WaitVisible(chromedp.CSS(`#powermap`)))
	folded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.querySelector("#update_contact-form").checkVisibility()`))
	require.NoError(t, err)
	b.do(chromedp.Click(chromedp.CSS(`#action-update_contact > summary`)), chromedp.WaitVisible(chromedp.CSS(`#update_contact-form`)))
	b.submit("update_contact-submit", map[string]string{"update_contact-contact": cfo, "update_contact-holder": "sam",
		"update_contact-strength": "3", "update_contact-attitude": "ATTITUDE_ACCEPTS_US"})
	b.do(chromedp.WaitVisible(chromedp.CSS(`#powermap`)))
	powerMap := text(t, ctx, `#powermap`)
	b.do(chromedp.Click(chromedp.CSS(`#action-assess > summary`)), chromedp.WaitVisible(chromedp.CSS(`#assess-form`)),
		chromedp.SetValue(chromedp.CSS(`#assess-level`), "RELATIONSHIP_LEVEL_PREFERRED_SUPPLIER"),
		chromedp.SetValue(chromedp.CSS(`#assess-communication`), "4"),
		chromedp.ScrollIntoView(chromedp.CSS(`#changes-h`)), screenshot(t, "web-account-forms"))

	assert.True(t, folded, "the forms are folded until unfolded")
	require.Contains(t, powerMap, "Zhao Min")
	cfoLine := powerMap[strings.Index(powerMap, "Zhao Min"):]
	assert.Contains(t, cfoLine, "Accepts us", "the CFO now accepts us")
	assert.Contains(t, cfoLine, "held by sam, strength 3 of 5")
	assert.Contains(t, cfoLine, "Hidden decider", "the fields left as they were stay")
	got, err := ltcv1.NewAccountServiceClient(e.Conn).ListContacts(testenv.WithToken(context.Background(), tokens["sales"]),
		&ltcv1.ListContactsRequest{AccountId: account})
	require.NoError(t, err)
	for _, c := range got.Contacts {
		if c.Id == cfo {
			assert.Equal(t, ltcv1.Attitude_ATTITUDE_ACCEPTS_US, c.Attitude)
			assert.Equal(t, ltcv1.ContactRole_CONTACT_ROLE_INFLUENCER, c.Role, "kept as is")
		}
	}
}

// TestAGiftWaitsForItsLegalReviewOnTheAccountPage: the rep plans a gift worth a LEGAL review with the account
// page's form; completing it as held is refused while the review is pending (the API's sentence beside the form);
// the LEGAL reviewer approves it with the review form, and the rep then records it held.
func TestAGiftWaitsForItsLegalReviewOnTheAccountPage(t *testing.T) {
	e, tokens, site := startWorkplace(t)
	account, cfo := acmeAccount(t, e, tokens)
	sam := accountForms(t, site.URL, signedIn(t, site, "sales"), account)
	leo := accountForms(t, site.URL, signedIn(t, site, "reviewer_legal"), account)
	today := time.Now().UTC().Format(time.DateOnly)

	code, page := sam("activity", url.Values{"request_id": {uuid.NewString()}, "kind": {"ACTIVITY_KIND_GIFT"},
		"state": {"ACTIVITY_STATE_PLANNED"}, "date": {today}, "subject": {"Porcelain set for the CFO"}, "our_people": {"sam"},
		"contacts": {cfo}, "value": {"5,000"}, "value_currency": {"EUR"}})
	require.Equal(t, http.StatusOK, code, "%s", refusalOf(page))
	require.Contains(t, page, `id="review_activity-form"`, "a pending review has its form")
	as := testenv.WithToken(context.Background(), tokens["sales"])
	got, err := ltcv1.NewAccountServiceClient(e.Conn).GetAccount(as, &ltcv1.GetAccountRequest{Id: account})
	require.NoError(t, err)
	require.Len(t, got.Account.OpenActivities, 1)
	gift := got.Account.OpenActivities[0].Id

	held := url.Values{"request_id": {uuid.NewString()}, "activity": {gift}, "state": {"ACTIVITY_STATE_HELD"}, "held": {today},
		"outcome": {"handed over at the workshop"}}
	code, page = sam("complete_activity", held)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Regexp(t, `id="complete_activity-refusal">[^<]*awaits its LEGAL review`, page, "not held before its review")

	code, page = leo("review_activity", url.Values{"request_id": {uuid.NewString()}, "activity": {gift},
		"result": {"ACTIVITY_REVIEW_STATUS_APPROVED"}, "rationale": {"within the gifts policy"}})
	require.Equal(t, http.StatusOK, code, "%s", refusalOf(page))

	held.Set("request_id", uuid.NewString())
	code, page = sam("complete_activity", held)
	require.Equal(t, http.StatusOK, code, "%s", refusalOf(page))
	got, err = ltcv1.NewAccountServiceClient(e.Conn).GetAccount(as, &ltcv1.GetAccountRequest{Id: account})
	require.NoError(t, err)
	assert.Empty(t, got.Account.OpenActivities, "held, the gift leaves the open activities")
	assert.NotContains(t, page, `id="complete_activity-form"`, "nothing planned is left to complete")
}
