package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ltcengine/ltc/internal/ltc"
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
	// RemindBefore is how long before a deadline people are reminded of it (0: no reminders); RemindEvery how
	// often the deadlines are looked at (default 5 min). Policy gives the weekly reports' period.
	RemindBefore, RemindEvery time.Duration
	Policy                    ltc.Policy
	// DigestHour is the hour of the day (UTC) the daily digests go out.
	DigestHour int
}

// Cursor is the name of the dispatcher's cursor in notify_cursor.
const Cursor = "dispatcher"

// Notifier runs the dispatcher and the senders.
type Notifier struct {
	o     Options
	http  *http.Client
	mu    sync.Mutex
	dir   Directory
	dirAt time.Time
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
	if o.RemindEvery <= 0 {
		o.RemindEvery = 5 * time.Minute
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Notifier{o: o, http: webhookClient(o.WebhookTimeout)}
}

// Run dispatches and sends until ctx ends; failures are logged and retried.
func (n *Notifier) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	// The dispatcher wakes the senders when it enqueued something, so a notification does not wait for their poll.
	mail, hooks := make(chan struct{}, 1), make(chan struct{}, 1)
	wake := func(c chan struct{}) {
		select {
		case c <- struct{}{}:
		default:
		}
	}
	loop := func(name string, woken <-chan struct{}, step func(context.Context) (int, error)) {
		defer wg.Done()
		for ctx.Err() == nil {
			done, err := step(ctx)
			if err != nil && ctx.Err() == nil {
				n.o.Log.Warn("Notifications: "+name+" failed; trying again", "err", err)
			}
			if err != nil || done == 0 {
				select {
				case <-ctx.Done():
				case <-woken:
				case <-time.After(n.o.Poll):
				}
			}
		}
	}
	wg.Add(4)
	go loop("dispatching events", nil, func(ctx context.Context) (int, error) {
		k, err := n.DispatchOnce(ctx)
		if k > 0 {
			wake(mail)
			wake(hooks)
		}
		return k, err
	})
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			if _, err := n.RemindOnce(ctx, time.Now()); err != nil && ctx.Err() == nil {
				n.o.Log.Warn("Notifications: reminding of deadlines failed; trying again", "err", err)
			}
			// What was sent or given up is kept a week (and twice the reminders' lead time, which a reminder's
			// row must outlive so the sweep does not add it again).
			keep := max(7*24*time.Hour, 2*n.o.RemindBefore)
			if _, err := n.o.Store.PurgeDeliveries(ctx, time.Now().Add(-keep)); err != nil && ctx.Err() == nil {
				n.o.Log.Warn("Notifications: purging old deliveries failed", "err", err)
			}
			for ctx.Err() == nil {
				k, err := n.DigestOnce(ctx, time.Now())
				if err != nil && ctx.Err() == nil {
					n.o.Log.Warn("Notifications: sending digests failed; trying again", "err", err)
				}
				if err != nil || k == 0 {
					break
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(n.o.RemindEvery):
			}
		}
	}()
	go loop("sending mail", mail, func(ctx context.Context) (int, error) { return n.SendOnce(ctx, store.ChannelEmail) })
	go loop("sending webhooks", hooks, func(ctx context.Context) (int, error) { return n.SendOnce(ctx, store.ChannelWebhook) })
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
		people, err := n.withDeputies(ctx, dir, e, dir.Recipients(e))
		if err != nil {
			return nil, err
		}
		for _, p := range people {
			if ch, ok := mailChannel(p, e.Type); ok {
				out = append(out, store.Delivery{EventSequence: e.Sequence, DealID: key, Channel: ch, Target: p.ID})
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

// waiting are the events of a decision that waits for its deciders and reviewers, whom they name.
var waiting = []string{ltc.EventDecisionRequested, ltc.EventDecisionEscalated, ltc.EventDecisionOverdue}

// withDeputies adds to the people an event of a waiting decision mails the deputies of those who delegated its
// gate to them (a delegation in force now): what waits for the delegator waits for the deputy too. Other events
// (a decision decided, told to its requester) go to no deputy.
func (n *Notifier) withDeputies(ctx context.Context, dir Directory, e store.RecordedEvent, people []store.DirectoryPerson) ([]store.DirectoryPerson, error) {
	if len(people) == 0 || !slices.Contains(waiting, e.Type) {
		return people, nil
	}
	ids := make([]string, len(people))
	for i, p := range people {
		ids[i] = p.ID
	}
	delegations, err := n.o.Store.DelegationsFrom(ctx, ids, time.Now())
	if err != nil {
		return nil, err
	}
	var f eventFacts
	_ = json.Unmarshal(e.Data, &f)
	for _, dl := range delegations {
		if !dl.Covers(ltc.Gate(f.Gate)) || dl.Deputy.ID == e.Actor.ID || slices.Contains(ids, dl.Deputy.ID) {
			continue
		}
		ids = append(ids, dl.Deputy.ID)
		people = append(people, dir.Resolve([]string{ltc.UserRecipient(dl.Deputy.ID)})...)
	}
	return people, nil
}

func dealKey(e store.RecordedEvent) string {
	if e.AccountID != "" {
		return e.AccountID
	}
	return e.DealID
}

// directoryTTL is how long the notifier uses the directory it read before reading it again.
const directoryTTL = 5 * time.Second

// directory is the people, read again when the copy in hand is older than directoryTTL.
func (n *Notifier) directory(ctx context.Context) (Directory, error) {
	n.mu.Lock()
	d, at := n.dir, n.dirAt
	n.mu.Unlock()
	if d != nil && time.Since(at) < directoryTTL {
		return d, nil
	}
	people, err := n.o.Store.People(ctx)
	if err != nil {
		return nil, err
	}
	d = NewDirectory(people)
	n.mu.Lock()
	n.dir, n.dirAt = d, time.Now()
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
	if d.Channel == store.ChannelEmail && d.Reminder != "" {
		p, ok := dir[d.Target]
		if !ok || p.Email == "" {
			return true, errGone
		}
		m, err := composeReminder(d, p, p.Prefs().Language, n.o.WebURL)
		if err != nil {
			return true, err
		}
		return false, n.o.Mailer.Send(ctx, m)
	}
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
		return false, n.o.Mailer.Send(ctx, n.eventMail(ctx, rule, e, p))
	}
	return true, errors.New("unknown channel " + d.Channel)
}

// eventMail is the mail of an event to a person.
func (n *Notifier) eventMail(ctx context.Context, rule Rule, e store.RecordedEvent, p store.DirectoryPerson) Mail {
	return compose(rule, n.enrich(ctx, e), p, p.Prefs().Language, n.o.WebURL, n.title(ctx, e))
}

// DigestOnce sends the daily digests due at now: each person who chose the digest gets, once a day at DigestHour
// (UTC), one mail of what was held for them before then. It returns how many digests it tried.
func (n *Notifier) DigestOnce(ctx context.Context, now time.Time) (int, error) {
	if n.o.Mailer == nil {
		return 0, nil
	}
	now = now.UTC()
	cutoff := time.Date(now.Year(), now.Month(), now.Day(), n.o.DigestHour, 0, 0, 0, time.UTC)
	if cutoff.After(now) {
		cutoff = cutoff.AddDate(0, 0, -1)
	}
	dir, err := n.directory(ctx)
	if err != nil {
		return 0, err
	}
	return n.o.Store.SendDigests(ctx, cutoff, n.o.SendBatch, func(ctx context.Context, target string, held []store.Delivery) store.Outcome {
		p, ok := dir[target]
		if !ok || p.Email == "" {
			return store.Outcome{Err: errGone, GiveUp: true}
		}
		err := n.o.Mailer.Send(ctx, n.digest(ctx, p, held, cutoff))
		if err == nil {
			return store.Outcome{}
		}
		attempts := 0
		for _, d := range held {
			attempts = max(attempts, d.Attempts)
		}
		if time.Since(held[0].CreatedAt) >= n.o.GiveUpAfter+24*time.Hour {
			n.o.Log.Error("Daily digest given up", "target", target, "err", err)
			return store.Outcome{Err: err, GiveUp: true}
		}
		n.o.Log.Warn("Daily digest not delivered; it is tried again", "target", target, "attempts", attempts+1, "err", err)
		return store.Outcome{Err: err, Retry: time.Now().Add(n.backoff(attempts))}
	})
}

// digest is the one mail of a person's held notifications: each one's subject, link and command.
func (n *Notifier) digest(ctx context.Context, p store.DirectoryPerson, held []store.Delivery, day time.Time) Mail {
	lang := p.Prefs().Language
	var b strings.Builder
	b.WriteString(label(lang, fmt.Sprintf("Your notifications until %s:", day.Format("2006-01-02 15:04 UTC")),
		fmt.Sprintf("截至 %s 的通知：", day.Format("2006-01-02 15:04 UTC"))) + "\n\n")
	var items int
	for _, d := range held {
		var m Mail
		if d.Reminder != "" {
			var err error
			if m, err = composeReminder(d, p, lang, n.o.WebURL); err != nil {
				continue
			}
		} else {
			e, err := n.o.Store.EventAt(ctx, d.EventSequence)
			rule, ok := Rules[e.Type]
			if err != nil || !ok {
				continue
			}
			m = n.eventMail(ctx, rule, e, p)
		}
		items++
		body, _, _ := strings.Cut(m.Body, label(lang, "You receive this mail", "此邮件由"))
		b.WriteString("* " + strings.TrimPrefix(m.Subject, "[LTC] ") + "\n  " + strings.ReplaceAll(strings.TrimSpace(body), "\n", "\n  ") + "\n\n")
	}
	b.WriteString(label(lang, "You receive one mail a day because you chose the daily digest; `ltcctl notifications set` changes it.",
		"您选择了每日摘要，因此每天收到一封邮件；`ltcctl notifications set` 可更改。") + "\n")
	return Mail{
		To: p.Email, ToName: p.Name, Language: lang, Recipient: p.ID,
		Subject:   "[LTC] " + label(lang, fmt.Sprintf("Your daily digest: %d notifications", items), fmt.Sprintf("每日摘要：%d 条通知", items)),
		Body:      b.String(),
		MessageID: fmt.Sprintf("ltc-digest-%s-%s@ltc.engine", day.Format("20060102"), p.ID),
	}
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
