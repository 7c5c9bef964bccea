package api_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// delegate sets a delegation as the delegator to the deputy until end, for the gates.
func delegate(t *testing.T, e *testenv.Engine, from, to ltc.Actor, end time.Duration, gates ...ltcv1.Gate) (*ltcv1.SetDelegationResponse, error) {
	t.Helper()
	return ltcv1.NewPeopleServiceClient(e.Conn).SetDelegation(e.As(t, from), &ltcv1.SetDelegationRequest{
		RequestId: uuid.NewString(), Deputy: &ltcv1.Person{Id: to.ID, Name: to.Name},
		EndTime: timestamppb.New(time.Now().Add(end)), Gates: gates, Reason: "leave"})
}

// pendingFor is the caller's inbox: each decision's id with whom it waits for on behalf of ("" for themselves).
func pendingFor(t *testing.T, e *testenv.Engine, a ltc.Actor) map[string]string {
	t.Helper()
	resp, err := ltcv1.NewDecisionServiceClient(e.Conn).ListDecisions(e.As(t, a), &ltcv1.ListDecisionsRequest{PendingForMe: true})
	require.NoError(t, err)
	out := map[string]string{}
	for _, d := range resp.Decisions {
		out[d.Id] = d.GetPendingOnBehalfOf().GetId()
	}
	return out
}

func TestDelegationADeputyDecidesAndReviewsOnTheDelegatorsBehalf(t *testing.T) {
	e := startWithPolicy(t, func(p *ltc.Policy) {
		p.Version = "test-delegation"
		p.InitiationReviews = []ltc.ReviewFunction{ltc.FunctionFinance}
	})
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	// Grade A: level B, the region's executive (authority 2) decides; de-eli (authority 1) may not on his own.
	id := germanDeal(t, e, ltcv1.CustomerGrade_CUSTOMER_GRADE_A, 100_000_00)
	d := requestInitiation(t, e, deSam, id, ltcv1.ProjectLevel_PROJECT_LEVEL_B)
	require.Equal(t, int32(2), d.Authority)
	assert.NotContains(t, pendingFor(t, e, deEli), d.Id)

	// Eva delegates INITIATION to Eli; Fiona (FINANCE, emea) her reviews to Hana (FINANCE, apac).
	set, err := delegate(t, e, emeaEva, deEli, time.Hour, ltcv1.Gate_GATE_INITIATION)
	require.NoError(t, err)
	assert.Equal(t, emeaEva.ID, set.Delegation.Delegator.Id)
	assert.Equal(t, deEli.ID, set.Delegation.Deputy.Id)
	_, err = delegate(t, e, emeaFiona, apacHana, 24*time.Hour)
	require.NoError(t, err)

	// The deputies' inboxes hold the delegators' pending work, marked on whose behalf.
	assert.Equal(t, map[string]string{d.Id: emeaEva.ID}, pendingFor(t, e, deEli))
	assert.Equal(t, map[string]string{d.Id: emeaFiona.ID}, pendingFor(t, e, apacHana))
	assert.Equal(t, map[string]string{d.Id: ""}, pendingFor(t, e, emeaEva), "the delegator still sees their own")

	// Hana reviews for Fiona; Eli approves for Eva.
	reviewed, err := decisions.SubmitReview(e.As(t, apacHana), &ltcv1.SubmitReviewRequest{RequestId: uuid.NewString(), DecisionId: d.Id,
		Function: ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE, Result: ltcv1.ReviewResult_REVIEW_RESULT_PASS})
	require.NoError(t, err)
	require.Len(t, reviewed.Decision.Reviews, 1)
	assert.Equal(t, apacHana.ID, reviewed.Decision.Reviews[0].Reviewer.Id)
	assert.Equal(t, emeaFiona.ID, reviewed.Decision.Reviews[0].OnBehalfOf.GetId())
	assert.NotContains(t, pendingFor(t, e, apacHana), d.Id)
	_, err = decisions.GetDecision(e.As(t, apacHana), &ltcv1.GetDecisionRequest{Id: d.Id})
	require.NoError(t, err, "a deputy reads what their inbox holds")
	_, err = decisions.GetDecision(e.As(t, apacAiko), &ltcv1.GetDecisionRequest{Id: d.Id})
	requireCode(t, err, codes.PermissionDenied, "")

	decide := &ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: d.Id, Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "for Eva"}
	decided, err := decisions.Decide(e.As(t, deEli), decide)
	require.NoError(t, err)
	assert.Equal(t, deEli.ID, decided.Decision.DecidedBy.Id)
	assert.Equal(t, emeaEva.ID, decided.Decision.OnBehalfOf.GetId())
	assert.Equal(t, int32(2), decided.Decision.DeciderAuthority, "the delegator's authority")
	again, err := decisions.Decide(e.As(t, deEli), decide)
	require.NoError(t, err, "a retry returns the first result")
	assert.True(t, proto.Equal(decided.Decision, again.Decision))
	got, err := decisions.GetDecision(e.As(t, deSam), &ltcv1.GetDecisionRequest{Id: d.Id})
	require.NoError(t, err)
	assert.Equal(t, emeaEva.ID, got.Decision.OnBehalfOf.GetId())

	// The events carry both names.
	page, err := e.Store.Events(context.Background(), store.EventQuery{DealID: id, Types: []string{ltc.EventDecisionDecided, ltc.EventReviewSubmitted}, Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Events, 2)
	var review ltc.ReviewDetails
	require.NoError(t, json.Unmarshal(page.Events[0].Data, &review))
	assert.Equal(t, apacHana.ID, page.Events[0].Actor.ID)
	assert.Equal(t, emeaFiona.ID, review.Review.OnBehalfOf.ID)
	var ruling ltc.Decision
	require.NoError(t, json.Unmarshal(page.Events[1].Data, &ruling))
	assert.Equal(t, deEli.ID, page.Events[1].Actor.ID)
	assert.Equal(t, deEli.ID, ruling.DecidedBy.ID)
	assert.Equal(t, emeaEva.ID, ruling.OnBehalfOf.ID)
	assert.Contains(t, page.Events[1].Recipients, "user:"+emeaEva.ID, "the delegator is told")
	feed, err := ltcv1.NewOpportunityServiceClient(e.Conn).ListEvents(e.As(t, ops), &ltcv1.ListEventsRequest{DealId: id,
		Types: []string{ltc.EventDecisionDecided, ltc.EventReviewSubmitted}})
	require.NoError(t, err)
	require.Len(t, feed.Events, 2)
	assert.Equal(t, emeaFiona.ID, feed.Events[0].GetReviewSubmitted().GetReview().GetOnBehalfOf().GetId())
	assert.Equal(t, emeaEva.ID, feed.Events[1].GetDecisionDecided().GetDecision().GetOnBehalfOf().GetId())
	assert.Equal(t, deEli.ID, feed.Events[1].GetDecisionDecided().GetDecision().GetDecidedBy().GetId())

	// A gate not delegated is refused: Eva's delegation to Eli is for INITIATION only.
	// (ATB is far in this deal; the same check on another delegation below covers the gate.)

	// Separation of duties binds both: Sam, who owns the deals, may not decide for Eva; Max (manager and
	// executive of the office) requests an INITIATION and delegates to Yui (Japan), who may not decide it for him.
	id2 := germanDeal(t, e, ltcv1.CustomerGrade_CUSTOMER_GRADE_A, 100_000_00)
	d2 := requestInitiation(t, e, deMia, id2, ltcv1.ProjectLevel_PROJECT_LEVEL_B)
	_, err = delegate(t, e, emeaEva, deSam, time.Hour)
	require.NoError(t, err)
	assert.NotContains(t, pendingFor(t, e, deSam), d2.Id, "the deputy owns the deal")
	requireCode(t, decideAs(t, e, deSam, d2.Id, ltcv1.Verdict_VERDICT_RETURN), codes.PermissionDenied, "own deal")
	deMax := ltc.Actor{ID: "de-max", Name: "Max", Roles: []ltc.Role{ltc.RoleSalesManager, ltc.RoleExecutive}, Authority: 2, Unit: "emea/germany"}
	_, err = delegate(t, e, deMax, jpYui, time.Hour)
	require.NoError(t, err)
	d3 := requestInitiation(t, e, deMax, germanDeal(t, e, ltcv1.CustomerGrade_CUSTOMER_GRADE_A, 100_000_00), ltcv1.ProjectLevel_PROJECT_LEVEL_B)
	assert.NotContains(t, pendingFor(t, e, jpYui), d3.Id, "the delegator requested it")
	requireCode(t, decideAs(t, e, jpYui, d3.Id, ltcv1.Verdict_VERDICT_RETURN), codes.PermissionDenied, "you requested it")

	// A gate not delegated: Eva hands Kai her ATB decisions only; INITIATION stays hers.
	jpKai := ltc.Actor{ID: "jp-kai", Name: "Kai", Roles: []ltc.Role{ltc.RoleSales}, Unit: "apac/japan"}
	_, err = delegate(t, e, emeaEva, jpKai, time.Hour, ltcv1.Gate_GATE_ATB)
	require.NoError(t, err)
	assert.Empty(t, pendingFor(t, e, jpKai))
	requireCode(t, decideAs(t, e, jpKai, d2.Id, ltcv1.Verdict_VERDICT_RETURN), codes.PermissionDenied, "")

	// After the period the deputy can no longer: a delegation that ended a minute ago.
	past := time.Now().Add(-time.Hour)
	_, err = e.Store.SetDelegation(context.Background(), ltc.Delegation{ID: uuid.NewString(), Delegator: emeaEva,
		Deputy: apacAiko.Person(), Start: past, End: time.Now().Add(-time.Minute), CreatedBy: emeaEva.Person(), CreatedAt: past},
		store.DelegationRequest{ID: uuid.NewString(), PayloadHash: []byte{1}})
	require.NoError(t, err)
	assert.Empty(t, pendingFor(t, e, apacAiko))
	requireCode(t, decideAs(t, e, apacAiko, d2.Id, ltcv1.Verdict_VERDICT_RETURN), codes.PermissionDenied, "emea/germany")

	// Revoked: Eli no longer decides for Eva.
	d4 := requestInitiation(t, e, deSam, germanDeal(t, e, ltcv1.CustomerGrade_CUSTOMER_GRADE_A, 100_000_00), ltcv1.ProjectLevel_PROJECT_LEVEL_B)
	assert.Equal(t, emeaEva.ID, pendingFor(t, e, deEli)[d4.Id])
	people := ltcv1.NewPeopleServiceClient(e.Conn)
	revoke := &ltcv1.RevokeDelegationRequest{RequestId: uuid.NewString(), DelegationId: set.Delegation.Id}
	_, err = people.RevokeDelegation(e.As(t, deEli), revoke)
	requireCode(t, err, codes.PermissionDenied, "")
	revoked, err := people.RevokeDelegation(e.As(t, emeaEva), revoke)
	require.NoError(t, err)
	require.NotNil(t, revoked.Delegation.RevokeTime)
	again2, err := people.RevokeDelegation(e.As(t, emeaEva), revoke)
	require.NoError(t, err, "a retry returns the first result")
	assert.True(t, proto.Equal(revoked.Delegation, again2.Delegation))
	_, err = people.RevokeDelegation(e.As(t, emeaEva), &ltcv1.RevokeDelegationRequest{RequestId: uuid.NewString(), DelegationId: set.Delegation.Id})
	requireCode(t, err, codes.FailedPrecondition, "ended")
	assert.NotContains(t, pendingFor(t, e, deEli), d4.Id)
	requireCode(t, decideAs(t, e, deEli, d4.Id, ltcv1.Verdict_VERDICT_RETURN), codes.PermissionDenied, "")

	// The lists: what Eva gave (newest first, paged), what Yui received, everything for an admin.
	var given []string
	token := ""
	for {
		resp, err := people.ListDelegations(e.As(t, emeaEva), &ltcv1.ListDelegationsRequest{PageSize: 1, PageToken: token})
		require.NoError(t, err)
		for _, dl := range resp.Delegations {
			given = append(given, dl.Deputy.Id)
		}
		if token = resp.NextPageToken; token == "" {
			break
		}
	}
	assert.Equal(t, []string{jpKai.ID, deSam.ID, deEli.ID, apacAiko.ID}, given, "newest first; Aiko's was made an hour ago")
	current, err := people.ListDelegations(e.As(t, jpYui), &ltcv1.ListDelegationsRequest{CurrentOnly: true})
	require.NoError(t, err)
	assert.Len(t, current.Delegations, 1, "Max's to Yui")
	all, err := people.ListDelegations(e.As(t, ops), &ltcv1.ListDelegationsRequest{})
	require.NoError(t, err)
	assert.Len(t, all.Delegations, 6)
	_, err = people.ListDelegations(e.As(t, deEli), &ltcv1.ListDelegationsRequest{PageToken: token + "x"})
	requireCode(t, err, codes.InvalidArgument, "")
}

func TestDelegationRefusesBadInputAndRecordsNothing(t *testing.T) {
	e := testenv.StartEngine(t)
	people := ltcv1.NewPeopleServiceClient(e.Conn)
	_, err := delegate(t, e, emeaEva, deEli, 91*24*time.Hour)
	requireCode(t, err, codes.InvalidArgument, "90 days")
	_, err = delegate(t, e, emeaEva, deEli, -time.Hour)
	requireCode(t, err, codes.InvalidArgument, "future")
	_, err = delegate(t, e, emeaEva, emeaEva, time.Hour)
	requireCode(t, err, codes.InvalidArgument, "another person")
	_, err = delegate(t, e, deSam, deSue, time.Hour)
	requireCode(t, err, codes.PermissionDenied, "decides or reviews")
	_, err = people.SetDelegation(e.As(t, deEli), &ltcv1.SetDelegationRequest{RequestId: uuid.NewString(),
		Deputy: &ltcv1.Person{Id: deMia.ID}, EndTime: timestamppb.New(time.Now().Add(time.Hour)), DelegatorId: emeaEva.ID})
	requireCode(t, err, codes.PermissionDenied, "admin")
	all, err := people.ListDelegations(e.As(t, ops), &ltcv1.ListDelegationsRequest{})
	require.NoError(t, err)
	assert.Empty(t, all.Delegations, "nothing recorded")

	// Idempotent: a retry returns the first delegation; the same id with another payload is ALREADY_EXISTS.
	req := &ltcv1.SetDelegationRequest{RequestId: uuid.NewString(), Deputy: &ltcv1.Person{Id: deEli.ID, Name: deEli.Name},
		EndTime: timestamppb.New(time.Now().Add(time.Hour))}
	first, err := people.SetDelegation(e.As(t, emeaEva), req)
	require.NoError(t, err)
	assert.Empty(t, first.Delegation.Gates, "every gate")
	again, err := people.SetDelegation(e.As(t, emeaEva), req)
	require.NoError(t, err)
	assert.True(t, proto.Equal(first.Delegation, again.Delegation))
	req.Reason = "changed"
	_, err = people.SetDelegation(e.As(t, emeaEva), req)
	requireCode(t, err, codes.AlreadyExists, "")
	all, err = people.ListDelegations(e.As(t, ops), &ltcv1.ListDelegationsRequest{})
	require.NoError(t, err)
	assert.Len(t, all.Delegations, 1)
}

// TestAnAdminSetsADelegationForAnotherPersonFromTheDirectory: the delegator's authority, unit and roles come from
// the directory of people, not from the admin; someone not in the directory is NOT_FOUND and nothing is recorded.
func TestAnAdminSetsADelegationForAnotherPersonFromTheDirectory(t *testing.T) {
	e := testenv.StartEngine(t)
	ctx := context.Background()
	require.NoError(t, e.Store.UpsertPeople(ctx, []store.DirectoryPerson{{ID: emeaEva.ID, Name: emeaEva.Name, Email: "eva@example.com",
		Roles: emeaEva.Roles, Authority: emeaEva.Authority, Unit: emeaEva.Unit}}))
	people := ltcv1.NewPeopleServiceClient(e.Conn)
	set := func(delegator string) (*ltcv1.SetDelegationResponse, error) {
		return people.SetDelegation(e.As(t, ops), &ltcv1.SetDelegationRequest{RequestId: uuid.NewString(),
			Deputy: &ltcv1.Person{Id: deMia.ID}, EndTime: timestamppb.New(time.Now().Add(time.Hour)), DelegatorId: delegator,
			Reason: "set by the operator while Eva is unreachable"})
	}
	_, err := set("nobody")
	requireCode(t, err, codes.NotFound, "directory")
	got, err := set(emeaEva.ID)
	require.NoError(t, err)
	assert.Equal(t, emeaEva.ID, got.Delegation.GetDelegator().GetId())
	assert.Equal(t, ops.ID, got.Delegation.GetCreatedBy().GetId(), "the admin is recorded as who set it")
	all, err := people.ListDelegations(e.As(t, ops), &ltcv1.ListDelegationsRequest{})
	require.NoError(t, err)
	assert.Len(t, all.Delegations, 1, "the refused one recorded nothing")
	mine, err := people.ListDelegations(e.As(t, deMia), &ltcv1.ListDelegationsRequest{CurrentOnly: true})
	require.NoError(t, err)
	assert.Len(t, mine.Delegations, 1, "the deputy holds it")
}

// TestADeputyReadsOnlyWhatTheDelegationHandsThem: a deputy does not read, with GetDecision, a decision the
// delegator reads but could never decide (above their authority), pending or decided.
func TestADeputyReadsOnlyWhatTheDelegationHandsThem(t *testing.T) {
	e := testenv.StartEngine(t)
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	outsider := ltc.Actor{ID: "apac-otto", Name: "Otto", Roles: []ltc.Role{ltc.RoleSales}, Unit: "apac/japan"}
	id := germanDeal(t, e, ltcv1.CustomerGrade_CUSTOMER_GRADE_S, 100_000_00) // grade S: level A, authority 3
	d := requestInitiation(t, e, deSam, id, ltcv1.ProjectLevel_PROJECT_LEVEL_A)
	require.Equal(t, int32(3), d.Authority)
	_, err := ltcv1.NewPeopleServiceClient(e.Conn).SetDelegation(e.As(t, emeaEva), &ltcv1.SetDelegationRequest{RequestId: uuid.NewString(),
		Deputy: &ltcv1.Person{Id: outsider.ID}, EndTime: timestamppb.New(time.Now().Add(time.Hour)), Gates: []ltcv1.Gate{ltcv1.Gate_GATE_INITIATION}})
	require.NoError(t, err)
	_, err = decisions.GetDecision(e.As(t, outsider), &ltcv1.GetDecisionRequest{Id: d.Id})
	requireCode(t, err, codes.PermissionDenied, "")
	_, err = decisions.Decide(e.As(t, corpEric), &ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: d.Id,
		Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "go"})
	require.NoError(t, err)
	_, err = decisions.GetDecision(e.As(t, outsider), &ltcv1.GetDecisionRequest{Id: d.Id})
	requireCode(t, err, codes.PermissionDenied, "")
}

// TestARevokeRequestIDReusedOnAnotherDelegationIsAlreadyExists: a request id that revoked one delegation is not
// used again to revoke another; the second is answered ALREADY_EXISTS and stays in force.
func TestARevokeRequestIDReusedOnAnotherDelegationIsAlreadyExists(t *testing.T) {
	e := testenv.StartEngine(t)
	people := ltcv1.NewPeopleServiceClient(e.Conn)
	set := func() string {
		got, err := people.SetDelegation(e.As(t, emeaEva), &ltcv1.SetDelegationRequest{RequestId: uuid.NewString(),
			Deputy: &ltcv1.Person{Id: deMia.ID}, EndTime: timestamppb.New(time.Now().Add(time.Hour))})
		require.NoError(t, err)
		return got.Delegation.Id
	}
	first, second := set(), set()
	rid := uuid.NewString()
	_, err := people.RevokeDelegation(e.As(t, emeaEva), &ltcv1.RevokeDelegationRequest{RequestId: rid, DelegationId: first})
	require.NoError(t, err)
	_, err = people.RevokeDelegation(e.As(t, emeaEva), &ltcv1.RevokeDelegationRequest{RequestId: rid, DelegationId: second})
	requireCode(t, err, codes.AlreadyExists, "request_id")
	current, err := people.ListDelegations(e.As(t, emeaEva), &ltcv1.ListDelegationsRequest{CurrentOnly: true})
	require.NoError(t, err)
	require.Len(t, current.Delegations, 1)
	assert.Equal(t, second, current.Delegations[0].Id, "the second stays in force")
}

// A deputy's review and decision retried after the delegation was revoked get their first answer: the retry is
// answered from its request record before the delegations are looked up.
func TestADeputysReviewAndDecideRetriedAfterTheRevokeAnswerFromTheRecord(t *testing.T) {
	e := startWithPolicy(t, func(p *ltc.Policy) {
		p.Version = "test-delegation-retry"
		p.InitiationReviews = []ltc.ReviewFunction{ltc.FunctionFinance}
	})
	decisions := ltcv1.NewDecisionServiceClient(e.Conn)
	people := ltcv1.NewPeopleServiceClient(e.Conn)
	d := requestInitiation(t, e, deSam, germanDeal(t, e, ltcv1.CustomerGrade_CUSTOMER_GRADE_A, 100_000_00), ltcv1.ProjectLevel_PROJECT_LEVEL_B)
	toEli, err := delegate(t, e, emeaEva, deEli, time.Hour, ltcv1.Gate_GATE_INITIATION)
	require.NoError(t, err)
	toHana, err := delegate(t, e, emeaFiona, apacHana, time.Hour)
	require.NoError(t, err)

	review := &ltcv1.SubmitReviewRequest{RequestId: uuid.NewString(), DecisionId: d.Id,
		Function: ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE, Result: ltcv1.ReviewResult_REVIEW_RESULT_PASS, Comments: "for Fiona"}
	reviewed, err := decisions.SubmitReview(e.As(t, apacHana), review)
	require.NoError(t, err)
	decide := &ltcv1.DecideRequest{RequestId: uuid.NewString(), DecisionId: d.Id, Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "for Eva"}
	decided, err := decisions.Decide(e.As(t, deEli), decide)
	require.NoError(t, err)
	require.Equal(t, emeaEva.ID, decided.Decision.OnBehalfOf.GetId())

	for _, dl := range []struct {
		who ltc.Actor
		id  string
	}{{emeaEva, toEli.Delegation.Id}, {emeaFiona, toHana.Delegation.Id}} {
		_, err := people.RevokeDelegation(e.As(t, dl.who), &ltcv1.RevokeDelegationRequest{RequestId: uuid.NewString(), DelegationId: dl.id})
		require.NoError(t, err)
	}

	again, err := decisions.Decide(e.As(t, deEli), decide)
	require.NoError(t, err, "the retry of the decision is answered from its record")
	assert.True(t, proto.Equal(decided.Decision, again.Decision), "the first answer")
	reviewedAgain, err := decisions.SubmitReview(e.As(t, apacHana), review)
	require.NoError(t, err, "the retry of the review is answered from its record")
	assert.True(t, proto.Equal(reviewed.Decision, reviewedAgain.Decision), "the first answer")

	// Another request under the same id is ALREADY_EXISTS, someone else's retry PERMISSION_DENIED, as ever; and a
	// new request of the deputy is refused now that the delegation is revoked.
	other := proto.Clone(decide).(*ltcv1.DecideRequest)
	other.Rationale = "something else"
	_, err = decisions.Decide(e.As(t, deEli), other)
	requireCode(t, err, codes.AlreadyExists, "")
	_, err = decisions.Decide(e.As(t, emeaEva), decide)
	requireCode(t, err, codes.PermissionDenied, "")
	d2 := requestInitiation(t, e, deSam, germanDeal(t, e, ltcv1.CustomerGrade_CUSTOMER_GRADE_A, 100_000_00), ltcv1.ProjectLevel_PROJECT_LEVEL_B)
	requireCode(t, decideAs(t, e, deEli, d2.Id, ltcv1.Verdict_VERDICT_RETURN), codes.PermissionDenied, "")
}
