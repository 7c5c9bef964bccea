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
	method     string // the Update name, recorded with the request
	workflowID string
	request    workflows.Request
	arg        any
	// issue sends the Update; nil means a plain Update to a running workflow.
	issue func(context.Context, client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error)
	// ended explains the refusal when the process no longer runs (or never did), from the read model.
	ended func(context.Context) error
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

// send runs a change and decodes its result into R. It returns once the process accepted the change and the read
// model holds it (read your writes), or with the refusal. A request id seen before returns the first result, or
// ALREADY_EXISTS when the payload differs; nothing is applied twice, since Temporal deduplicates Updates by id and
// the process skips a request it took before a continue-as-new.
//
// A retry of a recorded request is still sent to the process while it runs: the change is recorded while the
// Update's workflow task is under way, and a Temporal server that fails before that task completes forgets the
// Update, so only the process can say whether it holds the change. Sent again, the change is applied to the
// process and its recording is skipped. Once the process has ended, the record answers.
func send[R any](ctx context.Context, s *Server, c change) (R, error) {
	var result R
	done, err := s.store.Request(ctx, c.request.ID)
	seen := err == nil
	if seen && (done.ActorID != c.request.Actor.ID || !sameRequest(done, c)) {
		return result, replay(done, c, &result)
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return result, err
	}
	opts := client.UpdateWorkflowOptions{
		WorkflowID:   c.workflowID,
		UpdateID:     c.request.ID,
		UpdateName:   c.method,
		Args:         []any{c.arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	}
	issue := c.issue
	if issue == nil {
		issue = s.temporal.UpdateWorkflow
	}
	release, err := s.admit.wait(ctx, c.workflowID)
	if err != nil {
		return result, err
	}
	handle, err := issue(ctx, opts)
	if err == nil {
		err = handle.Get(ctx, nil) // the Update returns no value; the result is in the request record
	}
	release()
	var notFound *serviceerror.NotFound
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	gone := errors.As(err, &notFound)
	switch {
	case seen && (gone || errors.As(err, &started)):
		return result, replay(done, c, &result)
	case gone && c.ended != nil:
		return result, c.ended(ctx)
	case err != nil:
		return result, err
	}
	// Concurrent calls with one request id share the first Update's outcome: make sure it was this payload's. A
	// request seen before was this payload's already, and its record does not change.
	if !seen {
		if done, err = s.store.Request(ctx, c.request.ID); err != nil {
			return result, fmt.Errorf("confirm request %s: %w", c.request.ID, err)
		}
	}
	return result, replay(done, c, &result)
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
