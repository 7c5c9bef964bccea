package notify

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

var people = []store.DirectoryPerson{
	{ID: "sam", Email: "sam@example.com", Roles: []ltc.Role{ltc.RoleSales}, Unit: "emea/germany", ManagerID: "mia"},
	{ID: "mia", Email: "mia@example.com", Roles: []ltc.Role{ltc.RoleSalesManager}, Unit: "emea/germany", ManagerID: "eli"},
	{ID: "yui", Email: "yui@example.com", Roles: []ltc.Role{ltc.RoleSalesManager}, Unit: "apac/japan"},
	{ID: "eli", Email: "eli@example.com", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 1, Unit: "emea/germany", ManagerID: "eva"},
	{ID: "eva", Email: "eva@example.com", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 2, Unit: "emea", Language: "zh-CN"},
	{ID: "aiko", Email: "aiko@example.com", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 2, Unit: "apac"},
	{ID: "eric", Email: "eric@example.com", Roles: []ltc.Role{ltc.RoleExecutive}, Authority: 3, Unit: ltc.Company},
	{ID: "fiona", Email: "fiona@example.com", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionFinance}, Unit: "emea"},
	{ID: "hana", Email: "hana@example.com", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionFinance}, Unit: "apac"},
	{ID: "leo", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionLegal}, Unit: "emea",
		Preferences: &store.Preferences{Email: true}},
}

func ids(ps []store.DirectoryPerson) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

// Every recipient form resolves to the people whose scope holds the deal's unit.
func TestResolve(t *testing.T) {
	d := NewDirectory(people)
	germany := ltc.Unit("emea/germany")
	for _, c := range []struct {
		recipients []string
		want       []string
	}{
		{[]string{"user:sam", "user:nobody"}, []string{"sam"}},
		{ltc.InUnit([]string{"role:sales_manager"}, germany), []string{"mia"}},
		{ltc.InUnit([]string{"authority:1"}, germany), []string{"eli", "eric", "eva"}},
		{ltc.InUnit([]string{"authority:2"}, germany), []string{"eric", "eva"}},
		{ltc.InUnit([]string{"authority:2"}, "apac/japan"), []string{"aiko", "eric"}},
		{ltc.InUnit([]string{"function:FINANCE"}, germany), []string{"fiona"}},
		{ltc.InUnit([]string{"role:executive"}, "apac/japan"), []string{"aiko", "eric"}},
		{[]string{"authority:3"}, []string{"eric"}},
		{ltc.InUnit([]string{"user:sam", "role:sales_manager", "function:FINANCE"}, germany), []string{"fiona", "mia", "sam"}},
	} {
		assert.Equal(t, c.want, ids(d.Resolve(c.recipients)), "%v", c.recipients)
	}
}

// The rules' table: what is overdue reaches the named people's managers too, never the person who made the change;
// an event of no rule mails no one.
func TestRecipients(t *testing.T) {
	d := NewDirectory(people)
	overdue := store.RecordedEvent{Event: ltc.Event{Type: ltc.EventWeeklyReportOverdue, Actor: ltc.Person{ID: "system"},
		Recipients: ltc.InUnit([]string{"user:sam", "role:sales_manager"}, "emea/germany")}}
	overdue.Recipients = []string{"user:sam"}
	assert.Equal(t, []string{"mia", "sam"}, ids(d.Recipients(overdue)), "sam and sam's manager")
	requested := store.RecordedEvent{Event: ltc.Event{Type: ltc.EventDecisionRequested, Actor: ltc.Person{ID: "mia"},
		Recipients: ltc.InUnit([]string{"role:sales_manager", "authority:1"}, "emea/germany")}}
	assert.Equal(t, []string{"eli", "eric", "eva"}, ids(d.Recipients(requested)), "not the requester")
	created := store.RecordedEvent{Event: ltc.Event{Type: ltc.EventLeadCreated, Recipients: []string{"user:sam"}}}
	assert.Empty(t, d.Recipients(created))

	leo := d["leo"]
	assert.False(t, wantsMail(leo, ltc.EventDecisionRequested), "no address")
	sam := d["sam"]
	sam.Preferences = &store.Preferences{Email: true, Muted: []string{ltc.EventWeeklyReportOverdue}}
	assert.False(t, wantsMail(sam, ltc.EventWeeklyReportOverdue))
	assert.True(t, wantsMail(sam, ltc.EventDecisionDecided))
	sam.Preferences = &store.Preferences{Email: false}
	assert.False(t, wantsMail(sam, ltc.EventDecisionDecided))
}

// Every rule has both languages; a mail is in the person's language with the thing's page and ltcctl command.
func TestMails(t *testing.T) {
	for typ, r := range Rules {
		for _, lang := range Languages {
			assert.NotEmpty(t, r.Subject[lang], "%s %s", typ, lang)
			assert.NotEmpty(t, r.Body[lang], "%s %s", typ, lang)
		}
		assert.Contains(t, []string{"decisions", "deals", "leads", "accounts"}, r.Page, typ)
	}
	data, _ := json.Marshal(ltc.ReportOverdueDetails{Period: 3, DueAt: time.Date(2027, 1, 8, 17, 0, 0, 0, time.UTC)})
	e := store.RecordedEvent{Sequence: 42, Event: ltc.Event{DealID: "d-1", Type: ltc.EventWeeklyReportOverdue, Data: data}}
	m := compose(Rules[e.Type], e, people[4], "zh-CN", "http://127.0.0.1:7080/", "5G core")
	assert.Equal(t, "[LTC] 周报逾期：5G core", m.Subject)
	assert.Contains(t, m.Body, "2027-01-08 17:00 UTC")
	assert.Contains(t, m.Body, "http://127.0.0.1:7080/deals/d-1\n")
	assert.Contains(t, m.Body, "ltcctl deal show d-1")
	assert.Equal(t, "eva@example.com", m.To)

	dir := t.TempDir()
	require.NoError(t, Folder{Dir: dir, From: "LTC <ltc@localhost>"}.Send(t.Context(), m))
	b, err := os.ReadFile(filepath.Join(dir, "ltc-42-eva.eml"))
	require.NoError(t, err)
	assert.Contains(t, string(b), "Content-Language: zh-CN")
}

// The people file: its people, or the first thing wrong with it.
func TestReadPeopleFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "people.json")
	write := func(s string) { require.NoError(t, os.WriteFile(path, []byte(s), 0o600)) }
	write(`[{"id": "sam", "name": "Sam", "email": "sam@example.com", "roles": ["sales"], "org": "emea/germany", "manager": "mia"},
		{"id": "eric", "email": "eric@example.com", "roles": ["executive"], "authority": 3, "org": "/", "language": "zh-CN"}]`)
	got, err := ReadPeopleFile(path)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, ltc.Unit("emea/germany"), got[0].Unit)
	assert.Equal(t, "mia", got[0].ManagerID)
	assert.Equal(t, ltc.Company, got[1].Unit)
	for bad, why := range map[string]string{
		`[{"id": "x", "roles": ["king"], "org": "/"}]`:       "role",
		`[{"id": "x", "org": "EMEA"}]`:                       "org unit",
		`[{"id": "x", "org": "/", "language": "fr"}]`:        "language",
		`[{"id": "x", "org": "/", "email": "nope"}]`:         "email",
		`[{"id": "x", "org": "/"}, {"id": "x", "org": "/"}]`: "twice",
		`[{"org": "/"}]`: "id",
		`{"id": "x"}`:    "cannot unmarshal",
	} {
		write(bad)
		_, err := ReadPeopleFile(path)
		if assert.Error(t, err, bad) {
			assert.True(t, strings.Contains(err.Error(), why), "%s: %v", bad, err)
		}
	}
}

func TestSignature(t *testing.T) {
	at := time.Unix(1700000000, 0)
	// printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
	assert.Equal(t, "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789", Sign("whsec_test", at, []byte(`{"a":1}`)))
	assert.NoError(t, CheckWebhookURL("https://crm.example.com/hook"))
	assert.NoError(t, CheckWebhookURL("http://127.0.0.1:9000/hook"))
	assert.NoError(t, CheckWebhookURL("http://localhost:9000/hook"))
	assert.Error(t, CheckWebhookURL("http://crm.example.com/hook"))
	assert.Error(t, CheckWebhookURL("/hook"))
}

// Each deadline is reminded of within the lead time, to the people it concerns.
func TestReminders(t *testing.T) {
	now := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	p := ltc.DefaultPolicy()
	kinds := func(rs []reminder) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.details.Kind+" "+strings.Join(r.recipients, ","))
		}
		return out
	}
	lead := ltc.Deal{Lead: ltc.Lead{ID: "l1", State: ltc.LeadNew, SLADueAt: now.Add(2 * time.Hour), Owner: ltc.Person{ID: "sam"}}}
	assert.Equal(t, []string{"lead user:sam"}, kinds(reminders(lead, p, now, 24*time.Hour)))
	assert.Empty(t, reminders(lead, p, now, time.Hour), "not yet")
	assert.Empty(t, reminders(lead, p, now.Add(3*time.Hour), 24*time.Hour), "passed: the overdue event tells")

	due := now.Add(time.Hour)
	handover := &ltc.Opportunity{ID: "d1", Stage: ltc.StageHandover, Owner: ltc.Person{ID: "sam"}, Unit: "emea/germany",
		HandoverDueAt: &due, Cadence: &ltc.Cadence{Start: now.Add(-6 * 24 * time.Hour), NextDueAt: now.Add(5 * time.Hour)}}
	assert.Equal(t, []string{"handover user:sam", "weekly_report user:sam"}, kinds(reminders(ltc.Deal{Opportunity: handover}, p, now, 24*time.Hour)))

	closed := &ltc.Opportunity{ID: "d2", Stage: ltc.StageClosed, Owner: ltc.Person{ID: "sam"}, SummaryDueAt: &due}
	assert.Equal(t, []string{"summary user:sam"}, kinds(reminders(ltc.Deal{Opportunity: closed}, p, now, 24*time.Hour)))

	pending := &ltc.Opportunity{ID: "d3", Stage: ltc.StageValidation, Owner: ltc.Person{ID: "sam"}, Unit: "emea/germany",
		Decisions: []ltc.Decision{{ID: "x1", Gate: ltc.GateInitiation, Status: ltc.DecisionPending, Authority: 2, DueAt: due,
			RequiredReviews: []ltc.ReviewFunction{ltc.FunctionFinance}}}}
	assert.Equal(t, []string{"decision authority:2@emea/germany,function:FINANCE@emea/germany"},
		kinds(reminders(ltc.Deal{Opportunity: pending}, p, now, 24*time.Hour)))
}
