package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ltcengine/ltc/internal/ltc"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// sessionWrites is how many lifecycle steps a load session takes a deal through: create the lead, qualify it,
// the assessment, the INITIATION request and its decision, the team, a risk, a weekly report.
const sessionWrites = 8

// loadStep is one call of a load session.
type loadStep struct {
	step
	write bool
}

// session is what one user of the load run does in a loop: a new deal taken through its first steps, each made by
// the person whose job it is, interleaved with the reads people make around them (the manager's pipeline, the deal,
// the executive's inbox, the deal's history).
func (d *driver) session() []loadStep {
	lead := uuid.NewString()
	deal := ltc.LeadID(lead)
	w := d.lifecycleOf(lead)[:sessionWrites]
	read := func(s step) loadStep { return loadStep{step: s} }
	write := func(i int) loadStep { return loadStep{step: w[i], write: true} }
	pipeline := func(stage ltcv1.Stage) loadStep {
		return read(call(d, "sales_manager", "ListOpportunities", d.deals.ListOpportunities, &ltcv1.ListOpportunitiesRequest{Stage: stage}))
	}
	get := read(call(d, "sales", "GetOpportunity", d.deals.GetOpportunity, &ltcv1.GetOpportunityRequest{Id: deal}))
	return []loadStep{
		write(0), // CreateLead
		pipeline(ltcv1.Stage_STAGE_UNSPECIFIED),
		write(1), // QualifyLead
		get,
		write(2), // UpdateAssessment
		write(3), // RequestDecision INITIATION
		read(call(d, "executive2", "ListDecisions", d.decisions.ListDecisions, &ltcv1.ListDecisionsRequest{PendingForMe: true})),
		write(4), // Decide
		write(5), // AppointTeam
		get,
		write(6), // AddRisk
		write(7), // SubmitWeeklyReport
		read(call(d, "sales", "ListEvents", d.deals.ListEvents, &ltcv1.ListEventsRequest{DealId: deal})),
		pipeline(ltcv1.Stage_STAGE_PURSUIT),
	}
}

// loadResult is one bounded load run: clients users looping over sessions for a fixed time.
type loadResult struct {
	server        string
	clients       int
	window        time.Duration
	writes, reads *latencies
	calls         int64 // every call made, those under way at the window's end too
	inWindow      int64 // the calls that ended within the window
	session       int   // calls per session
	errors        map[codes.Code]int
	firstErr      map[codes.Code]error
	// notified is the latency from each change to its event's webhook delivery (notifyProbe), dups the events
	// delivered again; probed is false when the webhook could not be registered.
	notified summary
	dups     int
	probed   bool
}

// callsPerSecond is the throughput: the calls that ended within the window, over the window.
func (r loadResult) callsPerSecond() float64 { return float64(r.inWindow) / r.window.Seconds() }

// loadRun runs clients users at once, each looping over sessions until d has passed (calls under way then end,
// and count in the latencies and errors but not in the throughput).
// A failed write ends its session, whose later writes would fail too; a failed read does not.
func loadRun(ctx context.Context, server string, dr *driver, clients int, d time.Duration) loadResult {
	r := loadResult{server: server, clients: clients, writes: newLatencies(), reads: newLatencies(),
		session: len(dr.session()), errors: map[codes.Code]int{}, firstErr: map[codes.Code]error{}}
	var mu sync.Mutex
	var calls, inWindow atomic.Int64
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for time.Now().Before(end) && ctx.Err() == nil {
				for _, s := range dr.session() {
					if !time.Now().Before(end) || ctx.Err() != nil {
						return
					}
					lat := r.reads
					if s.write {
						lat = r.writes
					}
					calls.Add(1)
					err := lat.time(s.rpc, func() error { return s.call(ctx) })
					if !time.Now().After(end) {
						inWindow.Add(1)
					}
					if err == nil {
						continue
					}
					c := status.Code(err)
					mu.Lock()
					r.errors[c]++
					if r.firstErr[c] == nil {
						r.firstErr[c] = fmt.Errorf("%s: %w", s.rpc, err)
					}
					mu.Unlock()
					if s.write {
						break
					}
				}
			}
		})
	}
	wg.Wait()
	r.window, r.calls, r.inWindow = d, calls.Load(), inWindow.Load()
	return r
}

// loadRuns runs one load run per number of clients, in turn.
// A webhook receiver in the bench process times the notifications of the changes the runs make.
func loadRuns(ctx context.Context, server string, dr *driver, clients []int, d time.Duration) []loadResult {
	probe, err := startProbe(ctx, dr)
	if err != nil {
		progress(fmt.Sprintf("load on %s: no webhook, so no notification latency: %v", server, err))
	} else {
		defer probe.close()
	}
	var rs []loadResult
	for _, n := range clients {
		progress(fmt.Sprintf("load on %s: %d clients for %s", server, n, d))
		r := loadRun(ctx, server, dr, n, d)
		if probe != nil {
			r.notified, r.dups = probe.take()
			r.probed = true
		}
		rs = append(rs, r)
	}
	return rs
}

// codeName is a gRPC code as the protocol spells it (DEADLINE_EXCEEDED).
func codeName(c codes.Code) string { return code.Code_name[int32(c)] }

func printLoad(out io.Writer, rs []loadResult, d time.Duration) {
	if len(rs) == 0 {
		return
	}
	base := rs[0].clients
	fmt.Fprintf(out, "\n## Bounded load: concurrent users on the write path's deployment\n\n")
	fmt.Fprintf(out, "Each client loops for %s over a session of %d writes and %d reads, each made as the person whose job it is:\n",
		d, sessionWrites, rs[0].session-sessionWrites)
	fmt.Fprintf(out, "a new lead qualified, assessed, its INITIATION requested and decided, its team appointed, a risk and a weekly\n")
	fmt.Fprintf(out, "report added, interleaved with ListOpportunities (the manager's pipeline), GetOpportunity, ListDecisions\n")
	fmt.Fprintf(out, "pending_for_me (the executive's inbox) and ListEvents (the deal's). A failed write ends its session. calls/s\n")
	fmt.Fprintf(out, "counts the calls that ended within the %s; latencies and errors count the calls under way then too.\n", d)
	fmt.Fprintf(out, "The API's deadline is 10 s.\n\n")
	fmt.Fprintf(out, "| Temporal server | clients | calls | calls/s | calls/s vs %d clients (goal >= 1) | errors | DEADLINE_EXCEEDED (goal 0) |"+
		" writes | write p50 ms | write p99 ms | write max ms | reads | read p50 ms | read p99 ms | read max ms |\n", base)
	fmt.Fprintf(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	var first []string
	for _, r := range rs {
		baseline := r.callsPerSecond()
		for _, b := range rs {
			if b.server == r.server && b.clients == base {
				baseline = b.callsPerSecond()
				break
			}
		}
		errs := "0"
		if len(r.errors) > 0 {
			cs := make([]codes.Code, 0, len(r.errors))
			total := 0
			for c, n := range r.errors {
				cs = append(cs, c)
				total += n
			}
			slices.Sort(cs)
			by := make([]string, len(cs))
			for i, c := range cs {
				by[i] = fmt.Sprintf("%s %d", codeName(c), r.errors[c])
				first = append(first, fmt.Sprintf("%s, %d clients, %s: %v", r.server, r.clients, codeName(c), r.firstErr[c]))
			}
			errs = fmt.Sprintf("%d (%s)", total, strings.Join(by, ", "))
		}
		w, rd := r.writes.all(), r.reads.all()
		fmt.Fprintf(out, "| %s | %d | %d | %.0f | %.2f | %s | %d | %d | %.1f | %.1f | %.0f | %d | %.1f | %.1f | %.0f |\n",
			r.server, r.clients, r.calls, r.callsPerSecond(), r.callsPerSecond()/baseline, errs, r.errors[codes.DeadlineExceeded],
			w.N, ms(w.P50), ms(w.P99), ms(w.Max), rd.N, ms(rd.P50), ms(rd.P99), ms(rd.Max))
	}
	fmt.Fprintf(out, "\nNotification latency under that load: a webhook receiver in the bench process gets every event from\n")
	fmt.Fprintf(out, "`ltcd worker` (the dispatcher follows the log, the sender POSTs it signed); from the change's occur_time (just\n")
	fmt.Fprintf(out, "before its commit) to its receipt (goal: p99 <= 2 s).\n\n")
	fmt.Fprintf(out, "| Temporal server | clients | events | p50 ms | p99 ms (goal <= 2000) | max ms | delivered again |\n|---|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range rs {
		if !r.probed {
			continue
		}
		fmt.Fprintf(out, "| %s | %d | %d | %.0f | %.0f | %.0f | %d |\n", r.server, r.clients, r.notified.N,
			ms(r.notified.P50), ms(r.notified.P99), ms(r.notified.Max), r.dups)
	}
	if len(first) > 0 {
		fmt.Fprintf(out, "\nFirst error of each code:\n\n")
		for _, f := range first {
			fmt.Fprintf(out, "- %s\n", f)
		}
	}
	// Where the time goes at the most clients: latency by call.
	most := slices.MaxFunc(rs, func(a, b loadResult) int { return a.clients - b.clients }).clients
	var top []loadResult
	for _, r := range rs {
		if r.clients == most {
			top = append(top, r)
		}
	}
	fmt.Fprintf(out, "\nLatency by call at %d clients:\n\n| call |", most)
	for _, r := range top {
		fmt.Fprintf(out, " %s n | p50 ms | p99 ms |", r.server)
	}
	fmt.Fprintf(out, "\n|---|%s\n", strings.Repeat("--:|--:|--:|", len(top)))
	var order []string
	cells := map[string]map[string]string{} // by call, then server
	for _, r := range top {
		for _, lat := range []*latencies{r.writes, r.reads} {
			lat.each(func(rpc string, s summary) {
				if cells[rpc] == nil {
					order = append(order, rpc)
					cells[rpc] = map[string]string{}
				}
				cells[rpc][r.server] = fmt.Sprintf("%d | %.1f | %.1f", s.N, ms(s.P50), ms(s.P99))
			})
		}
	}
	for _, rpc := range order {
		fmt.Fprintf(out, "| %s |", rpc)
		for _, r := range top {
			cell, ok := cells[rpc][r.server]
			if !ok {
				cell = "0 | | "
			}
			fmt.Fprintf(out, " %s |", cell)
		}
		fmt.Fprintln(out)
	}
}
