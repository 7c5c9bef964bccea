package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/api"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/notify"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

var (
	crm     = ltc.Actor{ID: "crm", Name: "CRM", Roles: []ltc.Role{ltc.RoleSystem}, Scopes: []string{ltc.ScopeRead, "write"}}
	crmRead = ltc.Actor{ID: "crm2", Name: "CRM reader", Roles: []ltc.Role{ltc.RoleSystem}, Scopes: []string{ltc.ScopeRead}}
)

// The refusals of PeopleService's notification and webhook calls: each bad request has its code, and nothing is
// recorded.
func TestPeopleRefusals(t *testing.T) {
	e := testenv.StartEngine(t)
	people := ltcv1.NewPeopleServiceClient(e.Conn)
	hook := func(url string, types ...string) *ltcv1.CreateWebhookRequest {
		return &ltcv1.CreateWebhookRequest{RequestId: uuid.NewString(), Url: url, EventTypes: types}
	}
	prefs := func(p *ltcv1.NotificationPreferences) *ltcv1.SetNotificationPreferencesRequest {
		return &ltcv1.SetNotificationPreferencesRequest{RequestId: uuid.NewString(), Preferences: p}
	}
	_, err := people.SetNotificationPreferences(e.As(t, sam), prefs(nil))
	requireCode(t, err, codes.InvalidArgument, "preferences")
	_, err = people.SetNotificationPreferences(e.As(t, sam), prefs(&ltcv1.NotificationPreferences{Email: true, Language: "fr"}))
	requireCode(t, err, codes.InvalidArgument, "language")
	_, err = people.SetNotificationPreferences(e.As(t, sam), prefs(&ltcv1.NotificationPreferences{MutedEventTypes: []string{"reminder.lead", "lead.exploded"}}))
	requireCode(t, err, codes.InvalidArgument, "muted_event_types[1]")
	_, err = people.SetNotificationPreferences(e.As(t, sam), &ltcv1.SetNotificationPreferencesRequest{RequestId: "not-a-uuid",
		Preferences: &ltcv1.NotificationPreferences{Email: true}})
	requireCode(t, err, codes.InvalidArgument, "request_id")

	_, err = people.CreateWebhook(e.As(t, sam), hook("https://crm.example.com/ltc"))
	requireCode(t, err, codes.PermissionDenied, "admins and by systems")
	_, err = people.CreateWebhook(e.As(t, crmRead), hook("https://crm.example.com/ltc"))
	requireCode(t, err, codes.PermissionDenied, `"write" scope`)
	_, err = people.CreateWebhook(e.As(t, ops), hook("http://crm.example.com/ltc"))
	requireCode(t, err, codes.InvalidArgument, "https")
	_, err = people.CreateWebhook(e.As(t, ops), hook("ftp://127.0.0.1/ltc"))
	requireCode(t, err, codes.InvalidArgument, "url")
	_, err = people.CreateWebhook(e.As(t, ops), hook("https://ops:pw@crm.example.com/ltc"))
	requireCode(t, err, codes.InvalidArgument, "credentials")
	_, err = people.CreateWebhook(e.As(t, ops), hook("https://crm.example.com/ltc", "lead.created", "deal.exploded"))
	requireCode(t, err, codes.InvalidArgument, "event_types[1]")
	_, err = people.ListWebhooks(e.As(t, sam), &ltcv1.ListWebhooksRequest{})
	requireCode(t, err, codes.PermissionDenied, "admins")
	_, err = people.DeleteWebhook(e.As(t, ops), &ltcv1.DeleteWebhookRequest{RequestId: uuid.NewString(), WebhookId: uuid.NewString()})
	requireCode(t, err, codes.NotFound, "not found")
	_, err = people.DeleteWebhook(e.As(t, ops), &ltcv1.DeleteWebhookRequest{RequestId: uuid.NewString()})
	requireCode(t, err, codes.InvalidArgument, "webhook_id")

	// A system deletes only its own webhook.
	created, err := people.CreateWebhook(e.As(t, ops), hook("https://crm.example.com/ltc"))
	require.NoError(t, err)
	_, err = people.DeleteWebhook(e.As(t, crm), &ltcv1.DeleteWebhookRequest{RequestId: uuid.NewString(), WebhookId: created.Webhook.Id})
	requireCode(t, err, codes.PermissionDenied, "created it")

	hooks, err := e.Store.Webhooks(context.Background(), false)
	require.NoError(t, err)
	assert.Len(t, hooks, 1, "only the good webhook is recorded")
	dir, err := e.Store.People(context.Background())
	require.NoError(t, err)
	assert.Empty(t, dir, "no preferences recorded")
}

// A webhook is created once per request id, its secret given to its creator (again on a retry) and never listed;
// a system with the write scope creates and deletes its own; preferences are the caller's own.
func TestWebhooksAndPreferences(t *testing.T) {
	e := testenv.StartEngine(t)
	people := ltcv1.NewPeopleServiceClient(e.Conn)
	req := &ltcv1.CreateWebhookRequest{RequestId: uuid.NewString(), Url: "https://crm.example.com/ltc", EventTypes: []string{ltc.EventDecisionDecided}}
	created, err := people.CreateWebhook(e.As(t, crm), req)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(created.Secret, "whsec_"), created.Secret)
	assert.Equal(t, "crm", created.Webhook.CreatedBy.Id)
	again, err := people.CreateWebhook(e.As(t, crm), req)
	require.NoError(t, err)
	assert.Equal(t, created.Webhook.Id, again.Webhook.Id)
	assert.Equal(t, created.Secret, again.Secret)
	_, err = people.CreateWebhook(e.As(t, ops), req)
	requireCode(t, err, codes.PermissionDenied, "someone else")
	changed := &ltcv1.CreateWebhookRequest{RequestId: req.RequestId, Url: "https://crm.example.com/other"}
	_, err = people.CreateWebhook(e.As(t, crm), changed)
	requireCode(t, err, codes.AlreadyExists, "different request")

	list, err := people.ListWebhooks(e.As(t, ops), &ltcv1.ListWebhooksRequest{})
	require.NoError(t, err)
	require.Len(t, list.Webhooks, 1)
	assert.Equal(t, []string{ltc.EventDecisionDecided}, list.Webhooks[0].EventTypes)
	raw, err := protojson.Marshal(list)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), created.Secret)

	del := &ltcv1.DeleteWebhookRequest{RequestId: uuid.NewString(), WebhookId: created.Webhook.Id}
	_, err = people.DeleteWebhook(e.As(t, crm), del)
	require.NoError(t, err)
	_, err = people.DeleteWebhook(e.As(t, crm), del)
	require.NoError(t, err, "a retry of the delete")
	list, err = people.ListWebhooks(e.As(t, crm), &ltcv1.ListWebhooksRequest{})
	require.NoError(t, err)
	assert.Empty(t, list.Webhooks)

	set, err := people.SetNotificationPreferences(e.As(t, sam), &ltcv1.SetNotificationPreferencesRequest{RequestId: uuid.NewString(),
		Preferences: &ltcv1.NotificationPreferences{Email: true, MutedEventTypes: []string{ltc.EventWeeklyReportOverdue}, Language: "zh-CN"}})
	require.NoError(t, err)
	assert.Equal(t, "zh-CN", set.Preferences.Language)
	dir, err := e.Store.People(context.Background())
	require.NoError(t, err)
	require.Len(t, dir, 1)
	assert.Equal(t, "sam", dir[0].ID)
	assert.Equal(t, store.Preferences{Email: true, Muted: []string{ltc.EventWeeklyReportOverdue}, Language: "zh-CN"}, dir[0].Prefs())
}

// mailCatcher is an SMTP server (go-smtp) that requires AUTH PLAIN and refuses every mail while refusing is set.
type mailCatcher struct {
	refusing atomic.Bool
	refused  atomic.Int32
	mu       sync.Mutex
	mails    []caughtMail
}

type caughtMail struct {
	to   string
	data string
}

func (c *mailCatcher) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{c: c}, nil }

type mailSession struct {
	c      *mailCatcher
	authed bool
	to     []string
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "ltc" || pass != "mail-secret" {
			return errors.New("bad credentials")
		}
		s.authed = true
		return nil
	}), nil
}
func (s *mailSession) Mail(string, *smtp.MailOptions) error {
	if !s.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	if s.c.refusing.Load() {
		s.c.refused.Add(1)
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "not now"}
	}
	return nil
}
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	for _, to := range s.to {
		s.c.mails = append(s.c.mails, caughtMail{to: to, data: string(b)})
	}
	return nil
}
func (s *mailSession) Reset()        { s.to = nil }
func (s *mailSession) Logout() error { return nil }

// receiver is a webhook endpoint that is down (slow past every timeout, then 503) until up is set.
type receiver struct {
	secret string
	up     atomic.Bool
	tried  atomic.Int32
	mu     sync.Mutex
	got    []*ltcv1.Event
	bad    []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !rc.up.Load() {
		if rc.tried.Add(1)%2 == 1 {
			time.Sleep(700 * time.Millisecond) // past the sender's timeout
		}
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if !validSignature(rc.secret, r.Header.Get(notify.HeaderSignature), body) {
		rc.bad = append(rc.bad, r.Header.Get(notify.HeaderEventID))
	}
	var ev ltcv1.Event
	if err := protojson.Unmarshal(body, &ev); err != nil {
		rc.bad = append(rc.bad, "body: "+err.Error())
	} else if strconv.FormatInt(ev.Sequence, 10) != r.Header.Get(notify.HeaderEventID) {
		rc.bad = append(rc.bad, "event id header "+r.Header.Get(notify.HeaderEventID))
	}
	rc.got = append(rc.got, &ev)
}

// validSignature checks LTC-Signature as a receiver does: t=<unix>,v1=<hex HMAC-SHA256("<t>.<body>")>, within 5
// minutes.
func validSignature(secret, header string, body []byte) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(t, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	want := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(sig))
}

// The whole delivery: deals make events while the mail server refuses and the webhook receiver is down past every
// timeout; the dispatcher stops and a new one resumes; once both are back, every mail arrives once, to the people
// the events name, in their language, and every event reaches the webhook once, in order per deal, signed; two
// workers side by side send nothing twice.
func TestNotificationsDelivered(t *testing.T) {
	e := testenv.StartEngine(t)
	ctx := context.Background()
	dir := testDirectory()
	require.NoError(t, e.Store.UpsertPeople(ctx, dir))

	catcher, mailer := catchMail(t)
	catcher.refusing.Store(true) // before the notifier starts: the first mails are refused

	rc := &receiver{}
	hookServer := httptest.NewServer(rc)
	t.Cleanup(hookServer.Close)
	created, err := ltcv1.NewPeopleServiceClient(e.Conn).CreateWebhook(e.As(t, ops), &ltcv1.CreateWebhookRequest{
		RequestId: uuid.NewString(), Url: hookServer.URL + "/ltc"})
	require.NoError(t, err)
	rc.secret = created.Secret

	log := slog.New(slog.DiscardHandler)
	start := func() (stop func()) {
		n := notify.New(notify.Options{Store: e.Store, Mailer: mailer, Encode: api.EventJSON(log), WebURL: "http://127.0.0.1:7080",
			Log: log, Poll: 50 * time.Millisecond, Backoff: 100 * time.Millisecond, MaxBackoff: 400 * time.Millisecond,
			WebhookTimeout: 300 * time.Millisecond, Batch: 7})
		ctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { _ = n.Run(ctx); close(done) }()
		return func() { cancel(); <-done }
	}

	stop := start()
	first, decision := assessedInitiation(t, e, sam, ltcv1.ProjectLevel_PROJECT_LEVEL_C)
	second := qualifiedDeal(t, e)
	require.Eventually(t, func() bool { return catcher.refused.Load() >= 2 && rc.tried.Load() >= 2 }, 30*time.Second, 50*time.Millisecond)
	stop()
	// While no dispatcher runs, the deals go on; the next one resumes from the cursor.
	_, err = ltcv1.NewOpportunityServiceClient(e.Conn).UpdateAssessment(e.As(t, sam), &ltcv1.UpdateAssessmentRequest{
		RequestId: uuid.NewString(), OpportunityId: second, Assessment: assessment()})
	require.NoError(t, err)
	third := qualifiedDeal(t, e)
	// Two workers from here on: they share the cursor and the outbox.
	stop1, stop2 := start(), start()
	stop = func() { stop1(); stop2() }
	time.Sleep(500 * time.Millisecond)
	catcher.refusing.Store(false)
	rc.up.Store(true)
	require.Eventually(t, func() bool {
		counts, err := e.Store.DeliveryCounts(ctx)
		return err == nil && counts["pending"] == 0 && counts["sent"] > 0
	}, 60*time.Second, 100*time.Millisecond)
	stop()
	counts, err := e.Store.DeliveryCounts(ctx)
	require.NoError(t, err)
	assert.Zero(t, counts["failed"])

	// Every event of the log reached the webhook once, in order per deal, signed.
	page, err := e.Store.Events(ctx, store.EventQuery{Limit: 1000})
	require.NoError(t, err)
	rc.mu.Lock()
	got := rc.got
	assert.Empty(t, rc.bad)
	rc.mu.Unlock()
	seen := map[int64]int{}
	last := map[string]int64{}
	for _, ev := range got {
		seen[ev.Sequence]++
		key := ev.DealId + ev.AccountId
		assert.Greater(t, ev.DealSequence, last[key], "deal %s: event %d after %d", key, ev.DealSequence, last[key])
		last[key] = ev.DealSequence
	}
	require.Len(t, seen, len(page.Events))
	for _, ev := range page.Events {
		assert.Equal(t, 1, seen[ev.Sequence], "event %d (%s) delivered once", ev.Sequence, ev.Type)
	}
	for _, id := range []string{first, second, third} {
		assert.NotZero(t, last[id], "deal %s reached the webhook", id)
	}

	// Mail: once per event and person, to the deciders in scope and not to the requester, in their language, with
	// the decision's page and the ltcctl command.
	catcher.mu.Lock()
	mails := catcher.mails
	catcher.mu.Unlock()
	ids := map[string]int{}
	var requested []caughtMail
	for _, m := range mails {
		id := header(m.data, "Message-Id")
		ids[id]++
		body := mailBody(t, m.data)
		if strings.Contains(body, "http://127.0.0.1:7080/decisions/"+decision.Id) && strings.Contains(body, "ltcctl inbox") {
			requested = append(requested, m)
		}
		if m.to == "eli@example.com" {
			assert.Equal(t, "zh-CN", header(m.data, "Content-Language"))
		} else {
			assert.Equal(t, "en", header(m.data, "Content-Language"))
		}
	}
	assert.Equal(t, counts["sent"]-len(got), len(mails), "one mail per email delivery")
	for id, n := range ids {
		assert.Equal(t, 1, n, "mail %s sent once", id)
	}
	var to []string
	for _, m := range requested {
		to = append(to, m.to)
	}
	assert.Contains(t, to, "eli@example.com", "the decider of level C in scope")
	assert.NotContains(t, to, "sam@example.com", "not the requester")
}

// mailBody is a mail's text, decoded.
func mailBody(t *testing.T, data string) string {
	msg, err := mail.ReadMessage(strings.NewReader(data))
	require.NoError(t, err)
	b, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	require.NoError(t, err)
	return string(b)
}

// testDirectory is the directory of the delivery tests: Eli reads Chinese.
func testDirectory() []store.DirectoryPerson {
	return []store.DirectoryPerson{
		{ID: "sam", Name: "Sam Sales", Email: "sam@example.com", Roles: []ltc.Role{ltc.RoleSales}, ManagerID: "mia"},
		{ID: "mia", Name: "Mia Manager", Email: "mia@example.com", Roles: []ltc.Role{ltc.RoleSalesManager}, ManagerID: "eli"},
		{ID: "eli", Name: "Eli Office", Email: "eli@example.com", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 1, Language: "zh-CN", ManagerID: "eva"},
		{ID: "eva", Name: "Eva Region", Email: "eva@example.com", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 2, ManagerID: "eric"},
		{ID: "eric", Name: "Eric Corporate", Email: "eric@example.com", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 3},
		{ID: "fiona", Name: "Fiona Finance", Email: "fiona@example.com", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionFinance}},
	}
}

// header is the value of a mail's header.
func header(data, name string) string {
	for _, line := range strings.Split(data, "\r\n") {
		if line == "" {
			break
		}
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// catchMail starts an SMTP server that takes every mail, and a mailer to it.
func catchMail(t *testing.T) (*mailCatcher, notify.Mailer) {
	catcher := &mailCatcher{}
	srv := smtp.NewServer(catcher)
	srv.Domain, srv.AllowInsecureAuth = "localhost", true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	mailer, err := notify.NewSMTP(notify.SMTPOptions{Addr: l.Addr().String(), From: "LTC <ltc@example.com>",
		Username: "ltc", Password: "mail-secret", TLS: "none", Timeout: 5 * time.Second})
	require.NoError(t, err)
	return catcher, mailer
}

func (c *mailCatcher) to(address string) []caughtMail {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []caughtMail
	for _, m := range c.mails {
		if m.to == address {
			out = append(out, m)
		}
	}
	return out
}

// Reminders before a deadline reach the people it concerns once; a person who chose the daily digest gets their
// notifications and reminders in one mail a day, once.
func TestRemindersAndDigest(t *testing.T) {
	e := testenv.StartEngine(t)
	ctx := context.Background()
	require.NoError(t, e.Store.UpsertPeople(ctx, testDirectory()))
	_, err := ltcv1.NewPeopleServiceClient(e.Conn).SetNotificationPreferences(e.As(t, eli), &ltcv1.SetNotificationPreferencesRequest{
		RequestId: uuid.NewString(), Preferences: &ltcv1.NotificationPreferences{Email: true, DailyDigest: true}})
	require.NoError(t, err)
	catcher, mailer := catchMail(t)
	n := notify.New(notify.Options{Store: e.Store, Mailer: mailer, Encode: api.EventJSON(slog.New(slog.DiscardHandler)),
		WebURL: "http://127.0.0.1:7080", Log: slog.New(slog.DiscardHandler), RemindBefore: 30 * 24 * time.Hour,
		Policy: ltc.DefaultPolicy(), DigestHour: 8})

	_, decision := assessedInitiation(t, e, sam, ltcv1.ProjectLevel_PROJECT_LEVEL_C)
	lead, err := ltcv1.NewLeadServiceClient(e.Conn).CreateLead(e.As(t, sam), createRequest())
	require.NoError(t, err)
	drain := func() { drainMail(t, n) }
	drain()
	_, err = n.RemindOnce(ctx, time.Now())
	require.NoError(t, err)
	drain()
	reminded := func(address string) int {
		var k int
		for _, m := range catcher.to(address) {
			if body := mailBody(t, m.data); strings.Contains(body, "escalated if not decided by") && strings.Contains(body, "/decisions/"+decision.Id) {
				k++
			}
		}
		return k
	}
	assert.Equal(t, 1, reminded("mia@example.com"), "the sales manager who may decide a level C INITIATION")
	assert.Zero(t, reminded("sam@example.com"), "not the requester")
	assert.Empty(t, catcher.to("eli@example.com"), "Eli waits for the digest")
	var leadReminders int
	for _, m := range catcher.to("sam@example.com") {
		if body := mailBody(t, m.data); strings.Contains(body, "to be qualified or disqualified by") && strings.Contains(body, "/leads/"+lead.Lead.Id) {
			leadReminders++
		}
	}
	assert.Equal(t, 1, leadReminders, "the lead's owner, of its SLA")

	before, err := e.Store.DeliveryCounts(ctx)
	require.NoError(t, err)
	_, err = n.RemindOnce(ctx, time.Now())
	require.NoError(t, err)
	after, err := e.Store.DeliveryCounts(ctx)
	require.NoError(t, err)
	assert.Equal(t, before, after, "a deadline is reminded of once")

	sent, err := n.DigestOnce(ctx, time.Now())
	require.NoError(t, err)
	if time.Now().UTC().Hour() != 8 {
		assert.Zero(t, sent, "nothing held before today's digest hour")
	}
	sent, err = n.DigestOnce(ctx, time.Now().Add(48*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, sent)
	_, err = n.DigestOnce(ctx, time.Now().Add(48*time.Hour))
	require.NoError(t, err)
	mails := catcher.to("eli@example.com")
	require.Len(t, mails, 1, "one digest")
	assert.Equal(t, "zh-CN", header(mails[0].data, "Content-Language"))
	body := mailBody(t, mails[0].data)
	assert.Contains(t, body, "截至")
	assert.Equal(t, 2, strings.Count(body, "http://127.0.0.1:7080/decisions/"+decision.Id), "the decision waiting, and its reminder:\n%s", body)
	counts, err := e.Store.DeliveryCounts(ctx)
	require.NoError(t, err)
	assert.Zero(t, counts["pending"])
	purged, err := e.Store.PurgeDeliveries(ctx, time.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.EqualValues(t, counts["sent"], purged, "what was sent is purged after its time")
}

// TestADeputyIsMailedWhatWaitsForTheDelegator: while Eva has delegated INITIATION to Mia, a level-B INITIATION
// waiting for Eva is mailed to Mia too; a delegation of another gate mails her nothing.
func TestADeputyIsMailedWhatWaitsForTheDelegator(t *testing.T) {
	e := testenv.StartEngine(t)
	ctx := context.Background()
	require.NoError(t, e.Store.UpsertPeople(ctx, testDirectory()))
	catcher, mailer := catchMail(t)
	n := notify.New(notify.Options{Store: e.Store, Mailer: mailer, Encode: api.EventJSON(slog.New(slog.DiscardHandler)),
		WebURL: "http://127.0.0.1:7080", Log: slog.New(slog.DiscardHandler)})
	drain := func() { drainMail(t, n) }
	delegate := func(gate ltcv1.Gate) {
		_, err := ltcv1.NewPeopleServiceClient(e.Conn).SetDelegation(e.As(t, eva), &ltcv1.SetDelegationRequest{RequestId: uuid.NewString(),
			Deputy: &ltcv1.Person{Id: "mia"}, EndTime: timestamppb.New(time.Now().Add(24 * time.Hour)), Gates: []ltcv1.Gate{gate}})
		require.NoError(t, err)
	}

	delegate(ltcv1.Gate_GATE_ATB)
	assessedInitiation(t, e, sam, ltcv1.ProjectLevel_PROJECT_LEVEL_B)
	drain()
	require.NotEmpty(t, catcher.to("eva@example.com"), "the INITIATION waits for Eva")
	assert.Empty(t, catcher.to("mia@example.com"), "ATB alone is delegated")

	delegate(ltcv1.Gate_GATE_INITIATION)
	assessedInitiation(t, e, sam, ltcv1.ProjectLevel_PROJECT_LEVEL_B)
	drain()
	mails := catcher.to("mia@example.com")
	require.Len(t, mails, 1, "the deputy is told what waits for the delegator")
	assert.Contains(t, header(mails[0].data, "Subject"), "INITIATION")
	assert.Empty(t, catcher.to("sam@example.com"), "not the requester")
}

// drainMail dispatches the events and sends the mail they make until nothing is left.
func drainMail(t *testing.T, n *notify.Notifier) {
	t.Helper()
	for {
		d, err := n.DispatchOnce(context.Background())
		require.NoError(t, err)
		s, err := n.SendOnce(context.Background(), store.ChannelEmail)
		require.NoError(t, err)
		if d == 0 && s == 0 {
			return
		}
	}
}
