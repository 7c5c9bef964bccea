package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"pgregory.net/rapid"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// allowedMoves are the stage changes the first stages may make (staying put is always allowed).
var allowedMoves = map[ltcv1.Stage][]ltcv1.Stage{
	ltcv1.Stage_STAGE_VALIDATION:        {ltcv1.Stage_STAGE_INITIATION_REVIEW, ltcv1.Stage_STAGE_CLOSED},
	ltcv1.Stage_STAGE_INITIATION_REVIEW: {ltcv1.Stage_STAGE_VALIDATION, ltcv1.Stage_STAGE_TEAM_FORMATION, ltcv1.Stage_STAGE_CLOSED},
	ltcv1.Stage_STAGE_TEAM_FORMATION:    {ltcv1.Stage_STAGE_PURSUIT, ltcv1.Stage_STAGE_CLOSED},
	ltcv1.Stage_STAGE_PURSUIT:           {ltcv1.Stage_STAGE_CLOSED},
}

// TestRandomCallsByRandomPeopleKeepTheInvariants drives random sequences of calls, as random people (random ids
// that may be on the team, random roles, authority, review functions and org units), against the real engine,
// and checks after each one: stages move only along the process; a refused call changes nothing and records
// nothing; an accepted one records its events once, in order; approvals had their reviews and a decider of enough
// authority whose scope holds the deal; nobody decided or reviewed a gate they requested, own or are on the team
// of, and no admin decided; the gate's level is never below the policy's; whoever may read the deal finds it in
// their list and its events in their feed, and whoever may not finds neither; closed deals never change.
func TestRandomCallsByRandomPeopleKeepTheInvariants(t *testing.T) {
	e := startWithPolicy(t, func(p *ltc.Policy) {
		p.Version = "test-random"
		p.InitiationReviews = []ltc.ReviewFunction{ltc.FunctionFinance}
	})
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	levels := []ltcv1.ProjectLevel{ltcv1.ProjectLevel_PROJECT_LEVEL_A, ltcv1.ProjectLevel_PROJECT_LEVEL_B, ltcv1.ProjectLevel_PROJECT_LEVEL_C}
	verdicts := []ltcv1.Verdict{ltcv1.Verdict_VERDICT_APPROVE, ltcv1.Verdict_VERDICT_APPROVE_WITH_CONDITIONS,
		ltcv1.Verdict_VERDICT_REJECT, ltcv1.Verdict_VERDICT_RETURN}
	// People are drawn from ids that the teams use too, so the same person is sometimes on the team and deciding.
	ids := []string{deSam.ID, "de-sara", "de-fred", "de-mia", "p1", "p2"}
	// Weighted towards people who may act on the deal's gates, so that the rules that refuse some of them are tried.
	units := []ltc.Unit{"emea/germany", "emea/germany", "emea/france", "emea", "emea", "apac/japan", "apac", ltc.Company, ltc.Company}
	roleSets := [][]ltc.Role{{ltc.RoleSales}, {ltc.RoleSalesManager}, {ltc.RoleExecutive}, {ltc.RoleExecutive}, {ltc.RoleReviewer},
		{ltc.RoleReviewer}, {ltc.RoleSales, ltc.RoleExecutive}, {ltc.RoleSalesManager, ltc.RoleExecutive},
		{ltc.RoleExecutive, ltc.RoleReviewer}, {ltc.RoleAdmin}, {ltc.RoleSystem}}
	person := rapid.Custom(func(rt *rapid.T) ltc.Actor {
		a := ltc.Actor{ID: rapid.SampledFrom(ids).Draw(rt, "id"), Roles: rapid.SampledFrom(roleSets).Draw(rt, "roles"),
			Unit: rapid.SampledFrom(units).Draw(rt, "unit")}
		if a.Has(ltc.RoleExecutive) {
			a.Authority = rapid.IntRange(1, 3).Draw(rt, "authority")
		}
		if a.Has(ltc.RoleReviewer) {
			a.Functions = []ltc.ReviewFunction{ltc.FunctionFinance}
		}
		if a.Has(ltc.RoleSystem) && rapid.Bool().Draw(rt, "read scope") {
			a.Scopes = []string{ltc.ScopeRead}
		}
		return a
	})
	randomTeam := func(rt *rapid.T) []*ltcv1.TeamMember {
		core := rapid.Permutation(ids).Draw(rt, "team")
		return []*ltcv1.TeamMember{
			{Person: &ltcv1.Person{Id: core[0]}, Role: ltcv1.TeamRole_TEAM_ROLE_AR},
			{Person: &ltcv1.Person{Id: core[1]}, Role: ltcv1.TeamRole_TEAM_ROLE_SR},
			{Person: &ltcv1.Person{Id: core[2]}, Role: ltcv1.TeamRole_TEAM_ROLE_FR},
		}
	}
	admin := ltc.Actor{ID: "ops", Roles: []ltc.Role{ltc.RoleAdmin}, Unit: ltc.Company}

	rapid.Check(t, func(rt *rapid.T) {
		grade := rapid.SampledFrom([]ltcv1.CustomerGrade{ltcv1.CustomerGrade_CUSTOMER_GRADE_S, ltcv1.CustomerGrade_CUSTOMER_GRADE_A,
			ltcv1.CustomerGrade_CUSTOMER_GRADE_C}).Draw(rt, "grade")
		value := rapid.SampledFrom([]int64{100_000_00, 2_000_000_00, 20_000_000_00}).Draw(rt, "value")
		id := germanDeal(t, e, grade, value)
		get := func() *ltcv1.Opportunity {
			resp, err := deals.GetOpportunity(e.As(t, admin), &ltcv1.GetOpportunityRequest{Id: id})
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
			// Listed from the most to the least drawn: rapid favours the first entries.
			{"decide", func(a ltc.Actor, o *ltcv1.Opportunity) error {
				_, err := decisions.Decide(e.As(t, a), &ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: pending(o),
					Verdict: rapid.SampledFrom(verdicts).Draw(rt, "verdict"), Rationale: "r"})
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
			{"withdraw", func(a ltc.Actor, o *ltcv1.Opportunity) error {
				_, err := decisions.WithdrawDecision(e.As(t, a), &ltcv1.WithdrawDecisionRequest{RequestId: uuid.NewString(), DecisionId: pending(o)})
				return err
			}},
			{"team", func(a ltc.Actor, _ *ltcv1.Opportunity) error {
				_, err := deals.AppointTeam(e.As(t, a), &ltcv1.AppointTeamRequest{RequestId: uuid.NewString(), OpportunityId: id, Members: randomTeam(rt)})
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
			who := person.Draw(rt, "who")
			err := act.do(who, before)
			after, logAfter := get(), events()
			what := fmt.Sprintf("%s by %+v in %s", act.name, who, before.Stage)

			for i, ev := range logAfter {
				require.Equal(rt, int64(i+1), ev.DealSequence, "events in order, once: %s", what)
			}
			checkReads(t, rt, e, who, after)
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
			unit := ltc.Unit(strings.TrimPrefix(after.OrgUnit, "/"))
			members := []string{before.Owner.GetId()}
			for _, m := range before.Team {
				members = append(members, m.Person.Id)
			}
			if act.name == "decide" || act.name == "review" {
				d := after.Decisions[len(after.Decisions)-1]
				require.NotContains(rt, members, who.ID, "separation of duties: an owner or team member never %ss: %s", act.name, what)
				require.NotEqual(rt, d.RequestedBy.Id, who.ID, "separation of duties: nobody %ss their own request: %s", act.name, what)
				if act.name == "review" {
					require.True(rt, who.Unit.Contains(unit), "reviewed within the reviewer's unit: %s", what)
				} else {
					require.False(rt, len(who.Roles) == 1 && who.Has(ltc.RoleAdmin), "an admin never decides: %s", what)
					require.True(rt, who.ExecutiveOver(unit) || (d.Authority == 0 && who.Manages(unit)),
						"decided within the decider's scope: %s", what)
				}
			}
			for _, d := range after.Decisions {
				require.GreaterOrEqual(rt, levelRank(d.Level), levelRank(d.PolicyLevel), "the gate's level is never below the policy's")
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

// levelRank orders project levels: A above B above C.
func levelRank(l ltcv1.ProjectLevel) int {
	return map[ltcv1.ProjectLevel]int{ltcv1.ProjectLevel_PROJECT_LEVEL_C: 1, ltcv1.ProjectLevel_PROJECT_LEVEL_B: 2, ltcv1.ProjectLevel_PROJECT_LEVEL_A: 3}[l]
}

// checkReads checks that the person reads the deal exactly where the rules let them, and that lists and the feed
// agree with Get: the deal is in their list, and its events in their feed, if and only if Get shows it.
func checkReads(t *testing.T, rt *rapid.T, e *testenv.Engine, who ltc.Actor, o *ltcv1.Opportunity) {
	ctx := e.As(t, who)
	_, err := ltcv1.NewOpportunityServiceClient(e.Conn).GetOpportunity(ctx, &ltcv1.GetOpportunityRequest{Id: o.Id})
	readable := err == nil
	if !readable {
		require.Equal(rt, codes.PermissionDenied, status.Code(err), "%v", err)
	}
	members := []string{o.Owner.GetId(), o.GetSponsor().GetId()}
	for _, m := range o.Team {
		members = append(members, m.Person.Id)
	}
	unit := ltc.Unit(strings.TrimPrefix(o.OrgUnit, "/"))
	want := ltc.DealReach(who).Covers(unit, members) || who.ID == deSam.ID // the lead's creator
	require.Equal(rt, want, readable, "%+v reads deal of %s with %v", who, unit, members)
	list, err := ltcv1.NewOpportunityServiceClient(e.Conn).ListOpportunities(ctx, &ltcv1.ListOpportunitiesRequest{Customer: "Acme", PageSize: 200})
	require.NoError(rt, err)
	listed := false
	for _, d := range list.Opportunities {
		listed = listed || d.Id == o.Id
	}
	require.Equal(rt, readable, listed, "the list shows what Get shows: %+v", who)
	feed, err := ltcv1.NewOpportunityServiceClient(e.Conn).ListEvents(ctx, &ltcv1.ListEventsRequest{DealId: o.Id, PageSize: 200})
	require.NoError(rt, err)
	require.Equal(rt, readable, len(feed.Events) > 0, "the feed shows what Get shows: %+v", who)
}
