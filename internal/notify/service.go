package notify

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ltcengine/ltc/internal/store"
)

// Options configure the notifier.
type Options struct {
	Store *store.Store
	// Mailer sends the mails; nil sends none (deliveries to people are not enqueued).
	Mailer Mailer
	// Encode is the body of a webhook delivery: the event as the API serves it (protojson of ltc.v1.Event).
	Encode func(store.RecordedEvent) ([]byte, error)
	// WebURL is the web workplace's address for the links in mails; empty leaves them out.
	WebURL string
	Log    *slog.Logger
	// Poll is how often the dispatcher and the senders look for work when idle (default 200 ms).
	Poll time.Duration
	// Backoff is the first retry's delay, doubled each attempt up to MaxBackoff (defaults 2 s and 10 min).
	Backoff, MaxBackoff time.Duration
	// GiveUpAfter is how long a delivery is retried before it is given up and kept as failed (default 25 h).
	GiveUpAfter time.Duration
	// WebhookTimeout bounds one POST (default 10 s).
	WebhookTimeout time.Duration
	// Batch is how many events the dispatcher takes, and deliveries a sender holds, at a time (default 100, 10).
	Batch, SendBatch int
}

// Cursor is the name of the dispatcher's cursor in notify_cursor.
const Cursor = "dispatcher"

// Notifier runs the dispatcher and the senders.
type Notifier struct {
	o    Options
	http *http.Client
	mu   sync.Mutex
	dir  Directory
}

// New returns a notifier with the options' defaults filled in.
func New(o Options) *Notifier {
	if o.Poll <= 0 {
		o.Poll = 200 * time.Millisecond
	}
	if o.Backoff <= 0 {
		o.Backoff = 2 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 10 * time.Minute
	}
	if o.GiveUpAfter <= 0 {
		o.GiveUpAfter = 25 * time.Hour
	}
	if o.WebhookTimeout <= 0 {
		o.WebhookTimeout = 10 * time.Second
	}
	if o.Batch <= 0 {
		o.Batch = 100
	}
	if o.SendBatch <= 0 {
		o.SendBatch = 10
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Notifier{o: o, http: webhookClient(o.WebhookTimeout)}
}

// Run dispatches and sends until ctx ends; failures are logged and retried.
func (n *Notifier) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	loop := func(name string, step func(context.Context) (int, error)) {
		defer wg.Done()
		for ctx.Err() == nil {
			done, err := step(ctx)
			if err != nil && ctx.Err() == nil {
				n.o.Log.Warn("Notifications: "+name+" failed; trying again", "err", err)
			}
			if err != nil || done == 0 {
				select {
				case <-ctx.Done():
				case <-time.After(n.o.Poll):
				}
			}
		}
	}
	wg.Add(3)
	go loop("dispatching events", n.DispatchOnce)
	go loop("sending mail", func(ctx context.Context) (int, error) { return n.SendOnce(ctx, store.ChannelEmail) })
	go loop("sending webhooks", func(ctx context.Context) (int, error) { return n.SendOnce(ctx, store.ChannelWebhook) })
	wg.Wait()
	return nil
}

// DispatchOnce moves the cursor over the next events, enqueuing their deliveries; it returns how many events it
// went over.
func (n *Notifier) DispatchOnce(ctx context.Context) (int, error) {
	return n.o.Store.Dispatch(ctx, Cursor, n.o.Batch, n.plan)
}

// plan makes the deliveries of events: mail to the people a rule names who want it, and every webhook that wants
// the type.
func (n *Notifier) plan(ctx context.Context, events []store.RecordedEvent) ([]store.Delivery, error) {
	hooks, err := n.o.Store.Webhooks(ctx, false)
	if err != nil {
		return nil, err
	}
	var dir Directory
	if n.o.Mailer != nil {
		if dir, err = n.directory(ctx); err != nil {
			return nil, err
		}
	}
	var out []store.Delivery
	for _, e := range events {
		key := dealKey(e)
		for _, p := range dir.Recipients(e) {
			if wantsMail(p, e.Type) {
				out = append(out, store.Delivery{EventSequence: e.Sequence, DealID: key, Channel: store.ChannelEmail, Target: p.ID})
			}
		}
		for _, h := range hooks {
			if h.Wants(e.Type) {
				out = append(out, store.Delivery{EventSequence: e.Sequence, DealID: key, Channel: store.ChannelWebhook, Target: h.ID})
			}
		}
	}
	return out, nil
}

func dealKey(e store.RecordedEvent) string {
	if e.AccountID != "" {
		return e.AccountID
	}
	return e.DealID
}

// directory reads the people.
func (n *Notifier) directory(ctx context.Context) (Directory, error) {
	people, err := n.o.Store.People(ctx)
	if err != nil {
		return nil, err
	}
	d := NewDirectory(people)
	n.mu.Lock()
	n.dir = d
	n.mu.Unlock()
	return d, nil
}

// SendOnce sends the due deliveries of a channel, a batch; it returns how many it tried.
func (n *Notifier) SendOnce(ctx context.Context, channel string) (int, error) {
	var hooks map[string]store.Webhook
	var dir Directory
	switch channel {
	case store.ChannelWebhook:
		list, err := n.o.Store.Webhooks(ctx, true)
		if err != nil {
			return 0, err
		}
		hooks = map[string]store.Webhook{}
		for _, h := range list {
			hooks[h.ID] = h
		}
	case store.ChannelEmail:
		if n.o.Mailer == nil {
			return 0, nil
		}
		var err error
		if dir, err = n.directory(ctx); err != nil {
			return 0, err
		}
	}
	return n.o.Store.SendDue(ctx, channel, n.o.SendBatch, func(ctx context.Context, d store.Delivery) store.Outcome {
		final, err := n.send(ctx, d, hooks, dir)
		if err == nil {
			return store.Outcome{}
		}
		if final || time.Since(d.CreatedAt) >= n.o.GiveUpAfter {
			n.o.Log.Error("Notification given up", "channel", d.Channel, "target", d.Target, "event", d.EventSequence,
				"attempts", d.Attempts+1, "err", err)
			return store.Outcome{Err: err, GiveUp: true}
		}
		n.o.Log.Warn("Notification not delivered; it is tried again", "channel", d.Channel, "target", d.Target,
			"event", d.EventSequence, "attempts", d.Attempts+1, "err", err)
		return store.Outcome{Err: err, Retry: time.Now().Add(n.backoff(d.Attempts))}
	})
}

// backoff is the delay after the given number of earlier attempts: doubling from Backoff up to MaxBackoff, with
// up to a fifth of it added at random so that senders do not retry in step.
func (n *Notifier) backoff(attempts int) time.Duration {
	d := n.o.Backoff
	for i := 0; i < attempts && d < n.o.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, n.o.MaxBackoff)
	return d + time.Duration(rand.Int64N(int64(d)/5+1))
}

// errGone is a delivery whose webhook or person is no longer there: given up at once.
var errGone = errors.New("the recipient is no longer there")

// send makes one attempt; final says the failure will not pass by trying again.
func (n *Notifier) send(ctx context.Context, d store.Delivery, hooks map[string]store.Webhook, dir Directory) (final bool, err error) {
	e, err := n.o.Store.EventAt(ctx, d.EventSequence)
	if err != nil {
		return false, err
	}
	switch d.Channel {
	case store.ChannelWebhook:
		h, ok := hooks[d.Target]
		if !ok {
			return true, errGone
		}
		body, err := n.o.Encode(e)
		if err != nil {
			return true, err
		}
		return false, post(ctx, n.http, h.URL, h.Secret, e.Sequence, e.Type, body, time.Now())
	case store.ChannelEmail:
		p, ok := dir[d.Target]
		if !ok || p.Email == "" {
			return true, errGone
		}
		rule, ok := Rules[e.Type]
		if !ok {
			return true, errors.New("no mail for the event type " + e.Type)
		}
		pr := p.Prefs()
		m := compose(rule, n.enrich(ctx, e), p, pr.Language, n.o.WebURL, n.title(ctx, e))
		return false, n.o.Mailer.Send(ctx, m)
	}
	return true, errors.New("unknown channel " + d.Channel)
}

// enrich adds the decision's gate, title and due time to the details of a decision's event that carry only its id.
func (n *Notifier) enrich(ctx context.Context, e store.RecordedEvent) store.RecordedEvent {
	if !strings.HasPrefix(e.Type, "decision.") {
		return e
	}
	var f eventFacts
	if json.Unmarshal(e.Data, &f) != nil {
		return e
	}
	id := firstOf(f.DecisionID, f.ID)
	d, err := n.o.Store.Decision(ctx, id)
	if err != nil {
		return e
	}
	facts := map[string]any{"decision_id": d.ID, "gate": string(d.Gate), "deal_title": d.DealTitle, "due_at": d.DueAt.Format(time.RFC3339)}
	if f.DueAt != "" {
		facts["due_at"] = f.DueAt
	}
	e.Data, _ = json.Marshal(facts)
	return e
}

// title is the deal's, lead's or account's title or name, when the read model has it.
func (n *Notifier) title(ctx context.Context, e store.RecordedEvent) string {
	if e.AccountID != "" {
		if a, err := n.o.Store.Account(ctx, e.AccountID); err == nil {
			return a.Name
		}
		return ""
	}
	if o, err := n.o.Store.Opportunity(ctx, e.DealID); err == nil {
		return o.Title
	}
	if l, err := n.o.Store.Lead(ctx, e.DealID); err == nil {
		return l.Title
	}
	return ""
}
