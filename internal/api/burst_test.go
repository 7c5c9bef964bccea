package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/type/date"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	"github.com/ltcengine/ltc/internal/testenv"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
	"github.com/ltcengine/ltc/workflows"
)

// burstChange is one change of a burst: its request id and the call that sends it.
type burstChange struct {
	rid string
	do  func(ctx context.Context, rid string) error
}

// burstOn is n changes of the deal at once, cycling through a risk, a meeting and a weekly report by the AR,
// the SR and the FR.
func burstOn(t *testing.T, e *testenv.Engine, id string, n int) []burstChange {
	t.Helper()
	deals := ltcv1.NewOpportunityServiceClient(e.Conn)
	var changes []burstChange
	for i := range n {
		by := []ltc.Actor{sam, sara, fred}[i%3]
		var do func(ctx context.Context, rid string) error
		switch i % 5 {
		case 0, 3:
			do = func(ctx context.Context, rid string) error {
				r := risk()
				r.Description = fmt.Sprintf("risk %d", i)
				_, err := deals.AddRisk(testenv.WithToken(ctx, e.Token(t, by)), &ltcv1.AddRiskRequest{RequestId: rid, OpportunityId: id, Risk: r})
				return err
			}
		case 1:
			do = func(ctx context.Context, rid string) error {
				_, err := deals.RecordMeeting(testenv.WithToken(ctx, e.Token(t, by)), &ltcv1.RecordMeetingRequest{RequestId: rid, OpportunityId: id,
					Meeting: &ltcv1.Meeting{Kind: ltcv1.MeetingKind_MEETING_KIND_ANALYSIS, Date: &date.Date{Year: 2027, Month: 1, Day: 10},
						Attendees: []*ltcv1.Person{{Id: "sam"}}, Conclusions: fmt.Sprintf("meeting %d", i)}})
				return err
			}
		default:
			do = func(ctx context.Context, rid string) error {
				_, err := deals.SubmitWeeklyReport(testenv.WithToken(ctx, e.Token(t, by)), &ltcv1.SubmitWeeklyReportRequest{RequestId: rid,
					OpportunityId: id, Report: &ltcv1.WeeklyReport{Progress: fmt.Sprintf("report %d", i), NextSteps: "n", WinRate: 50}})
				return err
			}
		}
		changes = append(changes, burstChange{uuid.NewString(), do})
	}
	return changes
}

// sendAll sends the changes at once, each retried with its request id after a fault, and fails the test for any
// that is not accepted.
func sendAll(t *testing.T, changes []burstChange) {
	t.Helper()
	var wg sync.WaitGroup
	for _, c := range changes {
		wg.Go(func() {
			if err := retry(t, func(ctx context.Context) error { return c.do(ctx, c.rid) }); err != nil {
				t.Errorf("change %s: %v", c.rid, err)
			}
		})
	}
	wg.Wait()
}

// processState is the deal as its process holds it, asked by query.
func processState(t *testing.T, e *testenv.Engine, id string) workflows.DealState {
	t.Helper()
	v, err := e.Temporal.QueryWorkflow(context.Background(), workflows.DealWorkflowID(id), "", workflows.QueryDeal)
	require.NoError(t, err)
	var st workflows.DealState
	require.NoError(t, v.Get(&st))
	return st
}

// checkMatchesTheProcess checks that the deal's read model is the deal its process holds, at its revision, and
// that the deal's event log is the process's changes in the process's order: contiguous deal sequences, times that
// never go back, the requests in the order the process applied them, the risks in the register's order and the
// report revisions counting up.
func checkMatchesTheProcess(t *testing.T, e *testenv.Engine, id string) workflows.DealState {
	t.Helper()
	ctx := context.Background()
	o, err := e.Store.Opportunity(ctx, id)
	require.NoError(t, err)
	page, err := e.Store.Events(ctx, store.EventQuery{DealID: id, Limit: 1000})
	require.NoError(t, err)

	var logged []string // request ids of the log, in its order, once per change
	var risks []string
	lastRevision := map[int]int{}
	var last time.Time
	for i, ev := range page.Events {
		assert.Equal(t, int64(i+1), ev.DealSequence, "deal sequences are contiguous")
		assert.False(t, ev.OccurredAt.Before(last), "event %d (%s) occurred at %v, before the one logged ahead of it (%v)", i+1, ev.Type, ev.OccurredAt, last)
		last = ev.OccurredAt
		if ev.RequestID != "" && (len(logged) == 0 || logged[len(logged)-1] != ev.RequestID) {
			logged = append(logged, ev.RequestID)
		}
		switch ev.Type {
		case ltc.EventRiskAdded:
			risks = append(risks, ltc.RiskID(ev.RequestID))
		case ltc.EventWeeklyReportSubmitted:
			var r ltc.WeeklyReport
			require.NoError(t, json.Unmarshal(ev.Data, &r))
			if prev, ok := lastRevision[r.Period]; ok {
				assert.Equal(t, prev+1, r.Revision, "report revisions of period %d are logged in order", r.Period)
			}
			lastRevision[r.Period] = r.Revision
		}
	}
	var register []string
	for _, r := range o.Risks {
		register = append(register, r.ID)
	}
	assert.Equal(t, register, risks, "the log holds the risks in the register's order")

	st := processState(t, e, id)
	// The log starts with the lead's own events (written by the lead's process) before the deal's.
	require.GreaterOrEqual(t, len(logged), len(st.Applied))
	assert.Equal(t, st.Applied, logged[len(logged)-len(st.Applied):], "the log follows the process's order")
	rev, err := e.Store.Revision(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, st.Revision, rev, "the read model is at the process's revision")
	items, err := e.Store.Content(ctx, id)
	require.NoError(t, err)
	whole, err := st.Opportunity.WithContent(items)
	require.NoError(t, err)
	if whole.Forecast == nil { // the forecast the read model derives for a deal whose owner never set one
		f := whole.ForecastOf(st.Lead.ExpectedCloseDate)
		whole.Forecast = &f
	}
	want, _ := json.Marshal(whole)
	got, _ := json.Marshal(o)
	assert.JSONEq(t, string(want), string(got), "the read model holds the process's deal")
	return st
}

// checkFollowsTheProcess checks checkMatchesTheProcess, and that the process applied every change of the burst
// and the read model holds each.
func checkFollowsTheProcess(t *testing.T, e *testenv.Engine, id string, changes []burstChange) {
	t.Helper()
	st := checkMatchesTheProcess(t, e, id)
	for _, c := range changes {
		assert.Contains(t, st.Applied, c.rid, "the process applied every accepted change")
	}
	o, err := e.Store.Opportunity(context.Background(), id)
	require.NoError(t, err)
	counted := len(o.Risks) + len(o.Meetings)
	if o.Cadence != nil {
		counted += len(o.Cadence.Reports)
	}
	assert.Equal(t, len(changes)+1, counted, "the read model holds every change (and the risk the deal started with)")
}

// TestABurstOnOneDealIsRecordedInTheProcessOrder sends dozens of changes to one deal at once: every change is in
// the read model right after the burst, and the deal's event log is in the order the process applied them.
func TestABurstOnOneDealIsRecordedInTheProcessOrder(t *testing.T) {
	e := testenv.StartEngine(t)
	id := toPursuitC(t, e)
	changes := burstOn(t, e, id, 48)
	start := time.Now()
	sendAll(t, changes)
	t.Logf("48 changes on one deal in %v", time.Since(start))
	checkFollowsTheProcess(t, e, id, changes)
}

// TestABurstOnManyDealsIsRecordedInTheProcessOrder does the same on several deals at once.
func TestABurstOnManyDealsIsRecordedInTheProcessOrder(t *testing.T) {
	e := testenv.StartEngine(t)
	ids := make([]string, 6)
	all := make([][]burstChange, len(ids))
	for i := range ids {
		ids[i] = toPursuitC(t, e)
		all[i] = burstOn(t, e, ids[i], 16)
	}
	start := time.Now()
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() { sendAll(t, all[i]) })
	}
	// The rest of the engine keeps answering during the burst.
	created := time.Now()
	_, err := ltcv1.NewLeadServiceClient(e.Conn).CreateLead(e.As(t, sam), createRequest())
	require.NoError(t, err)
	createdIn := time.Since(created)
	wg.Wait()
	t.Logf("%d changes on %d deals in %v; a CreateLead during the burst took %v", 16*len(ids), len(ids), time.Since(start), createdIn)
	assert.Less(t, createdIn, 5*time.Second, "the engine does not stall under the burst")
	assert.Less(t, time.Since(start), 30*time.Second, "the burst does not stall")
	for i, id := range ids {
		checkFollowsTheProcess(t, e, id, all[i])
	}
}
