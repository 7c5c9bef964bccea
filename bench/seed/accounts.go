package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// AccountCounts is what a seeding of accounts wrote.
type AccountCounts struct{ Accounts, Contacts int }

// Accounts makes accounts from (inclusive) to to (exclusive) and imports them in batches of one transaction each.
func Accounts(ctx context.Context, st *store.Store, from, to int) (AccountCounts, error) {
	var counts AccountCounts
	err := load(ctx, from, to, MakeAccount, func(b []store.ImportedAccount) error {
		if err := st.ImportAccounts(ctx, b); err != nil {
			return err
		}
		for _, a := range b {
			counts.Accounts++
			counts.Contacts += len(a.Contacts)
		}
		return nil
	})
	return counts, err
}

// accountRequest is the id of the n-th request made of the i-th account (the first creates it).
func accountRequest(i, n int) string {
	return uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "seed-account-%d/%d", i, n)).String()
}

// AccountID is the id of the i-th account.
func AccountID(i int) string { return ltc.AccountID(accountRequest(i, 1)) }

var (
	accountStems = []string{"Nordwind", "Helios", "Sino", "Atlas", "Kite", "Meridian", "Fuji", "Rhein", "Pacific", "Aurora",
		"Baltic", "Sakura", "Lotus", "Summit", "Delta", "Orion"}
	legalForms = []string{"GmbH", "AG", "SA", "Ltd", "plc", "KK", "Co., Ltd.", "Inc", "Corp"}
	// countries are the customers' regions, one for each of the Offices.
	countries = []string{"Germany", "France", "United Kingdom", "Japan", "China", "USA"}
)

// AccountName is the name of the i-th account: unique, with the account's number ("012345") as its distinctive part.
func AccountName(i int) string {
	return fmt.Sprintf("%s %s %06d %s", accountStems[i%len(accountStems)], industries[(i/len(accountStems))%len(industries)], i,
		legalForms[i%len(legalForms)])
}

var (
	accountGradeOdds = []int{5, 15, 40, 40} // S, A, B, C
	suppliers        = []ltc.SupplierState{ltc.SupplierNone, ltc.SupplierRegistered, ltc.SupplierCertified, ltc.SupplierShortListed}
	supplierOdds     = []int{30, 30, 25, 15}
	firstNames       = []string{"Anna", "Ben", "Chen", "Dana", "Emil", "Fatima", "Goro", "Hanna", "Ivan", "Julia", "Kenji", "Lena",
		"Marc", "Nora", "Omar", "Paul", "Qing", "Rosa", "Sven", "Tomoko", "Uwe", "Vera", "Wei", "Yuki"}
	lastNames = []string{"Keller", "Dubois", "Smith", "Tanaka", "Wang", "Miller", "Schmidt", "Martin", "Suzuki", "Li",
		"Brown", "Weber", "Laurent", "Sato", "Zhang", "Taylor"}
	departments = []string{"Executive Board", "Technology", "Finance", "Procurement", "Operations", "Network Planning",
		"IT", "Legal", "Strategy"}
	titlesByDepth = [][]string{
		{"Chief Executive Officer", "Managing Director", "President"},
		{"Chief Technology Officer", "Chief Financial Officer", "Chief Procurement Officer", "Chief Operating Officer"},
		{"Vice President", "Director", "Head of Department"},
		{"Senior Manager", "Manager", "Lead Engineer", "Buyer", "Architect"},
	}
	topRoles     = []ltc.ContactRole{ltc.ContactDecisionMaker, ltc.ContactInfluencer, ltc.ContactEvaluator, ltc.ContactGatekeeper, ltc.ContactCoach, ""}
	topRoleOdds  = []int{25, 35, 15, 10, 10, 5}
	roles        = []ltc.ContactRole{ltc.ContactInfluencer, ltc.ContactEvaluator, ltc.ContactUser, ltc.ContactGatekeeper, ltc.ContactCoach, ""}
	roleOdds     = []int{20, 30, 25, 5, 10, 10}
	attitudes    = []ltc.Attitude{ltc.AttitudeValuesUs, ltc.AttitudeAcceptsUs, ltc.AttitudeCommodity, ltc.AttitudeThreat, ""}
	attitudeOdds = []int{20, 40, 25, 10, 5}
	// relationship levels by grade: S and A customers are mostly strategic suppliers' and partners'.
	strategicLevelOdds = []int{10, 30, 40, 20}
	relationshipOdds   = []int{50, 35, 12, 3}
)

// accountBuilder takes one account through its changes, each made by ltc.RunAccount as its process makes it, as the
// person whose job it is.
type accountBuilder struct {
	rng                          *rand.Rand
	i, n                         int // the account's number, and the requests made of it
	now                          time.Time
	policy                       ltc.Policy
	owner, sr, fr, manager, exec ltc.Actor
	imported                     store.ImportedAccount
}

// run applies the command as the actor a few days after the last change, and folds the change into the account.
func (b *accountBuilder) run(cmd ltc.AccountCommand, as ltc.Actor, gap time.Duration) error {
	b.wait(gap)
	b.n++
	ch, err := ltc.RunAccount(cmd, b.imported.Account, ltc.Context{Actor: as, Now: b.now, Policy: b.policy,
		RequestID: accountRequest(b.i, b.n)})
	if err != nil {
		return fmt.Errorf("seed account %d: %T refused: %w", b.i, cmd, err)
	}
	b.imported.Fold(ch)
	return nil
}

// wait moves the clock on by gap, never past the Epoch: at most a quarter of the time left.
func (b *accountBuilder) wait(gap time.Duration) {
	b.now = b.now.Add(min(gap, Epoch.Sub(b.now)/4))
}

// days is a gap of 1 to n days.
func (b *accountBuilder) days(n int) time.Duration {
	return time.Duration(1+b.rng.IntN(n*24)) * time.Hour
}

// MakeAccount makes the i-th account: an owner in one of the Offices (the owners of the deals), a grade (S/A/B/C at
// about 5/15/40/40 %), S and A ones created by an executive with their team and on the target list more often, 1 to
// 30 contacts (about 10 on average, S and A ones more) forming an org chart by reports-to, with roles, attitudes
// and our relationship holders, then the relationship assessed, and for S and A accounts the year's plan and the
// quarterly reviews; about half have satisfaction scores.
func MakeAccount(i int) (store.ImportedAccount, error) {
	rng := rand.New(rand.NewPCG(uint64(i), 0xacc))
	k := rng.IntN(Owners)
	b := &accountBuilder{rng: rng, i: i, now: Epoch.Add(-time.Duration(rng.Int64N(int64(History)))), policy: ltc.DefaultPolicy(),
		owner: ltc.Actor{ID: Owner(k), Name: fmt.Sprintf("Owner %04d", k), Roles: []ltc.Role{ltc.RoleSales}, Unit: Office(k)},
		sr:    ltc.Actor{ID: Owner((k + 1) % Owners), Name: "Solution Responsible", Roles: []ltc.Role{ltc.RoleSales}},
		fr:    ltc.Actor{ID: Owner((k + 2) % Owners), Name: "Fulfilment Responsible", Roles: []ltc.Role{ltc.RoleSales}},
		manager: ltc.Actor{ID: fmt.Sprintf("manager-%02d", k%len(Offices)), Name: "Sales Manager",
			Roles: []ltc.Role{ltc.RoleSalesManager}, Unit: Office(k)},
		exec: ltc.Actor{ID: fmt.Sprintf("executive-%d", k%20), Name: "Executive", Roles: []ltc.Role{ltc.RoleExecutive},
			Authority: ltc.MaxAuthority},
	}
	if err := b.make(k); err != nil {
		return store.ImportedAccount{}, err
	}
	return b.imported, nil
}

func (b *accountBuilder) make(k int) error {
	rng := b.rng
	grade := pick(rng, ltc.CustomerGrades, accountGradeOdds)
	create := ltc.CreateAccount{Name: AccountName(b.i), Grade: grade, Industry: industries[rng.IntN(len(industries))],
		Region: countries[k%len(Offices)], Unit: b.owner.Unit, Owner: b.owner.Person(),
		Supplier: ltc.SupplierStatus{Status: pick(rng, suppliers, supplierOdds)}}
	if create.Supplier.Status != ltc.SupplierNone {
		create.Supplier.Expires = &ltc.Date{Year: Epoch.Year() + 1 + rng.IntN(2), Month: 1 + rng.IntN(12), Day: 1}
	}
	creator := b.owner
	switch {
	case grade.Strategic(): // graded S or A by an executive, with its iron triangle and a rationale
		creator = b.exec
		create.GradeRationale = "a top customer of its industry in the region, with a multi-year network programme"
		create.Team = ltc.Team{{Person: b.owner.Person(), Role: ltc.TeamAR}, {Person: b.sr.Person(), Role: ltc.TeamSR},
			{Person: b.fr.Person(), Role: ltc.TeamFR}}
		create.Target = rng.IntN(100) < map[ltc.CustomerGrade]int{ltc.GradeS: 80, ltc.GradeA: 40}[grade]
	case rng.IntN(100) < 40: // the office's sales manager records it, and keeps the target list
		creator = b.manager
		create.Target = rng.IntN(100) < 5
		if rng.IntN(2) == 0 {
			create.Team = ltc.Team{{Person: b.owner.Person(), Role: ltc.TeamAR}, {Person: b.sr.Person(), Role: ltc.TeamSR}}
		}
	}
	if err := b.run(create, creator, 0); err != nil {
		return err
	}

	// The org chart: the first contact heads it, each next one reports to someone added before.
	n := 1 + rng.IntN(15) // 1-15, about 8
	if grade.Strategic() {
		n = 10 + rng.IntN(21) // 10-30, about 20
	}
	depth := make([]int, n)
	ours := []ltc.Person{b.owner.Person()}
	for _, m := range b.imported.Account.Team {
		if m.Person.ID != b.owner.ID {
			ours = append(ours, m.Person)
		}
	}
	for j := range n {
		ct := ltc.Contact{Department: departments[0], Role: ltc.ContactDecisionMaker,
			Attitude: pick(rng, attitudes, attitudeOdds), HiddenDecider: rng.IntN(100) < 4, RisingStar: rng.IntN(100) < 6}
		if j > 0 {
			boss := rng.IntN(j)
			depth[j] = depth[boss] + 1
			ct.ReportsTo = b.imported.Contacts[boss].Contact.ID
			ct.Department = departments[rng.IntN(len(departments))]
			ct.Role = pick(rng, roles, roleOdds)
			if depth[j] == 1 {
				ct.Role = pick(rng, topRoles, topRoleOdds)
			}
		}
		first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
		ct.Name = first + " " + last
		titles := titlesByDepth[min(depth[j], len(titlesByDepth)-1)]
		ct.Title = titles[rng.IntN(len(titles))]
		ct.Email = fmt.Sprintf("%s.%s.%d@customer%06d.example", strings.ToLower(first), strings.ToLower(last), j, b.i)
		ct.Phone = fmt.Sprintf("+49 30 %07d", rng.IntN(1e7))
		if rng.IntN(100) < 70 {
			holder := ours[rng.IntN(len(ours))]
			ct.Holder, ct.Strength = &holder, 1+rng.IntN(ltc.MaxStrength)
		}
		if rng.IntN(100) < 30 {
			ct.Notes = "prefers short meetings; ask about the 5G roll-out"
		}
		as := b.owner
		if rng.IntN(5) == 0 {
			as = b.manager
		}
		if err := b.run(ltc.AddContact{Contact: ct}, as, b.days(5)); err != nil {
			return err
		}
	}

	// The relationship: assessed one to three times, by the owner or the manager.
	odds := relationshipOdds
	if grade.Strategic() {
		odds = strategicLevelOdds
	}
	for range 1 + rng.IntN(3) {
		score := func() int { return 1 + rng.IntN(ltc.MaxDimension) }
		as := b.owner
		if rng.IntN(3) == 0 {
			as = b.manager
		}
		r := ltc.RelationshipAssessment{Level: pick(rng, ltc.RelationshipLevels, odds), Communication: score(),
			BusinessFit: score(), JointUndertakings: score(), Identification: score(), Rationale: "after the quarter's meetings"}
		if err := b.run(ltc.AssessRelationship{Assessment: r}, as, b.days(60)); err != nil {
			return err
		}
	}
	if grade.Strategic() {
		a := b.imported.Account
		b.wait(b.days(10))
		plan := ltc.AccountPlan{Year: b.now.Year(), TargetLevel: ltc.LevelStrategicSupplier,
			TargetOrders: ltc.Money{Currency: "EUR", AmountMinor: int64(1+rng.IntN(50)) * 1e8},
			Objectives:   "a second framework contract; executive sponsor for the CTO"}
		if err := b.run(ltc.SetAccountPlan{Plan: plan}, b.owner, 0); err != nil {
			return err
		}
		// The quarterly reviews, one a quarter, with the heads of the org chart.
		for range rng.IntN(4) {
			b.wait(80*24*time.Hour + b.days(20))
			q := ltc.QuarterOf(b.now)
			if a = b.imported.Account; len(a.Reviews) > 0 && a.Reviews[len(a.Reviews)-1].Quarter == q {
				continue
			}
			review := ltc.RelationshipReview{Quarter: q, HeldOn: ltc.Date{Year: b.now.Year(), Month: int(b.now.Month()), Day: b.now.Day()},
				OurPeople: ours, Contacts: []string{a.Contacts[0].ID}, Conclusions: "the CTO backs the migration; procurement hesitates",
				Actions: "workshop with procurement", LevelAfter: a.Relationship.Level}
			if err := b.run(ltc.RecordRelationshipReview{Review: review}, b.owner, 0); err != nil {
				return err
			}
		}
	}
	if rng.IntN(2) == 0 {
		for range 1 + rng.IntN(4) {
			b.wait(90 * 24 * time.Hour)
			s := ltc.SatisfactionScore{Period: ltc.QuarterOf(b.now), Score: 50 + rng.IntN(51), Respondents: 1 + rng.IntN(20)}
			if err := b.run(ltc.RecordSatisfaction{Score: s}, b.owner, 0); err != nil {
				return err
			}
		}
	}
	return nil
}
