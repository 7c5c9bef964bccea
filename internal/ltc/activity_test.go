package ltc_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ltcengine/ltc/internal/ltc"
)

func cny(minor int64) *ltc.Money { return &ltc.Money{Currency: "CNY", AmountMinor: minor} }

// gift is a gift to the account's first contact on the date, of the value, recorded in the state.
func gift(a ltc.Account, value *ltc.Money, state ltc.ActivityState) ltc.RecordActivity {
	return ltc.RecordActivity{Activity: ltc.Activity{Kind: ltc.ActivityGift, Date: ltc.Date{Year: 2026, Month: 11, Day: 20},
		OurPeople: []ltc.Person{gSales.Person()}, Contacts: []string{a.Contacts[0].ID}, Subject: "a book for the CTO",
		Value: value, State: state}}
}

func TestRecordActivity(t *testing.T) {
	a := withContacts(t, newAccount(t, ltc.GradeA), 1, false)
	when := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	visit := ltc.RecordActivity{Activity: ltc.Activity{Kind: ltc.ActivityCompanyVisit, Date: ltc.Date{Year: 2026, Month: 11, Day: 24},
		OurPeople: []ltc.Person{gSales.Person(), gSR.Person()}, Contacts: []string{a.Contacts[0].ID}, Subject: "factory tour",
		Outcome: "interested in the 5G core", State: ltc.ActivityHeld}}

	ch := accepted(t, a, gSR, visit, when)
	require.NotNil(t, ch.Activity)
	assert.Equal(t, ltc.ActivityID("req-"+itoa(requests)), ch.Activity.ID)
	assert.Equal(t, ltc.ComplianceNotNeeded, ch.Activity.Review)
	assert.Equal(t, gSR.Person(), ch.Activity.LoggedBy)
	assert.Equal(t, visit.Activity.Date, *ch.Activity.HeldOn)
	assert.Empty(t, ch.Account.OpenActivities, "a held activity leaves the state for the read model")
	assert.Equal(t, 1, ch.Account.ActivitiesRecorded)
	assert.Empty(t, ch.Events[0].Recipients)

	for name, value := range map[string]*ltc.Money{"below the threshold": cny(300_00), "at the threshold": cny(500_00)} {
		ch := accepted(t, a, gSales, gift(a, value, ltc.ActivityHeld), when)
		assert.Equal(t, ltc.ComplianceNotNeeded, ch.Activity.Review, name)
		assert.Equal(t, ltc.ActivityHeld, ch.Activity.State, name)
	}

	planned := accepted(t, a, gSales, gift(a, cny(800_00), ltc.ActivityPlanned), when)
	assert.Equal(t, ltc.CompliancePending, planned.Activity.Review)
	assert.Equal(t, []ltc.Activity{*planned.Activity}, planned.Account.OpenActivities)
	assert.Equal(t, []string{"function:LEGAL@emea/germany"}, planned.Events[0].Recipients, "LEGAL of the account's unit is told")
	euros := accepted(t, a, gSales, gift(a, &ltc.Money{Currency: "EUR", AmountMinor: 1_00}, ltc.ActivityPlanned), when)
	assert.Equal(t, ltc.CompliancePending, euros.Activity.Review, "a value in another currency always needs the review")

	erased := accepted(t, a, gSales, ltc.EraseContact{ContactID: a.Contacts[0].ID}, when).Account
	with := func(change func(*ltc.Activity)) ltc.RecordActivity {
		cmd := gift(a, cny(100_00), ltc.ActivityHeld)
		change(&cmd.Activity)
		return cmd
	}
	for name, c := range map[string]struct {
		a    ltc.Account
		x    ltc.Actor
		cmd  ltc.RecordActivity
		kind ltc.Kind
		says string
	}{
		"a gift above the threshold as HELD":  {a, gSales, gift(a, cny(800_00), ltc.ActivityHeld), ltc.KindPrecondition, "needs a LEGAL review before it takes place: record it PLANNED"},
		"a gift in another currency as HELD":  {a, gSales, gift(a, &ltc.Money{Currency: "EUR", AmountMinor: 1_00}, ltc.ActivityHeld), ltc.KindPrecondition, "GIFT of 1.00 EUR (above 500.00 CNY, or in another currency)"},
		"a rep outside the team":              {a, gRep, visit, ltc.KindPermission, "recording an activity"},
		"a gift without its value":            {a, gSales, gift(a, nil, ltc.ActivityHeld), ltc.KindInvalid, "a GIFT carries its value"},
		"hospitality without its value":       {a, gSales, with(func(x *ltc.Activity) { x.Kind, x.Value = ltc.ActivityHospitality, nil }), ltc.KindInvalid, "a HOSPITALITY carries its value"},
		"a visit with a value":                {a, gSales, with(func(x *ltc.Activity) { x.Kind = ltc.ActivityExecutiveVisit }), ltc.KindInvalid, "only a GIFT, HOSPITALITY or TRAVEL carries a value"},
		"a value that is no money":            {a, gSales, gift(a, &ltc.Money{Currency: "yen", AmountMinor: 1}, ltc.ActivityHeld), ltc.KindInvalid, "currency code"},
		"a negative value":                    {a, gSales, gift(a, cny(-1), ltc.ActivityHeld), ltc.KindInvalid, "amount from 0"},
		"an unknown kind":                     {a, gSales, with(func(x *ltc.Activity) { x.Kind = "PARTY" }), ltc.KindInvalid, `activity kind "PARTY"`},
		"recorded CANCELLED":                  {a, gSales, with(func(x *ltc.Activity) { x.State = ltc.ActivityCancelled }), ltc.KindInvalid, "PLANNED or HELD"},
		"held tomorrow":                       {a, gSales, with(func(x *ltc.Activity) { x.Date = ltc.Date{Year: 2026, Month: 11, Day: 26} }), ltc.KindInvalid, "not after today"},
		"no date":                             {a, gSales, with(func(x *ltc.Activity) { x.Date = ltc.Date{} }), ltc.KindInvalid, "calendar date"},
		"no subject":                          {a, gSales, with(func(x *ltc.Activity) { x.Subject = "" }), ltc.KindInvalid, "subject is required"},
		"a stranger attending":                {a, gSales, with(func(x *ltc.Activity) { x.Contacts = []string{"nobody"} }), ltc.KindInvalid, "contact nobody is no contact of account"},
		"one of ours without an id":           {a, gSales, with(func(x *ltc.Activity) { x.OurPeople = []ltc.Person{{Name: "Sam"}} }), ltc.KindInvalid, "our attendee id is required"},
		"an erased contact in a new activity": {erased, gSales, gift(erased, cny(100_00), ltc.ActivityHeld), ltc.KindPrecondition, "is erased and takes part in no new activity"},
		"an account never created":            {ltc.Account{}, gSales, visit, ltc.KindNotFound, "not found"},
	} {
		t.Run(name, func(t *testing.T) { refused(t, c.a, c.x, c.cmd, when, c.kind, c.says) })
	}
}

func TestTheLegalReviewOfAnActivity(t *testing.T) {
	when := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	legalOnTeam := ltc.Actor{ID: gBid.ID, Roles: []ltc.Role{ltc.RoleSales, ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{ltc.FunctionLegal}, Unit: germany}
	a := withContacts(t, newAccount(t, ltc.GradeA), 1, false)
	hospitality := gift(a, cny(2_000_00), ltc.ActivityPlanned)
	hospitality.Activity.Kind = ltc.ActivityHospitality
	hospitality.Activity.OurPeople = []ltc.Person{gSales.Person(), gLegal.Person()}
	attended := accepted(t, a, gSales, hospitality, when)
	logged := accepted(t, a, legalOnTeam, gift(a, cny(900_00), ltc.ActivityPlanned), when)
	pending := accepted(t, a, gSR, gift(a, cny(900_00), ltc.ActivityPlanned), when)
	id := pending.Activity.ID
	review := func(id string, result ltc.ComplianceReview) ltc.ReviewActivity {
		return ltc.ReviewActivity{ActivityID: id, Result: result, Rationale: "within the customer's gift policy"}
	}

	approved := accepted(t, pending.Account, gLegal, review(id, ltc.ComplianceApproved), when)
	assert.Equal(t, ltc.ComplianceApproved, approved.Activity.Review)
	assert.Equal(t, gLegal.Person(), *approved.Activity.Reviewer)
	assert.Equal(t, "within the customer's gift policy", approved.Activity.ReviewRationale)
	assert.Equal(t, []ltc.Activity{*approved.Activity}, approved.Account.OpenActivities, "approved and not yet held, it stays open")
	assert.Equal(t, []string{"user:g-sara", "user:g-sam"}, approved.Events[0].Recipients)
	assert.Equal(t, ltc.ComplianceRejected, accepted(t, pending.Account, legalOnTeam, review(id, ltc.ComplianceRejected), when).Activity.Review,
		"a team member with LEGAL reviews what they neither logged nor attend")

	for name, c := range map[string]struct {
		a    ltc.Account
		x    ltc.Actor
		cmd  ltc.ReviewActivity
		kind ltc.Kind
		says string
	}{
		"a LEGAL reviewer who logged it":   {logged.Account, legalOnTeam, review(logged.Activity.ID, ltc.ComplianceApproved), ltc.KindPermission, "you logged it"},
		"a LEGAL reviewer who attends it":  {attended.Account, gLegal, review(attended.Activity.ID, ltc.ComplianceApproved), ltc.KindPermission, "you take part in it"},
		"a FINANCE reviewer":               {pending.Account, gFinLead, review(id, ltc.ComplianceApproved), ltc.KindPermission, "the LEGAL function in a unit holding emea/germany"},
		"a LEGAL reviewer of another unit": {pending.Account, frLegal, review(id, ltc.ComplianceApproved), ltc.KindPermission, "the LEGAL function in a unit holding emea/germany"},
		"the account's manager":            {pending.Account, gManager, review(id, ltc.ComplianceApproved), ltc.KindPermission, "reviewer role"},
		"the owner":                        {pending.Account, gSales, review(id, ltc.ComplianceApproved), ltc.KindPermission, "reviewer role"},
		"no rationale":                     {pending.Account, gLegal, ltc.ReviewActivity{ActivityID: id, Result: ltc.ComplianceApproved}, ltc.KindInvalid, "rationale is required"},
		"a result that decides nothing":    {pending.Account, gLegal, review(id, ltc.CompliancePending), ltc.KindInvalid, "APPROVED"},
		"a second review":                  {approved.Account, gLegal, review(id, ltc.ComplianceRejected), ltc.KindPrecondition, "is APPROVED by its review; only a PENDING review is decided"},
		"an activity needing no review":    {accepted(t, a, gSales, gift(a, cny(100_00), ltc.ActivityPlanned), when).Account, gLegal, review(ltc.ActivityID("req-"+itoa(requests)), ltc.ComplianceApproved), ltc.KindPrecondition, "is NOT_NEEDED"},
		"an activity that is not open":     {pending.Account, gLegal, review("nothing", ltc.ComplianceApproved), ltc.KindNotFound, "activity nothing not found"},
	} {
		t.Run(name, func(t *testing.T) { refused(t, c.a, c.x, c.cmd, when, c.kind, c.says) })
	}
}

func TestCompleteActivity(t *testing.T) {
	when := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	later := when.Add(5 * 24 * time.Hour)
	a := withContacts(t, newAccount(t, ltc.GradeA), 1, false)
	pending := accepted(t, a, gSR, gift(a, cny(900_00), ltc.ActivityPlanned), when)
	id := pending.Activity.ID
	rejected := accepted(t, pending.Account, gLegal, ltc.ReviewActivity{ActivityID: id, Result: ltc.ComplianceRejected, Rationale: "too much"}, when).Account
	approved := accepted(t, pending.Account, gLegal, ltc.ReviewActivity{ActivityID: id, Result: ltc.ComplianceApproved, Rationale: "fine"}, when).Account
	heldOn := ltc.Date{Year: 2026, Month: 11, Day: 28}
	held := ltc.CompleteActivity{ActivityID: id, HeldOn: heldOn, Outcome: "well received"}

	ch := accepted(t, approved, gSR, held, later)
	assert.Equal(t, ltc.ActivityHeld, ch.Activity.State)
	assert.Equal(t, heldOn, *ch.Activity.HeldOn)
	assert.Equal(t, "well received", ch.Activity.Outcome)
	assert.Equal(t, ltc.ComplianceApproved, ch.Activity.Review)
	assert.Empty(t, ch.Account.OpenActivities, "a held activity leaves the state")

	for name, from := range map[string]ltc.Account{"pending": pending.Account, "rejected": rejected} {
		ch := accepted(t, from, gSales, ltc.CompleteActivity{ActivityID: id, Cancel: true, Outcome: "the customer declined"}, later)
		assert.Equal(t, ltc.ActivityCancelled, ch.Activity.State, name)
		assert.Nil(t, ch.Activity.HeldOn, name)
		assert.Empty(t, ch.Account.OpenActivities, name+": a cancelled activity leaves the state")
	}

	for name, c := range map[string]struct {
		a    ltc.Account
		x    ltc.Actor
		cmd  ltc.CompleteActivity
		kind ltc.Kind
		says string
	}{
		"held while its review is pending": {pending.Account, gSR, held, ltc.KindPrecondition, "awaits its LEGAL review"},
		"held though its review rejected":  {rejected, gSR, held, ltc.KindPrecondition, "was rejected by its LEGAL review and does not take place; cancel it"},
		"held on a later day than today":   {approved, gSR, ltc.CompleteActivity{ActivityID: id, HeldOn: ltc.Date{Year: 2026, Month: 12, Day: 31}}, ltc.KindInvalid, "not after today"},
		"held on no date":                  {approved, gSR, ltc.CompleteActivity{ActivityID: id}, ltc.KindInvalid, "the calendar date it was held on"},
		"by a rep outside the team":        {approved, gRep, held, ltc.KindPermission, "completing an activity"},
		"by the LEGAL reviewer":            {approved, gLegal, held, ltc.KindPermission, "completing an activity"},
		"an activity not open":             {ch.Account, gSR, held, ltc.KindNotFound, "not found among the open activities"},
	} {
		t.Run(name, func(t *testing.T) { refused(t, c.a, c.x, c.cmd, later, c.kind, c.says) })
	}
}
