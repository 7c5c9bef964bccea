package api

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// delegations serves PeopleService's delegations: SetDelegation, RevokeDelegation, ListDelegations. They are kept
// in PostgreSQL, not in a process: a delegation changes no deal; the deals' processes check the delegation a
// deputy's command carries (ltc.Delegation) against the command's time.
type delegations struct {
	*Server
}

// unimplementedPeople holds PeopleService's unimplemented methods one level deeper than the service's own and
// the delegations', so those win.
type unimplementedPeople struct {
	ltcv1.UnimplementedPeopleServiceServer
}

// Method names of the delegations' requests, recorded with their payload digests.
const (
	methodSetDelegation    = "SetDelegation"
	methodRevokeDelegation = "RevokeDelegation"
)

func (s delegations) SetDelegation(ctx context.Context, req *ltcv1.SetDelegationRequest) (*ltcv1.SetDelegationResponse, error) {
	actor := actorOf(ctx)
	delegator := actor
	if req.DelegatorId != "" && req.DelegatorId != actor.ID {
		if !actor.Has(ltc.RoleAdmin) {
			return nil, ltc.PermissionDenied("only an admin sets a delegation for another person (delegator_id)")
		}
		p, found, err := s.store.Person(ctx, req.DelegatorId)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, ltc.NotFound("delegator_id: no person %s in the directory of people", req.DelegatorId)
		}
		delegator = p.Actor() // their roles, authority, unit and functions as the directory has them
	}
	request, err := newRequest(actor, methodSetDelegation, req.RequestId, req)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	dl := ltc.Delegation{
		ID: ltc.DelegationID(req.RequestId), Delegator: delegator, Deputy: ltc.Person{ID: req.Deputy.Id, Name: req.Deputy.Name},
		End: req.EndTime.AsTime(), Reason: req.Reason, CreatedBy: actor.Person(), CreatedAt: now,
	}
	if req.StartTime != nil {
		dl.Start = req.StartTime.AsTime()
	}
	for _, g := range req.Gates {
		gate := fromEnum[ltc.Gate](ltcv1.Gate_name, int32(g), "GATE_")
		if !slices.Contains(dl.Gates, gate) {
			dl.Gates = append(dl.Gates, gate)
		}
	}
	dl.Delegator.Scopes = nil // what the deputy acts with: roles, authority, unit, functions
	dl, err = ltc.CanDelegate(actor, dl, now)
	if err != nil {
		return nil, fieldError(err)
	}
	dl, err = s.store.SetDelegation(ctx, dl, store.DelegationRequest{ID: request.ID, PayloadHash: request.PayloadHash})
	if err != nil {
		return nil, reusedRequest(err, req.RequestId)
	}
	return &ltcv1.SetDelegationResponse{Delegation: delegationToProto(dl)}, nil
}

func (s delegations) RevokeDelegation(ctx context.Context, req *ltcv1.RevokeDelegationRequest) (*ltcv1.RevokeDelegationResponse, error) {
	actor := actorOf(ctx)
	request, err := newRequest(actor, methodRevokeDelegation, req.RequestId, req)
	if err != nil {
		return nil, err
	}
	dl, err := s.store.Delegation(ctx, req.DelegationId)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ltc.NotFound("delegation %s not found", req.DelegationId)
	}
	if err != nil {
		return nil, err
	}
	if dl.Delegator.ID != actor.ID && !actor.Has(ltc.RoleAdmin) {
		return nil, ltc.CanRevokeDelegation(actor, dl, time.Now())
	}
	now := time.Now().UTC()
	dl, ok, err := s.store.RevokeDelegation(ctx, dl.ID, now, store.DelegationRequest{ID: request.ID, PayloadHash: request.PayloadHash})
	if err != nil {
		return nil, reusedRequest(err, req.RequestId)
	}
	if !ok {
		return nil, ltc.CanRevokeDelegation(actor, dl, now)
	}
	return &ltcv1.RevokeDelegationResponse{Delegation: delegationToProto(dl)}, nil
}

func (s delegations) ListDelegations(ctx context.Context, req *ltcv1.ListDelegationsRequest) (*ltcv1.ListDelegationsResponse, error) {
	actor := actorOf(ctx)
	if err := ltc.CanRead(actor); err != nil {
		return nil, err
	}
	filter := store.DelegationFilter{Person: actor.ID}
	if actor.Has(ltc.RoleAdmin) {
		filter.Person = ""
	}
	if req.CurrentOnly {
		now := time.Now()
		filter.InForceAt = &now
	}
	list, next, err := s.store.ListDelegations(ctx, filter, pageSize(req.PageSize), req.PageToken)
	if err != nil {
		return nil, listError(err)
	}
	resp := &ltcv1.ListDelegationsResponse{NextPageToken: next}
	for _, dl := range list {
		resp.Delegations = append(resp.Delegations, delegationToProto(dl))
	}
	return resp, nil
}

// deputyFor finds the delegation under which the caller acts on the decision, as the read model stands: nil when
// they act on their own (own passes). When no delegation they hold now lets them, it is the first that covers the
// decision's gate, so that the refusal says why, or nil (the process refuses them on their own account). The
// deal's process checks the delegation again at the command's time.
func (s *Server) deputyFor(ctx context.Context, decisionID string, own func(ltc.Actor, ltc.Opportunity) error,
	delegated func(ltc.Actor, ltc.Delegation, ltc.Opportunity, time.Time) error) (*ltc.Delegation, error) {
	actor, now := actorOf(ctx), time.Now()
	held, err := s.store.DelegationsTo(ctx, actor.ID, now)
	if err != nil || len(held) == 0 {
		return nil, err
	}
	d, err := s.store.Decision(ctx, decisionID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	o, err := s.deal(ctx, d.OpportunityID)
	if err != nil || own(actor, o) == nil {
		return nil, err
	}
	var covering *ltc.Delegation
	for _, dl := range held {
		if delegated(actor, dl, o, now) == nil {
			return &dl, nil
		}
		if d.Gate != "" && dl.Covers(d.Gate) && covering == nil {
			covering = &dl
		}
	}
	return covering, nil // the process refuses it, saying why (the separation of duties, the delegator's scope)
}

// fieldError answers a refusal of invalid input ("field: why") as INVALID_ARGUMENT with its field violation.
func fieldError(err error) error {
	if ltc.KindOf(err) != ltc.KindInvalid {
		return err
	}
	field, why, ok := strings.Cut(err.Error(), ": ")
	if !ok || strings.Contains(field, " ") {
		return err
	}
	return invalidArgument(fieldViolation{field, why})
}

// reusedRequest answers a request id used before for another request as ALREADY_EXISTS.
func reusedRequest(err error, requestID string) error {
	if errors.Is(err, store.ErrRequestReused) {
		return ltc.Conflict("request_id %s was already used for a different request; use a new request_id", requestID)
	}
	return err
}

func delegationToProto(dl ltc.Delegation) *ltcv1.Delegation {
	pd := &ltcv1.Delegation{
		Id: dl.ID, Delegator: personToProto(dl.Delegator.Person()), Deputy: personToProto(dl.Deputy),
		StartTime: timestamppb.New(dl.Start), EndTime: timestamppb.New(dl.End), Reason: dl.Reason,
		CreatedBy: personToProto(dl.CreatedBy), CreateTime: timestamppb.New(dl.CreatedAt), RevokeTime: timeToProto(dl.RevokedAt),
	}
	for _, g := range dl.Gates {
		pd.Gates = append(pd.Gates, toEnum[ltcv1.Gate](ltcv1.Gate_value, g, "GATE_"))
	}
	return pd
}

// decidesFor is the delegation under which the caller takes the ruling, if they take it as a deputy.
func (s *Server) decidesFor(ctx context.Context, cmd ltc.Decide) (*ltc.Delegation, error) {
	r := ltc.Ruling{Verdict: cmd.Verdict, Level: cmd.Level, Conditions: cmd.Conditions, Rationale: cmd.Rationale}
	return s.deputyFor(ctx, cmd.DecisionID,
		func(a ltc.Actor, o ltc.Opportunity) error { return ltc.CanDecide(a, o, cmd.DecisionID, r) },
		func(a ltc.Actor, dl ltc.Delegation, o ltc.Opportunity, now time.Time) error {
			return ltc.CanDecideFor(a, dl, o, cmd.DecisionID, r, now)
		})
}

// reviewsFor is the delegation under which the caller submits the review, if they submit it as a deputy.
func (s *Server) reviewsFor(ctx context.Context, cmd ltc.SubmitReview) (*ltc.Delegation, error) {
	return s.deputyFor(ctx, cmd.DecisionID,
		func(a ltc.Actor, o ltc.Opportunity) error { return ltc.CanReview(a, o, cmd.DecisionID, cmd.Function) },
		func(a ltc.Actor, dl ltc.Delegation, o ltc.Opportunity, now time.Time) error {
			return ltc.CanReviewFor(a, dl, o, cmd.DecisionID, cmd.Function, now)
		})
}

// readsAsDeputy reports whether the caller reads the decision as a deputy: it is in their inbox through a
// delegation in force (pending, and the delegator acts on it), or they decided or reviewed it on someone's behalf.
// Nothing else the delegator reads opens to the deputy.
func (s *Server) readsAsDeputy(ctx context.Context, o ltc.Opportunity, d ltc.Decision) bool {
	me := actorOf(ctx)
	if d.OnBehalfOf != nil && d.DecidedBy != nil && d.DecidedBy.ID == me.ID {
		return true
	}
	if slices.ContainsFunc(d.Reviews, func(r ltc.Review) bool { return r.OnBehalfOf != nil && r.Reviewer.ID == me.ID }) {
		return true
	}
	if d.Status != ltc.DecisionPending {
		return false
	}
	held, err := s.store.DelegationsTo(ctx, me.ID, time.Now())
	if err != nil || len(held) == 0 {
		return false
	}
	inbox, _, err := s.store.ListDecisions(ctx, store.DecisionFilter{OpportunityID: o.ID, PendingFor: &me, Delegations: held}, 200, "")
	return err == nil && slices.ContainsFunc(inbox, func(x ltc.Decision) bool { return x.ID == d.ID })
}
