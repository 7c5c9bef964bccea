// Package seed makes realistic deals for the read-path benchmark and writes them through store.Import. Each deal
// is built by the domain's own functions, step by step as the engine would take it, each step checked by its rule
// first, with the events the engine writes; a deal depends only on its index, so a database can be grown from
// 10^4 to 10^6 deals in place.
package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// The spread of the seeded deals.
const (
	Owners    = 2000  // account managers owning deals, Owner(0) to Owner(Owners-1)
	Customers = 20000 // customers, Customer(0) to Customer(Customers-1)
	// History is how far before Epoch deals are created, evenly.
	History = 3 * 365 * 24 * time.Hour
)

// Epoch is the "now" of the seeded data: no step happens after it.
var Epoch = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// Owner is the id of the k-th account manager.
func Owner(k int) string { return fmt.Sprintf("owner-%04d", k) }

// Offices are the org units deals belong to: the k-th account manager works in Office(k), and so do their deals.
// The dev people's German office is the first.
var Offices = []ltc.Unit{"emea/germany", "emea/france", "emea/uk", "apac/japan", "apac/china", "americas/usa"}

// Office is the org unit of the k-th account manager.
func Office(k int) ltc.Unit { return Offices[k%len(Offices)] }

var industries = []string{"Telecom", "Energy", "Transport", "Finance", "Health", "Government", "Retail", "Media"}

// Customer is the name of the k-th customer.
func Customer(k int) string { return fmt.Sprintf("Customer %05d %s", k, industries[k%len(industries)]) }

// DealID is the id of the i-th deal (its lead's, which the deal keeps).
func DealID(i int) string { return ltc.LeadID(fmt.Sprintf("seed-%d", i)) }

// Counts is what a seeding wrote.
type Counts struct{ Leads, Opportunities, Decisions, Events int }

const batchSize = 2000

// Deals makes deals from (inclusive) to to (exclusive) and imports them in batches of one transaction each.
func Deals(ctx context.Context, st *store.Store, from, to int) (Counts, error) {
	var counts Counts
	err := load(ctx, from, to, MakeDeal, func(b []store.Deal) error {
		if err := st.Import(ctx, b); err != nil {
			return err
		}
		for _, d := range b {
			counts.Leads++
			counts.Events += len(d.Events)
			if d.Opportunity != nil {
				counts.Opportunities++
				counts.Decisions += len(d.Opportunity.Decisions)
			}
		}
		return nil
	})
	return counts, err
}

// load makes the items from (inclusive) to to (exclusive) and writes them in batches. Batches are made in
// parallel and written in order, so the event log's order follows the items'.
func load[T any](ctx context.Context, from, to int, makeItem func(i int) (T, error), write func([]T) error) error {
	batches := make(chan []T, 4)
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(batches)
		makers := max(1, runtime.NumCPU()-1)
		for start := from; start < to; start += batchSize * makers {
			made := make([][]T, makers)
			var mg errgroup.Group
			for m := range makers {
				lo := start + m*batchSize
				hi := min(lo+batchSize, to)
				mg.Go(func() error {
					for i := lo; i < hi; i++ {
						item, err := makeItem(i)
						if err != nil {
							return err
						}
						made[m] = append(made[m], item)
					}
					return nil
				})
			}
			if err := mg.Wait(); err != nil {
				return err
			}
			for _, b := range made {
				if len(b) == 0 {
					continue
				}
				select {
				case batches <- b:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		}
		return nil
	})
	g.Go(func() error {
		for b := range batches {
			if err := write(b); err != nil {
				return err
			}
		}
		return nil
	})
	return g.Wait()
}

// fate is where a deal ends up: open at a stage, or closed with an outcome.
type fate struct {
	stage   ltc.Stage   // the stage it stays open in, or CLOSED
	outcome ltc.Outcome // for a closed deal
}

// pick chooses among weighted options.
func pick[T any](rng *rand.Rand, options []T, weights []int) T {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := rng.IntN(total)
	for i, w := range weights {
		if n < w {
			return options[i]
		}
		n -= w
	}
	return options[len(options)-1]
}

var (
	openStages  = []ltc.Stage{ltc.StageValidation, ltc.StageInitiationReview, ltc.StageTeamFormation, ltc.StagePursuit, ltc.StageATBReview, ltc.StageBidding, ltc.StageNegotiation, ltc.StageATCReview, ltc.StageContractSigning, ltc.StageHandover}
	openWeights = []int{20, 10, 6, 22, 8, 12, 8, 5, 4, 5}
	outcomes    = []ltc.Outcome{ltc.OutcomeWon, ltc.OutcomeLost, ltc.OutcomeNoBid, ltc.OutcomeNotPursued, ltc.OutcomeAbandoned, ltc.OutcomeCancelled}
	outcomeOdds = []int{30, 30, 12, 12, 10, 6}
	currencies  = []string{"EUR", "USD", "CNY", "GBP"}
	// rates are finance's rates into EUR, the policy's base currency, that the seeded gates find the level with.
	rates = []ltc.ExchangeRate{
		{EffectiveDate: ltc.Date{Year: 2020, Month: 1, Day: 1}, From: "USD", To: "EUR", Rate: "0.9235"},
		{EffectiveDate: ltc.Date{Year: 2020, Month: 1, Day: 1}, From: "CNY", To: "EUR", Rate: "0.1281"},
		{EffectiveDate: ltc.Date{Year: 2020, Month: 1, Day: 1}, From: "GBP", To: "EUR", Rate: "1.1700"},
	}
	currencyOdds = []int{40, 30, 25, 5}
	grades       = []ltc.CustomerGrade{ltc.GradeS, ltc.GradeA, ltc.GradeB, ltc.GradeC}
	gradeOdds    = []int{5, 20, 40, 35}
	functions    = []ltc.ReviewFunction{ltc.FunctionFinance, ltc.FunctionLegal, ltc.FunctionDelivery, ltc.FunctionSolution}
)

// MakeDeal makes the i-th deal.
func MakeDeal(i int) (store.Deal, error) {
	rng := rand.New(rand.NewPCG(uint64(i), 0x17c))
	created := Epoch.Add(-time.Duration(rng.Int64N(int64(History))))
	age := Epoch.Sub(created)
	// Older deals are mostly closed, the last months' mostly open.
	closedOdds := min(90, 5+int(age/(3*24*time.Hour)))
	f := fate{stage: pick(rng, openStages, openWeights)}
	if rng.IntN(100) < closedOdds {
		f = fate{stage: ltc.StageClosed, outcome: pick(rng, outcomes, outcomeOdds)}
	}
	k := rng.IntN(Owners)
	if rng.IntN(3) == 0 {
		k = rng.IntN(Owners / 10) // a tenth of the owners hold a third more of the deals
	}
	b := &builder{rng: rng, now: created, end: Epoch, policy: ltc.DefaultPolicy(), requests: fmt.Sprintf("seed-%d", i),
		owner: ltc.Actor{ID: Owner(k), Name: fmt.Sprintf("Owner %04d", k), Roles: []ltc.Role{ltc.RoleSales}, Unit: Office(k)},
		sr:    ltc.Actor{ID: Owner((k + 1) % Owners), Name: "Solution Responsible", Roles: []ltc.Role{ltc.RoleSales}},
		fr:    ltc.Actor{ID: Owner((k + 2) % Owners), Name: "Fulfilment Responsible", Roles: []ltc.Role{ltc.RoleSales}},
		manager: ltc.Actor{ID: fmt.Sprintf("manager-%02d", k%len(Offices)), Name: "Sales Manager",
			Roles: []ltc.Role{ltc.RoleSalesManager}, Unit: Office(k)},
		executive: ltc.Actor{ID: fmt.Sprintf("executive-%d", k%20), Name: "Executive", Roles: []ltc.Role{ltc.RoleExecutive},
			Authority: ltc.MaxAuthority},
	}
	if err := b.run(i, f, rng.IntN(100) < 10); err != nil {
		return store.Deal{}, fmt.Errorf("seed deal %d: %w", i, err)
	}
	d := store.Deal{Lead: b.lead, Events: b.events}
	if b.o.ID != "" {
		d.Opportunity = &b.o
	}
	return d, nil
}

// builder takes one deal through its steps.
type builder struct {
	rng                               *rand.Rand
	now, end                          time.Time
	policy                            ltc.Policy
	requests                          string // prefix of the deal's request ids
	n                                 int    // requests made
	owner, sr, fr, manager, executive ltc.Actor
	lead                              ltc.Lead
	o                                 ltc.Opportunity
	events                            []ltc.Event
}

// step moves the clock on by a few days, never past the end.
func (b *builder) step() {
	gap := time.Duration(1+b.rng.IntN(9*24)) * time.Hour
	if left := b.end.Sub(b.now); gap > left/4 {
		gap = left / 4
	}
	b.now = b.now.Add(gap)
}

func (b *builder) request() string {
	b.n++
	return uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "%s/%d", b.requests, b.n)).String()
}

// change checks the rule, then applies the change to the deal and records its event, as the deal's process does.
func (b *builder) change(rule error, typ string, by ltc.Actor, apply func(requestID string) (ltc.Opportunity, any), recipients ...string) error {
	if rule != nil {
		return fmt.Errorf("%s refused: %w", typ, rule)
	}
	b.step()
	id := b.request()
	next, data := apply(id)
	b.emit(b.o, next, typ, by.Person(), id, data, recipients...)
	if b.o.Open() && !next.Open() {
		b.emit(b.o, next, ltc.EventOpportunityClosed, by.Person(), id,
			map[string]any{"outcome": next.Outcome, "reason": next.CloseReason}, ltc.UserRecipient(next.Owner.ID))
	}
	b.o = next
	return nil
}

func (b *builder) emit(before, after ltc.Opportunity, typ string, by ltc.Person, requestID string, data any, recipients ...string) {
	b.events = append(b.events, ltc.Event{DealID: b.lead.ID, Type: typ, Actor: by, RequestID: requestID,
		StageBefore: string(before.Stage), StageAfter: string(after.Stage), Recipients: recipients,
		Data: ltc.EventData(data), OccurredAt: after.UpdatedAt})
}

func (b *builder) run(i int, f fate, onlyLead bool) error {
	k := b.rng.IntN(Customers)
	value := ltc.Money{Currency: pick(b.rng, currencies, currencyOdds), AmountMinor: int64(1e4 * pow10(b.rng.Float64()*4))}
	b.lead = ltc.NewLead(ltc.Lead{
		ID: DealID(i), Customer: ltc.Customer{Name: Customer(k), Grade: pick(b.rng, grades, gradeOdds), Industry: industries[k%len(industries)]},
		Title: "Network modernisation", Source: ltc.SourceCustomerNeed, EstimatedValue: value,
		ExpectedCloseDate: ltc.Date{Year: b.now.Year() + 1, Month: int(b.now.Month()), Day: 1},
		Owner:             b.owner.Person(), CreatedBy: b.owner.Person(), Unit: b.owner.Unit,
	}, b.policy, b.now)
	create := b.request()
	b.events = append(b.events, ltc.Event{DealID: b.lead.ID, Type: ltc.EventLeadCreated, Actor: b.owner.Person(), RequestID: create,
		StageAfter: string(b.lead.State), Data: ltc.EventData(b.lead), OccurredAt: b.now})
	if onlyLead {
		if f.stage != ltc.StageClosed {
			return nil
		}
		if err := ltc.CanDisqualifyLead(b.manager, b.lead); err != nil {
			return err
		}
		b.step()
		before := b.lead.State
		b.lead = b.lead.Disqualify("no budget this year", b.now)
		b.events = append(b.events, ltc.Event{DealID: b.lead.ID, Type: ltc.EventLeadDisqualified, Actor: b.manager.Person(),
			RequestID: b.request(), StageBefore: string(before), StageAfter: string(b.lead.State),
			Data: ltc.EventData(map[string]string{"reason": "no budget this year"}), OccurredAt: b.now})
		return nil
	}

	if err := ltc.CanQualifyLead(b.manager, b.lead); err != nil {
		return err
	}
	b.step()
	q := ltc.Qualification{BudgetConfirmed: true, DecisionChainKnown: b.rng.IntN(2) == 0, Urgency: ltc.UrgencyWarm}
	before, qualify := b.lead.State, b.request()
	b.lead = b.lead.Qualify(q, b.lead.ID, b.now)
	b.o = ltc.NewOpportunity(b.lead, b.now, ltc.RulesExecution)
	b.events = append(b.events,
		ltc.Event{DealID: b.lead.ID, Type: ltc.EventLeadQualified, Actor: b.manager.Person(), RequestID: qualify,
			StageBefore: string(before), StageAfter: string(b.lead.State), Data: ltc.EventData(q), OccurredAt: b.now},
		ltc.Event{DealID: b.lead.ID, Type: ltc.EventOpportunityCreated, Actor: b.manager.Person(), RequestID: qualify,
			StageAfter: string(b.o.Stage), Data: ltc.EventData(b.o), OccurredAt: b.now})

	// The way to the fate: the main path, stopping at an open stage, or closing on the way.
	stopAt, exit := f.stage, ltc.Outcome("")
	if f.stage == ltc.StageClosed {
		exit = f.outcome
		switch exit {
		case ltc.OutcomeAbandoned: // closed by hand somewhere on the way, before the contract is signed
			stopAt = openStages[b.rng.IntN(len(openStages)-1)]
		case ltc.OutcomeNotPursued:
			stopAt = ltc.StageInitiationReview
		case ltc.OutcomeNoBid:
			stopAt = ltc.StageATBReview
		case ltc.OutcomeLost, ltc.OutcomeCancelled:
			stopAt = ltc.StageBidding
		case ltc.OutcomeWon:
			stopAt = ltc.StageClosed
		}
	}
	done, err := b.mainPath(stopAt, exit)
	if err != nil || done {
		return err
	}
	if exit != ltc.OutcomeAbandoned {
		return b.forecast()
	}
	if err := ltc.CanClose(b.owner, b.o, ltc.OutcomeAbandoned); err != nil {
		return err
	}
	b.step()
	next := b.o.Close(ltc.OutcomeAbandoned, "customer priorities changed", b.owner.Person(), b.now, b.policy)
	b.emit(b.o, next, ltc.EventOpportunityClosed, b.owner.Person(), b.request(),
		map[string]any{"outcome": next.Outcome, "reason": next.CloseReason}, ltc.UserRecipient(next.Owner.ID))
	b.o = next
	return nil
}

// forecastOdds are the odds of the forecast categories (PIPELINE, BEST_CASE, COMMIT, OMITTED).
var forecastOdds = []int{40, 25, 25, 10}

// forecast has the owner of an open deal set its forecast, for seven deals in ten: a close date within the year
// after the epoch, a category, and the value (after ATB the envelope, as the rule wants).
func (b *builder) forecast() error {
	if !b.o.Open() || b.rng.IntN(10) >= 7 {
		return nil
	}
	day := Epoch.AddDate(0, 0, b.rng.IntN(365))
	f := ltc.Forecast{ExpectedCloseDate: ltc.Date{Year: day.Year(), Month: int(day.Month()), Day: day.Day()},
		Value: b.o.EstimatedValue, Category: pick(b.rng, ltc.ForecastCategories, forecastOdds)}
	if b.o.ApprovedBidPrice != nil {
		f.Value = *b.o.ApprovedBidPrice
	}
	deal := ltc.Deal{Lead: b.lead, Opportunity: &b.o}
	if before := deal.Forecast(); before.ExpectedCloseDate == f.ExpectedCloseDate && before.Value == f.Value && before.Category == f.Category {
		return nil // no change to record
	}
	return b.change(ltc.CanUpdateForecast(b.owner, b.o, f, b.policy), ltc.EventForecastUpdated, b.owner, func(id string) (ltc.Opportunity, any) {
		ch, err := ltc.UpdateForecast{Forecast: f}.Apply(deal, ltc.Context{Actor: b.owner, Now: b.now, Policy: b.policy, RequestID: id})
		if err != nil || len(ch.Events) != 1 {
			panic(fmt.Sprintf("forecast of deal %s: %v", b.o.ID, err)) // CanUpdateForecast accepted it
		}
		return *ch.Deal.Opportunity, ch.Events[0].Data
	})
}

func pow10(x float64) float64 {
	r := 1.0
	for ; x >= 1; x-- {
		r *= 10
	}
	return r * (1 + 9*x)
}

var (
	levels    = []ltc.ProjectLevel{ltc.LevelA, ltc.LevelB, ltc.LevelC}
	levelOdds = []int{10, 30, 60}
)

// mainPath takes the deal along the main path until it stands open at stopAt (reporting false), or has closed
// with the exit outcome (WON at the end of the path, or a rejection, or a lost or cancelled tender on the way).
func (b *builder) mainPath(stopAt ltc.Stage, exit ltc.Outcome) (bool, error) {
	open := exit == "" || exit == ltc.OutcomeAbandoned
	stop := func() bool { return open && b.o.Stage == stopAt }
	if stop() {
		return false, nil
	}
	owner := b.owner
	as := ltc.Assessment{WinRate: 20 + b.rng.IntN(60), Value: b.o.EstimatedValue, Competitors: []string{"Globex"},
		DecisionChain: "CTO decides, CFO signs"}
	if err := b.change(ltc.CanUpdateAssessment(owner, b.o), ltc.EventAssessmentUpdated, owner, func(string) (ltc.Opportunity, any) {
		return b.o.UpdateAssessment(as, b.now), as
	}); err != nil {
		return false, err
	}
	level := pick(b.rng, levels, levelOdds)
	initiation, err := b.requestDecision(ltc.GateInitiation, ltc.Package{Initiation: &ltc.InitiationPackage{ProposedLevel: level,
		Rationale: "strategic account"}}, stop)
	if err != nil || stop() {
		return false, err
	}
	if exit == ltc.OutcomeNotPursued {
		return true, b.decide(initiation, ltc.VerdictReject)
	}
	if err := b.decide(initiation, ltc.VerdictApprove); err != nil || stop() {
		return false, err
	}
	pm := ltc.Actor{ID: fmt.Sprintf("delivery-pm-%02d", b.rng.IntN(40)), Name: "Delivery PM", Roles: []ltc.Role{ltc.RoleSales}}
	team := ltc.Team{{Person: owner.Person(), Role: ltc.TeamAR}, {Person: b.sr.Person(), Role: ltc.TeamSR}, {Person: b.fr.Person(), Role: ltc.TeamFR},
		{Person: pm.Person(), Role: ltc.TeamDeliveryPM}}
	if err := b.change(ltc.CanAppointTeam(b.manager, b.o), ltc.EventTeamAppointed, b.manager, func(string) (ltc.Opportunity, any) {
		next := b.o.AppointTeam(team, b.now, b.policy)
		return next, map[string]any{"before": b.o.Team, "after": next.Team}
	}, ltc.UserRecipient(owner.ID), ltc.UserRecipient(b.sr.ID), ltc.UserRecipient(b.fr.ID)); err != nil {
		return false, err
	}
	if err := b.change(ltc.CanEditRisks(b.fr, b.o), ltc.EventRiskAdded, b.fr, func(id string) (ltc.Opportunity, any) {
		r := ltc.Risk{ID: ltc.RiskID(id), Description: "site access in winter", Category: ltc.RiskDelivery, Probability: ltc.RiskMedium,
			Impact: ltc.RiskHigh, Owner: b.fr.Person(), Status: ltc.RiskOpen}
		next := b.o.AddRisk(r, b.now)
		return next, next.Risks[len(next.Risks)-1]
	}); err != nil {
		return false, err
	}
	for range 1 + b.rng.IntN(4) {
		if err := b.weeklyReport(); err != nil {
			return false, err
		}
	}
	if stop() {
		return false, nil
	}
	atb, err := b.requestDecision(ltc.GateATB, ltc.Package{Bid: &ltc.BidPackage{Strategy: "value over price", ProposedPrice: b.o.EstimatedValue,
		GrossMarginPercent: 25 + 10*b.rng.Float64(), PaymentTerms: "30/60/10", DeliveryFeasibility: "feasible", WinRate: as.WinRate}}, stop)
	if err != nil || stop() {
		return false, err
	}
	if exit == ltc.OutcomeNoBid {
		return true, b.decide(atb, ltc.VerdictReject)
	}
	if err := b.decide(atb, ltc.VerdictApprove); err != nil {
		return false, err
	}
	bid := ltc.Bid{Price: *b.o.ApprovedBidPrice, Date: ltc.Date{Year: b.now.Year(), Month: int(b.now.Month()), Day: 1}, Reference: "TENDER"}
	if err := b.change(ltc.CanSubmitBid(owner, b.o, bid, b.policy), ltc.EventBidSubmitted, owner, func(string) (ltc.Opportunity, any) {
		bid.SubmittedBy = owner.Person()
		next := b.o.SubmitBid(bid, b.now)
		return next, next.Bid
	}); err != nil || stop() {
		return false, err
	}
	tender := ltc.TenderResult{Result: ltc.TenderWon}
	switch exit {
	case ltc.OutcomeLost:
		tender = ltc.TenderResult{Result: ltc.TenderLost, Winner: "Globex", Reason: "price"}
	case ltc.OutcomeCancelled:
		tender = ltc.TenderResult{Result: ltc.TenderCancelled, Reason: "budget withdrawn"}
	}
	if err := b.change(ltc.CanRecordTenderResult(owner, b.o, tender), ltc.EventTenderResult, owner, func(string) (ltc.Opportunity, any) {
		next := b.o.RecordTenderResult(tender, owner.Person(), b.now, b.policy)
		return next, next.Tender
	}); err != nil || !b.o.Open() || stop() {
		return !b.o.Open(), err
	}
	atc, err := b.requestDecision(ltc.GateATC, ltc.Package{Contract: &ltc.ContractPackage{FinalPrice: bid.Price,
		GrossMarginPercent: 24, PaymentTerms: "30/60/10", ContractReference: "MSA"}}, stop)
	if err != nil || stop() {
		return false, err
	}
	if err := b.decide(atc, ltc.VerdictApprove); err != nil || stop() {
		return false, err
	}
	// The contract's payment terms: an advance at signing, 60 % at PAC, 10 % at FAC, planned 4 and 10 months on.
	b.step()
	signed := ltc.DateOf(b.now)
	pac, fac := ltc.DateOf(b.now.AddDate(0, 4, 0)), ltc.DateOf(b.now.AddDate(0, 10, 0))
	contract := ltc.Contract{Number: "C-" + b.lead.ID[:8], Date: ltc.Date{Year: b.now.Year(), Month: int(b.now.Month()), Day: 1},
		Amount: *b.o.ApprovedContractAmount, PaymentTerms: []ltc.PaymentTerm{
			{Name: "Advance", Percent: "30", Trigger: ltc.TriggerSignature, PlannedDate: &signed},
			{Name: "PAC", Percent: "60", Trigger: ltc.TriggerPAC, PlannedDate: &pac},
			{Name: "FAC", Percent: "10", Trigger: ltc.TriggerFAC, PlannedDate: &fac}}}
	if err := b.apply(ltc.SignContract{Contract: contract}, owner); err != nil || stop() {
		return false, err
	}
	handover := ltc.Handover{ScheduledFor: b.now.Add(48 * time.Hour), Attendees: team}
	if err := b.change(ltc.CanScheduleHandover(owner, b.o, handover), ltc.EventHandoverScheduled, owner, func(string) (ltc.Opportunity, any) {
		return b.o.ScheduleHandover(handover, b.now), handover
	}); err != nil {
		return false, err
	}
	record := ltc.HandoverRecord{KeyTerms: "24 months", Commitments: "on-site team", RisksHandedOver: "winter access"}
	if err := b.change(ltc.CanCompleteHandover(pm, b.o), ltc.EventHandoverCompleted, pm, func(string) (ltc.Opportunity, any) {
		next := b.o.CompleteHandover(record, pm.Person(), b.now, b.policy)
		return next, next.Handover
	}); err != nil {
		return false, err
	}
	if b.rng.IntN(10) < 8 {
		summary := ltc.ProjectSummary{WinLossReasons: "solution fit", Lessons: "involve delivery early", WinRateAccuracy: "close"}
		if err := b.change(ltc.CanSubmitSummary(owner, b.o), ltc.EventSummarySubmitted, owner, func(string) (ltc.Opportunity, any) {
			summary.SubmittedBy = owner.Person()
			next := b.o.SubmitSummary(summary, b.now)
			return next, next.Summary
		}); err != nil {
			return false, err
		}
	}
	return true, b.execute(pm)
}

// execute runs the contract to cash as far as the epoch lets it: FINANCE invoices each milestone when it is due
// (the advance at once, the others at PAC and FAC, some four and ten months on), the customer pays most invoices
// within two months and a few never, the engine flags the unpaid ones overdue and escalates them, and the AR closes
// the contract once everything is paid.
func (b *builder) execute(pm ltc.Actor) error {
	finance := ltc.Actor{ID: fmt.Sprintf("finance-%d", b.rng.IntN(6)), Name: "Finance", Roles: []ltc.Role{ltc.RoleReviewer},
		Functions: []ltc.ReviewFunction{ltc.FunctionFinance}, Unit: b.owner.Unit}
	start := b.now
	for i, kind := range []ltc.Trigger{ltc.TriggerSignature, ltc.TriggerPAC, ltc.TriggerFAC} {
		if kind != ltc.TriggerSignature {
			at := start.AddDate(0, 0, []int{0, 100, 280}[i]+b.rng.IntN(60))
			if !b.until(at) {
				return nil
			}
			a := ltc.RecordAcceptance{Kind: kind, Certificate: fmt.Sprintf("%s-%s", kind, b.lead.ID[:8]), Date: ltc.DateOf(b.now)}
			if err := b.apply(a, pm); err != nil {
				return err
			}
		}
		if !b.until(b.now.Add(time.Duration(1+b.rng.IntN(10*24)) * time.Hour)) {
			return nil
		}
		m := b.o.Execution.Milestones[i]
		number := fmt.Sprintf("INV-%s-%d", b.lead.ID[:8], i+1)
		inv := ltc.IssueInvoice{Number: number, MilestoneID: m.ID, Amount: m.Amount, DueDate: ltc.DateOf(b.now.AddDate(0, 0, 30))}
		if err := b.apply(inv, finance); err != nil {
			return err
		}
		if err := b.collect(number, finance); err != nil || b.o.Execution.Invoices[i].Outstanding() > 0 {
			return err
		}
	}
	return b.apply(ltc.CloseContract{}, b.owner)
}

// collect has the customer pay the invoice 15 to 75 days after it was issued, or never (one in twenty); on the
// way the engine flags it overdue the day after its due date and escalates it every week, twice at most.
func (b *builder) collect(number string, finance ltc.Actor) error {
	issued := b.now
	inv, _, _ := b.o.Execution.Invoice(number)
	paid := issued.AddDate(0, 0, 15+b.rng.IntN(60))
	if b.rng.IntN(20) == 0 {
		paid = b.end.Add(time.Hour)
	}
	step := b.policy.ReceivableEscalateAfter
	if step <= 0 {
		step = ltc.Duration(ltc.DefaultReceivableEscalateAfter)
	}
	for k, at := 0, inv.OverdueAt(); k <= ltc.MaxReceivableEscalations && at.Before(paid); k, at = k+1, at.Add(time.Duration(step)) {
		if !b.until(at) {
			return nil
		}
		var deadline ltc.Command = ltc.MarkInvoiceOverdue{Number: number}
		if k > 0 {
			deadline = ltc.EscalateReceivable{Number: number, Escalations: k - 1}
		}
		if err := b.apply(deadline, ltc.Actor{}); err != nil {
			return err
		}
	}
	if !b.until(paid) {
		return nil
	}
	return b.apply(ltc.RecordPayment{InvoiceNumber: number, Reference: "BANK-" + number, Amount: inv.Amount, Date: ltc.DateOf(b.now)}, finance)
}

// until moves the clock to at, if that is before the end; false when it is not (the step waits past the epoch).
func (b *builder) until(at time.Time) bool {
	if !at.Before(b.end) {
		return false
	}
	if at.After(b.now) {
		b.now = at
	}
	return true
}

// apply applies a command as the deal's process does, by the actor, now, and records its events.
func (b *builder) apply(cmd ltc.Command, by ltc.Actor) error {
	ch, err := cmd.Apply(ltc.Deal{Lead: b.lead, Opportunity: &b.o}, ltc.Context{Actor: by, Now: b.now, Policy: b.policy,
		RequestID: b.request(), Rules: ltc.RulesExecution})
	if err != nil {
		return fmt.Errorf("%T refused: %w", cmd, err)
	}
	b.lead, b.o = ch.Deal.Lead, *ch.Deal.Opportunity
	b.events = append(b.events, ch.Events...)
	return nil
}

// requestDecision opens a decision of the gate and submits its reviews: all of them, or, when the deal is to stay
// waiting on it, only some.
func (b *builder) requestDecision(gate ltc.Gate, pkg ltc.Package, stop func() bool) (string, error) {
	var d ltc.Decision
	err := b.change(ltc.CanRequestDecision(b.owner, b.o, gate, pkg), ltc.EventDecisionRequested, b.owner, func(id string) (ltc.Opportunity, any) {
		var next ltc.Opportunity
		next, d = b.o.RequestDecision(ltc.DecisionID(id), gate, pkg, b.policy, b.owner.Person(), b.now, rates...)
		return next, d
	}, ltc.AuthorityRecipient(0))
	if err == nil && d.ID == "" {
		err = fmt.Errorf("seed: the %s package of deal %s was refused", gate, b.o.ID)
	}
	if err != nil {
		return "", err
	}
	reviews := d.RequiredReviews
	if stop() && len(reviews) > 0 {
		reviews = reviews[:b.rng.IntN(len(reviews))]
	}
	for _, f := range reviews {
		reviewer := ltc.Actor{ID: "reviewer-" + string(f), Name: "Reviewer", Roles: []ltc.Role{ltc.RoleReviewer}, Functions: []ltc.ReviewFunction{f}}
		if err := b.change(ltc.CanReview(reviewer, b.o, d.ID, f), ltc.EventReviewSubmitted, reviewer, func(string) (ltc.Opportunity, any) {
			r := ltc.Review{Function: f, Result: ltc.ReviewPass, Reviewer: reviewer.Person(), SubmittedAt: b.now}
			next, _ := b.o.SubmitReview(d.ID, r)
			return next, map[string]any{"decision_id": d.ID, "review": r}
		}, ltc.UserRecipient(b.owner.ID)); err != nil {
			return "", err
		}
	}
	return d.ID, nil
}

func (b *builder) decide(decision string, v ltc.Verdict) error {
	r := ltc.Ruling{Verdict: v, Rationale: "considered"}
	return b.change(ltc.CanDecide(b.executive, b.o, decision, r), ltc.EventDecisionDecided, b.executive, func(string) (ltc.Opportunity, any) {
		next, d := b.o.Decide(decision, r, b.executive, b.now, b.policy)
		return next, d
	}, ltc.UserRecipient(b.owner.ID))
}

func (b *builder) weeklyReport() error {
	r := ltc.WeeklyReport{Progress: "workshop held", WinRate: 50, NextSteps: "bid strategy"}
	return b.change(ltc.CanSubmitWeeklyReport(b.sr, b.o), ltc.EventWeeklyReportSubmitted, b.sr, func(string) (ltc.Opportunity, any) {
		r.SubmittedBy = b.sr.Person()
		next := b.o.SubmitWeeklyReport(r, b.now, b.policy)
		last, _ := next.Cadence.LastReport()
		return next, last
	}, ltc.UserRecipient(b.owner.ID), ltc.RoleRecipient(ltc.RoleSalesManager))
}
