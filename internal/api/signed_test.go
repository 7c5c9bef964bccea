package api_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// A deal whose contract is signed (rules version 4) is not closed by hand from HANDOVER, by its AR, a manager or an
// admin: the refusal says how the contract ends instead, and the deal and its contract stay as they were.
func TestCloseOfADealWithASignedContractIsRefused(t *testing.T) {
	e := testenv.StartEngine(t)
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	contracts := ltcv1.NewContractServiceClient(e.Conn)
	id := signedDeal(t, e, thirtySix)
	close := func(outcome ltcv1.Outcome) *ltcv1.CloseOpportunityRequest {
		return &ltcv1.CloseOpportunityRequest{RequestId: uuid.NewString(), OpportunityId: id, Outcome: outcome, Reason: "customer priorities changed"}
	}
	_, err := deals.CloseOpportunity(e.As(t, sam), close(ltcv1.Outcome_OUTCOME_ABANDONED))
	st := requireCode(t, err, codes.FailedPrecondition, "complete the handover, then close the contract")
	assert.Contains(t, st.Message(), "WRITE_OFF")
	assert.Contains(t, st.Message(), "deal "+id+" is in HANDOVER")
	_, err = deals.CloseOpportunity(e.As(t, mia), close(ltcv1.Outcome_OUTCOME_LOST))
	requireCode(t, err, codes.FailedPrecondition, "contract C-1")
	_, err = deals.CloseOpportunity(e.As(t, ops), close(ltcv1.Outcome_OUTCOME_ABANDONED))
	requireCode(t, err, codes.FailedPrecondition, "contract C-1")

	got, err := deals.GetOpportunity(e.As(t, sam), &ltcv1.GetOpportunityRequest{Id: id})
	require.NoError(t, err)
	assert.Equal(t, ltcv1.Stage_STAGE_HANDOVER, got.Opportunity.Stage)
	assert.Equal(t, ltcv1.Outcome_OUTCOME_UNSPECIFIED, got.Opportunity.Outcome)
	c, err := contracts.GetContract(e.As(t, sam), &ltcv1.GetContractRequest{OpportunityId: id})
	require.NoError(t, err)
	assert.Equal(t, ltcv1.ContractStatus_CONTRACT_STATUS_SIGNED, c.Contract.Status)
}
