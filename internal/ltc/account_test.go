package ltc_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

// The cast of the account tests, beside the governance tests' (an account of emea/germany owned by g-sam): its
// team, a sales person of the office outside it, and LEGAL reviewers of the region and of another office.
var (
	gSR      = ltc.Actor{ID: "g-sara", Roles: []ltc.Role{ltc.RoleSales}, Unit: germany}
	gFR      = ltc.Actor{ID: "g-fred", Roles: []ltc.Role{ltc.RoleSales}, Unit: germany}
	gBid     = ltc.Actor{ID: "g-bea", Roles: []ltc.Role{ltc.RoleSales}, Unit: germany}
	gRep     = ltc.Actor{ID: "g-sue", Roles: []ltc.Role{ltc.RoleSales}, Unit: germany}
	gLegal   = ltc.Actor{ID: "g-leo", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionLegal}, Unit: "emea"}
	frLegal  = ltc.Actor{ID: "f-lea", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionLegal}, Unit: "emea/france"}
	gFinLead = ltc.Actor{ID: "g-fin", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionFinance}, Unit: germany}

	accountTeam = ltc.Team{{Person: gSales.Person(), Role: ltc.TeamAR}, {Person: gSR.Person(), Role: ltc.TeamSR},
		{Person: gFR.Person(), Role: ltc.TeamFR}, {Person: gBid.Person(), Role: ltc.TeamBidManager}}
)

// requests numbers the requests of the account tests, so each creates things of its own ids.
var requests int

// runAccount applies the command to the account as its process does, at now under the default policy.
func runAccount(a ltc.Account, x ltc.Actor, cmd ltc.AccountCommand, now time.Time) (ltc.AccountChange, error) {
	requests++
	return ltc.RunAccount(cmd, a, ltc.Context{Actor: x, Now: now, Policy: ltc.DefaultPolicy(), RequestID: fmt.Sprintf("req-%d", requests)})
}

// accepted applies the command, which must be accepted, and checks its events are the account's and carry the
// details their type declares.
func accepted(t *testing.T, a ltc.Account, x ltc.Actor, cmd ltc.AccountCommand, now time.Time) ltc.AccountChange {
	t.Helper()
	ch, err := runAccount(a, x, cmd, now)
	require.NoError(t, err)
	for _, e := range ch.Events {
		assert.Equal(t, ch.Account.ID, e.AccountID, e.Type)
		assert.Empty(t, e.DealID, "an account's event names no deal")
		assert.Equal(t, now, e.OccurredAt)
		details, ok := ltc.AccountEventDetails[e.Type]
		require.True(t, ok, "event type %s declares its details", e.Type)
		decoder := json.NewDecoder(bytes.NewReader(e.Data))
		decoder.DisallowUnknownFields()
		assert.NoError(t, decoder.Decode(reflect.New(reflect.TypeOf(details)).Interface()), "%s carries %T", e.Type, details)
	}
	return ch
}

// refused applies the command, which must be refused with the kind and a message saying says; a precondition
// names where the account stands.
func refused(t *testing.T, a ltc.Account, x ltc.Actor, cmd ltc.AccountCommand, now time.Time, kind ltc.Kind, says string) {
	t.Helper()
	_, err := runAccount(a, x, cmd, now)
	require.Error(t, err)
	assert.Equal(t, kind, ltc.KindOf(err), "%v", err)
	assert.ErrorContains(t, err, says)
	if kind == ltc.KindPrecondition {
		assert.ErrorContains(t, err, fmt.Sprintf("account %s is grade %s", a.ID, a.Grade))
	}
}

// newAccount is an account of emea/germany owned by g-sam with the account team, created at t0 by the office's
// executive (S, A) or sales manager (B, C).
func newAccount(t *testing.T, grade ltc.CustomerGrade) ltc.Account {
	by := gManager
	if grade.Strategic() {
		by = gExec1
	}
	return accepted(t, ltc.Account{}, by, ltc.CreateAccount{Name: "Bayern Tel AG", Grade: grade, Industry: "telecom",
		Region: "Bavaria", Unit: germany, Owner: gSales.Person(), Team: accountTeam, GradeRationale: "a top-ten operator"}, t0).Account
}

func TestCreateAccount(t *testing.T) {
	own := ltc.CreateAccount{Name: "Bayern Tel AG", Grade: ltc.GradeB, Unit: germany, Owner: gSales.Person()}
	ch := accepted(t, ltc.Account{}, gSales, own, t0)
	a := ch.Account
	assert.Equal(t, ltc.AccountID(fmt.Sprintf("req-%d", requests)), a.ID, "the id comes from the request")
	assert.Equal(t, ltc.GradeB, a.Grade)
	assert.Equal(t, ltc.SupplierNone, a.Supplier.Status)
	assert.Equal(t, gSales.Person(), a.CreatedBy)
	assert.Equal(t, []ltc.GradeChange{{To: ltc.GradeB, By: gSales.Person(), At: t0}}, a.GradeHistory, "the first grade is recorded")
	assert.Nil(t, a.Cadence, "a B account owes no reviews")
	require.Len(t, ch.Events, 1)
	assert.Equal(t, ltc.EventAccountCreated, ch.Events[0].Type)
	assert.Equal(t, []string{"user:g-sam"}, ch.Events[0].Recipients)

	strategic := ltc.CreateAccount{Name: "Bayern Tel AG", Grade: ltc.GradeS, Unit: germany, Owner: gSales.Person(),
		Team: accountTeam, Target: true, GradeRationale: "a top-ten operator"}
	a = accepted(t, ltc.Account{}, gExec1, strategic, t0).Account
	assert.Equal(t, ltc.GradeS, a.Grade)
	assert.True(t, a.Target)
	require.NotNil(t, a.Cadence)
	assert.Equal(t, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), a.Cadence.ReviewDue, "the first review is due at the quarter's end")
	assert.Equal(t, "a top-ten operator", a.GradeHistory[0].Rationale)

	forRep := own
	forRep.Owner = gRep.Person()
	assert.Equal(t, gRep.Person(), accepted(t, ltc.Account{}, gManager, forRep, t0).Account.Owner, "a manager creates for a rep")

	with := func(change func(*ltc.CreateAccount)) ltc.CreateAccount {
		cmd := strategic
		change(&cmd)
		return cmd
	}
	execOwner := ltc.Actor{ID: "g-boss", Roles: []ltc.Role{ltc.RoleSales, ltc.RoleExecutive}, Authority: 3, Unit: germany}
	for name, c := range map[string]struct {
		x    ltc.Actor
		cmd  ltc.CreateAccount
		kind ltc.Kind
		says string
	}{
		"a reviewer":                       {gLegal, own, ltc.KindPermission, "sales, sales_manager or executive role"},
		"an admin, who administers":        {opsAdmin, own, ltc.KindPermission, "sales, sales_manager or executive role"},
		"a rep for another unit":           {gSales, with(func(c *ltc.CreateAccount) { c.Unit, c.Grade = "emea/france", ltc.GradeB }), ltc.KindPermission, "you are in emea/germany"},
		"a rep for another owner":          {gSales, func() ltc.CreateAccount { c := own; c.Owner = gRep.Person(); return c }(), ltc.KindPermission, "owned by someone else"},
		"a rep on the target list":         {gSales, func() ltc.CreateAccount { c := own; c.Target = true; return c }(), ltc.KindPermission, "target account list"},
		"a rep grading S":                  {gSales, with(func(c *ltc.CreateAccount) { c.Target = false }), ltc.KindPermission, "needs an executive whose scope holds emea/germany"},
		"a manager grading A":              {gManager, with(func(c *ltc.CreateAccount) { c.Grade = ltc.GradeA }), ltc.KindPermission, "needs an executive"},
		"an executive grading their own S": {execOwner, with(func(c *ltc.CreateAccount) { c.Owner = execOwner.Person() }), ltc.KindPermission, "separation of duties"},
		"an executive on the team grading A": {gExec1, with(func(c *ltc.CreateAccount) {
			c.Grade, c.Team = ltc.GradeA, append(accountTeam, ltc.TeamMember{Person: gExec1.Person(), Role: ltc.TeamFinance})
		}), ltc.KindPermission, "on its team"},
		"an executive of another region": {apacExec2, strategic, ltc.KindPermission, "you are in apac/japan"},
		"S without a rationale":          {gExec1, with(func(c *ltc.CreateAccount) { c.GradeRationale = " " }), ltc.KindInvalid, "the grade's rationale is required"},
		"no name":                        {gExec1, with(func(c *ltc.CreateAccount) { c.Name = "" }), ltc.KindInvalid, "the account's name is required"},
		"a name too long":                {gExec1, with(func(c *ltc.CreateAccount) { c.Name = strings.Repeat("名", 201) }), ltc.KindInvalid, "201 characters; at most 200"},
		"a NUL in the industry":          {gExec1, with(func(c *ltc.CreateAccount) { c.Industry = "tele\x00com" }), ltc.KindInvalid, "industry must not contain control character"},
		"an unknown grade":               {gExec1, with(func(c *ltc.CreateAccount) { c.Grade = "AA" }), ltc.KindInvalid, `grade "AA"`},
		"a unit that is no unit":         {gExec1, with(func(c *ltc.CreateAccount) { c.Unit = "EMEA" }), ltc.KindInvalid, "org unit"},
		"no owner":                       {gExec1, with(func(c *ltc.CreateAccount) { c.Owner = ltc.Person{} }), ltc.KindInvalid, "owner id is required"},
		"an unknown team role":           {gExec1, with(func(c *ltc.CreateAccount) { c.Team = ltc.Team{{Person: gSR.Person(), Role: "CHEF"}} }), ltc.KindInvalid, `unknown team role "CHEF"`},
		"a supplier status of NONE that expires": {gExec1, with(func(c *ltc.CreateAccount) {
			c.Supplier = ltc.SupplierStatus{Status: ltc.SupplierNone, Expires: &ltc.Date{Year: 2027, Month: 1, Day: 1}}
		}), ltc.KindInvalid, "NONE does not expire"},
	} {
		t.Run(name, func(t *testing.T) { refused(t, ltc.Account{}, c.x, c.cmd, t0, c.kind, c.says) })
	}
	refused(t, a, gExec1, strategic, t0, ltc.KindConflict, "exists already")
}

func TestGradeAccount(t *testing.T) {
	b, s := newAccount(t, ltc.GradeB), newAccount(t, ltc.GradeS)
	teamExec := ltc.Actor{ID: gBid.ID, Roles: []ltc.Role{ltc.RoleSales, ltc.RoleExecutive}, Authority: 2, Unit: germany}
	ownerExec := ltc.Actor{ID: gSales.ID, Roles: []ltc.Role{ltc.RoleSales, ltc.RoleExecutive}, Authority: 3, Unit: germany}
	for name, c := range map[string]struct {
		a     ltc.Account
		x     ltc.Actor
		grade ltc.CustomerGrade
		kind  ltc.Kind
		says  string
	}{
		"the owner grades B to C":                  {b, gSales, ltc.GradeC, "", ""},
		"the office's manager grades B to C":       {b, gManager, ltc.GradeC, "", ""},
		"another office's manager does not":        {b, frManager, ltc.GradeC, ltc.KindPermission, "its owner, or a sales_manager or executive whose scope holds emea/germany"},
		"a team member does not grade B to C":      {b, gSR, ltc.GradeC, ltc.KindPermission, "its owner"},
		"the office's executive grades B to S":     {b, gExec1, ltc.GradeS, "", ""},
		"the region's executive grades B to A":     {b, emeaExec2, ltc.GradeA, "", ""},
		"a sales person grading S":                 {b, gSales, ltc.GradeS, ltc.KindPermission, "needs an executive"},
		"a manager grading A":                      {b, gManager, ltc.GradeA, ltc.KindPermission, "needs an executive"},
		"an executive grading their own account S": {b, ownerExec, ltc.GradeS, ltc.KindPermission, "you own the account"},
		"an executive on the team grading it A":    {b, teamExec, ltc.GradeA, ltc.KindPermission, "you are on its team"},
		"another region's executive":               {b, apacExec2, ltc.GradeS, ltc.KindPermission, "needs an executive whose scope holds emea/germany"},
		"the owner taking S to B":                  {s, gSales, ltc.GradeB, ltc.KindPermission, "from S to B needs an executive"},
		"a manager taking S to C":                  {s, gManager, ltc.GradeC, ltc.KindPermission, "from S to C needs an executive"},
		"the executive taking S to B":              {s, gExec1, ltc.GradeB, "", ""},
		"the executive taking S to A":              {s, gExec1, ltc.GradeA, "", ""},
		"an unknown grade":                         {b, gExec1, "Z", ltc.KindInvalid, `grade "Z"`},
		"the grade it has":                         {b, gSales, ltc.GradeB, ltc.KindPrecondition, "has grade B already"},
		"an account never created":                 {ltc.Account{}, gExec1, ltc.GradeS, ltc.KindNotFound, "account not found"},
	} {
		t.Run(name, func(t *testing.T) {
			cmd := ltc.GradeAccount{Grade: c.grade, Rationale: "the market moved"}
			if c.kind != "" {
				refused(t, c.a, c.x, cmd, t0.Add(time.Hour), c.kind, c.says)
				return
			}
			ch := accepted(t, c.a, c.x, cmd, t0.Add(time.Hour))
			assert.Equal(t, c.grade, ch.Account.Grade)
			assert.Equal(t, ltc.GradeChange{From: c.a.Grade, To: c.grade, Rationale: "the market moved", By: c.x.Person(), At: t0.Add(time.Hour)},
				ch.Account.GradeHistory[len(ch.Account.GradeHistory)-1])
			assert.Len(t, ch.Account.GradeHistory, len(c.a.GradeHistory)+1, "every grade change is recorded")
			assert.Equal(t, c.grade.Strategic(), ch.Account.Cadence != nil, "S and A owe reviews, B and C none")
			assert.Contains(t, ch.Events[0].Recipients, "role:sales_manager@emea/germany")
		})
	}
	refused(t, b, gExec1, ltc.GradeAccount{Grade: ltc.GradeS}, t0, ltc.KindInvalid, "the grade's rationale is required")
}

func TestUpdateAccount(t *testing.T) {
	a := newAccount(t, ltc.GradeA)
	expires := ltc.Date{Year: 2028, Month: 6, Day: 30}
	ch := accepted(t, a, gSales, ltc.UpdateAccount{Fields: []string{"industry", "region", "supplier"}, Industry: "energy",
		Region: "Bayern", Name: "ignored", Supplier: ltc.SupplierStatus{Status: ltc.SupplierShortListed, Expires: &expires}}, t0)
	next := ch.Account
	assert.Equal(t, "energy", next.Industry)
	assert.Equal(t, "Bayern", next.Region)
	assert.Equal(t, "Bayern Tel AG", next.Name, "fields the update does not name stay")
	assert.Equal(t, ltc.SupplierShortListed, next.Supplier.Status)
	assert.Equal(t, expires, *next.Supplier.Expires)
	var details ltc.AccountUpdateDetails
	require.NoError(t, json.Unmarshal(ch.Events[0].Data, &details))
	assert.Equal(t, []string{"industry", "region", "supplier"}, details.Fields)
	assert.Equal(t, "telecom", details.Before.Industry)

	assert.Equal(t, "Bayern Telekom AG", accepted(t, a, gSR, ltc.UpdateAccount{Fields: []string{"name"}, Name: "Bayern Telekom AG"}, t0).Account.Name,
		"the SR updates the account")
	moved := accepted(t, a, gManager, ltc.UpdateAccount{Fields: []string{"owner", "target"}, Owner: gSR.Person(), Target: true}, t0)
	assert.Equal(t, gSR.Person(), moved.Account.Owner)
	assert.True(t, moved.Account.Target)
	assert.ElementsMatch(t, []string{"user:g-sam", "user:g-sara", "user:g-fred", "user:g-bea"}, moved.Events[0].Recipients,
		"the owners before and after and the team are told")
	smaller := accepted(t, a, gSales, ltc.UpdateAccount{Fields: []string{"team"}, Team: accountTeam[:1]}, t0)
	assert.Equal(t, accountTeam[:1], smaller.Account.Team, "an account's team needs no iron triangle")

	for name, c := range map[string]struct {
		x    ltc.Actor
		cmd  ltc.UpdateAccount
		kind ltc.Kind
		says string
	}{
		"a team member outside the core": {gBid, ltc.UpdateAccount{Fields: []string{"industry"}}, ltc.KindPermission, "its AR, SR or FR"},
		"a rep outside the team":         {gRep, ltc.UpdateAccount{Fields: []string{"industry"}}, ltc.KindPermission, "updating account"},
		"another office's manager":       {frManager, ltc.UpdateAccount{Fields: []string{"industry"}}, ltc.KindPermission, "updating account"},
		"the owner giving it away":       {gSales, ltc.UpdateAccount{Fields: []string{"owner"}, Owner: gRep.Person()}, ltc.KindPermission, "the owner of account"},
		"the owner on the target list":   {gSales, ltc.UpdateAccount{Fields: []string{"target"}, Target: true}, ltc.KindPermission, "the target of account"},
		"no fields":                      {gSales, ltc.UpdateAccount{Name: "x"}, ltc.KindInvalid, "names the fields it changes"},
		"an unknown field":               {gSales, ltc.UpdateAccount{Fields: []string{"grade"}}, ltc.KindInvalid, `unknown account field "grade"`},
		"an empty name":                  {gSales, ltc.UpdateAccount{Fields: []string{"name"}}, ltc.KindInvalid, "the account's name is required"},
		"a team with a person twice":     {gSales, ltc.UpdateAccount{Fields: []string{"team"}, Team: append(accountTeam, accountTeam[0])}, ltc.KindInvalid, "holds AR twice"},
		"an unknown supplier status":     {gSales, ltc.UpdateAccount{Fields: []string{"supplier"}, Supplier: ltc.SupplierStatus{Status: "FRIEND"}}, ltc.KindInvalid, `supplier status "FRIEND"`},
	} {
		t.Run(name, func(t *testing.T) { refused(t, a, c.x, c.cmd, t0, c.kind, c.says) })
	}
	refused(t, ltc.Account{}, gManager, ltc.UpdateAccount{Fields: []string{"name"}, Name: "x"}, t0, ltc.KindNotFound, "not found")
}

func TestWhoReadsAnAccountAndItsPeople(t *testing.T) {
	a := newAccount(t, ltc.GradeA)
	a = accepted(t, a, gSales, ltc.AddContact{Contact: ltc.Contact{Name: "Dr. Huber", Email: "huber@bayern.example"}}, t0).Account
	for _, c := range []struct {
		name           string
		x              ltc.Actor
		reads, persons bool
	}{
		{"the owner", gSales, true, true},
		{"a team member", gBid, true, true},
		{"the creator", gExec1, true, true},
		{"the office's manager", gManager, true, true},
		{"another office's manager", frManager, false, false},
		{"the region's executive", emeaExec2, true, true},
		{"another region's executive", apacExec2, false, false},
		{"corporate", corpExec3, true, true},
		{"a LEGAL reviewer of the region", gLegal, true, false},
		{"a reviewer of another region", apFinance, false, false},
		{"a system with the read scope", crmReader, true, false},
		{"an admin", opsAdmin, true, false},
		{"a rep of the office outside the team", gRep, false, false},
	} {
		assert.Equal(t, c.reads, a.CanRead(c.x), c.name+": the account")
		assert.Equal(t, c.persons, a.CanReadPersonalData(c.x), c.name+": its people")
	}
	anonymous := a.WithoutPersonalData()
	assert.Empty(t, anonymous.Contacts[0].Name)
	assert.Empty(t, anonymous.Contacts[0].Email)
	assert.Equal(t, a.Contacts[0].ID, anonymous.Contacts[0].ID)
	assert.Equal(t, "Dr. Huber", a.Contacts[0].Name, "the account itself keeps them")
}

// TestAccountEventTypesListsTheWholeCatalogue: every Event* constant of accountevent.go is in AccountEventTypes
// and declares its details, and the one catalogue (EventTypes) holds it.
func TestAccountEventTypesListsTheWholeCatalogue(t *testing.T) {
	src, err := readConstants("accountevent.go")
	require.NoError(t, err)
	assert.ElementsMatch(t, src, ltc.AccountEventTypes)
	for _, typ := range ltc.AccountEventTypes {
		assert.Contains(t, ltc.AccountEventDetails, typ)
		assert.True(t, slices.Contains(ltc.EventTypes, typ), "%s is in the catalogue", typ)
	}
	assert.Len(t, ltc.AccountEventDetails, len(ltc.AccountEventTypes))
}

func itoa(n int) string { return fmt.Sprint(n) }
