package api_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jhump/protoreflect/grpcreflect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/worker"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/ltcengine/ltc/internal/auth"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
	"github.com/ltcengine/ltc/workflows"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var recordHistories = flag.Bool("record-histories", false, "write the workflow histories the tests make to workflows/testdata")

// keepHistory writes a workflow's history to workflows/testdata/NAME.json when -record-histories is set; the
// workflows package replays every file there, so a change that breaks running processes fails its tests.
func keepHistory(t *testing.T, e *testenv.Engine, workflowID, name string) {
	t.Helper()
	if !*recordHistories {
		return
	}
	js, err := protojson.MarshalOptions{Indent: "  "}.Marshal(e.History(t, workflowID))
	require.NoError(t, err)
	path := filepath.Join(testenv.RepoRoot(t), "workflows", "testdata", name+".json")
	require.NoError(t, os.WriteFile(path, append(js, '\n'), 0o644))
}

var (
	sam      = ltc.Actor{ID: "sam", Name: "Sam Sales", Roles: []ltc.Role{ltc.RoleSales}}
	sue      = ltc.Actor{ID: "sue", Name: "Sue Sales", Roles: []ltc.Role{ltc.RoleSales}}
	mia      = ltc.Actor{ID: "mia", Name: "Mia Manager", Roles: []ltc.Role{ltc.RoleSalesManager}}
	reviewer = ltc.Actor{ID: "rita", Name: "Rita Reviewer", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionLegal}}
)

func createRequest() *ltcv1.CreateLeadRequest {
	return &ltcv1.CreateLeadRequest{
		RequestId: uuid.NewString(),
		Customer: &ltcv1.Customer{Name: "Acme Telecom", Grade: ltcv1.CustomerGrade_CUSTOMER_GRADE_B,
			Industry: "telecom", Region: "EMEA"},
		Title:             "5G core network",
		Source:            ltcv1.LeadSource_LEAD_SOURCE_CUSTOMER_NEED,
		EstimatedValue:    &ltcv1.Money{CurrencyCode: "EUR", AmountMinor: 1_200_000_00},
		ExpectedCloseDate: &date.Date{Year: 2027, Month: 6, Day: 30},
	}
}

func qualifyRequest(leadID string) *ltcv1.QualifyLeadRequest {
	return &ltcv1.QualifyLeadRequest{RequestId: uuid.NewString(), LeadId: leadID,
		Qualification: &ltcv1.Qualification{BudgetConfirmed: true, DecisionChainKnown: true, Urgency: ltcv1.Urgency_URGENCY_HOT}}
}

func eventTypes(t *testing.T, st *store.Store, dealID string) []string {
	t.Helper()
	eventsPage, err := st.Events(context.Background(), store.EventQuery{DealID: dealID, Limit: 1000})
	events := eventsPage.Events
	require.NoError(t, err)
	var types []string
	for _, e := range events {
		types = append(types, e.Type)
	}
	return types
}

func requireCode(t *testing.T, err error, code codes.Code, contains string) *status.Status {
	t.Helper()
	st, ok := status.FromError(err)
	require.True(t, ok, "not a gRPC status: %v", err)
	require.Equal(t, code, st.Code(), st.Message())
	assert.Contains(t, st.Message(), contains)
	return st
}

func TestLeadToOpportunityEndToEnd(t *testing.T) {
	e := testenv.StartEngine(t)
	leads := ltcv1.NewLeadServiceClient(e.Conn)

	created, err := leads.CreateLead(e.As(t, sam), createRequest())
	require.NoError(t, err)
	lead := created.Lead
	assert.Equal(t, ltcv1.LeadState_LEAD_STATE_NEW, lead.State)
	assert.Equal(t, "sam", lead.Owner.Id)
	assert.Equal(t, lead.CreateTime.AsTime().Add(14*24*time.Hour), lead.SlaDueTime.AsTime())

	got, err := leads.GetLead(e.As(t, sam), &ltcv1.GetLeadRequest{Id: lead.Id})
	require.NoError(t, err, "read your writes")
	assert.Equal(t, "5G core network", got.Lead.Title)

	q, err := leads.QualifyLead(e.As(t, mia), qualifyRequest(lead.Id))
	require.NoError(t, err)
	assert.Equal(t, ltcv1.LeadState_LEAD_STATE_QUALIFIED, q.Lead.State)
	assert.Equal(t, ltcv1.Stage_STAGE_VALIDATION, q.Opportunity.Stage)
	assert.Equal(t, lead.Id, q.Opportunity.Id)

	ctx := context.Background()
	opp, err := e.Store.Opportunity(ctx, lead.Id)
	require.NoError(t, err)
	assert.Equal(t, ltc.StageValidation, opp.Stage)
	stored, err := e.Store.Lead(ctx, lead.Id)
	require.NoError(t, err)
	assert.Equal(t, ltc.LeadQualified, stored.State)

	desc, err := e.Temporal.DescribeWorkflowExecution(ctx, workflows.DealWorkflowID(lead.Id), "")
	require.NoError(t, err)
	assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, desc.WorkflowExecutionInfo.Status, "the deal's one process goes on")
	for _, earlier := range []string{workflows.LeadWorkflowID(lead.Id), workflows.OpportunityWorkflowID(lead.Id)} {
		_, err := e.Temporal.DescribeWorkflowExecution(ctx, earlier, "")
		var notFound *serviceerror.NotFound
		assert.ErrorAs(t, err, &notFound, "no process of an earlier version: %s", earlier)
	}

	eventsPage, err := e.Store.Events(ctx, store.EventQuery{DealID: lead.Id, Limit: 100})
	events := eventsPage.Events
	require.NoError(t, err)
	require.Len(t, events, 3)
	for i, want := range []struct{ typ, before, after, actor string }{
		{ltc.EventLeadCreated, "", "NEW", "sam"},
		{ltc.EventLeadQualified, "NEW", "QUALIFIED", "mia"},
		{ltc.EventOpportunityCreated, "", "VALIDATION", "mia"},
	} {
		ev := events[i]
		assert.Equal(t, want.typ, ev.Type)
		assert.Equal(t, int64(i+1), ev.DealSequence)
		assert.Equal(t, want.before, ev.StageBefore, ev.Type)
		assert.Equal(t, want.after, ev.StageAfter, ev.Type)
		assert.Equal(t, want.actor, ev.Actor.ID, ev.Type)
		if i > 0 {
			assert.Greater(t, ev.Sequence, events[i-1].Sequence)
		}
	}
	assert.Equal(t, q.Lead.Qualification.Urgency, ltcv1.Urgency_URGENCY_HOT)

	// The lead's recorded history replays against the current workflow code.
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflow(workflows.DealWorkflow)
	replayer.RegisterWorkflow(workflows.LeadWorkflow)
	replayer.RegisterWorkflow(workflows.OpportunityWorkflow)
	require.NoError(t, replayer.ReplayWorkflowHistory(nil, e.History(t, workflows.DealWorkflowID(lead.Id))))
	keepHistory(t, e, workflows.DealWorkflowID(lead.Id), "deal_qualified")
}

func TestCreateLeadIsIdempotent(t *testing.T) {
	e := testenv.StartEngine(t)
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	req := createRequest()

	first, err := leads.CreateLead(e.As(t, sam), req)
	require.NoError(t, err)
	again, err := leads.CreateLead(e.As(t, sam), req)
	require.NoError(t, err)
	assert.Equal(t, first.Lead.Id, again.Lead.Id)
	assert.True(t, first.Lead.CreateTime.AsTime().Equal(again.Lead.CreateTime.AsTime()), "the retry returns the first result")

	list, err := leads.ListLeads(e.As(t, sam), &ltcv1.ListLeadsRequest{})
	require.NoError(t, err)
	assert.Len(t, list.Leads, 1, "one lead")
	assert.Equal(t, []string{ltc.EventLeadCreated}, eventTypes(t, e.Store, first.Lead.Id), "one process, one event")

	changed := createRequest()
	changed.RequestId = req.RequestId
	changed.Title = "6G core network"
	_, err = leads.CreateLead(e.As(t, sam), changed)
	requireCode(t, err, codes.AlreadyExists, req.RequestId)

	list, err = leads.ListLeads(e.As(t, sam), &ltcv1.ListLeadsRequest{})
	require.NoError(t, err)
	assert.Len(t, list.Leads, 1, "still one lead")
}

func TestConcurrentCreatesWithOneRequestIDMakeOneLead(t *testing.T) {
	e := testenv.StartEngine(t)
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	req := createRequest()
	ids := make(chan string, 8)
	for range 8 {
		go func() {
			resp, err := leads.CreateLead(e.As(t, sam), req)
			if err != nil {
				ids <- "error: " + err.Error()
				return
			}
			ids <- resp.Lead.Id
		}()
	}
	first := <-ids
	for range 7 {
		assert.Equal(t, first, <-ids)
	}
	assert.Equal(t, []string{ltc.EventLeadCreated}, eventTypes(t, e.Store, first))
}

func TestConcurrentCreatesWithOneRequestIDAndDifferentPayloads(t *testing.T) {
	e := testenv.StartEngine(t)
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	const n = 6
	results := make(chan error, n)
	base := createRequest()
	for i := range n {
		req := createRequest()
		req.RequestId = base.RequestId
		req.Title = fmt.Sprintf("variant %d", i)
		go func() {
			_, err := leads.CreateLead(e.As(t, sam), req)
			results <- err
		}()
	}
	ok := 0
	for range n {
		if err := <-results; err == nil {
			ok++
		} else {
			assert.Equal(t, codes.AlreadyExists, status.Code(err), err)
		}
	}
	assert.Equal(t, 1, ok, "exactly one payload wins the request id")
	list, err := leads.ListLeads(e.As(t, sam), &ltcv1.ListLeadsRequest{})
	require.NoError(t, err)
	require.Len(t, list.Leads, 1)
	assert.Equal(t, []string{ltc.EventLeadCreated}, eventTypes(t, e.Store, list.Leads[0].Id))
}

func TestInvalidInputIsRefusedWithFieldViolations(t *testing.T) {
	e := testenv.StartEngine(t)
	leads := ltcv1.NewLeadServiceClient(e.Conn)

	bad := createRequest()
	bad.RequestId = "not-a-uuid"
	bad.Title = ""
	bad.EstimatedValue.CurrencyCode = "euro"
	bad.Customer.Grade = ltcv1.CustomerGrade_CUSTOMER_GRADE_UNSPECIFIED
	_, err := leads.CreateLead(e.As(t, sam), bad)
	assert.ElementsMatch(t, []string{"request_id", "title", "estimated_value.currency_code", "customer.grade"}, violations(t, err))

	impossible := createRequest()
	impossible.ExpectedCloseDate = &date.Date{Year: 2027, Month: 2, Day: 30}
	_, err = leads.CreateLead(e.As(t, sam), impossible)
	requireCode(t, err, codes.InvalidArgument, "expected_close_date")

	_, err = leads.QualifyLead(e.As(t, mia), &ltcv1.QualifyLeadRequest{RequestId: uuid.NewString(), LeadId: uuid.NewString()})
	requireCode(t, err, codes.InvalidArgument, "qualification")

	eventsPage, err := e.Store.Events(context.Background(), store.EventQuery{Limit: 10})
	events := eventsPage.Events
	require.NoError(t, err)
	assert.Empty(t, events, "nothing recorded")
}

func TestAuthentication(t *testing.T) {
	e := testenv.StartEngine(t)
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	secret := []byte(e.Config.JWTSecret)
	expired, err := auth.Mint(secret, sam, time.Now().Add(-2*time.Hour), time.Hour)
	require.NoError(t, err)
	foreign, err := auth.Mint([]byte("some-other-secret-some-other-secret"), sam, time.Now(), time.Hour)
	require.NoError(t, err)

	for name, ctx := range map[string]context.Context{
		"missing": context.Background(),
		"garbage": testenv.WithToken(context.Background(), "not-a-jwt"),
		"expired": testenv.WithToken(context.Background(), expired),
		"foreign": testenv.WithToken(context.Background(), foreign),
	} {
		_, err := leads.CreateLead(ctx, createRequest())
		st, _ := status.FromError(err)
		assert.Equal(t, codes.Unauthenticated, st.Code(), name)
	}

	// Health and reflection need no token.
	h, err := healthpb.NewHealthClient(e.Conn).Check(context.Background(), &healthpb.HealthCheckRequest{})
	require.NoError(t, err)
	assert.Equal(t, healthpb.HealthCheckResponse_SERVING, h.Status)
	refl := grpcreflect.NewClientAuto(context.Background(), e.Conn)
	defer refl.Reset()
	services, err := refl.ListServices()
	require.NoError(t, err)
	assert.Subset(t, services, []string{"ltc.v1.LeadService", "ltc.v1.OpportunityService", "ltc.v1.DecisionService",
		"ltc.v1.ReportService", "grpc.health.v1.Health"})
}

func TestPermissions(t *testing.T) {
	e := testenv.StartEngine(t)
	leads := ltcv1.NewLeadServiceClient(e.Conn)

	_, err := leads.CreateLead(e.As(t, reviewer), createRequest())
	requireCode(t, err, codes.PermissionDenied, "creating a lead needs")

	forOther := createRequest()
	forOther.Owner = &ltcv1.Person{Id: "sue"}
	_, err = leads.CreateLead(e.As(t, sam), forOther)
	requireCode(t, err, codes.PermissionDenied, "owned by someone else")
	byManager, err := leads.CreateLead(e.As(t, mia), forOther)
	require.NoError(t, err, "a manager may create a lead for a rep")
	assert.Equal(t, "sue", byManager.Lead.Owner.Id)

	_, err = leads.QualifyLead(e.As(t, sue), qualifyRequest(byManager.Lead.Id))
	requireCode(t, err, codes.PermissionDenied, "sales_manager")
	_, err = leads.DisqualifyLead(e.As(t, sam), &ltcv1.DisqualifyLeadRequest{
		RequestId: uuid.NewString(), LeadId: byManager.Lead.Id, Reason: "not mine to close"})
	requireCode(t, err, codes.PermissionDenied, "ownership")

	d, err := leads.DisqualifyLead(e.As(t, sue), &ltcv1.DisqualifyLeadRequest{
		RequestId: uuid.NewString(), LeadId: byManager.Lead.Id, Reason: "no budget"})
	require.NoError(t, err, "the owner may disqualify their lead")
	assert.Equal(t, ltcv1.LeadState_LEAD_STATE_DISQUALIFIED, d.Lead.State)
	assert.Equal(t, "no budget", d.Lead.DisqualificationReason)
	keepHistory(t, e, workflows.DealWorkflowID(d.Lead.Id), "deal_lead_disqualified")

	_, err = leads.GetLead(e.As(t, sam), &ltcv1.GetLeadRequest{Id: uuid.NewString()})
	requireCode(t, err, codes.NotFound, "not found")
	_, err = leads.QualifyLead(e.As(t, mia), qualifyRequest(uuid.NewString()))
	requireCode(t, err, codes.NotFound, "not found")
}

func TestQualifyTwiceFailsNamingTheStateAndRecordsNothing(t *testing.T) {
	e := testenv.StartEngine(t)
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	created, err := leads.CreateLead(e.As(t, sam), createRequest())
	require.NoError(t, err)
	id := created.Lead.Id

	// Refused by the running process's validator: no event, and no trace in the process history.
	_, err = leads.QualifyLead(e.As(t, sam), qualifyRequest(id))
	requireCode(t, err, codes.PermissionDenied, "sales_manager")
	assert.Equal(t, 1, updatesAccepted(t, e, workflows.DealWorkflowID(id)), "only the CreateLead Update is in the history")

	_, err = leads.QualifyLead(e.As(t, mia), qualifyRequest(id))
	require.NoError(t, err)
	_, err = leads.QualifyLead(e.As(t, mia), qualifyRequest(id))
	requireCode(t, err, codes.FailedPrecondition, "is QUALIFIED")
	_, err = leads.DisqualifyLead(e.As(t, mia), &ltcv1.DisqualifyLeadRequest{RequestId: uuid.NewString(), LeadId: id, Reason: "late"})
	requireCode(t, err, codes.FailedPrecondition, "is QUALIFIED")

	assert.Equal(t, []string{ltc.EventLeadCreated, ltc.EventLeadQualified, ltc.EventOpportunityCreated}, eventTypes(t, e.Store, id))
}

func TestRetriedQualifyReturnsTheFirstResult(t *testing.T) {
	e := testenv.StartEngine(t)
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	create := createRequest()
	created, err := leads.CreateLead(e.As(t, sam), create)
	require.NoError(t, err)
	req := qualifyRequest(created.Lead.Id)
	first, err := leads.QualifyLead(e.As(t, mia), req)
	require.NoError(t, err)
	again, err := leads.QualifyLead(e.As(t, mia), req)
	require.NoError(t, err, "the lead's process has ended, the retry is answered from the request record")
	assert.Equal(t, first.Opportunity.Id, again.Opportunity.Id)
	recreated, err := leads.CreateLead(e.As(t, sam), create)
	require.NoError(t, err, "a retried CreateLead after the lead's process ended is answered from the request record")
	assert.Equal(t, created.Lead.Id, recreated.Lead.Id)
	assert.Len(t, eventTypes(t, e.Store, created.Lead.Id), 3)
}

// updatesAccepted counts the Updates a workflow's history holds.
func updatesAccepted(t *testing.T, e *testenv.Engine, workflowID string) int {
	t.Helper()
	n := 0
	for _, ev := range e.History(t, workflowID).Events {
		if ev.EventType == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED {
			n++
		}
	}
	return n
}

func TestLeadSLAOverdueOnRealServers(t *testing.T) {
	e := startWithPolicy(t, func(p *ltc.Policy) {
		p.Version = "test-fast-lead-sla"
		p.LeadSLA = ltc.Duration(time.Second)
	})
	leads := ltcv1.NewLeadServiceClient(e.Conn)
	created, err := leads.CreateLead(e.As(t, sam), createRequest())
	require.NoError(t, err)
	id := created.Lead.Id
	require.Eventually(t, func() bool {
		got, err := leads.GetLead(e.As(t, sam), &ltcv1.GetLeadRequest{Id: id})
		return err == nil && got.Lead.Overdue
	}, 20*time.Second, 100*time.Millisecond)
	overdue, err := leads.ListLeads(e.As(t, mia), &ltcv1.ListLeadsRequest{OverdueOnly: true})
	require.NoError(t, err)
	require.Len(t, overdue.Leads, 1)

	q, err := leads.QualifyLead(e.As(t, mia), qualifyRequest(id))
	require.NoError(t, err, "an overdue lead stays open")
	assert.True(t, q.Lead.Overdue)
	eventsPage, err := e.Store.Events(context.Background(), store.EventQuery{DealID: id, Limit: 10})
	events := eventsPage.Events
	require.NoError(t, err)
	require.Len(t, events, 4)
	assert.Equal(t, ltc.EventLeadOverdue, events[1].Type)
	assert.Equal(t, []string{"user:sam", "role:sales_manager@/"}, events[1].Recipients)
	keepHistory(t, e, workflows.DealWorkflowID(id), "deal_lead_overdue_then_qualified")
}
