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

// writeOptions make a write retry until the database takes it: an outage, a stall or a restart of PostgreSQL of any
// length delays the change, it never loses it nor fails the process. Each attempt may take 10 s; the attempts have
// no limit in number or in total time (ScheduleToClose would otherwise default to StartToClose and end the
// retries after 10 s); the backoff grows to 10 s. Every failed attempt is counted and logged by the activity.
func writeOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: unbounded,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    100 * time.Millisecond,
			BackoffCoefficient: 2,
			MaximumInterval:    10 * time.Second,
			MaximumAttempts:    0, // no limit
		},
	})
}

// unbounded is a ScheduleToClose longer than any process lives (a zero would mean StartToClose).
const unbounded = 100 * 365 * 24 * time.Hour

// record writes an accepted change through the RecordChange local activity. It retries until the database takes
// it; only a refusal such as a reused request id ends it.
func record(ctx workflow.Context, c store.Change) error {
	var a *activities.Activities
	return workflow.ExecuteLocalActivity(writeOptions(ctx), a.RecordChange, c).Get(ctx, nil)
}

// recordRevision writes a numbered change of a deal through the RecordDealChange local activity, retrying until
// the database takes it, and returns what the database holds past the change's base revision, if anything.
func recordRevision(ctx workflow.Context, c store.Change) (*store.Behind, error) {
	var a *activities.Activities
	var behind *store.Behind
	err := workflow.ExecuteLocalActivity(writeOptions(ctx), a.RecordDealChange, c).Get(ctx, &behind)
	return behind, err
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
