package api_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"pgregory.net/rapid"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// allowedMoves are the stage changes the first stages may make (staying put is always allowed).
var allowedMoves = map[ltcv1.Stage][]ltcv1.Stage{
	ltcv1.Stage_STAGE_VALIDATION:        {ltcv1.Stage_STAGE_INITIATION_REVIEW, ltcv1.Stage_STAGE_CLOSED},
	ltcv1.Stage_STAGE_INITIATION_REVIEW: {ltcv1.Stage_STAGE_VALIDATION, ltcv1.Stage_STAGE_TEAM_FORMATION, ltcv1.Stage_STAGE_CLOSED},
	ltcv1.Stage_STAGE_TEAM_FORMATION:    {ltcv1.Stage_STAGE_PURSUIT, ltcv1.Stage_STAGE_CLOSED},
	ltcv1.Stage_STAGE_PURSUIT:           {ltcv1.Stage_STAGE_CLOSED},
}

// TestRandomCallsByRandomPeopleKeepTheInvariants drives random sequences of calls, as random people, against the
// real engine, and checks after each one: stages move only along the process; a refused call changes nothing
// and records nothing; an accepted one records its events once, in order; approvals had their reviews and a
// decider of enough authority; closed deals never change.
func TestRandomCallsByRandomPeopleKeepTheInvariants(t *testing.T) {
	e := startWithPolicy(t, func(p *ltc.Policy) {
		p.Version = "test-random"
		p.InitiationReviews = []ltc.ReviewFunction{ltc.FunctionFinance}
	})
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	people := []ltc.Actor{sam, sue, sara, mia, eli, eva, eric, fiona, leo}
	levels := []ltcv1.ProjectLevel{ltcv1.ProjectLevel_PROJECT_LEVEL_A, ltcv1.ProjectLevel_PROJECT_LEVEL_B, ltcv1.ProjectLevel_PROJECT_LEVEL_C}
	verdicts := []ltcv1.Verdict{ltcv1.Verdict_VERDICT_APPROVE, ltcv1.Verdict_VERDICT_APPROVE_WITH_CONDITIONS,
		ltcv1.Verdict_VERDICT_REJECT, ltcv1.Verdict_VERDICT_RETURN}

	rapid.Check(t, func(rt *rapid.T) {
		id := qualifiedDeal(t, e)
		get := func() *ltcv1.Opportunity {
			resp, err := deals.GetOpportunity(e.As(t, sam), &ltcv1.GetOpportunityRequest{Id: id})
			require.NoError(rt, err)
			return resp.Opportunity
		}
		events := func() []store.RecordedEvent {
			page, err := e.Store.Events(context.Background(), store.EventQuery{DealID: id, Limit: 1000})
			require.NoError(rt, err)
			return page.Events
		}
		pending := func(o *ltcv1.Opportunity) string {
			if n := len(o.Decisions); n > 0 && o.Decisions[n-1].Status == ltcv1.DecisionStatus_DECISION_STATUS_PENDING {
				return o.Decisions[n-1].Id
			}
			return uuid.NewString()
		}
		actions := []struct {
			name string
			do   func(ltc.Actor, *ltcv1.Opportunity) error
		}{
			{"assess", func(a ltc.Actor, _ *ltcv1.Opportunity) error {
				_, err := deals.UpdateAssessment(e.As(t, a), &ltcv1.UpdateAssessmentRequest{RequestId: uuid.NewString(), OpportunityId: id, Assessment: assessment()})
				return err
			}},
			{"request", func(a ltc.Actor, _ *ltcv1.Opportunity) error {
				_, err := decisions.RequestDecision(e.As(t, a), &ltcv1.RequestDecisionRequest{RequestId: uuid.NewString(), OpportunityId: id,
					Gate: ltcv1.Gate_GATE_INITIATION, Package: &ltcv1.RequestDecisionRequest_Initiation{Initiation: &ltcv1.InitiationPackage{
						ProposedLevel: rapid.SampledFrom(levels).Draw(rt, "level"), Rationale: "r"}}})
				return err
			}},
			{"review", func(a ltc.Actor, o *ltcv1.Opportunity) error {
				_, err := decisions.SubmitReview(e.As(t, a), &ltcv1.SubmitReviewRequest{RequestId: uuid.NewString(), DecisionId: pending(o),
					Function: ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE, Result: ltcv1.ReviewResult_REVIEW_RESULT_PASS})
				return err
			}},
			{"decide", func(a ltc.Actor, o *ltcv1.Opportunity) error {
				_, err := decisions.Decide(e.As(t, a), &ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: pending(o),
					Verdict: rapid.SampledFrom(verdicts).Draw(rt, "verdict"), Rationale: "r"})
				return err
			}},
			{"withdraw", func(a ltc.Actor, o *ltcv1.Opportunity) error {
				_, err := decisions.WithdrawDecision(e.As(t, a), &ltcv1.WithdrawDecisionRequest{RequestId: uuid.NewString(), DecisionId: pending(o)})
				return err
			}},
			{"team", func(a ltc.Actor, _ *ltcv1.Opportunity) error {
				_, err := deals.AppointTeam(e.As(t, a), &ltcv1.AppointTeamRequest{RequestId: uuid.NewString(), OpportunityId: id, Members: team()})
				return err
			}},
			{"close", func(a ltc.Actor, _ *ltcv1.Opportunity) error {
				_, err := deals.CloseOpportunity(e.As(t, a), &ltcv1.CloseOpportunityRequest{RequestId: uuid.NewString(), OpportunityId: id,
					Outcome: ltcv1.Outcome_OUTCOME_LOST, Reason: "r"})
				return err
			}},
		}
		steps := rapid.IntRange(1, 12).Draw(rt, "steps")
		for range steps {
			before, logBefore := get(), events()
			act := rapid.SampledFrom(actions).Draw(rt, "action")
			who := rapid.SampledFrom(people).Draw(rt, "who")
			err := act.do(who, before)
			after, logAfter := get(), events()
			what := fmt.Sprintf("%s by %s in %s", act.name, who.ID, before.Stage)

			for i, ev := range logAfter {
				require.Equal(rt, int64(i+1), ev.DealSequence, "events in order, once: %s", what)
			}
			if err != nil {
				code := status.Code(err)
				require.Contains(rt, []codes.Code{codes.PermissionDenied, codes.FailedPrecondition, codes.InvalidArgument, codes.NotFound},
					code, "refusals only: %s: %v", what, err)
				require.Len(rt, logAfter, len(logBefore), "a refused call records nothing: %s", what)
				require.Equal(rt, before.Stage, after.Stage, "a refused call changes nothing: %s", what)
				continue
			}
			require.Greater(rt, len(logAfter), len(logBefore), "an accepted call is recorded: %s", what)
			require.NotEqual(rt, ltcv1.Stage_STAGE_CLOSED, before.Stage, "closed deals never change: %s", what)
			if after.Stage != before.Stage {
				require.Contains(rt, allowedMoves[before.Stage], after.Stage, "stage order: %s", what)
			}
			for _, d := range after.Decisions {
				if d.Status != ltcv1.DecisionStatus_DECISION_STATUS_APPROVED && d.Status != ltcv1.DecisionStatus_DECISION_STATUS_APPROVED_WITH_CONDITIONS {
					continue
				}
				require.Len(rt, d.Reviews, len(d.RequiredReviews), "no approval without the required reviews")
				if d.Authority > 0 {
					require.GreaterOrEqual(rt, d.DeciderAuthority, d.Authority, "approved by enough authority")
				}
			}
		}
	})
}
