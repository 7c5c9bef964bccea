package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/type/date"

	"github.com/ltcengine/ltc/internal/config"
	"github.com/ltcengine/ltc/internal/dev"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/testenv"
	"github.com/ltcengine/ltc/internal/web"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// chromium finds Debian's Chromium. Without it the browser tests skip, unless LTC_REQUIRE_BROWSER is set (as
// `make test` sets it, after installing the package), when they fail.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "/usr/bin/chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("LTC_REQUIRE_BROWSER") != "" {
		t.Fatal("Chromium is not installed and LTC_REQUIRE_BROWSER is set: `make chromium` installs it")
	}
	t.Skip("Chromium is not installed (`make chromium` installs it); set LTC_REQUIRE_BROWSER to fail instead")
	return ""
}

// browser starts a headless Chromium for the test.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)), chromedp.NoSandbox,
		chromedp.Headless, chromedp.DisableGPU, chromedp.WindowSize(1280, 900), chromedp.Flag("lang", "en-US"))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelBrowser(); cancelAlloc() })
	return ctx
}

// screenshot saves the whole page as docs/images/NAME.png, for the README.
func screenshot(t *testing.T, name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		png, err := chromedp.FullScreenshot(100)(ctx, target)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(testenv.RepoRoot(t), "docs", "images", name+".png"), png, 0o644)
	})
}

// text reads the text of the element that the CSS selector finds.
func text(t *testing.T, ctx context.Context, selector string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
	require.NoError(t, err, selector)
	return s
}

// startWorkplace starts an engine and the workplace as `ltcd dev` serves it, with the dev sign-in of the demo
// people; it returns the engine, the people's tokens by name and the workplace's server.
func startWorkplace(t *testing.T, options ...testenv.Option) (*testenv.Engine, map[string]string, *httptest.Server) {
	t.Helper()
	e := testenv.StartEngine(t, options...)
	require.NoError(t, dev.SeedReference(t.Context(), e.Store, "EUR"), "the demo's rates and catalogue, as ltcd dev keeps them")
	tokens, err := dev.MintTokens([]byte(e.Config.JWTSecret), time.Now())
	require.NoError(t, err)
	workplace, err := web.New(web.Options{API: e.Conn, SignIn: dev.SignIn(tokens)})
	require.NoError(t, err)
	site := httptest.NewServer(workplace)
	t.Cleanup(site.Close)
	return e, tokens, site
}

// pendingInitiation makes a deal as the dev stack's people would, through the API: the rep creates the lead,
// the manager qualifies it, the rep assesses it and asks for INITIATION at level B, which a region executive
// (authority 2) decides. It returns the deal's and the decision's ids.
func pendingInitiation(t *testing.T, e *testenv.Engine, tokens map[string]string) (string, string) {
	t.Helper()
	as := func(person string) context.Context { return testenv.WithToken(context.Background(), tokens[person]) }
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	created, err := leads.CreateLead(as("sales"), &ltcv1.CreateLeadRequest{
		RequestId: uuid.NewString(), Title: "5G core network",
		Customer: &ltcv1.Customer{Name: "Acme Telecom", Grade: ltcv1.CustomerGrade_CUSTOMER_GRADE_A, Industry: "telecom", Region: "EMEA"},
		Source:   ltcv1.LeadSource_LEAD_SOURCE_CUSTOMER_NEED, EstimatedValue: &ltcv1.Money{CurrencyCode: "EUR", AmountMinor: 2_500_000_00},
		ExpectedCloseDate: &date.Date{Year: 2027, Month: 6, Day: 30},
	})
	require.NoError(t, err)
	id := created.Lead.Id
	_, err = leads.QualifyLead(as("sales_manager"), &ltcv1.QualifyLeadRequest{RequestId: uuid.NewString(), LeadId: id,
		Qualification: &ltcv1.Qualification{BudgetConfirmed: true, DecisionChainKnown: true, Urgency: ltcv1.Urgency_URGENCY_HOT}})
	require.NoError(t, err)
	_, err = ltcv1.NewOpportunityServiceClient(e.Conn).UpdateAssessment(as("sales"), &ltcv1.UpdateAssessmentRequest{
		RequestId: uuid.NewString(), OpportunityId: id, Assessment: &ltcv1.Assessment{WinRate: 60,
			Value: &ltcv1.Money{CurrencyCode: "EUR", AmountMinor: 2_500_000_00}, Competitors: []string{"Globex"},
			DecisionChain: "CTO decides, CFO signs"}})
	require.NoError(t, err)
	requested, err := ltcv1.NewDecisionServiceClient(e.Conn).RequestDecision(as("sales"), &ltcv1.RequestDecisionRequest{
		RequestId: uuid.NewString(), OpportunityId: id, Gate: ltcv1.Gate_GATE_INITIATION,
		Package: &ltcv1.RequestDecisionRequest_Initiation{Initiation: &ltcv1.InitiationPackage{
			ProposedLevel: ltcv1.ProjectLevel_PROJECT_LEVEL_B, Rationale: "strategic account, budget confirmed"}}})
	require.NoError(t, err)
	return id, requested.Decision.Id
}

// TestExecutiveApprovesInitiationWithConditionsInTheBrowser drives the workplace in Chromium: the region executive
// signs in with the dev sign-in, finds the INITIATION in My work, is refused without a rationale (the API's
// sentence shows beside the form), approves with conditions, and the deal page shows the deal in its next stage;
// then the pages in Chinese. It saves screenshots of My work, the decision and the deal into docs/images/.
func TestExecutiveApprovesInitiationWithConditionsInTheBrowser(t *testing.T) {
	ctx := browser(t)
	e, tokens, site := startWorkplace(t)
	dealID, decisionID := pendingInitiation(t, e, tokens)

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(site.URL+"/work"),
		chromedp.WaitVisible(chromedp.CSS(`#signin-executive2`)),
		chromedp.Click(chromedp.CSS(`#signin-executive2`)),
		chromedp.WaitVisible(chromedp.CSS(`#work`)),
		screenshot(t, "web-my-work"),
		chromedp.Click(chromedp.CSS(`a[href="/decisions/`+decisionID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#decide-form`)),
		screenshot(t, "web-decision"),
		chromedp.Click(chromedp.CSS(`#verdict-VERDICT_APPROVE_WITH_CONDITIONS`)),
		chromedp.SendKeys(chromedp.CSS(`#conditions`), "Finance confirms the price floor before the bid"),
		chromedp.Click(chromedp.CSS(`#decide-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#decide-refusal`)),
	))
	refusal := text(t, ctx, `#decide-refusal`)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#rationale`), "Strategic account in the region's plan"),
		chromedp.Click(chromedp.CSS(`#decide-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#conditions-list`)),
	))
	status, conditions := text(t, ctx, `#decision-status`), text(t, ctx, `#conditions-list`)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#deal-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#deal-stage`)),
		screenshot(t, "web-deal"),
	))
	stage := text(t, ctx, `#deal-stage`)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(site.URL+"/deals?stage=STAGE_TEAM_FORMATION"),
		chromedp.WaitVisible(chromedp.CSS(`#deal-list a[href="/deals/`+dealID+`"]`)),
		screenshot(t, "web-deals"),
		chromedp.Navigate(site.URL+"/deals/"+dealID),
		chromedp.WaitVisible(chromedp.CSS(`#deal-stage`)),
		chromedp.Click(chromedp.CSS(`#switch-language`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-Hans"] #deal-stage`)),
		screenshot(t, "web-deal-zh"),
	))
	lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	require.NoError(t, err)
	title := text(t, ctx, `h2#team-h`)
	assert.Contains(t, refusal, "rationale", "the API's sentence shows beside the form")
	assert.Contains(t, status, "Approved with conditions")
	assert.Contains(t, conditions, "Finance confirms the price floor before the bid")
	assert.Contains(t, stage, "Team formation", "the approved INITIATION moves the deal to its team's appointment")
	assert.Equal(t, "zh-Hans", lang)
	assert.Contains(t, title, "项目组", "the deal page renders in Chinese")

	got, err := ltcv1.NewOpportunityServiceClient(e.Conn).GetOpportunity(
		testenv.WithToken(context.Background(), tokens["executive2"]), &ltcv1.GetOpportunityRequest{Id: dealID})
	require.NoError(t, err)
	assert.Equal(t, ltcv1.Stage_STAGE_TEAM_FORMATION, got.Opportunity.Stage)
	assert.Equal(t, "Eva Region", got.Opportunity.GetSponsor().GetName(), "the decision was Eva's, by her token")
}

// TestAResubmittedFormChangesNothingTwice posts the same decision form twice, as a double click or the back button
// would: the form's request id makes the second post the same request, so the deal is decided once.
func TestAResubmittedFormChangesNothingTwice(t *testing.T) {
	e, tokens, site := startWorkplace(t)
	dealID, decisionID := pendingInitiation(t, e, tokens)
	eva := signedIn(t, site, "executive2")
	_, page := read(t, func() (*http.Response, error) { return eva.Get(site.URL + "/work") })
	require.Contains(t, page, decisionID, "My work lists the decision")

	_, page = read(t, func() (*http.Response, error) { return eva.Get(site.URL + "/decisions/" + decisionID) })
	m := regexp.MustCompile(`action="/decisions/[^"]+/decide"[^>]*>\s*<input type="hidden" name="request_id" value="([^"]+)"`).FindStringSubmatch(page)
	require.NotNil(t, m, "the decision form carries its request id")
	decide := url.Values{"request_id": {m[1]}, "verdict": {"VERDICT_APPROVE"}, "rationale": {"fits the regional plan"}}
	for range 2 {
		code, page := read(t, func() (*http.Response, error) {
			return eva.PostForm(site.URL+"/decisions/"+decisionID+"/decide", decide)
		})
		assert.Equal(t, http.StatusOK, code, "each post ends on the decided decision")
		assert.Contains(t, page, "fits the regional plan")
	}
	for stage, listed := range map[string]bool{"STAGE_TEAM_FORMATION": true, "STAGE_VALIDATION": false, "": true} {
		_, page = read(t, func() (*http.Response, error) { return eva.Get(site.URL + "/deals?stage=" + stage) })
		assert.Equal(t, listed, strings.Contains(page, `href="/deals/`+dealID+`"`), "the deal list filtered by %q", stage)
	}
	events, err := ltcv1.NewOpportunityServiceClient(e.Conn).ListEvents(testenv.WithToken(context.Background(), tokens["executive2"]),
		&ltcv1.ListEventsRequest{DealId: dealID, Types: []string{"decision.decided"}})
	require.NoError(t, err)
	assert.Len(t, events.Events, 1, "decided once")
}

// signedIn returns a client of the workplace signed in as the demo person, as a browser without JavaScript is.
func signedIn(t *testing.T, site *httptest.Server, person string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	client := &http.Client{Jar: jar}
	resp, err := client.PostForm(site.URL+"/signin/dev", url.Values{"person": {person}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, "/work", resp.Request.URL.Path, "signed in, to My work")
	return client
}

// read returns the status and the page of a request's response.
func read(t *testing.T, send func() (*http.Response, error)) (int, string) {
	t.Helper()
	resp, err := send()
	require.NoError(t, err)
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(page)
}

// initiationReviews configures an engine whose policy asks for the reviews of the functions at INITIATION.
func initiationReviews(t *testing.T, functions ...ltc.ReviewFunction) testenv.Option {
	t.Helper()
	policy := ltc.DefaultPolicy()
	policy.InitiationReviews = functions
	raw, err := json.Marshal(policy)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "policy.json")
	require.NoError(t, os.WriteFile(path, raw, 0o644))
	return testenv.Configure(func(c *config.Config) { c.PolicyFile = path })
}

// TestAReviewerSubmitsTheirReviewAndARefusalShowsItsSentence runs INITIATION under a policy that asks for a
// FINANCE review: the finance reviewer finds the review in My work and submits it with the form; an executive
// who tries to submit it is refused, and the page shows the API's sentence beside the form.
func TestAReviewerSubmitsTheirReviewAndARefusalShowsItsSentence(t *testing.T) {
	e, tokens, site := startWorkplace(t, initiationReviews(t, ltc.FunctionFinance))
	_, decisionID := pendingInitiation(t, e, tokens)
	review := url.Values{"request_id": {uuid.NewString()}, "function": {"REVIEW_FUNCTION_FINANCE"},
		"result": {"REVIEW_RESULT_PASS_WITH_CONCERNS"}, "comments": {"margin thin but acceptable"}}

	eva := signedIn(t, site, "executive2")
	code, page := read(t, func() (*http.Response, error) {
		return eva.PostForm(site.URL+"/decisions/"+decisionID+"/review", review)
	})
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Regexp(t, `id="review-refusal">[^<]*FINANCE`, page, "the API's sentence, beside the review form")

	fiona := signedIn(t, site, "reviewer_finance")
	_, page = read(t, func() (*http.Response, error) { return fiona.Get(site.URL + "/work") })
	assert.Contains(t, page, decisionID, "the review waits in My work")
	assert.Contains(t, page, "Reviews: Finance")
	code, page = read(t, func() (*http.Response, error) {
		return fiona.PostForm(site.URL+"/decisions/"+decisionID+"/review", review)
	})
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, "margin thin but acceptable", "the decision shows the review")
	assert.NotContains(t, page, `id="review-form"`, "no review is missing any more")
}

// TestARepSubmitsAWeeklyReportInTheBrowser takes a deal to PURSUIT through the API (INITIATION approved, the iron
// triangle appointed); the AR signs in from the keyboard, is refused a report whose win rate is not a number (the
// API's sentence beside the form), corrects it, sends it with Enter, and the deal lists the report.
func TestARepSubmitsAWeeklyReportInTheBrowser(t *testing.T) {
	ctx := browser(t)
	e, tokens, site := startWorkplace(t)
	dealID, decisionID := pendingInitiation(t, e, tokens)
	as := func(person string) context.Context { return testenv.WithToken(context.Background(), tokens[person]) }
	_, err := ltcv1.NewDecisionServiceClient(e.Conn).Decide(as("executive2"), &ltcv1.DecideRequest{RequestId: uuid.NewString(),
		DecisionId: decisionID, Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "fits the regional plan"})
	require.NoError(t, err)
	_, err = ltcv1.NewOpportunityServiceClient(e.Conn).AppointTeam(as("sales_manager"), &ltcv1.AppointTeamRequest{
		RequestId: uuid.NewString(), OpportunityId: dealID, Members: []*ltcv1.TeamMember{
			{Person: &ltcv1.Person{Id: "sam", Name: "Sam Sales"}, Role: ltcv1.TeamRole_TEAM_ROLE_AR},
			{Person: &ltcv1.Person{Id: "sara", Name: "Sara Solution"}, Role: ltcv1.TeamRole_TEAM_ROLE_SR},
			{Person: &ltcv1.Person{Id: "fred", Name: "Fred Fulfilment"}, Role: ltcv1.TeamRole_TEAM_ROLE_FR},
		}})
	require.NoError(t, err)

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(site.URL+"/signin/"),
		chromedp.WaitVisible(chromedp.CSS(`#signin-sales`)),
		chromedp.KeyEvent(kb.Tab),
	))
	first, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.className`))
	require.NoError(t, err)
	assert.Equal(t, "skip", first, "the first Tab reaches the link that skips to the content")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Focus(chromedp.CSS(`#signin-sales`)),
		chromedp.KeyEvent(kb.Enter), // signing in works from the keyboard
		chromedp.WaitVisible(chromedp.CSS(`#person`)),
		chromedp.Navigate(site.URL+"/deals/"+dealID),
		chromedp.Click(chromedp.CSS(`#action-report > summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#report-form`)),
		chromedp.SendKeys(chromedp.CSS(`#report-progress`), "Workshop with the CTO held; requirements agreed"),
		chromedp.SendKeys(chromedp.CSS(`#report-win_rate`), "sixty"),
		chromedp.SendKeys(chromedp.CSS(`#report-next_steps`), "Draft the solution with the SR"),
		chromedp.Click(chromedp.CSS(`#report-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#report-refusal`)),
	))
	refusal := text(t, ctx, `#report-refusal`)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Clear(chromedp.CSS(`#report-win_rate`)),
		chromedp.SendKeys(chromedp.CSS(`#report-win_rate`), "60"),
		chromedp.Focus(chromedp.CSS(`#report-submit`)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`#reports`)),
	))
	reports := text(t, ctx, `#reports`)
	assert.Contains(t, refusal, "win_rate", "the API's sentence shows beside the form")
	assert.Contains(t, reports, "Workshop with the CTO held; requirements agreed")
	assert.Contains(t, reports, "Sam Sales")
}

// acmeAccount creates an account as the rep (grade B, in their unit) with a power map of four contacts: the CTO
// and the CFO at the top, the chief architect reporting to the CTO and an engineer to the architect. It returns
// the account's id and the CFO's contact id.
func acmeAccount(t *testing.T, e *testenv.Engine, tokens map[string]string) (string, string) {
	t.Helper()
	ctx := testenv.WithToken(context.Background(), tokens["sales"])
	accounts := ltcv1.NewAccountServiceClient(e.Conn)
	created, err := accounts.CreateAccount(ctx, &ltcv1.CreateAccountRequest{RequestId: uuid.NewString(), Name: "Globex Energy",
		Grade: ltcv1.CustomerGrade_CUSTOMER_GRADE_B, GradeRationale: "regional utility, growing", Industry: "energy", Region: "EMEA"})
	require.NoError(t, err)
	id := created.Account.Id
	add := func(c *ltcv1.Contact) string {
		added, err := accounts.AddContact(ctx, &ltcv1.AddContactRequest{RequestId: uuid.NewString(), AccountId: id, Contact: c})
		require.NoError(t, err)
		return added.Contact.Id
	}
	sam := &ltcv1.Person{Id: "sam", Name: "Sam Sales"}
	cto := add(&ltcv1.Contact{Name: "Chen Wei", Title: "CTO", Role: ltcv1.ContactRole_CONTACT_ROLE_DECISION_MAKER,
		Attitude: ltcv1.Attitude_ATTITUDE_VALUES_US, Holder: sam, Strength: 4})
	architect := add(&ltcv1.Contact{Name: "Lin Na", Title: "Chief architect", ReportsToContactId: cto, RisingStar: true,
		Role: ltcv1.ContactRole_CONTACT_ROLE_EVALUATOR, Attitude: ltcv1.Attitude_ATTITUDE_ACCEPTS_US, Holder: sam, Strength: 3})
	add(&ltcv1.Contact{Name: "Omar Haddad", Title: "Network engineer", ReportsToContactId: architect,
		Role: ltcv1.ContactRole_CONTACT_ROLE_USER, Attitude: ltcv1.Attitude_ATTITUDE_COMMODITY})
	cfo := add(&ltcv1.Contact{Name: "Zhao Min", Title: "CFO", HiddenDecider: true,
		Role: ltcv1.ContactRole_CONTACT_ROLE_INFLUENCER, Attitude: ltcv1.Attitude_ATTITUDE_THREAT})
	return id, cfo
}

// leadForm signs the rep in and fills the lead list's form for a lead of the account, closing 2027-09-30: its
// title and value, not yet sent.
func leadForm(site *httptest.Server, account, title, value string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(site.URL + "/signin/"),
		chromedp.Click(chromedp.CSS(`#signin-sales`)),
		chromedp.WaitVisible(chromedp.CSS(`#person`)),
		chromedp.Navigate(site.URL + "/leads"),
		chromedp.WaitVisible(chromedp.CSS(`#lead-form`)),
		chromedp.SendKeys(chromedp.CSS(`#title`), title),
		chromedp.SendKeys(chromedp.CSS(`#account_id`), account),
		chromedp.SendKeys(chromedp.CSS(`#value`), value),
		chromedp.SetValue(chromedp.CSS(`#close_date`), "2027-09-30"),
	}
}

// TestLeadsAccountsAndThePipelineInTheBrowser drives the new pages in Chromium: the rep creates a lead for an
// account from the lead list (refused first without a source, the API's sentence beside the form), adds a contact
// to the account's power map, and the region executive reads the quarter's pipeline with its charts drawn. It
// saves screenshots of the leads, the account and the pipeline into docs/images/.
func TestLeadsAccountsAndThePipelineInTheBrowser(t *testing.T) {
	ctx := browser(t)
	e, tokens, site := startWorkplace(t)
	_, decisionID := pendingInitiation(t, e, tokens)
	_, err := ltcv1.NewDecisionServiceClient(e.Conn).Decide(testenv.WithToken(context.Background(), tokens["executive2"]),
		&ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: decisionID, Verdict: ltcv1.Verdict_VERDICT_APPROVE,
			Rationale: "fits the regional plan"})
	require.NoError(t, err)
	accountID, cfo := acmeAccount(t, e, tokens)

	require.NoError(t, chromedp.Do(ctx, append(leadForm(site, accountID, "Smart grid pilot", "850000"),
		chromedp.Click(chromedp.CSS(`#lead-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#lead-refusal`)),
	)...))
	refusal := text(t, ctx, `#lead-refusal`)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#source`), "LEAD_SOURCE_CUSTOMER_NEED"),
		chromedp.Click(chromedp.CSS(`#lead-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#lead-state`)),
	))
	state, account := text(t, ctx, `#lead-state`), text(t, ctx, `#lead-account`)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(site.URL+"/leads"),
		chromedp.WaitVisible(chromedp.CSS(`#leads`)),
		screenshot(t, "web-leads"),
	))
	leads := text(t, ctx, `#leads`)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(site.URL+"/accounts/"+accountID),
		chromedp.Click(chromedp.CSS(`#action-contact > summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#contact-form`)),
		chromedp.SendKeys(chromedp.CSS(`#contact-name`), "Wang Fang"),
		chromedp.SendKeys(chromedp.CSS(`#contact-title`), "Head of procurement"),
		chromedp.SetValue(chromedp.CSS(`#contact-reports_to`), cfo),
		chromedp.SetValue(chromedp.CSS(`#contact-role`), "CONTACT_ROLE_GATEKEEPER"),
		chromedp.SetValue(chromedp.CSS(`#contact-attitude`), "ATTITUDE_ACCEPTS_US"),
		chromedp.Click(chromedp.CSS(`#contact-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#powermap`)),
		chromedp.WaitVisible(chromedp.CSS(`#account-open-deals`)),
		screenshot(t, "web-account"),
	))
	powerMap := text(t, ctx, `#powermap`)
	nested, err := chromedp.Run(ctx, chromedp.Evaluate[int](
		`document.querySelectorAll('#powermap > li > ul > li > ul > li').length`))
	require.NoError(t, err)

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#signin-executive2`)),
		chromedp.Click(chromedp.CSS(`#signin-executive2`)),
		chromedp.WaitVisible(chromedp.CSS(`#person`)),
		chromedp.Navigate(site.URL+"/pipeline"),
		chromedp.WaitVisible(chromedp.CSS(`#chart-funnel canvas`)),
		chromedp.WaitVisible(chromedp.CSS(`#chart-gate-turnaround canvas`)),
		chromedp.WaitVisible(chromedp.CSS(`#chart-top-accounts canvas`)),
		screenshot(t, "web-pipeline"),
	))
	funnel, top := text(t, ctx, `#funnel`), text(t, ctx, `#top-accounts`)
	canvases, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.chart canvas').length`))
	require.NoError(t, err)

	assert.Contains(t, refusal, "source", "the API's sentence shows beside the form")
	assert.Contains(t, state, "New lead")
	assert.Contains(t, account, "Globex Energy", "the lead names the account")
	assert.Contains(t, leads, "Smart grid pilot")
	assert.Contains(t, leads, "5G core network")
	for _, want := range []string{"Chen Wei", "Decision maker", "Values us", "held by Sam Sales, strength 4 of 5", "Rising star",
		"Hidden decider", "Zhao Min", "Wang Fang", "Gatekeeper"} {
		assert.Contains(t, powerMap, want)
	}
	assert.Equal(t, 1, nested, "the engineer sits two levels down, under the architect under the CTO")
	assert.Contains(t, funnel, "Team formation")
	assert.Contains(t, top, "Acme Telecom")
	assert.Equal(t, 6, canvases, "every chart is drawn")
}
