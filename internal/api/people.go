package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/notify"
	"github.com/ltcengine/ltc/internal/store"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// peopleService is PeopleService: notification preferences and webhooks here, delegations in delegations.go.
type peopleService struct {
	unimplementedPeople
	*Server
	delegations
}

// scopeWrite is the token scope that lets a system register webhooks.
const scopeWrite = "write"

// webhookNamespace derives a webhook's id from its request id, so a retry names the same webhook.
var webhookNamespace = uuid.MustParse("6f1c2d8e-19a4-4b7e-9c5d-3e2f1a0b9c19")

// applyOwn runs a change the API applies itself (no deal's process) under its request id, and decodes its
// result, or the first result of a retry, into result.
func (s *Server) applyOwn(ctx context.Context, method, requestID string, req proto.Message, result any,
	apply func(ctx context.Context, tx pgx.Tx) (any, error)) error {
	actor := actorOf(ctx)
	r, err := newRequest(actor, method, requestID, req)
	if err != nil {
		return err
	}
	own := store.OwnRequest{ID: requestID, Method: method, ActorID: actor.ID, PayloadHash: r.PayloadHash}
	rec, err := s.store.ApplyOwn(ctx, own, apply)
	var refusal *ltc.Error
	if errors.As(err, &refusal) {
		return refusal
	}
	if err != nil {
		return err
	}
	if rec.ActorID != actor.ID {
		return ltc.PermissionDenied("request_id %s was made by someone else; only its caller gets its result again (use a new request_id)", requestID)
	}
	if !rec.Same(own) {
		return ltc.Conflict("request_id %s was already used for a different request (%s); use a new request_id", requestID, rec.Method)
	}
	if err := json.Unmarshal(rec.Result, result); err != nil {
		return fmt.Errorf("decode result of request %s: %w", requestID, err)
	}
	return nil
}

// knownEventTypes checks a list of event types against the catalogue (and the other types allowed there).
func knownEventTypes(field string, types []string, also ...string) []fieldViolation {
	var out []fieldViolation
	for i, t := range types {
		if !slices.Contains(ltc.EventTypes, t) && !slices.Contains(also, t) {
			out = append(out, fieldViolation{fmt.Sprintf("%s[%d]", field, i), fmt.Sprintf("%q is not an event type of the catalogue (docs/events.md)", t)})
		}
	}
	return out
}

func (s peopleService) SetNotificationPreferences(ctx context.Context, req *ltcv1.SetNotificationPreferencesRequest) (*ltcv1.SetNotificationPreferencesResponse, error) {
	actor := actorOf(ctx)
	p := req.Preferences
	if v := knownEventTypes("preferences.muted_event_types", p.MutedEventTypes, notify.ReminderTypes...); len(v) > 0 {
		return nil, invalidArgument(v...)
	}
	prefs := store.Preferences{Email: p.Email, DailyDigest: p.DailyDigest, Muted: p.MutedEventTypes, Language: p.Language}
	var got store.Preferences
	err := s.applyOwn(ctx, "SetNotificationPreferences", req.RequestId, req, &got, func(ctx context.Context, tx pgx.Tx) (any, error) {
		return prefs, store.SetPreferences(ctx, tx, actor, prefs)
	})
	if err != nil {
		return nil, err
	}
	return &ltcv1.SetNotificationPreferencesResponse{Preferences: &ltcv1.NotificationPreferences{
		Email: got.Email, DailyDigest: got.DailyDigest, MutedEventTypes: got.Muted, Language: got.Language,
	}}, nil
}

// canManageWebhooks checks that the caller registers and lists webhooks: an admin, or a system (with the write
// scope to register one).
func canManageWebhooks(a ltc.Actor, write bool) error {
	switch {
	case a.Has(ltc.RoleAdmin):
		return nil
	case a.Has(ltc.RoleSystem) && (!write || slices.Contains(a.Scopes, scopeWrite)):
		return nil
	case a.Has(ltc.RoleSystem):
		return ltc.PermissionDenied("a system registers webhooks with the %q scope in its token", scopeWrite)
	}
	return ltc.PermissionDenied("webhooks are managed by admins and by systems (role system)")
}

func webhookToProto(w store.Webhook) *ltcv1.Webhook {
	return &ltcv1.Webhook{Id: w.ID, Url: w.URL, EventTypes: w.EventTypes, CreatedBy: personToProto(w.CreatedBy),
		CreateTime: timestamppb.New(w.CreatedAt)}
}

func (s peopleService) CreateWebhook(ctx context.Context, req *ltcv1.CreateWebhookRequest) (*ltcv1.CreateWebhookResponse, error) {
	actor := actorOf(ctx)
	if err := canManageWebhooks(actor, true); err != nil {
		return nil, err
	}
	var bad []fieldViolation
	if err := notify.CheckWebhookURL(req.Url); err != nil {
		bad = append(bad, fieldViolation{"url", err.Error()})
	}
	bad = append(bad, knownEventTypes("event_types", req.EventTypes)...)
	if len(bad) > 0 {
		return nil, invalidArgument(bad...)
	}
	// The result on record is the webhook without its secret: the secret is kept in one place only, the webhook's
	// row, whose sender needs it to sign; a retry of this request reads it from there.
	var w store.Webhook
	err := s.applyOwn(ctx, "CreateWebhook", req.RequestId, req, &w, func(ctx context.Context, tx pgx.Tx) (any, error) {
		secret, err := notify.NewSecret()
		if err != nil {
			return nil, err
		}
		w := store.Webhook{ID: uuid.NewSHA1(webhookNamespace, []byte(req.RequestId)).String(), URL: req.Url,
			EventTypes: req.EventTypes, CreatedBy: actor.Person(), CreatedAt: time.Now().UTC().Truncate(time.Microsecond), Secret: secret}
		return w, store.CreateWebhook(ctx, tx, w)
	})
	if err != nil {
		return nil, err
	}
	resp := &ltcv1.CreateWebhookResponse{Webhook: webhookToProto(w)}
	if secret, err := s.store.WebhookSecret(ctx, w.ID); err == nil {
		resp.Secret = secret
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return resp, nil
}

func (s peopleService) ListWebhooks(ctx context.Context, _ *ltcv1.ListWebhooksRequest) (*ltcv1.ListWebhooksResponse, error) {
	if err := canManageWebhooks(actorOf(ctx), false); err != nil {
		return nil, err
	}
	hooks, err := s.store.Webhooks(ctx, false)
	if err != nil {
		return nil, err
	}
	resp := &ltcv1.ListWebhooksResponse{}
	for _, w := range hooks {
		resp.Webhooks = append(resp.Webhooks, webhookToProto(w))
	}
	return resp, nil
}

func (s peopleService) DeleteWebhook(ctx context.Context, req *ltcv1.DeleteWebhookRequest) (*ltcv1.DeleteWebhookResponse, error) {
	actor := actorOf(ctx)
	if err := canManageWebhooks(actor, false); err != nil {
		return nil, err
	}
	var done bool
	err := s.applyOwn(ctx, "DeleteWebhook", req.RequestId, req, &done, func(ctx context.Context, tx pgx.Tx) (any, error) {
		w, err := s.store.WebhookByID(ctx, req.WebhookId)
		if errors.Is(err, store.ErrNotFound) {
			return nil, ltc.NotFound("webhook %s not found", req.WebhookId)
		}
		if err != nil {
			return nil, err
		}
		if !actor.Has(ltc.RoleAdmin) && w.CreatedBy.ID != actor.ID {
			return nil, ltc.PermissionDenied("webhook %s is deleted by an admin or the system that created it", req.WebhookId)
		}
		return true, store.DeleteWebhook(ctx, tx, w.ID)
	})
	if err != nil {
		return nil, err
	}
	return &ltcv1.DeleteWebhookResponse{}, nil
}

// EventJSON is the body of a webhook delivery: the event as ListEvents serves it, in protojson, its payload as a
// reader of every deal reads it.
func EventJSON(log *slog.Logger) func(store.RecordedEvent) ([]byte, error) {
	s := &Server{log: log}
	reader := ltc.Actor{ID: "webhooks", Name: "Webhooks", Roles: []ltc.Role{ltc.RoleSystem}, Scopes: []string{ltc.ScopeRead}}
	return func(e store.RecordedEvent) ([]byte, error) {
		pe := s.eventToProto(reader, e)
		clearCosts(pe.ProtoReflect()) // a system reads no costs; no interceptor sees a webhook's body
		return protojson.Marshal(pe)
	}
}
