package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

const (
	leadID    = "55555555-5555-4555-8555-555555555555"
	accountID = "66666666-6666-4666-8666-666666666666"
)

// fakeLeads is a LeadService that records what the workplace asked: it lists one lead a page over two pages,
// refuses a lead without a value as the API does, and refuses every qualification, as it refuses people who are
// not the unit's sales managers.
type fakeLeads struct {
	ltcv1.UnimplementedLeadServiceServer
	mu         sync.Mutex
	lists      []*ltcv1.ListLeadsRequest
	creates    []*ltcv1.CreateLeadRequest
	qualifies  []*ltcv1.QualifyLeadRequest
	disqualify []*ltcv1.DisqualifyLeadRequest
}

func (f *fakeLeads) ListLeads(_ context.Context, req *ltcv1.ListLeadsRequest) (*ltcv1.ListLeadsResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists = append(f.lists, req)
	if req.PageToken == "" {
		return &ltcv1.ListLeadsResponse{NextPageToken: "leads/2", Leads: []*ltcv1.Lead{{Id: leadID, Title: "Fibre backbone",
			State: ltcv1.LeadState_LEAD_STATE_NEW, Customer: &ltcv1.Customer{Name: "Acme Telecom"}, AccountId: accountID}}}, nil
	}
	return &ltcv1.ListLeadsResponse{Leads: []*ltcv1.Lead{{Id: leadID, Title: "Second page lead"}}}, nil
}

func (f *fakeLeads) CreateLead(_ context.Context, req *ltcv1.CreateLeadRequest) (*ltcv1.CreateLeadResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.creates = append(f.creates, req)
	if req.EstimatedValue == nil {
		return nil, status.Error(codes.InvalidArgument, "estimated_value: value is required")
	}
	return &ltcv1.CreateLeadResponse{Lead: &ltcv1.Lead{Id: leadID}}, nil
}

func (f *fakeLeads) GetLead(_ context.Context, req *ltcv1.GetLeadRequest) (*ltcv1.GetLeadResponse, error) {
	return &ltcv1.GetLeadResponse{Lead: &ltcv1.Lead{Id: req.Id, Title: "Fibre backbone", State: ltcv1.LeadState_LEAD_STATE_NEW,
		Customer: &ltcv1.Customer{Name: "Acme Telecom", Grade: ltcv1.CustomerGrade_CUSTOMER_GRADE_A}, AccountId: accountID,
		Source: ltcv1.LeadSource_LEAD_SOURCE_REFERRAL, EstimatedValue: &ltcv1.Money{CurrencyCode: "EUR", AmountMinor: 120_000_00}}}, nil
}

func (f *fakeLeads) QualifyLead(_ context.Context, req *ltcv1.QualifyLeadRequest) (*ltcv1.QualifyLeadResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.qualifies = append(f.qualifies, req)
	return nil, status.Error(codes.PermissionDenied, "only the unit's sales managers qualify leads")
}

func (f *fakeLeads) DisqualifyLead(_ context.Context, req *ltcv1.DisqualifyLeadRequest) (*ltcv1.DisqualifyLeadResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.disqualify = append(f.disqualify, req)
	return &ltcv1.DisqualifyLeadResponse{Lead: &ltcv1.Lead{Id: req.LeadId}}, nil
}

// requestID finds the request id of the form posting to action on a page.
func requestID(t *testing.T, page, action string) string {
	t.Helper()
	m := regexp.MustCompile(`action="` + regexp.QuoteMeta(action) + `"[^>]*>\s*<input type="hidden" name="request_id" value="([^"]+)"`).FindStringSubmatch(page)
	require.NotNil(t, m, "the form to %s carries its request id", action)
	return m[1]
}

// TestTheLeadListFiltersByStateAndPages checks the list's filter and pages, and its create form's request id.
func TestTheLeadListFiltersByStateAndPages(t *testing.T) {
	api := &fakeLeads{}
	site := fakeAPI(t, func(srv *grpc.Server) { ltcv1.RegisterLeadServiceServer(srv, api) })
	client := signedIn(t, site, "executive2")

	code, page := read(t, func() (*http.Response, error) { return client.Get(site.URL + "/leads?state=LEAD_STATE_NEW") })
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, `<a href="/leads/`+leadID+`">Fibre backbone</a>`)
	assert.Contains(t, page, `<a href="/accounts/`+accountID+`">Acme Telecom</a>`, "the customer links its account")
	next := url.Values{"page": {"leads/2"}, "state": {"LEAD_STATE_NEW"}}
	assert.Contains(t, page, `href="`+html.EscapeString("/leads?"+next.Encode())+`"`)
	assert.NotEmpty(t, requestID(t, page, "/leads"))

	_, page = read(t, func() (*http.Response, error) { return client.Get(site.URL + "/leads?" + next.Encode()) })
	assert.Contains(t, page, "Second page lead")
	assert.Contains(t, page, "First page")
	require.Len(t, api.lists, 2)
	for _, req := range api.lists {
		assert.Equal(t, ltcv1.LeadState_LEAD_STATE_NEW, req.State)
	}
	assert.Equal(t, "leads/2", api.lists[1].PageToken)
}

// TestARefusedLeadKeepsItsFormAndRequestID posts a lead without a value: the API's sentence shows beside the form,
// which keeps what was typed and its request id, so that the corrected form is the same request.
func TestARefusedLeadKeepsItsFormAndRequestID(t *testing.T) {
	api := &fakeLeads{}
	site := fakeAPI(t, func(srv *grpc.Server) { ltcv1.RegisterLeadServiceServer(srv, api) })
	client := signedIn(t, site, "executive2")
	_, page := read(t, func() (*http.Response, error) { return client.Get(site.URL + "/leads") })
	id := requestID(t, page, "/leads")

	lead := url.Values{"request_id": {id}, "title": {"Fibre backbone"}, "customer_name": {"Globex Energy"},
		"grade": {"CUSTOMER_GRADE_B"}, "industry": {"energy"}, "region": {"EMEA"}, "currency": {"eur"},
		"close_date": {"2027-03-31"}, "source": {"LEAD_SOURCE_REFERRAL"}}
	code, page := read(t, func() (*http.Response, error) { return client.PostForm(site.URL+"/leads", lead) })
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Regexp(t, `id="lead-refusal">estimated_value: value is required<`, page)
	assert.Equal(t, id, requestID(t, page, "/leads"), "the request id is kept for the corrected form")
	assert.Contains(t, page, `value="Globex Energy"`, "what was typed is kept")

	lead.Set("value", "2,500,000.50")
	code, page = read(t, func() (*http.Response, error) { return client.PostForm(site.URL+"/leads", lead) })
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, `id="lead-state">New lead`, "the new lead's page")

	require.Len(t, api.creates, 2)
	assert.Equal(t, id, api.creates[0].RequestId)
	assert.Equal(t, id, api.creates[1].RequestId, "the same request, so a retry changes nothing twice")
	got := api.creates[1]
	assert.Equal(t, &ltcv1.Money{CurrencyCode: "EUR", AmountMinor: 250_000_050}, got.EstimatedValue)
	assert.Equal(t, int32(2027), got.ExpectedCloseDate.GetYear())
	assert.Equal(t, "Globex Energy", got.GetCustomer().GetName())
	assert.Equal(t, ltcv1.CustomerGrade_CUSTOMER_GRADE_B, got.GetCustomer().GetGrade())
	assert.Empty(t, got.AccountId)
	assert.Equal(t, ltcv1.LeadSource_LEAD_SOURCE_REFERRAL, got.Source)

	byAccount := url.Values{"request_id": {"77777777-7777-4777-8777-777777777777"}, "title": {"Upgrade"},
		"account_id": {accountID}, "customer_name": {""}, "value": {"1000"}, "currency": {"EUR"}}
	read(t, func() (*http.Response, error) { return client.PostForm(site.URL+"/leads", byAccount) })
	require.Len(t, api.creates, 3)
	assert.Equal(t, accountID, api.creates[2].AccountId, "an existing account by its id")
	assert.Nil(t, api.creates[2].Customer)
	assert.Equal(t, int64(1000_00), api.creates[2].EstimatedValue.GetAmountMinor())
}

// TestARefusedQualificationShowsTheAPIsSentence checks the lead page's forms: the API refuses the qualification
// (it is for sales managers) and the page shows its sentence beside the form with the request id kept; the
// disqualification goes through with its reason.
func TestARefusedQualificationShowsTheAPIsSentence(t *testing.T) {
	api := &fakeLeads{}
	site := fakeAPI(t, func(srv *grpc.Server) { ltcv1.RegisterLeadServiceServer(srv, api) })
	client := signedIn(t, site, "executive2")
	_, page := read(t, func() (*http.Response, error) { return client.Get(site.URL + "/leads/" + leadID) })
	assert.Contains(t, page, "Referral")
	assert.Contains(t, page, "EUR 120,000.00")
	qualifyID := requestID(t, page, "/leads/"+leadID+"/qualify")
	disqualifyID := requestID(t, page, "/leads/"+leadID+"/disqualify")
	assert.NotEqual(t, qualifyID, disqualifyID)

	code, page := read(t, func() (*http.Response, error) {
		return client.PostForm(site.URL+"/leads/"+leadID+"/qualify", url.Values{"request_id": {qualifyID},
			"budget_confirmed": {"1"}, "urgency": {"URGENCY_HOT"}, "notes": {"CFO confirmed the budget"}})
	})
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, page, `id="qualify-refusal">only the unit&#39;s sales managers qualify leads<`)
	assert.Equal(t, qualifyID, requestID(t, page, "/leads/"+leadID+"/qualify"))
	assert.Contains(t, page, "CFO confirmed the budget")
	require.Len(t, api.qualifies, 1)
	q := api.qualifies[0].Qualification
	assert.True(t, q.BudgetConfirmed)
	assert.False(t, q.DecisionChainKnown)
	assert.Equal(t, ltcv1.Urgency_URGENCY_HOT, q.Urgency)

	code, _ = read(t, func() (*http.Response, error) {
		return client.PostForm(site.URL+"/leads/"+leadID+"/disqualify", url.Values{"request_id": {disqualifyID},
			"reason": {"no budget this year"}})
	})
	assert.Equal(t, http.StatusOK, code)
	require.Len(t, api.disqualify, 1)
	assert.Equal(t, "no budget this year", api.disqualify[0].Reason)
	assert.Equal(t, leadID, api.disqualify[0].LeadId)
}

// fakeAccounts is an AccountService with one account whose power map has two trees, one contact's personal data
// withheld, and one planned activity; it records the list's filters, the contacts added and updated and the
// erasures, and refuses a contact without a name, as the API does.
type fakeAccounts struct {
	ltcv1.UnimplementedAccountServiceServer
	mu       sync.Mutex
	lists    []*ltcv1.ListAccountsRequest
	contacts []*ltcv1.AddContactRequest
	updates  []*ltcv1.UpdateContactRequest
	erasures []*ltcv1.EraseContactRequest
}

func (f *fakeAccounts) ListActivities(context.Context, *ltcv1.ListActivitiesRequest) (*ltcv1.ListActivitiesResponse, error) {
	return &ltcv1.ListActivitiesResponse{Activities: []*ltcv1.Activity{{Kind: ltcv1.ActivityKind_ACTIVITY_KIND_EXECUTIVE_VISIT,
		Date: &date.Date{Year: 2026, Month: 12, Day: 10}, Subject: "CEO visit to the lab", OurPeople: []*ltcv1.Person{{Id: "eva", Name: "Eva Region"}},
		State: ltcv1.ActivityState_ACTIVITY_STATE_PLANNED, Review: ltcv1.ActivityReviewStatus_ACTIVITY_REVIEW_STATUS_NOT_NEEDED}}}, nil
}

func (f *fakeAccounts) UpdateContact(_ context.Context, req *ltcv1.UpdateContactRequest) (*ltcv1.UpdateContactResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updates = append(f.updates, req)
	return &ltcv1.UpdateContactResponse{Contact: req.Contact}, nil
}

func (f *fakeAccounts) EraseContact(_ context.Context, req *ltcv1.EraseContactRequest) (*ltcv1.EraseContactResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.erasures = append(f.erasures, req)
	return &ltcv1.EraseContactResponse{Contact: &ltcv1.Contact{Id: req.ContactId, Erased: true}}, nil
}

func (f *fakeAccounts) ListAccounts(_ context.Context, req *ltcv1.ListAccountsRequest) (*ltcv1.ListAccountsResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists = append(f.lists, req)
	return &ltcv1.ListAccountsResponse{Accounts: []*ltcv1.Account{{Id: accountID, Name: "Acme Telecom",
		Grade: ltcv1.CustomerGrade_CUSTOMER_GRADE_A, Target: true, OpenDealCount: 3}}}, nil
}

func (f *fakeAccounts) GetAccount(_ context.Context, req *ltcv1.GetAccountRequest) (*ltcv1.GetAccountResponse, error) {
	contact := func(id, name, title string, role ltcv1.ContactRole, attitude ltcv1.Attitude) *ltcv1.Contact {
		return &ltcv1.Contact{Id: id, Name: name, Title: title, Role: role, Attitude: attitude}
	}
	cto := contact("c0000000-0000-4000-8000-000000000001", "Chen Wei", "CTO", ltcv1.ContactRole_CONTACT_ROLE_DECISION_MAKER, ltcv1.Attitude_ATTITUDE_VALUES_US)
	cto.Holder, cto.Strength = &ltcv1.Person{Id: "eva", Name: "Eva Region"}, 4
	architect := contact("c0000000-0000-4000-8000-000000000002", "Lin Na", "Chief architect", ltcv1.ContactRole_CONTACT_ROLE_EVALUATOR, ltcv1.Attitude_ATTITUDE_ACCEPTS_US)
	architect.RisingStar = true
	engineer := contact("c0000000-0000-4000-8000-000000000003", "", "", ltcv1.ContactRole_CONTACT_ROLE_USER, ltcv1.Attitude_ATTITUDE_COMMODITY)
	cfo := contact("c0000000-0000-4000-8000-000000000004", "Zhao Min", "CFO", ltcv1.ContactRole_CONTACT_ROLE_INFLUENCER, ltcv1.Attitude_ATTITUDE_THREAT)
	cfo.HiddenDecider = true
	return &ltcv1.GetAccountResponse{Account: &ltcv1.Account{Id: req.Id, Name: "Acme Telecom", Grade: ltcv1.CustomerGrade_CUSTOMER_GRADE_A,
		OpenDealCount: 3, PersonalDataVisible: true,
		GradeHistory: []*ltcv1.GradeChange{{ToGrade: ltcv1.CustomerGrade_CUSTOMER_GRADE_B, Rationale: "new customer"},
			{FromGrade: ltcv1.CustomerGrade_CUSTOMER_GRADE_B, ToGrade: ltcv1.CustomerGrade_CUSTOMER_GRADE_A, Rationale: "national backbone"}},
		Relationship:      &ltcv1.RelationshipAssessment{Level: ltcv1.RelationshipLevel_RELATIONSHIP_LEVEL_PREFERRED_SUPPLIER, Communication: 4, BusinessFit: 3, JointUndertakings: 2, Identification: 3},
		Cadence:           &ltcv1.ReviewCadence{Quarter: "2026-Q4", Overdue: true, Escalations: 1},
		Satisfaction:      []*ltcv1.SatisfactionScore{{Period: "2026-Q2", Score: 71}, {Period: "2026-Q3", Score: 78}},
		SatisfactionTrend: ltcv1.Trend_TREND_RISING, SatisfactionChange: 7,
		Plan: &ltcv1.AccountPlan{Year: 2026, TargetLevel: ltcv1.RelationshipLevel_RELATIONSHIP_LEVEL_STRATEGIC_SUPPLIER, Objectives: "Joint innovation lab"},
		PowerMap: []*ltcv1.PowerMapEntry{{Contact: cto, Depth: 0, DirectReports: 1}, {Contact: architect, Depth: 1, DirectReports: 1},
			{Contact: engineer, Depth: 2}, {Contact: cfo, Depth: 0}},
	}}, nil
}

func (f *fakeAccounts) AddContact(_ context.Context, req *ltcv1.AddContactRequest) (*ltcv1.AddContactResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.contacts = append(f.contacts, req)
	if req.Contact.GetName() == "" {
		return nil, status.Error(codes.InvalidArgument, "contact.name: a contact needs a name")
	}
	return &ltcv1.AddContactResponse{Contact: req.Contact}, nil
}

// TestTheAccountListPassesItsFilters checks the account list's filters as the API gets them.
func TestTheAccountListPassesItsFilters(t *testing.T) {
	api := &fakeAccounts{}
	site := fakeAPI(t, func(srv *grpc.Server) { ltcv1.RegisterAccountServiceServer(srv, api) })
	client := signedIn(t, site, "executive2")
	code, page := read(t, func() (*http.Response, error) {
		return client.Get(site.URL + "/accounts?grade=CUSTOMER_GRADE_A&name=acme&target=1")
	})
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, `<a href="/accounts/`+accountID+`">Acme Telecom</a>`)
	require.Len(t, api.lists, 1)
	assert.Equal(t, ltcv1.CustomerGrade_CUSTOMER_GRADE_A, api.lists[0].Grade)
	assert.Equal(t, "acme", api.lists[0].NameContains)
	assert.True(t, api.lists[0].TargetOnly)
}

// TestTheAccountPageDrawsThePowerMapAsATree checks the account page: the power map nests contacts by depth, shows
// their roles, attitudes, flags and holders, and a contact whose name the API withholds shows no name; then a
// contact without a name is refused with the API's sentence beside the form, its request id kept.
func TestTheAccountPageDrawsThePowerMapAsATree(t *testing.T) {
	api := &fakeAccounts{}
	site := fakeAPI(t, func(srv *grpc.Server) { ltcv1.RegisterAccountServiceServer(srv, api) })
	client := signedIn(t, site, "executive2")
	code, page := read(t, func() (*http.Response, error) { return client.Get(site.URL + "/accounts/" + accountID) })
	require.Equal(t, http.StatusOK, code)
	flat := regexp.MustCompile(`\s+`).ReplaceAllString(page, " ")
	assert.Regexp(t, `Chen Wei</strong> · CTO.*?<ul> <li class="contact attitude-ATTITUDE_ACCEPTS_US"><span class="name"><strong>Lin Na</strong>.*?<ul> <li class="contact attitude-ATTITUDE_COMMODITY"><span class="name"><em>Name not shown</em>.*?</li> </ul></li> </ul></li> <li class="contact attitude-ATTITUDE_THREAT"><span class="name"><strong>Zhao Min`, flat,
		"the architect reports to the CTO, the engineer to the architect; the CFO starts a second tree")
	for _, want := range []string{"Decision maker · Values us", "held by Eva Region, strength 4 of 5", "Rising star", "Hidden decider",
		"Preferred supplier", "Review of 2026-Q4 due", "escalated 1 times", "2026-Q2: 71 → 2026-Q3: 78 · Rising (&#43;7)",
		"Joint innovation lab", "national backbone", "grade B → grade A", "CEO visit to the lab", "Executive visit", "Planned"} {
		assert.Contains(t, flat, want)
	}
	const addContact = "/accounts/" + accountID + "/actions/contact"
	id := requestID(t, page, addContact)

	contact := url.Values{"request_id": {id}, "title": {"Procurement lead"}, "reports_to": {"c0000000-0000-4000-8000-000000000004"},
		"role": {"CONTACT_ROLE_GATEKEEPER"}, "attitude": {"ATTITUDE_COMMODITY"}, "hidden_decider": {"on"}}
	code, page = read(t, func() (*http.Response, error) { return client.PostForm(site.URL+addContact, contact) })
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, page, `id="contact-refusal">contact.name: a contact needs a name<`)
	assert.Equal(t, id, requestID(t, page, addContact))
	assert.Contains(t, page, `value="Procurement lead"`)
	assert.Regexp(t, `<option value="c0000000-0000-4000-8000-000000000004" selected>`, page, "the manager chosen is kept")

	contact.Set("name", "Wang Fang")
	code, _ = read(t, func() (*http.Response, error) { return client.PostForm(site.URL+addContact, contact) })
	assert.Equal(t, http.StatusOK, code)
	require.Len(t, api.contacts, 2)
	got := api.contacts[1]
	assert.Equal(t, id, got.RequestId)
	assert.Equal(t, accountID, got.AccountId)
	assert.Equal(t, "c0000000-0000-4000-8000-000000000004", got.Contact.ReportsToContactId)
	assert.Equal(t, ltcv1.ContactRole_CONTACT_ROLE_GATEKEEPER, got.Contact.Role)
	assert.True(t, got.Contact.HiddenDecider)
	assert.False(t, got.Contact.RisingStar)
}

// TestTheAccountsContactFormsSendOnlyWhatIsChosen checks the forms that change a contact: the update sends the
// fields given a value, and only those, in its mask ("keep as is" leaves the others); the erasure is not sent
// before its confirmation is ticked, and the page says so in its language, the form kept.
func TestTheAccountsContactFormsSendOnlyWhatIsChosen(t *testing.T) {
	api := &fakeAccounts{}
	site := fakeAPI(t, func(srv *grpc.Server) { ltcv1.RegisterAccountServiceServer(srv, api) })
	client := signedIn(t, site, "executive2")
	const cfo = "c0000000-0000-4000-8000-000000000004"
	post := func(action string, v url.Values) (int, string) {
		return read(t, func() (*http.Response, error) {
			return client.PostForm(site.URL+"/accounts/"+accountID+"/actions/"+action, v)
		})
	}

	code, _ := post("update_contact", url.Values{"request_id": {"77777777-7777-4777-8777-777777777777"}, "contact": {cfo},
		"holder": {"eva"}, "strength": {"3"}, "attitude": {""}, "role": {""}, "reports_to": {"nobody"}, "hidden_decider": {"no"},
		"rising_star": {""}})
	assert.Equal(t, http.StatusOK, code)
	require.Len(t, api.updates, 1)
	got := api.updates[0]
	assert.Equal(t, []string{"holder", "strength", "reports_to_contact_id", "hidden_decider"}, got.UpdateMask.GetPaths())
	assert.Equal(t, cfo, got.Contact.Id)
	assert.Equal(t, "eva", got.Contact.GetHolder().GetId())
	assert.Equal(t, int32(3), got.Contact.Strength)
	assert.Empty(t, got.Contact.ReportsToContactId, "to nobody: the top of the org chart")
	assert.False(t, got.Contact.HiddenDecider)

	erase := url.Values{"request_id": {"88888888-8888-4888-8888-888888888888"}, "contact": {cfo}, "reference": {"PRIV-7"}}
	code, page := post("erase_contact", erase)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, page, `id="erase_contact-refusal">Tick the confirmation to erase the contact&#39;s personal data.<`)
	assert.Contains(t, page, `value="PRIV-7"`, "the form is kept")
	assert.Empty(t, api.erasures, "nothing is erased unconfirmed")
	erase.Set("confirm", "on")
	code, _ = post("erase_contact", erase)
	assert.Equal(t, http.StatusOK, code)
	require.Len(t, api.erasures, 1)
	assert.Equal(t, "PRIV-7", api.erasures[0].Reference)

	code, _ = post("promote", url.Values{"request_id": {"99999999-9999-4999-8999-999999999999"}})
	assert.Equal(t, http.StatusNotFound, code, "an action the page does not have")
}

// fakeReports is a ReportService with a small report, which records the period asked.
type fakeReports struct {
	ltcv1.UnimplementedReportServiceServer
	mu    sync.Mutex
	asked []*ltcv1.GetPipelineReportRequest
}

func (f *fakeReports) GetPipelineReport(_ context.Context, req *ltcv1.GetPipelineReportRequest) (*ltcv1.GetPipelineReportResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, req)
	return &ltcv1.GetPipelineReportResponse{
		Funnel: []*ltcv1.FunnelStage{{Stage: ltcv1.Stage_STAGE_PURSUIT, Deals: 4,
			ValueTotal: []*ltcv1.MoneyTotal{{CurrencyCode: "EUR", AmountMinor: "12000000000000000000"}}}},
		Conversions: []*ltcv1.StageConversion{{FromStage: ltcv1.Stage_STAGE_VALIDATION, ToStage: ltcv1.Stage_STAGE_INITIATION_REVIEW,
			ReachedFrom: 8, ReachedTo: 6, Rate: 0.75}},
		TimeInStage: []*ltcv1.StageTime{{Stage: ltcv1.Stage_STAGE_PURSUIT, Stays: 5,
			Median: durationpb.New(36 * time.Hour), P90: durationpb.New(10 * 24 * time.Hour)}},
		GateTurnaround: []*ltcv1.GateTurnaround{{Gate: ltcv1.Gate_GATE_ATB, Level: ltcv1.ProjectLevel_PROJECT_LEVEL_B, Decisions: 2,
			Median: durationpb.New(48 * time.Hour), P90: durationpb.New(72 * time.Hour)}},
		DealsClosed: 4, DealsWon: 1, WinRate: 0.25,
		TopAccounts: []*ltcv1.AccountShare{{AccountId: accountID, AccountName: "Acme Telecom",
			Value: &ltcv1.MoneyTotal{CurrencyCode: "EUR", AmountMinor: "250000000"}, Share: 0.625}},
	}, nil
}

// TestThePipelineShowsAQuartersReportAsChartsAndTables checks the period asked for a quarter, the tables, and
// that the charts' figures come as data attributes for the static script, with no inline script or style.
func TestThePipelineShowsAQuartersReportAsChartsAndTables(t *testing.T) {
	api := &fakeReports{}
	site := fakeAPI(t, func(srv *grpc.Server) { ltcv1.RegisterReportServiceServer(srv, api) })
	client := signedIn(t, site, "executive2")
	now := time.Now().UTC()
	current := time.Date(now.Year(), time.Month((int(now.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
	previous := current.AddDate(0, -3, 0)
	quarter := fmt.Sprintf("%d-Q%d", previous.Year(), (int(previous.Month())-1)/3+1)
	code, page := read(t, func() (*http.Response, error) { return client.Get(site.URL + "/pipeline?quarter=" + quarter) })
	require.Equal(t, http.StatusOK, code)
	require.Len(t, api.asked, 1)
	assert.Equal(t, previous, api.asked[0].StartTime.AsTime())
	assert.Equal(t, current, api.asked[0].EndTime.AsTime())
	flat := regexp.MustCompile(`\s+`).ReplaceAllString(page, " ")
	for _, want := range []string{"EUR 120,000,000,000,000,000.00", "75.0 %", "36.0 hours", "10.0 days", "3.0 days",
		"1 of 4 deals closed in the quarter were won: 25.0 %.", "EUR 2,500,000.00", "62.5 %", `<option value="` + quarter + `" selected>`} {
		assert.Contains(t, flat, want)
	}
	for _, id := range []string{"chart-funnel", "chart-conversion", "chart-time-in-stage", "chart-gate-turnaround", "chart-win-rate", "chart-top-accounts"} {
		assert.Regexp(t, `id="`+id+`" role="img" aria-label="[^"]+" data-chart="\{`, page)
	}
	assert.Contains(t, page, html.EscapeString(`"labels":["Validation → Initiation review"]`))
	for _, script := range regexp.MustCompile(`<script[^>]*>`).FindAllString(page, -1) {
		assert.Contains(t, script, `src="/static/`, "scripts come from /static, never inline")
	}
	assert.NotContains(t, page, " style=", "no style attribute")

	_, page = read(t, func() (*http.Response, error) { return client.Get(site.URL + "/pipeline?quarter=someday") })
	require.Len(t, api.asked, 2)
	assert.Equal(t, current, api.asked[1].StartTime.AsTime(), "a quarter that is none shows the current one")
	assert.True(t, strings.Contains(page, "selected>"+current.Format("2006")))

	_, page = read(t, func() (*http.Response, error) {
		r, _ := http.NewRequest(http.MethodGet, site.URL+"/pipeline?quarter="+quarter, nil)
		r.Header.Set("Accept-Language", "zh-CN")
		return client.Do(r)
	})
	assert.Contains(t, page, "销售漏斗")
	assert.Contains(t, page, html.EscapeString(`"labels":["验证机会点 → 立项决策"]`), "the charts' words are translated too")

	_, page = read(t, func() (*http.Response, error) {
		return client.Get(site.URL + "/pipeline?quarter=" + quarter + "&level=PROJECT_LEVEL_B&owner=sam&account=" + accountID)
	})
	require.Len(t, api.asked, 4)
	narrowed := api.asked[3]
	assert.Equal(t, ltcv1.ProjectLevel_PROJECT_LEVEL_B, narrowed.Level)
	assert.Equal(t, "sam", narrowed.OwnerId)
	assert.Equal(t, accountID, narrowed.AccountId)
	assert.Contains(t, page, `<option value="PROJECT_LEVEL_B" selected>`, "the filter keeps its choices")
	assert.Contains(t, page, `name="account" value="`+accountID+`"`)
}
