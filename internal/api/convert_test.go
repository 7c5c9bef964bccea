package api

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ltcengine/ltc/internal/ltc"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// Every domain value has its proto enum value and back; a renamed constant on either side fails here.
func TestEnumsConvertBothWays(t *testing.T) {
	check := func(names map[int32]string, values map[string]int32, prefix string, domain []string) {
		t.Helper()
		assert.Len(t, domain, len(names)-1, "every %s value but UNSPECIFIED has a domain value", prefix)
		for _, d := range domain {
			v := toEnum[int32](values, d, prefix)
			assert.NotZero(t, v, "%s%s", prefix, d)
			assert.Equal(t, d, fromEnum[string](names, v, prefix))
		}
		assert.Equal(t, "", fromEnum[string](names, 0, prefix))
	}
	check(ltcv1.LeadState_name, ltcv1.LeadState_value, "LEAD_STATE_",
		[]string{string(ltc.LeadNew), string(ltc.LeadQualified), string(ltc.LeadDisqualified)})
	check(ltcv1.LeadSource_name, ltcv1.LeadSource_value, "LEAD_SOURCE_",
		[]string{string(ltc.SourceCustomerStrategy), string(ltc.SourceIndustryAnalysis), string(ltc.SourceCustomerNeed),
			string(ltc.SourceOwnStrategy), string(ltc.SourceMarketingEvent), string(ltc.SourceReferral), string(ltc.SourceOther)})
	check(ltcv1.Urgency_name, ltcv1.Urgency_value, "URGENCY_",
		[]string{string(ltc.UrgencyHot), string(ltc.UrgencyWarm), string(ltc.UrgencyCold)})
	check(ltcv1.CustomerGrade_name, ltcv1.CustomerGrade_value, "CUSTOMER_GRADE_",
		[]string{string(ltc.GradeS), string(ltc.GradeA), string(ltc.GradeB), string(ltc.GradeC)})
	check(ltcv1.ProjectLevel_name, ltcv1.ProjectLevel_value, "PROJECT_LEVEL_",
		[]string{string(ltc.LevelA), string(ltc.LevelB), string(ltc.LevelC)})
	check(ltcv1.Stage_name, ltcv1.Stage_value, "STAGE_", []string{
		string(ltc.StageValidation), string(ltc.StageInitiationReview), string(ltc.StageTeamFormation),
		string(ltc.StagePursuit), string(ltc.StageATBReview), string(ltc.StageBidding), string(ltc.StageNegotiation),
		string(ltc.StageATCReview), string(ltc.StageContractSigning), string(ltc.StageHandover), string(ltc.StageClosed), string(ltc.StageExecution)})
	check(ltcv1.TeamRole_name, ltcv1.TeamRole_value, "TEAM_ROLE_", strs(ltc.TeamRoles))
	check(ltcv1.ReviewFunction_name, ltcv1.ReviewFunction_value, "REVIEW_FUNCTION_", strs(ltc.ReviewFunctions))
	check(ltcv1.Gate_name, ltcv1.Gate_value, "GATE_", []string{string(ltc.GateInitiation), string(ltc.GateATB), string(ltc.GateATC), string(ltc.GateReopen),
		string(ltc.GateChangeOrder), string(ltc.GateWriteOff)})
	check(ltcv1.MilestoneTrigger_name, ltcv1.MilestoneTrigger_value, "MILESTONE_TRIGGER_", strs(ltc.Triggers))
	check(ltcv1.AcceptanceKind_name, ltcv1.AcceptanceKind_value, "ACCEPTANCE_KIND_", []string{string(ltc.TriggerPAC), string(ltc.TriggerFAC)})
	check(ltcv1.ContractStatus_name, ltcv1.ContractStatus_value, "CONTRACT_STATUS_", []string{string(ltc.ContractSigned),
		string(ltc.ContractExecution), string(ltc.ContractCompleted), string(ltc.ContractWrittenOff)})
	check(ltcv1.Verdict_name, ltcv1.Verdict_value, "VERDICT_", []string{string(ltc.VerdictApprove),
		string(ltc.VerdictApproveWithConditions), string(ltc.VerdictReject), string(ltc.VerdictReturn)})
	check(ltcv1.ReviewResult_name, ltcv1.ReviewResult_value, "REVIEW_RESULT_", []string{string(ltc.ReviewPass),
		string(ltc.ReviewPassWithConcerns), string(ltc.ReviewFail)})
	check(ltcv1.DecisionStatus_name, ltcv1.DecisionStatus_value, "DECISION_STATUS_", []string{string(ltc.DecisionPending),
		string(ltc.DecisionApproved), string(ltc.DecisionApprovedWithConditions), string(ltc.DecisionRejected),
		string(ltc.DecisionReturned), string(ltc.DecisionWithdrawn)})
	check(ltcv1.Outcome_name, ltcv1.Outcome_value, "OUTCOME_", []string{
		string(ltc.OutcomeWon), string(ltc.OutcomeLost), string(ltc.OutcomeNoBid), string(ltc.OutcomeNotPursued),
		string(ltc.OutcomeCancelled), string(ltc.OutcomeAbandoned)})
}

func strs[S ~string](values []S) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}
