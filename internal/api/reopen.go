package api

import (
	"context"
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
	"github.com/ltcengine/ltc/workflows"
)

// requestReopen sends a REOPEN request to the deal's process. A deal closed with its summary in has no running
// process any more: it is started again from the database's copy of the deal with the request (update-with-start,
// as an account's process is), once the rule, checked on that copy, accepts the request, so that a refused request
// starts nothing.
func (s decisionService) requestReopen(ctx context.Context, req *ltcv1.RequestDecisionRequest, pkg ltc.Package) (workflows.DealResult, error) {
	actor := actorOf(ctx)
	request, err := newRequest(actor, workflows.UpdateRequestDecision, req.RequestId, req)
	if err != nil {
		return workflows.DealResult{}, err
	}
	cmd := ltc.RequestDecision{Gate: ltc.GateReopen, Package: pkg}
	id := req.OpportunityId
	legacy := workflows.OpportunityWorkflowID(id)
	return send[workflows.DealResult](ctx, s.Server, change{
		method: workflows.UpdateRequestDecision, dealID: id, request: request, arg: command(request, cmd),
		processes: []string{workflows.DealWorkflowID(id), legacy},
		issue: func(ctx context.Context, opts client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
			h, err := s.temporal.UpdateWorkflow(ctx, opts)
			if !gone(err) || opts.WorkflowID != legacy {
				return h, err
			}
			// Neither the deal's process nor one of an earlier version runs. A request applied before is answered
			// from its record.
			if _, rerr := s.store.Request(ctx, request.ID); !errors.Is(rerr, store.ErrNotFound) {
				return h, errors.Join(err, rerr)
			}
			in, rerr := s.restartInput(ctx, id)
			if rerr == nil {
				_, rerr = ltc.Run(cmd, *in.Deal, ltc.Context{Actor: actor, Now: time.Now(), Policy: in.Policy, RequestID: request.ID})
			}
			if rerr != nil {
				return nil, rerr
			}
			opts.WorkflowID = workflows.DealWorkflowID(id)
			start := s.temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
				ID: opts.WorkflowID, TaskQueue: s.taskQueue,
				WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
				WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
			}, workflows.DealWorkflow, in)
			return s.temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{StartWorkflowOperation: start, UpdateOptions: opts})
		},
	})
}

// restartInput is the input that starts a deal's ended process again: the deal as the database holds it, its
// revision, the requests it applied (so a late retry of one changes nothing) and the policy the deal started with.
func (s *Server) restartInput(ctx context.Context, id string) (workflows.DealInput, error) {
	p, err := s.store.DealProcess(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return workflows.DealInput{}, ltc.NotFound("deal %s not found", id)
	}
	if err != nil {
		return workflows.DealInput{}, err
	}
	policy, err := s.dealPolicy(ctx, id, p.Deal.Opportunity.PolicyVersion)
	if err != nil {
		return workflows.DealInput{}, err
	}
	return workflows.DealInput{Deal: &p.Deal, Policy: policy, Applied: p.Requests, Revision: p.Revision}, nil
}

// dealPolicy is the policy the deal started with: the server's, if it is that version, else the one the deal's
// last run was started with, as Temporal keeps it (for the namespace's retention after the run ended).
func (s *Server) dealPolicy(ctx context.Context, id, version string) (ltc.Policy, error) {
	if version == s.policy.Version {
		return s.policy, nil
	}
	for _, wid := range []string{workflows.DealWorkflowID(id), workflows.OpportunityWorkflowID(id)} {
		iter := s.temporal.GetWorkflowHistory(ctx, wid, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		if !iter.HasNext() {
			continue
		}
		ev, err := iter.Next()
		if gone(err) {
			continue
		}
		if err != nil {
			return ltc.Policy{}, err
		}
		var in struct {
			Policy ltc.Policy `json:"policy"`
		}
		if started := ev.GetWorkflowExecutionStartedEventAttributes(); started != nil &&
			converter.GetDefaultDataConverter().FromPayloads(started.GetInput(), &in) == nil && in.Policy.Version == version {
			return in.Policy, nil
		}
	}
	return ltc.Policy{}, ltc.FailedPrecondition("deal %s runs under policy %s, which this server (policy %s) does not have and whose record "+
		"the process engine no longer keeps; start the server with that policy file to reopen it", id, version, s.policy.Version)
}
