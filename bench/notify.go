package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protojson"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// notifyProbe is a webhook receiver in the bench process: `ltcd worker` POSTs every event to it (the notifier's
// dispatcher and sender), and it records how long after the change each event arrived: from the event's
// occur_time, the process's time of the change just before its commit, to its receipt, so a little more than
// commit to delivery.
type notifyProbe struct {
	srv   *httptest.Server
	stop  func()
	since time.Time
	mu    sync.Mutex
	lat   []time.Duration
	seen  map[int64]bool
	dups  int
}

// startProbe registers the probe as a webhook of every event, as the operator.
func startProbe(ctx context.Context, d *driver) (*notifyProbe, error) {
	p := &notifyProbe{seen: map[int64]bool{}, since: time.Now()}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		body, err := io.ReadAll(r.Body)
		var ev ltcv1.Event
		if err == nil {
			err = protojson.Unmarshal(body, &ev)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.seen[ev.Sequence] {
			p.dups++
			return
		}
		p.seen[ev.Sequence] = true
		if occurred := ev.OccurTime.AsTime(); occurred.After(p.since) { // not the changes of the phases before
			p.lat = append(p.lat, at.Sub(occurred))
		}
	}))
	ctx, cancel := context.WithTimeout(d.withToken(ctx, "admin"), 30*time.Second)
	defer cancel()
	people := ltcv1.NewPeopleServiceClient(d.conn)
	created, err := people.CreateWebhook(ctx, &ltcv1.CreateWebhookRequest{RequestId: uuid.NewString(), Url: p.srv.URL + "/ltc"})
	if err != nil {
		p.srv.Close()
		return nil, err
	}
	// Stopping deletes the webhook, so the worker does not go on retrying a receiver that is gone.
	p.stop = func() {
		ctx, cancel := context.WithTimeout(d.withToken(context.Background(), "admin"), 30*time.Second)
		defer cancel()
		_, _ = people.DeleteWebhook(ctx, &ltcv1.DeleteWebhookRequest{RequestId: uuid.NewString(), WebhookId: created.Webhook.Id})
		p.srv.Close()
	}
	return p, nil
}

// take waits until no event has arrived for a second (at most 30 s: the deliveries of the run's last changes),
// then returns the latencies recorded since the last take, and the duplicates.
func (p *notifyProbe) take() (summary, int) {
	deadline := time.Now().Add(30 * time.Second)
	for last := -1; time.Now().Before(deadline); time.Sleep(time.Second) {
		p.mu.Lock()
		n := len(p.seen)
		p.mu.Unlock()
		if n == last {
			break
		}
		last = n
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s, dups := summarize(p.lat), p.dups
	p.lat, p.dups = nil, 0
	return s, dups
}

func (p *notifyProbe) close() { p.stop() }
