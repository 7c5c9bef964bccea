package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func open(t *testing.T) (*store.Store, string) {
	t.Helper()
	url := testenv.Database(t)
	s, err := store.Open(context.Background(), url, 4, nil)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s, url
}

// The store's connections run without JIT unless the URL turns it on.
func TestConnectionsRunWithoutJITUnlessTheURLSaysSo(t *testing.T) {
	ctx := context.Background()
	s, url := open(t)
	jit, err := s.Setting(ctx, "jit")
	require.NoError(t, err)
	assert.Equal(t, "off", jit)

	on, err := store.Open(ctx, url+"&jit=on", 1, nil)
	require.NoError(t, err)
	defer on.Close()
	jit, err = on.Setting(ctx, "jit")
	require.NoError(t, err)
	assert.Equal(t, "on", jit)
}

func leadChange(requestID string, l ltc.Lead, events ...string) store.Change {
	c := store.Change{
		Request: store.Request{ID: requestID, Method: "CreateLead", PayloadHash: []byte("hash"), DealID: l.ID, Result: json.RawMessage(`{}`)},
		Lead:    &l,
	}
	for _, typ := range events {
		c.Events = append(c.Events, ltc.Event{DealID: l.ID, Type: typ, Actor: ltc.Person{ID: "u1", Name: "U"},
			RequestID: requestID, Data: json.RawMessage(`{}`), OccurredAt: l.UpdatedAt})
	}
	return c
}

func newLead(owner string, at time.Time) ltc.Lead {
	return ltc.NewLead(ltc.Lead{
		ID: uuid.NewString(), Title: "Core network", Owner: ltc.Person{ID: owner},
		Customer: ltc.Customer{Name: "Acme Telecom", Grade: ltc.GradeA},
	}, ltc.DefaultPolicy(), at)
}

func TestApplyIsIdempotentAndOrdersEvents(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	a, b := newLead("ann", at), newLead("bob", at.Add(time.Minute))

	require.NoError(t, s.Apply(ctx, leadChange("r1", a, ltc.EventLeadCreated)))
	require.NoError(t, s.Apply(ctx, leadChange("r2", b, ltc.EventLeadCreated)))
	require.NoError(t, s.Apply(ctx, leadChange("r1", a, ltc.EventLeadCreated)), "a retried change is skipped")
	q := a.Disqualify("no budget", at.Add(time.Hour))
	require.NoError(t, s.Apply(ctx, leadChange("r3", q, ltc.EventLeadDisqualified, "x.second")))

	eventsPage, err := s.Events(ctx, store.EventQuery{Limit: 100})
	events := eventsPage.Events
	require.NoError(t, err)
	var got []string
	for i, e := range events {
		assert.Equal(t, int64(i+1), e.Sequence, "global sequence has no gaps")
		got = append(got, e.DealID[:4]+":"+e.Type+":"+string(rune('0'+e.DealSequence)))
	}
	assert.Equal(t, []string{
		a.ID[:4] + ":lead.created:1", b.ID[:4] + ":lead.created:1",
		a.ID[:4] + ":lead.disqualified:2", a.ID[:4] + ":x.second:3",
	}, got)

	stored, err := s.Lead(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, ltc.LeadDisqualified, stored.State)

	perDealPage, err := s.Events(ctx, store.EventQuery{DealID: b.ID, Limit: 100})
	perDeal := perDealPage.Events
	require.NoError(t, err)
	assert.Len(t, perDeal, 1)
}

func TestApplyRefusesReusedRequestWithOtherPayload(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	l := newLead("ann", time.Now().UTC())
	require.NoError(t, s.Apply(ctx, leadChange("r1", l, ltc.EventLeadCreated)))

	other := leadChange("r1", newLead("bob", time.Now().UTC()), ltc.EventLeadCreated)
	require.ErrorIs(t, s.Apply(ctx, other), store.ErrRequestReused)
	_, err := s.Lead(ctx, other.Lead.ID)
	assert.ErrorIs(t, err, store.ErrNotFound, "nothing of a refused change is written")
}

func TestEventLogIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	s, url := open(t)
	l := newLead("ann", time.Now().UTC())
	require.NoError(t, s.Apply(ctx, leadChange("r1", l, ltc.EventLeadCreated)))

	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	for _, sql := range []string{`UPDATE events SET type = 'forged'`, `DELETE FROM events`, `TRUNCATE events`} {
		_, err := conn.Exec(ctx, sql)
		assert.ErrorContains(t, err, "append-only", sql)
	}
}

func TestListLeadsPagesAndFilters(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 5 {
		owner := "ann"
		if i%2 == 1 {
			owner = "bob"
		}
		l := newLead(owner, at.Add(time.Duration(i)*time.Minute))
		ids = append([]string{l.ID}, ids...) // newest first
		require.NoError(t, s.Apply(ctx, leadChange(uuid.NewString(), l)))
	}
	var seen []string
	token := ""
	for {
		page, next, err := s.ListLeads(ctx, store.LeadFilter{}, 2, token)
		require.NoError(t, err)
		for _, l := range page {
			seen = append(seen, l.ID)
		}
		if next == "" {
			break
		}
		token = next
	}
	assert.Equal(t, ids, seen)

	bobs, _, err := s.ListLeads(ctx, store.LeadFilter{OwnerID: "bob"}, 10, "")
	require.NoError(t, err)
	assert.Len(t, bobs, 2)
	acme, _, err := s.ListLeads(ctx, store.LeadFilter{Customer: "ACME"}, 10, "")
	require.NoError(t, err)
	assert.Len(t, acme, 5)

	_, next, err := s.ListLeads(ctx, store.LeadFilter{}, 2, "")
	require.NoError(t, err)
	_, _, err = s.ListLeads(ctx, store.LeadFilter{OwnerID: "bob"}, 2, next)
	assert.ErrorIs(t, err, store.ErrBadPageToken, "a token only serves the filters it was issued for")
	_, _, err = s.ListLeads(ctx, store.LeadFilter{}, 2, "!!not-a-token")
	assert.ErrorIs(t, err, store.ErrBadPageToken)
}

func TestApplyRecordsChangesWithoutPayload(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	l := newLead("ann", time.Now().UTC())
	c := leadChange("lead-overdue:"+l.ID, l.MarkOverdue(time.Now().UTC()), ltc.EventLeadOverdue)
	c.Request.PayloadHash = nil
	require.NoError(t, s.Apply(ctx, c), "a timer's change has no request payload")
	require.NoError(t, s.Apply(ctx, c), "and is skipped when retried")
	eventsPage, err := s.Events(ctx, store.EventQuery{DealID: l.ID, Limit: 10})
	events := eventsPage.Events
	require.NoError(t, err)
	assert.Len(t, events, 1)
}

// TestEventFeedUnderConcurrentWriters follows the global feed by cursor while many writers append: the reader
// must see every event exactly once, in commit order, with no gap that fills in later behind its cursor.
func TestEventFeedUnderConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	const writers, changes = 8, 40
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := newLead(fmt.Sprintf("w%d", w), time.Now().UTC())
			for i := range changes {
				c := leadChange(uuid.NewString(), l, ltc.EventLeadCreated, "x.second")
				if i > 0 {
					c = leadChange(uuid.NewString(), l, "x.change")
				}
				if err := s.Apply(ctx, c); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	total := writers * (changes + 1)
	var seen []int64
	perDeal := map[string]int64{}
	cursor := int64(0)
	deadline := time.Now().Add(time.Minute)
	for len(seen) < total && time.Now().Before(deadline) {
		page, err := s.Events(ctx, store.EventQuery{AfterSequence: cursor, Limit: 7})
		require.NoError(t, err)
		for _, e := range page.Events {
			require.Equal(t, cursor+1, e.Sequence, "no gap, no repeat, in order")
			require.Equal(t, perDeal[e.DealID]+1, e.DealSequence, "per deal in order")
			perDeal[e.DealID] = e.DealSequence
			cursor = e.Sequence
			seen = append(seen, e.Sequence)
		}
		require.GreaterOrEqual(t, page.Next, cursor)
		cursor = page.Next
	}
	wg.Wait()
	assert.Len(t, seen, total)
	page, err := s.Events(ctx, store.EventQuery{AfterSequence: cursor, Limit: 7})
	require.NoError(t, err)
	assert.Empty(t, page.Events, "nothing appears behind the cursor afterwards")
}

func TestFilteredFeedMovesPastOtherEvents(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	l := newLead("ann", time.Now().UTC())
	require.NoError(t, s.Apply(ctx, leadChange("r1", l, ltc.EventLeadCreated, "x.a", "x.b")))
	page, err := s.Events(ctx, store.EventQuery{Types: []string{"x.none"}, Limit: 10})
	require.NoError(t, err)
	assert.Empty(t, page.Events)
	assert.Equal(t, int64(3), page.Next, "the cursor moves to the head of the log")
	page, err = s.Events(ctx, store.EventQuery{Types: []string{"x.b"}, Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Events, 1)
	assert.Equal(t, int64(3), page.Events[0].Sequence)
}
