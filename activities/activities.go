// Package activities holds the side effects of the deal processes. They are small database writes, run as local
// activities (on this machine a regular activity per step costs about 3x the Temporal floor, a local one about
// 1.1x), and safe to retry.
package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// Activities are the processes' side effects; the fields are their dependencies.
type Activities struct {
	Store *store.Store
}

// RecordChange writes one accepted change (read model, events and request record) in one transaction. A retry
// after a commit is skipped by the request record; a request id reused for another payload fails for good.
func (a *Activities) RecordChange(ctx context.Context, c store.Change) error {
	err := a.Store.Apply(ctx, c)
	if errors.Is(err, store.ErrRequestReused) {
		return temporal.NewNonRetryableApplicationError(
			"request_id "+c.Request.ID+" was already used for a different request", string(ltc.KindConflict), err)
	}
	return err
}
