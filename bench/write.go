package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/internal/auth"
	"github.com/ltcengine/ltc/internal/dev"
	"github.com/ltcengine/ltc/internal/ltc"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
	"github.com/ltcengine/ltc/worker"
)

// step is one mutating call of a deal, made by the person whose job it is.
type step struct {
	rpc  string
	call func(context.Context) error
}

// driver makes calls to the engine's API as the demo people.
type driver struct {
	conn      *grpc.ClientConn
	leads     ltcv1.LeadServiceClient
	deals     ltcv1.OpportunityServiceClient
	decisions ltcv1.DecisionServiceClient
	reports   ltcv1.ReportServiceClient
	accounts  ltcv1.AccountServiceClient
	tokens    map[string]string // by demo name
}

func newDriver(addr string, secret string) (*driver, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	d := &driver{conn: conn, leads: ltcv1.NewLeadServiceClient(conn), deals: ltcv1.NewOpportunityServiceClient(conn),
		decisions: ltcv1.NewDecisionServiceClient(conn), reports: ltcv1.NewReportServiceClient(conn), accounts: ltcv1.NewAccountServiceClient(conn),
		tokens: map[string]string{}}
	for name, person := range dev.DemoPeople {
		tok, err := auth.Mint([]byte(secret), person, time.Now(), 24*time.Hour)
		if err != nil {
			return nil, err
		}
		d.tokens[name] = tok
	}
	return d, nil
}

func (d *driver) close() { _ = d.conn.Close() }

// call wraps one RPC as a step run by the named person.
func call[Req, Resp any](d *driver, as, rpc string, method func(context.Context, Req, ...grpc.CallOption) (Resp, error), req Req) step {
	return step{rpc: rpc, call: func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(d.withToken(ctx, as), 30*time.Second)
		defer cancel()
		_, err := method(ctx, req)
		return err
	}}
}

// withToken returns ctx whose calls carry the named person's token.
func (d *driver) withToken(ctx context.Context, as string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+d.tokens[as])
}

func eur(major int64) *ltcv1.Money {
	return &ltcv1.Money{CurrencyCode: "EUR", AmountMinor: major * 100}
}

// lifecycle is the whole life of one level-B deal, lead to WON with its project summary, as in `ltcctl demo`:
// 24 mutating calls, every gate with its reviews. Ids derive from request ids, so the steps are known up front.
func (d *driver) lifecycle() []step { return d.lifecycleOf(uuid.NewString()) }

// lifecycleOf is lifecycle for the lead created with request id lead; the deal's id is ltc.LeadID(lead).
func (d *driver) lifecycleOf(lead string) []step {
	rid := uuid.NewString
	deal := ltc.LeadID(lead)
	initiation, atb, atc := rid(), rid(), rid()
	review := func(decision string, as string, f ltcv1.ReviewFunction) step {
		return call(d, as, "SubmitReview", d.decisions.SubmitReview, &ltcv1.SubmitReviewRequest{RequestId: rid(),
			DecisionId: ltc.DecisionID(decision), Function: f, Result: ltcv1.ReviewResult_REVIEW_RESULT_PASS})
	}
	decide := func(decision string) step {
		return call(d, "executive2", "Decide", d.decisions.Decide, &ltcv1.DecideRequest{RequestId: rid(),
			DecisionId: ltc.DecisionID(decision), Verdict: ltcv1.Verdict_VERDICT_APPROVE, Rationale: "fits the plan"})
	}
	reviews := func(decision string) []step {
		return []step{
			review(decision, "reviewer_finance", ltcv1.ReviewFunction_REVIEW_FUNCTION_FINANCE),
			review(decision, "reviewer_legal", ltcv1.ReviewFunction_REVIEW_FUNCTION_LEGAL),
			review(decision, "reviewer_delivery", ltcv1.ReviewFunction_REVIEW_FUNCTION_DELIVERY),
		}
	}
	team := []*ltcv1.TeamMember{
		{Person: &ltcv1.Person{Id: "sam", Name: "Sam Sales"}, Role: ltcv1.TeamRole_TEAM_ROLE_AR},
		{Person: &ltcv1.Person{Id: "sara", Name: "Sara Solution"}, Role: ltcv1.TeamRole_TEAM_ROLE_SR},
		{Person: &ltcv1.Person{Id: "fred", Name: "Fred Fulfilment"}, Role: ltcv1.TeamRole_TEAM_ROLE_FR},
	}
	attendees := append(team[:3:3], &ltcv1.TeamMember{Person: &ltcv1.Person{Id: "dora", Name: "Dora Delivery"},
		Role: ltcv1.TeamRole_TEAM_ROLE_DELIVERY_PM})
	steps := []step{
		call(d, "sales", "CreateLead", d.leads.CreateLead, &ltcv1.CreateLeadRequest{RequestId: lead,
			Customer: &ltcv1.Customer{Name: "Acme Telecom", Grade: ltcv1.CustomerGrade_CUSTOMER_GRADE_A, Industry: "telecom", Region: "EMEA"},
			Title:    "5G core network", Source: ltcv1.LeadSource_LEAD_SOURCE_CUSTOMER_NEED, EstimatedValue: eur(2_400_000),
			ExpectedCloseDate: &date.Date{Year: 2027, Month: 6, Day: 30}}),
		call(d, "sales_manager", "QualifyLead", d.leads.QualifyLead, &ltcv1.QualifyLeadRequest{RequestId: rid(), LeadId: deal,
			Qualification: &ltcv1.Qualification{BudgetConfirmed: true, DecisionChainKnown: true, Urgency: ltcv1.Urgency_URGENCY_HOT}}),
		call(d, "sales", "UpdateAssessment", d.deals.UpdateAssessment, &ltcv1.UpdateAssessmentRequest{RequestId: rid(), OpportunityId: deal,
			Assessment: &ltcv1.Assessment{WinRate: 60, Value: eur(2_400_000), Competitors: []string{"Globex"}, DecisionChain: "CTO decides, CFO signs"}}),
		call(d, "sales", "RequestDecision", d.decisions.RequestDecision, &ltcv1.RequestDecisionRequest{RequestId: initiation, OpportunityId: deal,
			Gate: ltcv1.Gate_GATE_INITIATION, Package: &ltcv1.RequestDecisionRequest_Initiation{Initiation: &ltcv1.InitiationPackage{
				ProposedLevel: ltcv1.ProjectLevel_PROJECT_LEVEL_B, Rationale: "strategic account, budget confirmed"}}}),
		decide(initiation),
		call(d, "sales_manager", "AppointTeam", d.deals.AppointTeam, &ltcv1.AppointTeamRequest{RequestId: rid(), OpportunityId: deal, Members: attendees}),
		call(d, "sales3", "AddRisk", d.deals.AddRisk, &ltcv1.AddRiskRequest{RequestId: rid(), OpportunityId: deal, Risk: &ltcv1.Risk{
			Description: "site access in winter", Category: ltcv1.RiskCategory_RISK_CATEGORY_DELIVERY, Probability: ltcv1.RiskLevel_RISK_LEVEL_MEDIUM,
			Impact: ltcv1.RiskLevel_RISK_LEVEL_HIGH, Owner: &ltcv1.Person{Id: "fred"}, Status: ltcv1.RiskStatus_RISK_STATUS_OPEN}}),
		call(d, "sales2", "SubmitWeeklyReport", d.deals.SubmitWeeklyReport, &ltcv1.SubmitWeeklyReportRequest{RequestId: rid(), OpportunityId: deal,
			Report: &ltcv1.WeeklyReport{Progress: "workshop held", WinRate: 60, NextSteps: "bid strategy"}}),
		call(d, "sales", "RequestDecision", d.decisions.RequestDecision, &ltcv1.RequestDecisionRequest{RequestId: atb, OpportunityId: deal,
			Gate: ltcv1.Gate_GATE_ATB, Package: &ltcv1.RequestDecisionRequest_Bid{Bid: &ltcv1.BidPackage{Strategy: "value over price",
				ProposedPrice: eur(2_400_000), GrossMarginPercent: 31.5, PaymentTerms: "30/60/10", DeliveryFeasibility: "feasible with partner", WinRate: 60}}}),
	}
	steps = append(steps, reviews(atb)...)
	steps = append(steps,
		decide(atb),
		call(d, "sales", "SubmitBid", d.deals.SubmitBid, &ltcv1.SubmitBidRequest{RequestId: rid(), OpportunityId: deal,
			Bid: &ltcv1.Bid{Price: eur(2_400_000), Date: &date.Date{Year: 2027, Month: 1, Day: 15}, Reference: "TENDER-42"}}),
		call(d, "sales", "RecordTenderResult", d.deals.RecordTenderResult, &ltcv1.RecordTenderResultRequest{RequestId: rid(), OpportunityId: deal,
			Result: &ltcv1.TenderResult{Result: ltcv1.Tender_TENDER_WON}}),
		call(d, "sales", "RequestDecision", d.decisions.RequestDecision, &ltcv1.RequestDecisionRequest{RequestId: atc, OpportunityId: deal,
			Gate: ltcv1.Gate_GATE_ATC, Package: &ltcv1.RequestDecisionRequest_Contract{Contract: &ltcv1.ContractPackage{FinalPrice: eur(2_350_000),
				GrossMarginPercent: 29, PaymentTerms: "30/60/10", Deviations: "price -2%", ContractReference: "MSA-2027-01"}}}),
	)
	steps = append(steps, reviews(atc)...)
	steps = append(steps,
		decide(atc),
		call(d, "sales", "SignContract", d.deals.SignContract, &ltcv1.SignContractRequest{RequestId: rid(), OpportunityId: deal,
			Contract: &ltcv1.Contract{Number: "C-2027-001", Date: &date.Date{Year: 2027, Month: 2, Day: 1}, Amount: eur(2_350_000)}}),
		call(d, "sales", "ScheduleHandover", d.deals.ScheduleHandover, &ltcv1.ScheduleHandoverRequest{RequestId: rid(), OpportunityId: deal,
			ScheduleTime: timestamppb.New(time.Now().Add(48 * time.Hour)), Attendees: attendees}),
		call(d, "delivery_pm", "CompleteHandover", d.deals.CompleteHandover, &ltcv1.CompleteHandoverRequest{RequestId: rid(), OpportunityId: deal,
			Record: &ltcv1.HandoverRecord{KeyTerms: "24 months, 99.9% availability", Commitments: "on-site team in Q2", RisksHandedOver: "winter site access"}}),
		call(d, "sales", "SubmitProjectSummary", d.deals.SubmitProjectSummary, &ltcv1.SubmitProjectSummaryRequest{RequestId: rid(), OpportunityId: deal,
			Summary: &ltcv1.ProjectSummary{WinLossReasons: "solution fit and partner", Lessons: "involve delivery at ATB", WinRateAccuracy: "estimated 60%, won"}}),
	)
	return steps
}

// openDealSteps is how many lifecycle steps leave a deal open in PURSUIT with its team appointed, its weekly
// report timer running.
const openDealSteps = 6

// run is the outcome of driving deals: every call's latency by RPC, the errors, and the wall time.
type run struct {
	deals, calls int
	lat          *latencies
	errors       int64
	firstErr     error
	wall         time.Duration
	cpu          map[string]time.Duration // CPU time each process used during the run
}

// process is a process whose CPU time the write path accounts for.
type process struct {
	name     string
	pid      int
	children bool // add the CPU of its child processes (PostgreSQL's backends)
}

func cpuTimes(procs []process) (map[string]time.Duration, error) {
	cpu := map[string]time.Duration{}
	for _, p := range procs {
		t, err := cpuOf(p.pid, p.children)
		if err != nil {
			return nil, fmt.Errorf("read CPU time of %s: %w", p.name, err)
		}
		cpu[p.name] = t
	}
	return cpu, nil
}

// measured drives deals like drive, and records the CPU time each process used meanwhile.
func measured(ctx context.Context, procs []process, n, c int, deal func(i int) []step) (run, error) {
	before, err := cpuTimes(procs)
	if err != nil {
		return run{}, err
	}
	r := drive(ctx, n, c, deal)
	after, err := cpuTimes(procs)
	if err != nil {
		return run{}, err
	}
	r.cpu = map[string]time.Duration{}
	for name, t := range after {
		r.cpu[name] = t - before[name]
	}
	return r, nil
}

func (r run) callsPerSecond() float64 { return float64(r.calls) / r.wall.Seconds() }
func (r run) dealsPerSecond() float64 { return float64(r.deals) / r.wall.Seconds() }

// drive runs n deals, each a sequence of steps made by deal(i), with c deals in flight at once.
func drive(ctx context.Context, n, c int, deal func(i int) []step) run {
	r := run{deals: n, lat: newLatencies()}
	var calls, errs atomic.Int64
	var once sync.Once
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range n {
			next <- i
		}
	}()
	start := time.Now()
	var wg sync.WaitGroup
	for range c {
		wg.Go(func() {
			for i := range next {
				for _, s := range deal(i) {
					calls.Add(1)
					if err := r.lat.time(s.rpc, func() error { return s.call(ctx) }); err != nil {
						errs.Add(1)
						once.Do(func() { r.firstErr = fmt.Errorf("%s: %w", s.rpc, err) })
						break // the deal's later steps would fail too
					}
				}
			}
		})
	}
	wg.Wait()
	r.wall, r.calls, r.errors = time.Since(start), int(calls.Load()), errs.Load()
	return r
}

// The Temporal floor: a workflow that accepts Updates and does nothing else, driven the way the API drives a
// deal (the first Update starts the workflow, as CreateLead does).
const floorUpdate = "step"

// floorWorkflow accepts n Updates, then ends.
func floorWorkflow(ctx workflow.Context, n int) (int, error) {
	accepted := 0
	if err := workflow.SetUpdateHandler(ctx, floorUpdate, func(workflow.Context, int) (int, error) {
		accepted++
		return accepted, nil
	}); err != nil {
		return 0, err
	}
	err := workflow.Await(ctx, func() bool { return accepted >= n && workflow.AllHandlersFinished(ctx) })
	return accepted, err
}

// floor runs the floor workflow's worker on its own task queue until stop is called, with the engine's worker
// options, so that floor and engine poll alike.
func startFloorWorker(c client.Client, taskQueue string) (stop func(), err error) {
	w := sdkworker.New(c, taskQueue, worker.Options())
	w.RegisterWorkflow(floorWorkflow)
	if err := w.Start(); err != nil {
		return nil, err
	}
	return w.Stop, nil
}

// The floor's calls, by the name their latencies are kept under: its first Update (with the start, as CreateLead
// is) apart from the others.
const (
	floorStartRPC  = "Update-with-start"
	floorUpdateRPC = "Update"
)

// floorDeal is one floor workflow taking updates Updates, the first with its start.
func floorDeal(c client.Client, taskQueue string, updates int) []step {
	id := "floor-" + uuid.NewString()
	steps := make([]step, updates)
	for i := range steps {
		rpc := floorUpdateRPC
		if i == 0 {
			rpc = floorStartRPC
		}
		steps[i] = step{rpc: rpc, call: func(ctx context.Context) error {
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			opts := client.UpdateWorkflowOptions{WorkflowID: id, UpdateID: uuid.NewString(), UpdateName: floorUpdate,
				Args: []any{i}, WaitForStage: client.WorkflowUpdateStageCompleted}
			var h client.WorkflowUpdateHandle
			var err error
			if i == 0 {
				start := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue,
					WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, floorWorkflow, updates)
				h, err = c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{StartWorkflowOperation: start, UpdateOptions: opts})
			} else {
				h, err = c.UpdateWorkflow(ctx, opts)
			}
			if err != nil {
				return err
			}
			return h.Get(ctx, nil)
		}}
	}
	return steps
}

// writeResult is the write path on one Temporal server: the engine and the floor, measured in alternating halves
// so that drift on a noisy machine falls on both alike.
type writeResult struct {
	server        string
	floor, engine run
	steps         int
	procs         []process
}

func writePath(ctx context.Context, server string, e *engine, procs []process, d *driver, tc client.Client, taskQueue string, n, c int, profiles string) (writeResult, error) {
	stopFloor, err := startFloorWorker(tc, taskQueue)
	if err != nil {
		return writeResult{}, err
	}
	defer stopFloor()
	steps := len(d.lifecycle())
	floor := func(int) []step { return floorDeal(tc, taskQueue, steps) }
	deal := func(int) []step { return d.lifecycle() }
	// Warm both up: connections, caches, the JIT-free but lazy parts of each server.
	for _, warm := range []run{drive(ctx, c, c, floor), drive(ctx, c, c, deal)} {
		if warm.errors > 0 {
			return writeResult{}, fmt.Errorf("warm-up on %s: %w", server, warm.firstErr)
		}
	}
	res := writeResult{server: server, steps: steps, procs: procs,
		floor: run{lat: newLatencies(), cpu: map[string]time.Duration{}}, engine: run{lat: newLatencies(), cpu: map[string]time.Duration{}}}
	for half := range 2 {
		size := n / 2
		if half == 1 {
			size = n - n/2
		}
		f, err := measured(ctx, procs, size, c, floor)
		if err != nil {
			return res, err
		}
		res.floor.add(f)
		wait := func() error { return nil }
		if half == 1 && profiles != "" {
			// A profile of the engine's processes under the load of the second half (about its length).
			wait = e.profile(profiles, server, time.Duration(float64(res.engine.wall)*0.9))
		}
		en, err := measured(ctx, procs, size, c, deal)
		if err != nil {
			return res, err
		}
		res.engine.add(en)
		if err := wait(); err != nil {
			return res, fmt.Errorf("profile: %w", err)
		}
	}
	return res, nil
}

// add merges another run of the same kind into r.
func (r *run) add(o run) {
	r.deals += o.deals
	r.calls += o.calls
	r.errors += o.errors
	r.wall += o.wall
	if r.firstErr == nil {
		r.firstErr = o.firstErr
	}
	for name, t := range o.cpu {
		r.cpu[name] += t
	}
	o.lat.mu.Lock()
	defer o.lat.mu.Unlock()
	for _, k := range o.lat.order {
		for _, d := range o.lat.byKey[k] {
			r.lat.add(k, d)
		}
	}
}

func printWrites(out io.Writer, ws []writeResult) {
	if len(ws) == 0 {
		return
	}
	fmt.Fprintf(out, "\n## Write path: whole deals against the Temporal floor\n\n")
	fmt.Fprintf(out, "Each engine deal is %d mutating calls over gRPC (lead to WON with the project summary, every gate with its\n", ws[0].steps)
	fmt.Fprintf(out, "reviews), each made as the person whose job it is. Each floor workflow takes as many Updates (the first with\n")
	fmt.Fprintf(out, "its start) and does nothing else, driven with the Temporal client at the same concurrency.\n\n")
	fmt.Fprintf(out, "| Temporal server | driven | deals | calls | errors | deals/s | calls/s | p50 ms | p99 ms | max ms |\n")
	fmt.Fprintf(out, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, w := range ws {
		for _, r := range []struct {
			name string
			run  run
		}{{"floor", w.floor}, {"engine", w.engine}} {
			s := r.run.lat.all()
			fmt.Fprintf(out, "| %s | %s | %d | %d | %d | %.1f | %.0f | %.1f | %.1f | %.0f |\n", w.server, r.name, r.run.deals, r.run.calls,
				r.run.errors, r.run.dealsPerSecond(), r.run.callsPerSecond(), ms(s.P50), ms(s.P99), ms(s.Max))
		}
	}
	fmt.Fprintf(out, "\n| Temporal server | throughput engine/floor (goal >= 0.75) | p50 engine/floor | p99 engine/floor (goal <= 1.5) |"+
		" CreateLead p99 / floor's first Update-with-start p99 (goal <= 2) |\n|---|--:|--:|--:|--:|\n")
	for _, w := range ws {
		f, e := w.floor.lat.all(), w.engine.lat.all()
		create, start := w.engine.lat.of("CreateLead"), w.floor.lat.of(floorStartRPC)
		fmt.Fprintf(out, "| %s | %.2f | %.2f | %.2f | %.2f (%.1f / %.1f ms) |\n", w.server, w.engine.callsPerSecond()/w.floor.callsPerSecond(),
			float64(e.P50)/float64(f.P50), float64(e.P99)/float64(f.P99), float64(create.P99)/float64(start.P99), ms(create.P99), ms(start.P99))
	}
	for _, w := range ws {
		if w.engine.firstErr != nil || w.floor.firstErr != nil {
			fmt.Fprintf(out, "\nFirst error on %s: engine %v, floor %v\n", w.server, w.engine.firstErr, w.floor.firstErr)
		}
	}
	fmt.Fprintf(out, "\nCPU time per call, ms (where the work goes; the driver also runs the floor's worker):\n\n| Temporal server | driven |")
	for _, p := range ws[0].procs {
		fmt.Fprintf(out, " %s |", p.name)
	}
	fmt.Fprintf(out, " total |\n|---|---|%s--:|\n", strings.Repeat("--:|", len(ws[0].procs)))
	for _, w := range ws {
		for _, r := range []struct {
			name string
			run  run
		}{{"floor", w.floor}, {"engine", w.engine}} {
			fmt.Fprintf(out, "| %s | %s |", w.server, r.name)
			var total time.Duration
			for _, p := range w.procs {
				total += r.run.cpu[p.name]
				fmt.Fprintf(out, " %.2f |", ms(r.run.cpu[p.name])/float64(r.run.calls))
			}
			fmt.Fprintf(out, " %.2f |\n", ms(total)/float64(r.run.calls))
		}
	}
	fmt.Fprintf(out, "\nLatency by call, the engine's, then the floor's (its first Update, with the start, apart):\n\n| call |")
	for _, w := range ws {
		fmt.Fprintf(out, " %s n | p50 ms | p99 ms |", w.server)
	}
	fmt.Fprintf(out, "\n|---|%s\n", strings.Repeat("--:|--:|--:|", len(ws)))
	rows := map[string][]string{}
	var order []string
	for _, driven := range []string{"", "floor: "} {
		for _, w := range ws {
			lat := w.engine.lat
			if driven != "" {
				lat = w.floor.lat
			}
			lat.each(func(rpc string, s summary) {
				rpc = driven + rpc
				if _, ok := rows[rpc]; !ok {
					order = append(order, rpc)
				}
				rows[rpc] = append(rows[rpc], fmt.Sprintf("%d | %.1f | %.1f", s.N, ms(s.P50), ms(s.P99)))
			})
		}
	}
	for _, rpc := range order {
		fmt.Fprintf(out, "| %s | %s |\n", rpc, strings.Join(rows[rpc], " | "))
	}
}
