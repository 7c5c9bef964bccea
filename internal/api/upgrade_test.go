package api_test

import (
	"context"
	"crypto/sha256"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
	"github.com/ltcengine/ltc/workflows"
)

// TestALeadOfAnEarlierVersionRunsOnInItsOwnProcesses starts a lead as the engine did before DealWorkflow (a
// LeadWorkflow whose qualification starts an OpportunityWorkflow) and works it through today's API: a retried
// CreateLead answers from its record and starts no second process, the qualification goes to the LeadWorkflow, and
// the deal's changes to its OpportunityWorkflow.
func TestALeadOfAnEarlierVersionRunsOnInItsOwnProcesses(t *testing.T) {
	e := testenv.StartEngine(t)
	ctx := context.Background()
	req := createRequest()
	payload, err := proto.MarshalOptions{Deterministic: true}.Marshal(req)
	require.NoError(t, err)
	sum := sha256.Sum256(append([]byte(workflows.UpdateCreateLead+"\x00"), payload...))
	request := workflows.Request{ID: req.RequestId, PayloadHash: sum[:], Actor: sam}
	id := ltc.LeadID(req.RequestId)
	policy, err := e.Config.Policy()
	require.NoError(t, err)
	start := e.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: workflows.LeadWorkflowID(id), TaskQueue: e.Config.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.LeadWorkflow, workflows.LeadInput{Policy: policy, Request: request, Lead: ltc.Lead{
		ID: id, Customer: ltc.Customer{Name: req.Customer.Name, Grade: ltc.GradeB, Industry: req.Customer.Industry, Region: req.Customer.Region},
		Title: req.Title, Source: ltc.SourceCustomerNeed, EstimatedValue: ltc.Money{Currency: "EUR", AmountMinor: req.EstimatedValue.AmountMinor},
		Owner: sam.Person(), CreatedBy: sam.Person(), Unit: sam.Unit,
	}})
	handle, err := e.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{UpdateID: req.RequestId, UpdateName: workflows.UpdateCreateLead,
			Args: []any{request}, WaitForStage: client.WorkflowUpdateStageCompleted}})
	require.NoError(t, err)
	require.NoError(t, handle.Get(ctx, nil))

	leads := ltcv1.NewLeadServiceClient(e.Conn)
	again, err := leads.CreateLead(e.As(t, sam), req)
	require.NoError(t, err, "the retry answers from the record")
	assert.Equal(t, id, again.Lead.Id)
	_, err = e.Temporal.DescribeWorkflowExecution(ctx, workflows.DealWorkflowID(id), "")
	var notFound *serviceerror.NotFound
	require.ErrorAs(t, err, &notFound, "no second process for the lead")

	q, err := leads.QualifyLead(e.As(t, mia), qualifyRequest(id))
	require.NoError(t, err)
	assert.Equal(t, ltcv1.Stage_STAGE_VALIDATION, q.Opportunity.Stage)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	assessed, err := deals.UpdateAssessment(e.As(t, sam), &ltcv1.UpdateAssessmentRequest{RequestId: uuid.NewString(), OpportunityId: id,
		Assessment: assessment()})
	require.NoError(t, err, "the deal's change goes to its OpportunityWorkflow")
	assert.Equal(t, assessment().WinRate, assessed.Opportunity.Assessment.WinRate)
	st, err := e.Temporal.QueryWorkflow(ctx, workflows.OpportunityWorkflowID(id), "", workflows.QueryDeal)
	require.NoError(t, err)
	var state workflows.DealState
	require.NoError(t, st.Get(&state))
	assert.NotNil(t, state.Opportunity.Assessment, "the earlier process holds the change")
	_, err = e.Temporal.DescribeWorkflowExecution(ctx, workflows.DealWorkflowID(id), "")
	require.ErrorAs(t, err, &notFound)
}
