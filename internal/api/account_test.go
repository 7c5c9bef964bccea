package api_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
	"github.com/ltcengine/ltc/workflows"
)

var (
	emeaLena = ltc.Actor{ID: "emea-lena", Name: "Lena", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionLegal}, Unit: "emea"}
	apacLee  = ltc.Actor{ID: "apac-lee", Name: "Lee", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionLegal}, Unit: "apac"}
)

func createAccountRequest(name string) *ltcv1.CreateAccountRequest {
	return &ltcv1.CreateAccountRequest{RequestId: uuid.NewString(), Name: name, Grade: ltcv1.CustomerGrade_CUSTOMER_GRADE_B,
		Industry: "telecom", Region: "EMEA", OrgUnit: "emea/germany"}
}

func TestAnAccountIsCreatedOnceGradedByAnIndependentExecutiveAndReadInScope(t *testing.T) {
	e := testenv.StartEngine(t)
	accounts := ltcv1.NewAccountServiceClient(e.Conn)

	req := createAccountRequest("Nordwind Energie GmbH")
	created, err := accounts.CreateAccount(e.As(t, deSam), req)
	require.NoError(t, err)
	a := created.Account
	assert.Equal(t, ltcv1.CustomerGrade_CUSTOMER_GRADE_B, a.Grade)
	assert.Equal(t, "de-sam", a.Owner.Id)
	require.Len(t, a.GradeHistory, 1)

	again, err := accounts.CreateAccount(e.As(t, deSam), req)
	require.NoError(t, err, "a retried request answers with its account")
	assert.Equal(t, a.Id, again.Account.Id)
	changed := proto.Clone(req).(*ltcv1.CreateAccountRequest)
	changed.Industry = "energy"
	_, err = accounts.CreateAccount(e.As(t, deSam), changed)
	requireCode(t, err, codes.AlreadyExists, "already used")

	// The same customer under another spelling of its legal form, in any case: refused, naming the account.
	_, err = accounts.CreateAccount(e.As(t, deSue), createAccountRequest("NORDWIND ENERGIE"))
	st := requireCode(t, err, codes.AlreadyExists, a.Id)
	var info *errdetails.ErrorInfo
	for _, d := range st.Details() {
		if i, ok := d.(*errdetails.ErrorInfo); ok {
			info = i
		}
	}
	require.NotNil(t, info)
	assert.Equal(t, "DUPLICATE_ACCOUNT", info.Reason)
	assert.Equal(t, a.Id, info.Metadata["account_id"])
	near, err := accounts.CreateAccount(e.As(t, deSue), createAccountRequest("Nordwind Energy Services"))
	require.NoError(t, err, "a near match is no duplicate")
	require.NotEmpty(t, near.SimilarAccounts)
	assert.Equal(t, a.Id, near.SimilarAccounts[0].Id)

	// Who reads it: the owner and the managers and executives in scope, not a colleague of the same office nor an
	// executive elsewhere.
	for _, reader := range []ltc.Actor{deSam, deMia, emeaEva, emeaLena} {
		_, err := accounts.GetAccount(e.As(t, reader), &ltcv1.GetAccountRequest{Id: a.Id})
		assert.NoError(t, err, reader.ID)
		page, err := accounts.ListAccounts(e.As(t, reader), &ltcv1.ListAccountsRequest{NameContains: "nordwind energie"})
		require.NoError(t, err)
		require.Len(t, page.Accounts, 1, "%s lists what they read", reader.ID)
		assert.Equal(t, a.Id, page.Accounts[0].Id)
	}
	for _, outsider := range []ltc.Actor{deSue, apacAiko, jpYui, apacLee} {
		_, err := accounts.GetAccount(e.As(t, outsider), &ltcv1.GetAccountRequest{Id: a.Id})
		requireCode(t, err, codes.PermissionDenied, "account")
		page, err := accounts.ListAccounts(e.As(t, outsider), &ltcv1.ListAccountsRequest{NameContains: "nordwind energie"})
		require.NoError(t, err)
		for _, x := range page.Accounts {
			assert.NotEqual(t, a.Id, x.Id, "%s lists no account they cannot read", outsider.ID)
		}
	}
	page, err := accounts.ListAccounts(e.As(t, deMia), &ltcv1.ListAccountsRequest{NameContains: "NORDWIND ENERGIE", Grade: ltcv1.CustomerGrade_CUSTOMER_GRADE_B})
	require.NoError(t, err)
	require.Len(t, page.Accounts, 1, "name contains, case-insensitively")
	assert.Empty(t, page.Accounts[0].GradeHistory, "a list carries summaries")

	// Grading S: not the owner, not a manager, not an executive on its team; an executive in scope.
	grade := func(by ltc.Actor, g ltcv1.CustomerGrade) (*ltcv1.GradeAccountResponse, error) {
		return accounts.GradeAccount(e.As(t, by), &ltcv1.GradeAccountRequest{RequestId: uuid.NewString(), AccountId: a.Id,
			Grade: g, Rationale: "the region's largest utility"})
	}
	_, err = grade(deSam, ltcv1.CustomerGrade_CUSTOMER_GRADE_S)
	requireCode(t, err, codes.PermissionDenied, "executive")
	_, err = grade(deMia, ltcv1.CustomerGrade_CUSTOMER_GRADE_S)
	requireCode(t, err, codes.PermissionDenied, "executive")
	_, err = grade(apacAiko, ltcv1.CustomerGrade_CUSTOMER_GRADE_S)
	requireCode(t, err, codes.PermissionDenied, "executive whose scope holds emea/germany")
	_, err = accounts.UpdateAccount(e.As(t, deMia), &ltcv1.UpdateAccountRequest{RequestId: uuid.NewString(),
		Account:    &ltcv1.Account{Id: a.Id, Team: []*ltcv1.TeamMember{{Person: &ltcv1.Person{Id: deEli.ID, Name: deEli.Name}, Role: ltcv1.TeamRole_TEAM_ROLE_SR}}},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"team"}}})
	require.NoError(t, err)
	_, err = grade(deEli, ltcv1.CustomerGrade_CUSTOMER_GRADE_S)
	requireCode(t, err, codes.PermissionDenied, "separation of duties")
	graded, err := grade(emeaEva, ltcv1.CustomerGrade_CUSTOMER_GRADE_S)
	require.NoError(t, err)
	assert.Equal(t, ltcv1.CustomerGrade_CUSTOMER_GRADE_S, graded.Account.Grade)
	require.NotNil(t, graded.Account.Cadence, "an S account owes its quarterly relationship review")
	assert.Len(t, graded.Account.GradeHistory, 2)

	// Nothing refused left a trace: the log holds the creation, the team and the grade.
	assert.Equal(t, []string{ltc.EventAccountCreated, ltc.EventAccountUpdated, ltc.EventAccountGraded}, eventTypesOf(t, e, a.Id))
}

// eventTypesOf are the types of the account's events, read as the company's CRM integration does.
func eventTypesOf(t *testing.T, e *testenv.Engine, accountID string) []string {
	t.Helper()
	crm := ltc.Actor{ID: "crm", Name: "CRM", Roles: []ltc.Role{ltc.RoleSystem}, Scopes: []string{ltc.ScopeRead}}
	resp, err := ltcv1.NewOpportunityServiceClient(e.Conn).ListEvents(e.As(t, crm), &ltcv1.ListEventsRequest{AccountId: accountID})
	require.NoError(t, err)
	var types []string
	for _, ev := range resp.Events {
		assert.Equal(t, accountID, ev.AccountId)
		assert.Empty(t, ev.DealId)
		assert.NotNil(t, ev.Payload, "%s is typed", ev.Type)
		types = append(types, ev.Type)
	}
	return types
}

func TestThePowerMapContactsAndAnErasureThatLeavesNoPersonalData(t *testing.T) {
	e := testenv.StartEngine(t)
	accounts := ltcv1.NewAccountServiceClient(e.Conn)
	created, err := accounts.CreateAccount(e.As(t, deSam), createAccountRequest("Rheinland Verkehrsbetriebe"))
	require.NoError(t, err)
	id := created.Account.Id
	add := func(c *ltcv1.Contact) *ltcv1.Contact {
		resp, err := accounts.AddContact(e.As(t, deSam), &ltcv1.AddContactRequest{RequestId: uuid.NewString(), AccountId: id, Contact: c})
		require.NoError(t, err)
		return resp.Contact
	}
	ceo := add(&ltcv1.Contact{Name: "Greta Hoffmann", Title: "CEO", Role: ltcv1.ContactRole_CONTACT_ROLE_DECISION_MAKER,
		Attitude: ltcv1.Attitude_ATTITUDE_ACCEPTS_US, Email: "greta@rheinland.example", Notes: "prefers short meetings"})
	cto := add(&ltcv1.Contact{Name: "Jonas Weber", Title: "CTO", ReportsToContactId: ceo.Id, Role: ltcv1.ContactRole_CONTACT_ROLE_EVALUATOR,
		Attitude: ltcv1.Attitude_ATTITUDE_VALUES_US, Holder: &ltcv1.Person{Id: deSam.ID, Name: deSam.Name}, Strength: 4})
	add(&ltcv1.Contact{Name: "Paul Braun", Title: "Head of procurement", ReportsToContactId: cto.Id,
		Role: ltcv1.ContactRole_CONTACT_ROLE_GATEKEEPER, HiddenDecider: true})
	assert.Equal(t, "prefers short meetings", ceo.Notes)

	// A cycle in the org chart is refused; a change of one field keeps the others, notes included.
	_, err = accounts.UpdateContact(e.As(t, deSam), &ltcv1.UpdateContactRequest{RequestId: uuid.NewString(), AccountId: id,
		Contact: &ltcv1.Contact{Id: ceo.Id, ReportsToContactId: cto.Id}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"reports_to_contact_id"}}})
	require.Error(t, err)
	updated, err := accounts.UpdateContact(e.As(t, deSam), &ltcv1.UpdateContactRequest{RequestId: uuid.NewString(), AccountId: id,
		Contact: &ltcv1.Contact{Id: ceo.Id, Attitude: ltcv1.Attitude_ATTITUDE_VALUES_US}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"attitude"}}})
	require.NoError(t, err)
	assert.Equal(t, ltcv1.Attitude_ATTITUDE_VALUES_US, updated.Contact.Attitude)
	assert.Equal(t, "Greta Hoffmann", updated.Contact.Name)
	assert.Equal(t, "prefers short meetings", updated.Contact.Notes)

	got, err := accounts.GetAccount(e.As(t, deMia), &ltcv1.GetAccountRequest{Id: id})
	require.NoError(t, err)
	var chart []string
	for _, p := range got.Account.PowerMap {
		chart = append(chart, p.Contact.Title+"@"+string(rune('0'+p.Depth)))
	}
	assert.Equal(t, []string{"CEO@0", "CTO@1", "Head of procurement@2"}, chart, "a tree by reports-to, depth first")
	assert.True(t, got.Account.PersonalDataVisible)

	// A reviewer in scope reads the account, not its people's personal data.
	asReviewer, err := accounts.GetAccount(e.As(t, emeaLena), &ltcv1.GetAccountRequest{Id: id})
	require.NoError(t, err)
	assert.False(t, asReviewer.Account.PersonalDataVisible)
	for _, p := range asReviewer.Account.PowerMap {
		assert.Empty(t, p.Contact.Name)
		assert.Empty(t, p.Contact.Email)
		assert.NotEqual(t, ltcv1.ContactRole_CONTACT_ROLE_UNSPECIFIED, p.Contact.Role, "roles and attitudes are no personal data")
	}

	// The privacy request: nobody but the owner, the managers and executives in scope (and admins) erases.
	erase := &ltcv1.EraseContactRequest{RequestId: uuid.NewString(), AccountId: id, ContactId: ceo.Id, Reference: "DPO-2026-17"}
	_, err = accounts.EraseContact(e.As(t, deSue), erase)
	requireCode(t, err, codes.PermissionDenied, "erasing")
	erased, err := accounts.EraseContact(e.As(t, deSam), erase)
	require.NoError(t, err)
	assert.True(t, erased.Contact.Erased)
	assert.Empty(t, erased.Contact.Name)
	assert.Empty(t, erased.Contact.Notes)
	_, err = accounts.UpdateContact(e.As(t, deSam), &ltcv1.UpdateContactRequest{RequestId: uuid.NewString(), AccountId: id,
		Contact: &ltcv1.Contact{Id: ceo.Id, Name: "Greta"}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"name"}}})
	require.Error(t, err, "an erased contact takes no personal data again")

	// Nothing in the database holds her data any more: not the account, contacts, events nor request records.
	db, err := pgx.Connect(context.Background(), e.Config.DatabaseURL)
	require.NoError(t, err)
	defer db.Close(context.Background())
	for _, table := range []string{"accounts", "contacts", "events", "requests"} {
		var n int
		require.NoError(t, db.QueryRow(context.Background(),
			"SELECT count(*) FROM "+table+" t WHERE t::text ILIKE '%greta%' OR t::text ILIKE '%short meetings%'").Scan(&n))
		assert.Zero(t, n, "%s still holds the erased contact's data", table)
	}
	assert.Equal(t, []string{ltc.EventAccountCreated, ltc.EventContactAdded, ltc.EventContactAdded, ltc.EventContactAdded,
		ltc.EventContactUpdated, ltc.EventContactErased}, eventTypesOf(t, e, id))
	after, err := accounts.GetAccount(e.As(t, deSam), &ltcv1.GetAccountRequest{Id: id})
	require.NoError(t, err)
	require.Len(t, after.Account.PowerMap, 3, "the erased contact keeps its place in the power map")
	first := after.Account.PowerMap[0]
	assert.Equal(t, ceo.Id, first.Contact.Id)
	assert.True(t, first.Contact.Erased)
	assert.Empty(t, first.Contact.Name)
	assert.Empty(t, first.Contact.Title)
	assert.Equal(t, ltcv1.ContactRole_CONTACT_ROLE_DECISION_MAKER, first.Contact.Role, "its role in the decision is kept")
	assert.Equal(t, int32(1), first.DirectReports)
	assert.Equal(t, "Jonas Weber", after.Account.PowerMap[1].Contact.Name)
	assert.True(t, after.Account.PowerMap[2].Contact.HiddenDecider)
}

func TestAGiftAboveTheThresholdWaitsForAnIndependentLegalReview(t *testing.T) {
	e := testenv.StartEngine(t)
	accounts := ltcv1.NewAccountServiceClient(e.Conn)
	created, err := accounts.CreateAccount(e.As(t, deSam), createAccountRequest("Hafen Logistik AG"))
	require.NoError(t, err)
	id := created.Account.Id
	gift := func(state ltcv1.ActivityState, amount int64) *ltcv1.RecordActivityRequest {
		return &ltcv1.RecordActivityRequest{RequestId: uuid.NewString(), AccountId: id, Activity: &ltcv1.Activity{
			Kind: ltcv1.ActivityKind_ACTIVITY_KIND_HOSPITALITY, Date: &date.Date{Year: 2026, Month: 11, Day: 20},
			OurPeople: []*ltcv1.Person{{Id: deSam.ID, Name: deSam.Name}}, Subject: "dinner after the site visit",
			Value: &ltcv1.Money{CurrencyCode: "CNY", AmountMinor: amount}, State: state}}
	}
	_, err = accounts.RecordActivity(e.As(t, deSam), gift(ltcv1.ActivityState_ACTIVITY_STATE_HELD, 2_000_00))
	requireCode(t, err, codes.FailedPrecondition, "LEGAL review")
	small, err := accounts.RecordActivity(e.As(t, deSam), gift(ltcv1.ActivityState_ACTIVITY_STATE_HELD, 100_00))
	require.NoError(t, err, "below the threshold it needs no review")
	assert.Equal(t, ltcv1.ActivityReviewStatus_ACTIVITY_REVIEW_STATUS_NOT_NEEDED, small.Activity.Review)
	planned, err := accounts.RecordActivity(e.As(t, deSam), gift(ltcv1.ActivityState_ACTIVITY_STATE_PLANNED, 2_000_00))
	require.NoError(t, err)
	act := planned.Activity
	assert.Equal(t, ltcv1.ActivityReviewStatus_ACTIVITY_REVIEW_STATUS_PENDING, act.Review)

	complete := &ltcv1.CompleteActivityRequest{RequestId: uuid.NewString(), AccountId: id, ActivityId: act.Id,
		State: ltcv1.ActivityState_ACTIVITY_STATE_HELD, HeldDate: &date.Date{Year: 2026, Month: 11, Day: 20}}
	_, err = accounts.CompleteActivity(e.As(t, deSam), complete)
	requireCode(t, err, codes.FailedPrecondition, "awaits its LEGAL review")

	inbox := func(a ltc.Actor) []string {
		resp, err := accounts.ListActivities(e.As(t, a), &ltcv1.ListActivitiesRequest{PendingReviewForMe: true})
		require.NoError(t, err)
		var ids []string
		for _, x := range resp.Activities {
			ids = append(ids, x.Id)
		}
		return ids
	}
	assert.Equal(t, []string{act.Id}, inbox(emeaLena), "LEGAL of the region sees it waiting")
	assert.Empty(t, inbox(apacLee), "LEGAL elsewhere does not")
	assert.Empty(t, inbox(emeaFiona), "FINANCE does not")
	review := func(by ltc.Actor) error {
		_, err := accounts.ReviewActivity(e.As(t, by), &ltcv1.ReviewActivityRequest{RequestId: uuid.NewString(), AccountId: id,
			ActivityId: act.Id, Result: ltcv1.ActivityReviewStatus_ACTIVITY_REVIEW_STATUS_APPROVED, Rationale: "within the customer's policy"})
		return err
	}
	requireCode(t, review(apacLee), codes.PermissionDenied, "LEGAL")
	requireCode(t, review(emeaFiona), codes.PermissionDenied, "LEGAL")
	require.NoError(t, review(emeaLena))
	held, err := accounts.CompleteActivity(e.As(t, deSam), complete)
	require.NoError(t, err)
	assert.Equal(t, ltcv1.ActivityState_ACTIVITY_STATE_HELD, held.Activity.State)
	assert.Equal(t, int32(20), held.Activity.HeldDate.Day)
	assert.Empty(t, inbox(emeaLena))

	assert.Equal(t, []string{ltc.EventAccountCreated, ltc.EventActivityRecorded, ltc.EventActivityRecorded, ltc.EventActivityReviewed,
		ltc.EventActivityCompleted}, eventTypesOf(t, e, id))
	keepHistory(t, e, workflows.AccountWorkflowID(id), "account_activity_legal_review")
	all, err := accounts.ListActivities(e.As(t, deSam), &ltcv1.ListActivitiesRequest{AccountId: id})
	require.NoError(t, err)
	assert.Len(t, all.Activities, 2)
	_, err = accounts.ListActivities(e.As(t, deSue), &ltcv1.ListActivitiesRequest{AccountId: id})
	requireCode(t, err, codes.PermissionDenied, "account")
}

func TestRelationshipAssessmentPlanReviewAndSatisfactionTrend(t *testing.T) {
	e := testenv.StartEngine(t)
	accounts := ltcv1.NewAccountServiceClient(e.Conn)
	created, err := accounts.CreateAccount(e.As(t, deSam), createAccountRequest("Alpen Telekom"))
	require.NoError(t, err)
	id := created.Account.Id
	_, err = accounts.AssessRelationship(e.As(t, deSam), &ltcv1.AssessRelationshipRequest{RequestId: uuid.NewString(), AccountId: id,
		Assessment: &ltcv1.RelationshipAssessment{Level: ltcv1.RelationshipLevel_RELATIONSHIP_LEVEL_PREFERRED_SUPPLIER,
			Communication: 4, BusinessFit: 3, JointUndertakings: 2, Identification: 3, Rationale: "two CxO meetings a year"}})
	require.NoError(t, err)
	_, err = accounts.SetAccountPlan(e.As(t, deSam), &ltcv1.SetAccountPlanRequest{RequestId: uuid.NewString(), AccountId: id,
		Plan: &ltcv1.AccountPlan{Year: 2027, TargetLevel: ltcv1.RelationshipLevel_RELATIONSHIP_LEVEL_STRATEGIC_SUPPLIER,
			TargetOrders: &ltcv1.Money{CurrencyCode: "EUR", AmountMinor: 5_000_000_00}, Objectives: "joint 5G lab"}})
	require.NoError(t, err)
	for _, s := range []struct {
		period string
		score  int32
	}{{"2026-Q3", 62}, {"2026-Q4", 71}} {
		_, err = accounts.RecordSatisfaction(e.As(t, deSam), &ltcv1.RecordSatisfactionRequest{RequestId: uuid.NewString(), AccountId: id,
			Score: &ltcv1.SatisfactionScore{Period: s.period, Score: s.score, Respondents: 12}})
		require.NoError(t, err)
	}
	got, err := accounts.GetAccount(e.As(t, deSam), &ltcv1.GetAccountRequest{Id: id})
	require.NoError(t, err)
	a := got.Account
	assert.Equal(t, ltcv1.RelationshipLevel_RELATIONSHIP_LEVEL_PREFERRED_SUPPLIER, a.Relationship.Level)
	assert.Equal(t, int32(2027), a.Plan.Year)
	assert.Equal(t, ltcv1.Trend_TREND_RISING, a.SatisfactionTrend)
	assert.Equal(t, int32(9), a.SatisfactionChange)
	_, err = accounts.RecordRelationshipReview(e.As(t, deSam), &ltcv1.RecordRelationshipReviewRequest{RequestId: uuid.NewString(), AccountId: id,
		Review: &ltcv1.RelationshipReview{Quarter: "2026-Q4", HeldDate: &date.Date{Year: 2026, Month: 12, Day: 1},
			Attendees: []*ltcv1.Person{{Id: deSam.ID, Name: deSam.Name}}, Conclusions: "the CTO backs the lab", Actions: "invite to HQ"}})
	require.NoError(t, err)
	assert.Equal(t, []string{ltc.EventAccountCreated, ltc.EventRelationshipAssessed, ltc.EventAccountPlanSet,
		ltc.EventSatisfactionRecorded, ltc.EventSatisfactionRecorded, ltc.EventRelationshipReviewRecorded}, eventTypesOf(t, e, id))
	page, err := accounts.ListAccounts(e.As(t, deMia), &ltcv1.ListAccountsRequest{
		RelationshipLevel: ltcv1.RelationshipLevel_RELATIONSHIP_LEVEL_PREFERRED_SUPPLIER})
	require.NoError(t, err)
	require.Len(t, page.Accounts, 1)
	assert.Equal(t, id, page.Accounts[0].Id)
	_, err = accounts.RecordSatisfaction(e.As(t, deSue), &ltcv1.RecordSatisfactionRequest{RequestId: uuid.NewString(), AccountId: id,
		Score: &ltcv1.SatisfactionScore{Period: "2027-Q1", Score: 10}})
	requireCode(t, err, codes.PermissionDenied, "account")
	_, err = accounts.RecordSatisfaction(e.As(t, deSam), &ltcv1.RecordSatisfactionRequest{RequestId: uuid.NewString(), AccountId: uuid.NewString(),
		Score: &ltcv1.SatisfactionScore{Period: "2027-Q1", Score: 10}})
	requireCode(t, err, codes.NotFound, "account")
	keepHistory(t, e, workflows.AccountWorkflowID(id), "account_relationship")
}

// A deal names its account: the lead is created for the account, the assessment's decision chain names the
// account's contacts (not another account's), and the INITIATION package shows the deciders the relationship level
// and the key contacts' attitudes as they stand when it is requested.
func TestADealOfAnAccountShowsItsDecisionChainToTheDeciders(t *testing.T) {
	e := testenv.StartEngine(t)
	accounts := ltcv1.NewAccountServiceClient(e.Conn)
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	created, err := accounts.CreateAccount(e.As(t, deSam), createAccountRequest("Bayern Netz"))
	require.NoError(t, err)
	id := created.Account.Id
	cto, err := accounts.AddContact(e.As(t, deSam), &ltcv1.AddContactRequest{RequestId: uuid.NewString(), AccountId: id,
		Contact: &ltcv1.Contact{Name: "Anna Keller", Title: "CTO", Role: ltcv1.ContactRole_CONTACT_ROLE_DECISION_MAKER,
			Attitude: ltcv1.Attitude_ATTITUDE_VALUES_US, HiddenDecider: true, Holder: &ltcv1.Person{Id: deSam.ID, Name: deSam.Name}, Strength: 4}})
	require.NoError(t, err)
	_, err = accounts.AssessRelationship(e.As(t, deSam), &ltcv1.AssessRelationshipRequest{RequestId: uuid.NewString(), AccountId: id,
		Assessment: &ltcv1.RelationshipAssessment{Level: ltcv1.RelationshipLevel_RELATIONSHIP_LEVEL_STRATEGIC_SUPPLIER,
			Communication: 4, BusinessFit: 4, JointUndertakings: 3, Identification: 4, Rationale: "joint grid lab since 2024"}})
	require.NoError(t, err)
	elsewhere, err := accounts.CreateAccount(e.As(t, deSam), createAccountRequest("Hessen Wasser"))
	require.NoError(t, err)
	stranger, err := accounts.AddContact(e.As(t, deSam), &ltcv1.AddContactRequest{RequestId: uuid.NewString(), AccountId: elsewhere.Account.Id,
		Contact: &ltcv1.Contact{Name: "Max Roth", Role: ltcv1.ContactRole_CONTACT_ROLE_USER}})
	require.NoError(t, err)

	req := createRequest()
	req.Customer, req.AccountId = nil, id
	_, err = leads.CreateLead(e.As(t, deSue), req)
	requireCode(t, err, codes.PermissionDenied, "account")
	lead, err := leads.CreateLead(e.As(t, deSam), req)
	require.NoError(t, err)
	assert.Equal(t, id, lead.Lead.AccountId)
	assert.Equal(t, "Bayern Netz", lead.Lead.Customer.Name, "the lead takes the account's name")
	_, err = leads.QualifyLead(e.As(t, deMia), qualifyRequest(lead.Lead.Id))
	require.NoError(t, err)
	deal := lead.Lead.Id
	mine, err := deals.ListOpportunities(e.As(t, deMia), &ltcv1.ListOpportunitiesRequest{AccountId: id})
	require.NoError(t, err)
	require.Len(t, mine.Opportunities, 1)
	assert.Equal(t, id, mine.Opportunities[0].AccountId)

	idle, err := accounts.ListAccounts(e.As(t, deMia), &ltcv1.ListAccountsRequest{WithoutOpenDeals: true})
	require.NoError(t, err)
	var names []string
	for _, a := range idle.Accounts {
		names = append(names, a.Name)
	}
	assert.Equal(t, []string{"Hessen Wasser"}, names, "the account with an open deal is not idle")
	listed, err := accounts.ListAccounts(e.As(t, deMia), &ltcv1.ListAccountsRequest{NameContains: "bayern"})
	require.NoError(t, err)
	require.Len(t, listed.Accounts, 1)
	assert.Equal(t, int32(1), listed.Accounts[0].OpenDealCount)
	assert.Equal(t, int32(1), listed.Accounts[0].ContactCount)
	assert.Empty(t, listed.Accounts[0].PowerMap, "a list carries no contacts")
	report, err := ltcv1.NewReportServiceClient(e.Conn).GetPipelineReport(e.As(t, deMia), &ltcv1.GetPipelineReportRequest{
		StartTime: timestamppb.New(time.Now().Add(-time.Hour)), EndTime: timestamppb.New(time.Now().Add(time.Hour))})
	require.NoError(t, err)
	require.Len(t, report.TopAccounts, 1)
	assert.Equal(t, "Bayern Netz", report.TopAccounts[0].AccountName)
	assert.Equal(t, "120000000", report.TopAccounts[0].Value.AmountMinor)
	assert.InDelta(t, 1.0, report.TopAccounts[0].Share, 1e-9, "the only open deal is the whole pipeline")

	assess := func(contact string) error {
		a := assessment()
		a.DecisionContacts = []*ltcv1.DecisionChainContact{{ContactId: contact, Role: ltcv1.ContactRole_CONTACT_ROLE_DECISION_MAKER}}
		_, err := deals.UpdateAssessment(e.As(t, deSam), &ltcv1.UpdateAssessmentRequest{RequestId: uuid.NewString(), OpportunityId: deal, Assessment: a})
		return err
	}
	requireCode(t, assess(stranger.Contact.Id), codes.InvalidArgument, "not a contact of account")
	require.NoError(t, assess(cto.Contact.Id))
	requested, err := ltcv1.NewDecisionServiceClient(e.Conn).RequestDecision(e.As(t, deSam), &ltcv1.RequestDecisionRequest{
		RequestId: uuid.NewString(), OpportunityId: deal, Gate: ltcv1.Gate_GATE_INITIATION,
		Package: &ltcv1.RequestDecisionRequest_Initiation{Initiation: &ltcv1.InitiationPackage{
			ProposedLevel: ltcv1.ProjectLevel_PROJECT_LEVEL_B, Rationale: "grid modernisation"}}})
	require.NoError(t, err)
	pkg := requested.Decision.GetInitiation()
	require.NotNil(t, pkg)
	assert.Equal(t, ltcv1.RelationshipLevel_RELATIONSHIP_LEVEL_STRATEGIC_SUPPLIER, pkg.RelationshipLevel)
	require.Len(t, pkg.KeyContacts, 1)
	k := pkg.KeyContacts[0]
	assert.Equal(t, cto.Contact.Id, k.ContactId)
	assert.Equal(t, ltcv1.Attitude_ATTITUDE_VALUES_US, k.Attitude)
	assert.True(t, k.HiddenDecider)
	assert.Equal(t, int32(4), k.Strength)
	assert.Equal(t, ltcv1.ContactRole_CONTACT_ROLE_DECISION_MAKER, pkg.Assessment.DecisionContacts[0].Role)
}

// Every mutating RPC of AccountService refuses a caller outside the account (PERMISSION_DENIED), an unknown
// account (NOT_FOUND) and a bad request (INVALID_ARGUMENT), and none of the refusals leaves a trace.
func TestEveryAccountChangeRefusesOutsidersUnknownAccountsAndBadInput(t *testing.T) {
	e := testenv.StartEngine(t)
	accounts := ltcv1.NewAccountServiceClient(e.Conn)
	created, err := accounts.CreateAccount(e.As(t, deSam), createAccountRequest("Elbe Chemie"))
	require.NoError(t, err)
	contact, err := accounts.AddContact(e.As(t, deSam), &ltcv1.AddContactRequest{RequestId: uuid.NewString(), AccountId: created.Account.Id,
		Contact: &ltcv1.Contact{Name: "Ida Lang", Role: ltcv1.ContactRole_CONTACT_ROLE_COACH}})
	require.NoError(t, err)
	before := eventTypesOf(t, e, created.Account.Id)

	ctx := func(a ltc.Actor) context.Context { return e.As(t, a) }
	calls := map[string]func(ctx context.Context, account string, bad bool) error{
		"UpdateAccount": func(ctx context.Context, account string, bad bool) error {
			name := "Elbe Chemie AG"
			if bad {
				name = ""
			}
			_, err := accounts.UpdateAccount(ctx, &ltcv1.UpdateAccountRequest{RequestId: uuid.NewString(),
				Account: &ltcv1.Account{Id: account, Name: name}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"name"}}})
			return err
		},
		"GradeAccount": func(ctx context.Context, account string, bad bool) error {
			rationale := "smaller than thought"
			if bad {
				rationale = ""
			}
			_, err := accounts.GradeAccount(ctx, &ltcv1.GradeAccountRequest{RequestId: uuid.NewString(), AccountId: account,
				Grade: ltcv1.CustomerGrade_CUSTOMER_GRADE_C, Rationale: rationale})
			return err
		},
		"AddContact": func(ctx context.Context, account string, bad bool) error {
			c := &ltcv1.Contact{Name: "Jan Roth", Role: ltcv1.ContactRole_CONTACT_ROLE_USER}
			if bad {
				c.Email = "not an email"
			}
			_, err := accounts.AddContact(ctx, &ltcv1.AddContactRequest{RequestId: uuid.NewString(), AccountId: account, Contact: c})
			return err
		},
		"UpdateContact": func(ctx context.Context, account string, bad bool) error {
			c := &ltcv1.Contact{Id: contact.Contact.Id, Strength: 3}
			if bad {
				c.Strength = 9
			}
			_, err := accounts.UpdateContact(ctx, &ltcv1.UpdateContactRequest{RequestId: uuid.NewString(), AccountId: account,
				Contact: c, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"strength"}}})
			return err
		},
		"EraseContact": func(ctx context.Context, account string, bad bool) error {
			reference := "DPO-1"
			if bad {
				reference = ""
			}
			_, err := accounts.EraseContact(ctx, &ltcv1.EraseContactRequest{RequestId: uuid.NewString(), AccountId: account,
				ContactId: contact.Contact.Id, Reference: reference})
			return err
		},
		"AssessRelationship": func(ctx context.Context, account string, bad bool) error {
			score := int32(3)
			if bad {
				score = 6
			}
			_, err := accounts.AssessRelationship(ctx, &ltcv1.AssessRelationshipRequest{RequestId: uuid.NewString(), AccountId: account,
				Assessment: &ltcv1.RelationshipAssessment{Level: ltcv1.RelationshipLevel_RELATIONSHIP_LEVEL_VENDOR, Communication: score,
					BusinessFit: 2, JointUndertakings: 1, Identification: 2, Rationale: "first contacts"}})
			return err
		},
		"SetAccountPlan": func(ctx context.Context, account string, bad bool) error {
			year := int32(2027)
			if bad {
				year = 1800
			}
			_, err := accounts.SetAccountPlan(ctx, &ltcv1.SetAccountPlanRequest{RequestId: uuid.NewString(), AccountId: account,
				Plan: &ltcv1.AccountPlan{Year: year, TargetLevel: ltcv1.RelationshipLevel_RELATIONSHIP_LEVEL_PREFERRED_SUPPLIER,
					TargetOrders: &ltcv1.Money{CurrencyCode: "EUR", AmountMinor: 100}, Objectives: "pilot"}})
			return err
		},
		"RecordRelationshipReview": func(ctx context.Context, account string, bad bool) error {
			quarter := "2026-Q4"
			if bad {
				quarter = "Q4/2026"
			}
			_, err := accounts.RecordRelationshipReview(ctx, &ltcv1.RecordRelationshipReviewRequest{RequestId: uuid.NewString(), AccountId: account,
				Review: &ltcv1.RelationshipReview{Quarter: quarter, HeldDate: &date.Date{Year: 2026, Month: 11, Day: 30}, Conclusions: "fine",
					Attendees: []*ltcv1.Person{{Id: deSam.ID, Name: deSam.Name}}}})
			return err
		},
		"RecordSatisfaction": func(ctx context.Context, account string, bad bool) error {
			score := int32(70)
			if bad {
				score = 101
			}
			_, err := accounts.RecordSatisfaction(ctx, &ltcv1.RecordSatisfactionRequest{RequestId: uuid.NewString(), AccountId: account,
				Score: &ltcv1.SatisfactionScore{Period: "2026-Q4", Score: score, Respondents: 5}})
			return err
		},
		"RecordActivity": func(ctx context.Context, account string, bad bool) error {
			kind := ltcv1.ActivityKind_ACTIVITY_KIND_COMPANY_VISIT
			if bad {
				kind = ltcv1.ActivityKind(99)
			}
			_, err := accounts.RecordActivity(ctx, &ltcv1.RecordActivityRequest{RequestId: uuid.NewString(), AccountId: account,
				Activity: &ltcv1.Activity{Kind: kind, Date: &date.Date{Year: 2026, Month: 11, Day: 3}, Subject: "plant tour",
					OurPeople: []*ltcv1.Person{{Id: deSam.ID, Name: deSam.Name}}, State: ltcv1.ActivityState_ACTIVITY_STATE_HELD}})
			return err
		},
		"ReviewActivity": func(ctx context.Context, account string, bad bool) error {
			result := ltcv1.ActivityReviewStatus_ACTIVITY_REVIEW_STATUS_APPROVED
			if bad {
				result = ltcv1.ActivityReviewStatus_ACTIVITY_REVIEW_STATUS_PENDING
			}
			_, err := accounts.ReviewActivity(ctx, &ltcv1.ReviewActivityRequest{RequestId: uuid.NewString(), AccountId: account,
				ActivityId: uuid.NewString(), Result: result, Rationale: "ok"})
			return err
		},
		"CompleteActivity": func(ctx context.Context, account string, bad bool) error {
			state := ltcv1.ActivityState_ACTIVITY_STATE_CANCELLED
			if bad {
				state = ltcv1.ActivityState_ACTIVITY_STATE_PLANNED
			}
			_, err := accounts.CompleteActivity(ctx, &ltcv1.CompleteActivityRequest{RequestId: uuid.NewString(), AccountId: account,
				ActivityId: uuid.NewString(), State: state})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			requireCode(t, call(ctx(jpYui), created.Account.Id, false), codes.PermissionDenied, "")
			requireCode(t, call(ctx(deSam), uuid.NewString(), false), codes.NotFound, "account")
			requireCode(t, call(ctx(deSam), created.Account.Id, true), codes.InvalidArgument, "")
		})
	}
	assert.Equal(t, before, eventTypesOf(t, e, created.Account.Id), "no refusal left a trace")
	for _, read := range []func(ctx context.Context) error{
		func(ctx context.Context) error {
			_, err := accounts.ListContacts(ctx, &ltcv1.ListContactsRequest{AccountId: created.Account.Id})
			return err
		},
		func(ctx context.Context) error {
			_, err := accounts.ListActivities(ctx, &ltcv1.ListActivitiesRequest{AccountId: created.Account.Id})
			return err
		},
		func(ctx context.Context) error {
			_, err := accounts.GetAccount(ctx, &ltcv1.GetAccountRequest{Id: created.Account.Id})
			return err
		},
	} {
		requireCode(t, read(ctx(jpYui)), codes.PermissionDenied, "account")
		require.NoError(t, read(ctx(deMia)))
	}
}

// Concurrent creations of one customer's account under different request ids make one account; every other one
// is ALREADY_EXISTS naming it (found before its process starts, or refused by the database), never an error.
func TestConcurrentCreationsOfOneCustomerMakeOneAccount(t *testing.T) {
	e := testenv.StartEngine(t)
	accounts := ltcv1.NewAccountServiceClient(e.Conn)
	const n = 6
	ids := make(chan string, n)
	refused := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := []string{"Ostsee Fähren", "OSTSEE FÄHREN GmbH", "ostsee fähren"}[i%3]
			resp, err := accounts.CreateAccount(e.As(t, deSam), createAccountRequest(name))
			if err != nil {
				refused <- err
				return
			}
			ids <- resp.Account.Id
		}()
	}
	wg.Wait()
	close(ids)
	close(refused)
	require.Len(t, ids, 1, "one account")
	winner := <-ids
	for err := range refused {
		requireCode(t, err, codes.AlreadyExists, winner)
	}
}
