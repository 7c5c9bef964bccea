package ltc_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

// huber is a contact with personal data in every field that holds some.
var huber = ltc.Contact{Name: "Dr. Anna Huber", Title: "CTO", Department: "Netzplanung", Email: "anna.huber@bayern.example",
	Phone: "+49 89 1234", Role: ltc.ContactDecisionMaker, HiddenDecider: true, Attitude: ltc.AttitudeAcceptsUs,
	Holder: &ltc.Person{ID: "g-sam"}, Strength: 3, Notes: "prefers short meetings; daughter at TU München"}

// personal are huber's personal data, which neither the process's state nor any event may hold.
var personal = []string{"Anna Huber", "CTO", "Netzplanung", "anna.huber@", "+49 89 1234", "short meetings"}

// withContacts is the account with contacts added in order, each reporting to the one before if chain.
func withContacts(t *testing.T, a ltc.Account, n int, chain bool) ltc.Account {
	for i := range n {
		ct := ltc.Contact{Name: "contact", Role: ltc.ContactInfluencer}
		if chain && i > 0 {
			ct.ReportsTo = a.Contacts[len(a.Contacts)-1].ID
		}
		a = accepted(t, a, gSales, ltc.AddContact{Contact: ct}, t0).Account
	}
	return a
}

func TestAddContact(t *testing.T) {
	a := newAccount(t, ltc.GradeA)
	ch := accepted(t, a, gBid, ltc.AddContact{Contact: huber}, t0)
	require.Len(t, ch.Account.Contacts, 1)
	kept := ch.Account.Contacts[0]
	assert.Equal(t, ltc.ContactID("req-"+itoa(requests)), kept.ID, "the id comes from the request")
	assert.Equal(t, a.ID, kept.AccountID)
	assert.Equal(t, "Dr. Anna Huber", kept.Name)
	assert.Empty(t, kept.Notes, "the process keeps no notes")
	require.NotNil(t, ch.Contact)
	assert.Equal(t, huber.Notes, ch.Contact.Notes, "the read model gets them")
	assert.True(t, ch.NotesChanged)
	event, _ := json.Marshal(ch.Events)
	for _, p := range personal {
		assert.NotContains(t, string(event), p, "events carry no personal data")
	}
	var details ltc.ContactDetails
	require.NoError(t, json.Unmarshal(ch.Events[0].Data, &details))
	assert.Equal(t, ltc.ContactDetails{ContactID: kept.ID, Role: ltc.ContactDecisionMaker, HiddenDecider: true,
		Attitude: ltc.AttitudeAcceptsUs, Holder: &ltc.Person{ID: "g-sam"}, Strength: 3}, details)

	other := newAccount(t, ltc.GradeB)
	other = withContacts(t, other, 1, false)
	for name, c := range map[string]struct {
		x      ltc.Actor
		change func(*ltc.Contact)
		kind   ltc.Kind
		says   string
	}{
		"a rep outside the team":        {gRep, func(*ltc.Contact) {}, ltc.KindPermission, "adding a contact of account"},
		"another office's manager":      {frManager, func(*ltc.Contact) {}, ltc.KindPermission, "adding a contact"},
		"a LEGAL reviewer":              {gLegal, func(*ltc.Contact) {}, ltc.KindPermission, "adding a contact"},
		"no name":                       {gSales, func(c *ltc.Contact) { c.Name = "" }, ltc.KindInvalid, "the contact's name is required"},
		"an email too long":             {gSales, func(c *ltc.Contact) { c.Email = strings.Repeat("e", 255) }, ltc.KindInvalid, "email has 255 characters; at most 254"},
		"an unknown role":               {gSales, func(c *ltc.Contact) { c.Role = "KING" }, ltc.KindInvalid, `contact role "KING"`},
		"an unknown attitude":           {gSales, func(c *ltc.Contact) { c.Attitude = "HOSTILE" }, ltc.KindInvalid, `attitude "HOSTILE"`},
		"a strength above 5":            {gSales, func(c *ltc.Contact) { c.Strength = 6 }, ltc.KindInvalid, "strength is 0 (none) to 5"},
		"a strength without its holder": {gSales, func(c *ltc.Contact) { c.Holder = nil }, ltc.KindInvalid, "needs its holder"},
		"reports to a stranger":         {gSales, func(c *ltc.Contact) { c.ReportsTo = "nobody" }, ltc.KindInvalid, "which is no contact of account"},
		"reports to another account's":  {gSales, func(c *ltc.Contact) { c.ReportsTo = other.Contacts[0].ID }, ltc.KindInvalid, "which is no contact of account " + a.ID},
	} {
		t.Run(name, func(t *testing.T) {
			ct := huber
			c.change(&ct)
			refused(t, a, c.x, ltc.AddContact{Contact: ct}, t0, c.kind, c.says)
		})
	}
	refused(t, ltc.Account{}, gSales, ltc.AddContact{Contact: huber}, t0, ltc.KindNotFound, "not found")

	// Ids come from request ids, so a caller can know the id a contact will have; it still cannot report to itself.
	self := huber
	self.ReportsTo = ltc.ContactID("req-" + itoa(requests+1))
	refused(t, a, gSales, ltc.AddContact{Contact: self}, t0, ltc.KindInvalid, "cannot report to itself")
}

func TestUpdateContact(t *testing.T) {
	a := withContacts(t, newAccount(t, ltc.GradeA), 3, true) // 2 reports to 1, 1 to 0
	ids := []string{a.Contacts[0].ID, a.Contacts[1].ID, a.Contacts[2].ID}
	update := func(id string, v ltc.Contact, fields ...string) ltc.UpdateContact {
		return ltc.UpdateContact{ContactID: id, Fields: fields, Contact: v}
	}

	ch := accepted(t, a, gSR, update(ids[2], ltc.Contact{Attitude: ltc.AttitudeValuesUs, RisingStar: true, Name: "ignored"}, "attitude", "rising_star"), t0)
	ct, _ := ch.Account.Contact(ids[2])
	assert.Equal(t, ltc.AttitudeValuesUs, ct.Attitude)
	assert.True(t, ct.RisingStar)
	assert.Equal(t, "contact", ct.Name, "fields the update does not name stay")
	assert.Equal(t, ids[1], ct.ReportsTo)
	assert.False(t, ch.NotesChanged, "the read model keeps the notes it has")
	var details ltc.ContactDetails
	require.NoError(t, json.Unmarshal(ch.Events[0].Data, &details))
	assert.Equal(t, []string{"attitude", "rising_star"}, details.Fields)

	ch = accepted(t, a, gSales, update(ids[0], ltc.Contact{Notes: "met at CeBIT"}, "notes"), t0)
	assert.True(t, ch.NotesChanged)
	assert.Equal(t, "met at CeBIT", ch.Contact.Notes)
	assert.Empty(t, ch.Account.Contacts[0].Notes)
	assert.NotContains(t, string(ch.Events[0].Data), "CeBIT")

	moved := accepted(t, a, gSales, update(ids[2], ltc.Contact{}, "reports_to"), t0).Account
	top, _ := moved.Contact(ids[2])
	assert.Empty(t, top.ReportsTo, "a contact may report to nobody")

	for name, c := range map[string]struct {
		x    ltc.Actor
		cmd  ltc.UpdateContact
		kind ltc.Kind
		says string
	}{
		"a rep outside the team":     {gRep, update(ids[0], ltc.Contact{}, "role"), ltc.KindPermission, "updating a contact"},
		"an unknown contact":         {gSales, update("nobody", ltc.Contact{}, "role"), ltc.KindNotFound, "contact nobody not found"},
		"no fields":                  {gSales, update(ids[0], ltc.Contact{}), ltc.KindInvalid, "names the fields it changes"},
		"an unknown field":           {gSales, update(ids[0], ltc.Contact{}, "erased"), ltc.KindInvalid, `unknown contact field "erased"`},
		"reports to itself":          {gSales, update(ids[1], ltc.Contact{ReportsTo: ids[1]}, "reports_to"), ltc.KindInvalid, "cannot report to itself"},
		"a cycle of two":             {gSales, update(ids[0], ltc.Contact{ReportsTo: ids[1]}, "reports_to"), ltc.KindInvalid, "reports-to makes no cycle"},
		"a cycle of three":           {gSales, update(ids[0], ltc.Contact{ReportsTo: ids[2]}, "reports_to"), ltc.KindInvalid, "reports-to makes no cycle"},
		"the name emptied":           {gSales, update(ids[0], ltc.Contact{}, "name"), ltc.KindInvalid, "the contact's name is required"},
		"strength without a holder":  {gSales, update(ids[0], ltc.Contact{Strength: 2}, "strength"), ltc.KindInvalid, "needs its holder"},
		"a holder without an id":     {gSales, update(ids[0], ltc.Contact{Holder: &ltc.Person{Name: "Sam"}}, "holder"), ltc.KindInvalid, "holder id is required"},
		"a role that is no role":     {gSales, update(ids[0], ltc.Contact{Role: "BOSS"}, "role"), ltc.KindInvalid, `contact role "BOSS"`},
		"a phone number of 51 chars": {gSales, update(ids[0], ltc.Contact{Phone: strings.Repeat("1", 51)}, "phone"), ltc.KindInvalid, "phone has 51 characters; at most 50"},
	} {
		t.Run(name, func(t *testing.T) { refused(t, a, c.x, c.cmd, t0, c.kind, c.says) })
	}
}

func TestEraseContact(t *testing.T) {
	a := newAccount(t, ltc.GradeA)
	a = accepted(t, a, gSales, ltc.AddContact{Contact: ltc.Contact{Name: "Board"}}, t0).Account
	boss := a.Contacts[0].ID
	withBoss := huber
	withBoss.ReportsTo = boss
	a = accepted(t, a, gSales, ltc.AddContact{Contact: withBoss}, t0).Account
	id := a.Contacts[1].ID
	later := t0.Add(24 * time.Hour)

	for _, x := range []ltc.Actor{gSales, gManager, gExec1, opsAdmin} {
		ch := accepted(t, a, x, ltc.EraseContact{ContactID: id}, later)
		ct, _ := ch.Account.Contact(id)
		assert.Equal(t, ltc.Contact{ID: id, AccountID: a.ID, ReportsTo: boss, Role: ltc.ContactDecisionMaker, HiddenDecider: true,
			Attitude: ltc.AttitudeAcceptsUs, Holder: &ltc.Person{ID: "g-sam"}, Strength: 3, Erased: true, ErasedAt: &later}, ct,
			"%s: an erased contact keeps its id, its place in the power map and its holder, and nothing else", x.ID)
		assert.Equal(t, ct, *ch.Contact, "the read model gets the erased contact, without its notes")
		assert.True(t, ch.NotesChanged)
		state, _ := json.Marshal(ch.Account)
		events, _ := json.Marshal(ch.Events)
		for _, p := range personal {
			assert.NotContains(t, string(state), p, "the process keeps no personal data of an erased contact")
			assert.NotContains(t, string(events), p)
		}
		assert.Equal(t, ltc.EventContactErased, ch.Events[0].Type)
	}
	refused(t, a, gSR, ltc.EraseContact{ContactID: id}, later, ltc.KindPermission, "its owner, a sales_manager or executive whose scope holds emea/germany, or an admin")
	refused(t, a, frManager, ltc.EraseContact{ContactID: id}, later, ltc.KindPermission, "erasing a contact")
	refused(t, a, gSales, ltc.EraseContact{ContactID: "nobody"}, later, ltc.KindNotFound, "contact nobody not found")

	erased := accepted(t, a, gSales, ltc.EraseContact{ContactID: id}, later).Account
	refused(t, erased, gSales, ltc.EraseContact{ContactID: id}, later, ltc.KindPrecondition, "is erased already")
	refused(t, erased, gSales, ltc.UpdateContact{ContactID: id, Fields: []string{"name"}, Contact: ltc.Contact{Name: "Anna Huber"}}, later,
		ltc.KindPrecondition, "is erased and takes no changes")
	refused(t, erased, gSales, ltc.UpdateContact{ContactID: id, Fields: []string{"attitude"}, Contact: ltc.Contact{Attitude: ltc.AttitudeThreat}}, later,
		ltc.KindPrecondition, "is erased and takes no changes")
}
