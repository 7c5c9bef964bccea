// Package activities holds the side effects of the deal processes. They are small database writes, run as local
// activities (on this machine a regular activity per step costs about 3x the Temporal floor, a local one about
// 1.1x), and safe to retry.
package activities

import (
	"context"
	"errors"
	"log/slog"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// FailedAttempts is the counter of write attempts that failed and will be retried (the database down, stalled or
// refusing connections), by activity; exported as ltc_record_change_failed_attempts.
const FailedAttempts = "ltc_record_change_failed_attempts"

// Activities are the processes' side effects; the fields are their dependencies.
type Activities struct {
	Store *store.Store
	// Log gets a line for every failed attempt; nil logs nothing.
	Log *slog.Logger
}

// RecordChange writes one accepted change (read model, events and request record) in one transaction. A retry
// after a commit is skipped by the request record; a request id reused for another payload fails for good.
func (a *Activities) RecordChange(ctx context.Context, c store.Change) error {
	return a.failed(ctx, "RecordChange", c, a.Store.Apply(ctx, c))
}

// RecordDealChange writes a numbered change of a deal on top of the revision before it (store.ApplyRevision) and
// returns what the database holds past that revision, if anything, for the process to adopt.
func (a *Activities) RecordDealChange(ctx context.Context, c store.Change) (*store.Behind, error) {
	behind, err := a.Store.ApplyRevision(ctx, c)
	return behind, a.failed(ctx, "RecordDealChange", c, err)
}

// DuplicateAccount is the type of the failure that refuses an account whose customer has one; its detail is the
// existing account's id.
const DuplicateAccount = "DUPLICATE_ACCOUNT"

// RecordAccountChange writes a numbered change of an account (store.ApplyAccount). An account whose name and
// region are another's is refused for good, naming the other.
func (a *Activities) RecordAccountChange(ctx context.Context, c store.AccountChange) (store.AccountWrite, error) {
	w, err := a.Store.ApplyAccount(ctx, c)
	var dup *store.DuplicateAccountError
	if errors.As(err, &dup) {
		return w, temporal.NewNonRetryableApplicationError(
			"an account of that name and region exists already: "+dup.ExistingID, DuplicateAccount, err, dup.ExistingID)
	}
	return w, a.failed(ctx, "RecordAccountChange", store.Change{Request: c.Request, Revision: c.Revision}, err)
}

// failed turns a reused request id into a failure for good and counts and logs any other error: the attempt is
// retried, without limit, by the local activity's retry policy.
func (a *Activities) failed(ctx context.Context, name string, c store.Change, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, store.ErrRequestReused) {
		return temporal.NewNonRetryableApplicationError(
			"request_id "+c.Request.ID+" was already used for a different request", string(ltc.KindConflict), err)
	}
	activity.GetMetricsHandler(ctx).WithTags(map[string]string{"activity": name}).Counter(FailedAttempts).Inc(1)
	if a.Log != nil {
		a.Log.WarnContext(ctx, "write of a change failed; retrying", "activity", name, "request_id", c.Request.ID,
			"deal_id", c.Request.DealID, "revision", c.Revision, "attempt", activity.GetInfo(ctx).Attempt, "error", err)
	}
	return err
}
