package api

import (
	"context"
	"sync"
)

// admission lets one change at a time per deal go to Temporal from this API server; the others wait their
// turn here. A deal's process takes its changes one at a time anyway, but a burst of concurrent Updates on one
// workflow makes the Temporal server start, supersede and abort speculative workflow tasks; the aborted Updates
// are retried at once, and on a loaded server that feedback stalled the whole engine for about a minute (24
// changes on one deal; measured in TestABurstOnManyDealsIsRecordedInTheProcessOrder).
type admission struct {
	mu    sync.Mutex
	turns map[string]*turn // by deal id, while a change holds or waits for it
}

// turn is a deal's token (held by the change in flight) and the number of changes holding or waiting for it.
type turn struct {
	token chan struct{}
	users int
}

func newAdmission() *admission { return &admission{turns: map[string]*turn{}} }

// wait takes the turn of the deal, or returns ctx's error; release gives it back.
func (a *admission) wait(ctx context.Context, dealID string) (release func(), err error) {
	a.mu.Lock()
	t, ok := a.turns[dealID]
	if !ok {
		t = &turn{token: make(chan struct{}, 1)}
		a.turns[dealID] = t
	}
	t.users++
	a.mu.Unlock()
	leave := func() {
		a.mu.Lock()
		if t.users--; t.users == 0 {
			delete(a.turns, dealID)
		}
		a.mu.Unlock()
	}
	select {
	case t.token <- struct{}{}:
		return func() { <-t.token; leave() }, nil
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	}
}
