package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/workflows"
)

// change is one mutating call on a deal's process, sent as an Update whose id is the request id.
type change struct {
	method string // the Update name, recorded with the request
	dealID string
	// processes are the workflow ids to send to: the deal's DealWorkflow, then the process of an earlier version
	// that a deal started before it still runs in.
	processes []string
	request   workflows.Request
	arg       any
	// issue sends the Update; nil means a plain Update to a running workflow.
	issue func(context.Context, client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error)
	// ended explains the refusal when the process no longer runs (or never did), from the read model.
	ended func(context.Context) error
	// recordFirst answers from the request record, when there is one, before anything is sent: for CreateLead,
	// whose retry must find a lead made by a process of an earlier version rather than start a second process.
	recordFirst bool
}

// newRequest is the process's view of a caller's request: id, payload digest and actor.
func newRequest(actor ltc.Actor, method, requestID string, req proto.Message) (workflows.Request, error) {
	payload, err := proto.MarshalOptions{Deterministic: true}.Marshal(req)
	if err != nil {
		return workflows.Request{}, fmt.Errorf("digest request: %w", err)
	}
	sum := sha256.Sum256(append([]byte(method+"\x00"), payload...))
	return workflows.Request{ID: requestID, PayloadHash: sum[:], Actor: actor}, nil
}

// command is the Update argument of a command of the caller's request.
func command(r workflows.Request, c ltc.Command) workflows.Update[ltc.Command] {
	return workflows.Update[ltc.Command]{Request: r, Command: c}
}

// send runs a change and decodes its result into R. It returns once the process accepted the change and the read
// model holds it (read your writes), or with the refusal. The Update returns the record of the request it applied
// under the request id, with the caller's result. A request id seen before returns the first result, or
// ALREADY_EXISTS when the payload differs (PERMISSION_DENIED when someone else made it); nothing is applied twice,
// since Temporal deduplicates Updates by id within a run and the process skips a request it took in an earlier
// run. Such a request, or one whose process has ended, is answered from the request record in the database.
func send[R any](ctx context.Context, s *Server, c change) (R, error) {
	var result R
	if c.recordFirst {
		if ok, err := s.answerFromRecord(ctx, c, &result); ok || err != nil {
			return result, err
		}
	}
	issue := c.issue
	if issue == nil {
		issue = s.temporal.UpdateWorkflow
	}
	release, err := s.admit.wait(ctx, c.dealID)
	if err != nil {
		return result, err
	}
	var done store.Request
	for _, id := range c.processes {
		var handle client.WorkflowUpdateHandle
		handle, err = issue(ctx, client.UpdateWorkflowOptions{
			WorkflowID: id, UpdateID: c.request.ID, UpdateName: c.method, Args: []any{c.arg},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			err = handle.Get(ctx, &done)
		}
		if !gone(err) {
			break
		}
	}
	release()
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	ended := gone(err) || errors.As(err, &started)
	switch {
	case err == nil && done.ID != "":
		return result, replay(done, c, &result)
	case err == nil || ended:
		// Applied in an earlier run of the process, or the process has ended: the request record answers.
		recorded, rerr := s.store.Request(ctx, c.request.ID)
		switch {
		case rerr == nil:
			return result, replay(recorded, c, &result)
		case !errors.Is(rerr, store.ErrNotFound):
			return result, rerr
		case ended && c.ended != nil:
			return result, c.ended(ctx)
		case ended:
			return result, err
		}
		return result, fmt.Errorf("request %s was applied but its record is missing", c.request.ID)
	}
	return result, err
}

// gone reports whether the workflow does not run (it ended, or never was).
func gone(err error) bool {
	var notFound *serviceerror.NotFound
	return errors.As(err, &notFound)
}

// sameRequest reports whether the recorded request is the one c makes.
func sameRequest(done store.Request, c change) bool {
	return done.Method == c.method && bytes.Equal(done.PayloadHash, c.request.PayloadHash)
}

// replay answers a request seen before with its first result, if it is the same request by the same caller.
// The caller is checked first: a request's result (the deal after it) is its caller's to see again, nobody
// else's, whatever they send.
func replay(done store.Request, c change, result any) error {
	if done.ActorID != c.request.Actor.ID {
		return ltc.PermissionDenied("request_id %s was made by someone else; only its caller gets its result again (use a new request_id)", c.request.ID)
	}
	if !sameRequest(done, c) {
		return ltc.Conflict("request_id %s was already used for a different request (%s); use a new request_id", c.request.ID, done.Method)
	}
	if err := json.Unmarshal(done.Result, result); err != nil {
		return fmt.Errorf("decode result of request %s: %w", c.request.ID, err)
	}
	return nil
}

// answerFromRecord answers a request that was made before from its record (ok): its first result, or the refusal
// of a reuse by someone else or for another payload.
func (s *Server) answerFromRecord(ctx context.Context, c change, result any) (bool, error) {
	done, err := s.store.Request(ctx, c.request.ID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, replay(done, c, result)
}
