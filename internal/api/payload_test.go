package api

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// payloadCaseFits reports whether name is the Event.payload case of the event type: the type with its dot as an
// underscore ("decision.requested": decision_requested), or the part after the dot where that alone names the
// event ("decision.review_submitted": review_submitted).
func payloadCaseFits(typ string, name protoreflect.Name) bool {
	_, after, _ := strings.Cut(typ, ".")
	return string(name) == strings.ReplaceAll(typ, ".", "_") || string(name) == after
}

// Every type of the catalogue has a payload case of its own, named for it, and the oneof has no other: a new
// event type cannot be added without its payload message.
func TestEveryEventTypeHasItsPayloadCase(t *testing.T) {
	s := &Server{log: slog.New(slog.DiscardHandler)}
	payload := (&ltcv1.Event{}).ProtoReflect().Descriptor().Oneofs().ByName("payload")
	require.NotNil(t, payload)
	assert.Equal(t, len(ltc.EventTypes), payload.Fields().Len(), "one payload case per event type")
	assert.Len(t, eventPayloads, len(ltc.EventTypes))
	for _, typ := range ltc.EventTypes {
		e := s.eventToProto(ltc.Actor{}, store.RecordedEvent{Event: ltc.Event{Type: typ, Data: []byte(`{}`)}})
		set := e.ProtoReflect().WhichOneof(payload)
		if assert.NotNil(t, set, "%s has no payload", typ) {
			assert.True(t, payloadCaseFits(typ, set.Name()), "%s has the payload case %s", typ, set.Name())
		}
	}
}

// Details the server cannot decode leave the payload (or the data) unset and never fail the feed; the log says
// which event, never what it holds.
func TestUndecodableEventDetailsLeaveThePayloadUnset(t *testing.T) {
	var log bytes.Buffer
	s := &Server{log: slog.New(slog.NewTextHandler(&log, nil))}
	for _, tt := range []struct {
		name, typ, data string
		hasData         bool
	}{
		{"unknown type", "lead.teleported", `{"secret": "s3cr3t"}`, true},
		{"wrong shape", ltc.EventLeadDisqualified, `{"reason": ["s3cr3t"]}`, true},
		{"bad time", ltc.EventHandoverOverdue, `{"due_at": "s3cr3t"}`, true},
		{"no object", ltc.EventRiskAdded, `["s3cr3t"]`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := s.eventToProto(ltc.Actor{}, store.RecordedEvent{Sequence: 7, Event: ltc.Event{Type: tt.typ, Data: []byte(tt.data)}})
			assert.Nil(t, e.Payload)
			assert.Equal(t, tt.hasData, e.Data != nil)
			assert.Equal(t, tt.typ, e.Type)
		})
	}
	assert.Contains(t, log.String(), "sequence=7")
	assert.NotContains(t, log.String(), "s3cr3t")
}

// The review cadence's own events (their times are quarters away, so the gRPC tests do not wait for them; the
// workflow's cadence test does, under time skipping) carry the quarter, when it was due and the escalation.
func TestReviewDeadlineEventsAreTyped(t *testing.T) {
	s := &Server{log: slog.New(slog.DiscardHandler)}
	eve := ltc.Actor{ID: "eve", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: ltc.MaxAuthority}
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	c := ltc.Context{Actor: eve, Now: now, Policy: ltc.DefaultPolicy(), RequestID: "r-create"}
	made, err := ltc.RunAccount(ltc.CreateAccount{Name: "Acme", Grade: ltc.GradeS, Owner: ltc.Person{ID: "sam"}, GradeRationale: "key"}, ltc.Account{}, c)
	require.NoError(t, err)
	a := made.Account
	var got []*ltcv1.Event
	for range 2 {
		d, ok := a.NextDeadline(c.Policy)
		require.True(t, ok)
		c.Now, c.Actor = d.Due, ltc.Actor{ID: ltc.SystemPerson.ID}
		ch, err := ltc.RunAccount(d.Command, a, c)
		require.NoError(t, err)
		a = ch.Account
		got = append(got, s.eventToProto(ltc.Actor{}, store.RecordedEvent{Event: ch.Events[0]}))
	}
	due := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	overdue := got[0].GetRelationshipReviewOverdue()
	require.NotNil(t, overdue)
	assert.Equal(t, "2026-Q4", overdue.Quarter)
	assert.Equal(t, due, overdue.DueTime.AsTime())
	escalated := got[1].GetRelationshipReviewEscalated()
	require.NotNil(t, escalated)
	assert.Equal(t, "2026-Q4", escalated.Quarter)
	assert.Equal(t, int32(1), escalated.Escalations)
}
