package workflows

import (
	"encoding/json"
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ltcengine/ltc/activities"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// record writes an accepted change through the RecordChange local activity. It retries until the database takes
// it (an outage delays the change, it never loses it); only a refusal such as a reused request id ends it.
func record(ctx workflow.Context, c store.Change) error {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    100 * time.Millisecond,
			BackoffCoefficient: 2,
			MaximumInterval:    10 * time.Second,
		},
	})
	var a *activities.Activities
	return workflow.ExecuteLocalActivity(ctx, a.RecordChange, c).Get(ctx, nil)
}

// requestRecord is the record of a caller's request, with the result the caller gets.
func requestRecord(r Request, method, dealID string, result any) store.Request {
	return store.Request{ID: r.ID, Method: method, PayloadHash: r.PayloadHash, DealID: dealID, Result: mustJSON(result),
		ActorID: r.Actor.ID}
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("workflows: encode result: " + err.Error())
	}
	return b
}

// refusal turns a domain refusal into an error that keeps its kind across Temporal (as the ApplicationError
// type), so the API can answer with the right code. Other errors pass unchanged.
func refusal(err error) error {
	var e *ltc.Error
	if errors.As(err, &e) {
		return temporal.NewNonRetryableApplicationError(e.Message, string(e.Kind), nil)
	}
	return err
}
