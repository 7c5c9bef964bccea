package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ltcengine/ltc/bench/seed"
	"github.com/ltcengine/ltc/internal/dev"
	"github.com/ltcengine/ltc/internal/localpg"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// readQuery is one kind of read, made over gRPC as a person allowed to make it.
type readQuery struct {
	name string
	// goal is the p99 the query must stay under at 10^6 deals (0: none stated).
	goal time.Duration
	// call makes one request; it may make unmeasured requests first (to reach a deep page), and returns the
	// duration of the measured one.
	call func(ctx context.Context, rng *rand.Rand) (time.Duration, error)
	// requests overrides the number of requests (0: the run's default).
	requests int
}

// sample is what the queries pick from: ids and cursors present in the seeded database.
type sample struct {
	deals []string
	// officeDeals are deals of the German office, which its sales manager reads.
	officeDeals []string
	lastSeq     int64
}

func readQueries(d *driver, s *sample) []readQuery {
	measure := d.timed
	list := func(name string, req func(rng *rand.Rand) *ltcv1.ListOpportunitiesRequest) readQuery {
		return readQuery{name: name, goal: 20 * time.Millisecond, call: func(ctx context.Context, rng *rand.Rand) (time.Duration, error) {
			return measure(ctx, "sales_manager", func(ctx context.Context) error {
				_, err := d.deals.ListOpportunities(ctx, req(rng))
				return err
			})
		}}
	}
	stages := []ltcv1.Stage{ltcv1.Stage_STAGE_VALIDATION, ltcv1.Stage_STAGE_PURSUIT, ltcv1.Stage_STAGE_BIDDING,
		ltcv1.Stage_STAGE_ATC_REVIEW, ltcv1.Stage_STAGE_HANDOVER, ltcv1.Stage_STAGE_CLOSED}
	outcomes := []ltcv1.Outcome{ltcv1.Outcome_OUTCOME_WON, ltcv1.Outcome_OUTCOME_LOST, ltcv1.Outcome_OUTCOME_ABANDONED}
	levels := []ltcv1.ProjectLevel{ltcv1.ProjectLevel_PROJECT_LEVEL_A, ltcv1.ProjectLevel_PROJECT_LEVEL_B, ltcv1.ProjectLevel_PROJECT_LEVEL_C}
	pick := func(rng *rand.Rand, n int) int { return rng.IntN(n) }
	inbox := func(name, as string) readQuery {
		return readQuery{name: name, goal: 20 * time.Millisecond, call: func(ctx context.Context, rng *rand.Rand) (time.Duration, error) {
			return measure(ctx, as, func(ctx context.Context) error {
				_, err := d.decisions.ListDecisions(ctx, &ltcv1.ListDecisionsRequest{PendingForMe: true})
				return err
			})
		}}
	}
	// events pages the log as the CRM integration (the whole company), or as someone else whose reach narrows it.
	events := func(name string, req func(rng *rand.Rand) *ltcv1.ListEventsRequest, as ...string) readQuery {
		reader := "system"
		if len(as) > 0 {
			reader = as[0]
		}
		return readQuery{name: name, goal: 20 * time.Millisecond, call: func(ctx context.Context, rng *rand.Rand) (time.Duration, error) {
			return measure(ctx, reader, func(ctx context.Context) error {
				_, err := d.deals.ListEvents(ctx, req(rng))
				return err
			})
		}}
	}
	// report asks for a period of days ending in the last month, for deals of all levels and owners unless
	// filter (if any) narrows them.
	report := func(name string, days int, filter func(rng *rand.Rand, r *ltcv1.GetPipelineReportRequest)) readQuery {
		return readQuery{name: name, goal: 300 * time.Millisecond, requests: 12, call: func(ctx context.Context, rng *rand.Rand) (time.Duration, error) {
			end := seed.Epoch.Add(-time.Duration(rng.IntN(30)) * 24 * time.Hour)
			req := &ltcv1.GetPipelineReportRequest{
				StartTime: timestamppb.New(end.Add(-time.Duration(days) * 24 * time.Hour)), EndTime: timestamppb.New(end)}
			if filter != nil {
				filter(rng, req)
			}
			return measure(ctx, "executive3", func(ctx context.Context) error {
				_, err := d.reports.GetPipelineReport(ctx, req)
				return err
			})
		}}
	}
	// forecast asks for one of the quarters the seeded forecasts close in (bench/seed: the year after the epoch).
	forecast := func(name, as string, filter func(rng *rand.Rand, r *ltcv1.GetForecastReportRequest)) readQuery {
		return readQuery{name: name, goal: 300 * time.Millisecond, call: func(ctx context.Context, rng *rand.Rand) (time.Duration, error) {
			req := &ltcv1.GetForecastReportRequest{Quarter: ltc.QuarterOf(seed.Epoch.AddDate(0, 3*rng.IntN(4), 0))}
			if filter != nil {
				filter(rng, req)
			}
			return measure(ctx, as, func(ctx context.Context) error {
				_, err := d.reports.GetForecastReport(ctx, req)
				return err
			})
		}}
	}
	// cash asks for a period of months ending in the three months before the epoch (whole months, as a finance
	// report is), receivables aged as of the epoch, by the grouping.
	cash := func(name, as string, months int, group ltcv1.CashGrouping, filter func(rng *rand.Rand, r *ltcv1.GetCashReportRequest)) readQuery {
		return readQuery{name: name, goal: 300 * time.Millisecond, call: func(ctx context.Context, rng *rand.Rand) (time.Duration, error) {
			end := seed.Epoch.AddDate(0, -rng.IntN(3), 0)
			req := &ltcv1.GetCashReportRequest{StartTime: timestamppb.New(end.AddDate(0, -months, 0)), EndTime: timestamppb.New(end),
				AsOf: &date.Date{Year: int32(seed.Epoch.Year()), Month: int32(seed.Epoch.Month()), Day: int32(seed.Epoch.Day())}, GroupBy: group}
			if filter != nil {
				filter(rng, req)
			}
			return measure(ctx, as, func(ctx context.Context) error {
				_, err := d.reports.GetCashReport(ctx, req)
				return err
			})
		}}
	}
	return []readQuery{
		{name: "GetOpportunity", goal: 20 * time.Millisecond, call: func(ctx context.Context, rng *rand.Rand) (time.Duration, error) {
			return measure(ctx, "executive3", func(ctx context.Context) error {
				_, err := d.deals.GetOpportunity(ctx, &ltcv1.GetOpportunityRequest{Id: s.deals[pick(rng, len(s.deals))]})
				return err
			})
		}},
		list("ListOpportunities, no filter", func(*rand.Rand) *ltcv1.ListOpportunitiesRequest { return &ltcv1.ListOpportunitiesRequest{} }),
		list("ListOpportunities, by stage", func(rng *rand.Rand) *ltcv1.ListOpportunitiesRequest {
			return &ltcv1.ListOpportunitiesRequest{Stage: stages[pick(rng, len(stages))]}
		}),
		list("ListOpportunities, by outcome", func(rng *rand.Rand) *ltcv1.ListOpportunitiesRequest {
			return &ltcv1.ListOpportunitiesRequest{Outcome: outcomes[pick(rng, len(outcomes))]}
		}),
		list("ListOpportunities, by level", func(rng *rand.Rand) *ltcv1.ListOpportunitiesRequest {
			return &ltcv1.ListOpportunitiesRequest{Level: levels[pick(rng, len(levels))]}
		}),
		// The lists read as the German office's sales manager, who asks for an account manager of that office
		// (Office(k) is the first for every len(Offices)-th k); asked for one of another office, the page comes
		// back empty after the owner's every deal was read and found out of reach.
		list("ListOpportunities, by owner", func(rng *rand.Rand) *ltcv1.ListOpportunitiesRequest {
			return &ltcv1.ListOpportunitiesRequest{OwnerId: seed.Owner(pick(rng, seed.Owners/len(seed.Offices)) * len(seed.Offices))}
		}),
		list("ListOpportunities, by an owner out of reach", func(rng *rand.Rand) *ltcv1.ListOpportunitiesRequest {
			return &ltcv1.ListOpportunitiesRequest{OwnerId: seed.Owner(pick(rng, seed.Owners/len(seed.Offices))*len(seed.Offices) + 1)}
		}),
		list("ListOpportunities, by customer text", func(rng *rand.Rand) *ltcv1.ListOpportunitiesRequest {
			// A customer's distinctive part ("01234" of "Customer 01234 Energy"), found through the trigram index.
			return &ltcv1.ListOpportunitiesRequest{Customer: strings.Fields(seed.Customer(pick(rng, seed.Customers)))[1]}
		}),
		{name: "ListOpportunities, page 20 by stage", goal: 20 * time.Millisecond, call: func(ctx context.Context, rng *rand.Rand) (time.Duration, error) {
			req := &ltcv1.ListOpportunitiesRequest{Stage: stages[pick(rng, len(stages))], PageSize: 50}
			var took time.Duration
			for page := 1; page <= 20; page++ {
				var resp *ltcv1.ListOpportunitiesResponse
				var err error
				took, err = measure(ctx, "sales_manager", func(ctx context.Context) error {
					resp, err = d.deals.ListOpportunities(ctx, req)
					return err
				})
				if err != nil || resp.NextPageToken == "" {
					return took, err
				}
				req.PageToken = resp.NextPageToken
			}
			return took, nil
		}},
		inbox("ListDecisions pending_for_me, executive", "executive2"),
		inbox("ListDecisions pending_for_me, reviewer", "reviewer_finance"),
		events("ListEvents, all deals from a cursor", func(rng *rand.Rand) *ltcv1.ListEventsRequest {
			return &ltcv1.ListEventsRequest{AfterSequence: rng.Int64N(s.lastSeq)}
		}),
		events("ListEvents, one deal", func(rng *rand.Rand) *ltcv1.ListEventsRequest {
			return &ltcv1.ListEventsRequest{DealId: s.deals[pick(rng, len(s.deals))]}
		}),
		events("ListEvents, one type from a cursor", func(rng *rand.Rand) *ltcv1.ListEventsRequest {
			return &ltcv1.ListEventsRequest{AfterSequence: rng.Int64N(s.lastSeq), Types: []string{"contract.signed"}}
		}),
		events("ListEvents, all deals from a cursor, a region's executive", func(rng *rand.Rand) *ltcv1.ListEventsRequest {
			return &ltcv1.ListEventsRequest{AfterSequence: rng.Int64N(s.lastSeq)}
		}, "executive2"),
		report("GetPipelineReport, a quarter", 91, nil),
		report("GetPipelineReport, a quarter of one level", 91, func(rng *rand.Rand, r *ltcv1.GetPipelineReportRequest) {
			r.Level = levels[pick(rng, len(levels))]
		}),
		report("GetPipelineReport, a quarter of one owner", 91, func(rng *rand.Rand, r *ltcv1.GetPipelineReportRequest) {
			r.OwnerId = seed.Owner(pick(rng, seed.Owners))
		}),
		report("GetPipelineReport, a year", 365, nil),
		forecast("GetForecastReport, a quarter", "executive3", nil),
		forecast("GetForecastReport, a quarter in USD", "executive3", func(_ *rand.Rand, r *ltcv1.GetForecastReportRequest) {
			r.CurrencyCode = "USD"
		}),
		forecast("GetForecastReport, a quarter of one owner", "executive3", func(rng *rand.Rand, r *ltcv1.GetForecastReportRequest) {
			r.OwnerId = seed.Owner(pick(rng, seed.Owners))
		}),
		forecast("GetForecastReport, a quarter, a region's executive", "executive2", nil),
		cash("GetCashReport, a quarter by unit", "executive3", 3, ltcv1.CashGrouping_CASH_GROUPING_UNIT, nil),
		cash("GetCashReport, a year by owner", "executive3", 12, ltcv1.CashGrouping_CASH_GROUPING_OWNER, nil),
		cash("GetCashReport, a quarter by account", "executive3", 3, ltcv1.CashGrouping_CASH_GROUPING_ACCOUNT, nil),
		cash("GetCashReport, the last 30 days by unit", "executive3", 0, ltcv1.CashGrouping_CASH_GROUPING_UNIT,
			func(rng *rand.Rand, r *ltcv1.GetCashReportRequest) {
				r.StartTime = timestamppb.New(r.EndTime.AsTime().Add(-30*24*time.Hour + time.Duration(rng.IntN(24))*time.Hour))
			}),
		cash("GetCashReport, a quarter by owner, a region's executive", "executive2", 3, ltcv1.CashGrouping_CASH_GROUPING_OWNER, nil),
		cash("GetCashReport, a quarter of one owner", "executive3", 3, ltcv1.CashGrouping_CASH_GROUPING_UNIT,
			func(rng *rand.Rand, r *ltcv1.GetCashReportRequest) { r.OwnerId = seed.Owner(pick(rng, seed.Owners)) }),
	}
}

// timed makes one request as the named person and returns how long it took.
func (d *driver) timed(ctx context.Context, as string, fn func(ctx context.Context) error) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(d.withToken(ctx, as), 30*time.Second)
	defer cancel()
	start := time.Now()
	err := fn(ctx)
	return time.Since(start), err
}

// readPoint is one query's distribution at one size.
type readPoint struct {
	summary
	errors int
}

// readPath seeds a database to each size in turn, and at each measures every query over gRPC through `ltcd serve`
// and the web workplace's pages served in this process from the same API.
func readPath(ctx context.Context, out io.Writer, dir, ltcd string, cluster *localpg.Cluster, temporal string, secret string,
	sizes, accountSizes []int, requests int) error {
	const db = "ltc_read"
	_, d, stop, err := deploy(ctx, dir, ltcd, cluster, db, temporal, secret)
	if err != nil {
		return err
	}
	defer stop()
	url := cluster.URL(db)
	st, err := store.Open(ctx, url, 4, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	wp, err := newWorkplace(ctx, d, secret)
	if err != nil {
		return err
	}

	results := map[string][]readPoint{}
	var names []string
	var seeding []string
	pages := map[string][]readPoint{}
	var pageNames []string
	pageCalls := map[string][]string{}
	seeded := 0
	for _, size := range sizes {
		progress(fmt.Sprintf("read path: seeding %d deals", size))
		start := time.Now()
		counts, err := bulkLoad(ctx, url, nil, func() (seed.Counts, error) { return seed.Deals(ctx, st, seeded, size) })
		if err != nil {
			return fmt.Errorf("seed %d deals: %w", size, err)
		}
		seeded = size
		if err := seedForecast(ctx, st, url); err != nil {
			return fmt.Errorf("forecast snapshots at %d deals: %w", size, err)
		}
		took := time.Since(start)
		s, dbSize, err := prepare(ctx, url)
		if err != nil {
			return err
		}
		seeding = append(seeding, fmt.Sprintf("| %d | %d | %d | %d | %.0f | %.1f |", size, counts.Opportunities, counts.Decisions,
			counts.Events, took.Seconds(), float64(dbSize)/(1<<30)))
		progress(fmt.Sprintf("read path: measuring at %d deals", size))
		names = measureReads(ctx, readQueries(d, s), rand.New(rand.NewPCG(uint64(size), 7)), requests, results, names)
		progress(fmt.Sprintf("read path: the workplace's pages at %d deals", size))
		pageNames = measureReads(ctx, webPages(wp, s), rand.New(rand.NewPCG(uint64(size), 29)), requests, pages, pageNames)
		calls := wp.callsAt()
		for _, name := range pageNames {
			pageCalls[name] = append(pageCalls[name], calls[name])
		}
	}
	if len(sizes) > 0 {
		fmt.Fprintf(out, "\n## Read path\n\nSeeded through the store (bench/seed: whole deals made with the domain's own functions, spread over\n")
		fmt.Fprintf(out, "stages, levels, %d owners, %d customers and three years, with their decisions and events):\n\n", seed.Owners, seed.Customers)
		fmt.Fprintf(out, "| deals | opportunities | decisions | events | seconds to seed | database GiB |\n|--:|--:|--:|--:|--:|--:|\n%s\n",
			strings.Join(seeding, "\n"))
		printLatencies(out, "deals", "10^6", fmt.Sprintf("%d requests each, 12 for the pipeline report", requests), sizes,
			readQueries(d, &sample{}), results, names)
		printReports(out, "GetForecastReport", sizes, results, names)
		printReports(out, "GetCashReport", sizes, results, names)
		printWebPages(out, sizes, requests, pages, pageNames, pageCalls)
	}
	if len(accountSizes) > 0 {
		return accountReads(ctx, out, st, url, d, accountSizes, requests)
	}
	return nil
}

// measureReads makes each query's requests one at a time after a warm-up, and adds its distribution to results;
// names are the queries in the order first measured.
func measureReads(ctx context.Context, queries []readQuery, rng *rand.Rand, requests int, results map[string][]readPoint,
	names []string) []string {
	for _, q := range queries {
		n := requests
		if q.requests > 0 {
			n = min(q.requests, requests)
		}
		for range min(10, n/5) { // warm up: connections, caches
			_, _ = q.call(ctx, rng)
		}
		var ds []time.Duration
		errs := 0
		for range n {
			took, err := q.call(ctx, rng)
			if err != nil {
				errs++
				progress(fmt.Sprintf("%s: %v", q.name, err))
				continue
			}
			ds = append(ds, took)
		}
		if _, ok := results[q.name]; !ok {
			names = append(names, q.name)
		}
		results[q.name] = append(results[q.name], readPoint{summarize(ds), errs})
	}
	return names
}

// printLatencies prints the queries' latencies, a column per size of what (deals, accounts), with each query's goal
// at goalAt.
func printLatencies(out io.Writer, what, goalAt, requests string, sizes []int, queries []readQuery, results map[string][]readPoint,
	names []string) {
	fmt.Fprintf(out, "\nLatency over gRPC through `ltcd serve`, one request at a time, p50 / p99 in ms (%s):\n\n| query |", requests)
	for _, size := range sizes {
		fmt.Fprintf(out, " %d %s |", size, what)
	}
	fmt.Fprintf(out, " goal at %s |\n|---|%s--:|\n", goalAt, strings.Repeat("--:|", len(sizes)))
	goals := map[string]time.Duration{}
	for _, q := range queries {
		goals[q.name] = q.goal
	}
	for _, name := range names {
		fmt.Fprintf(out, "| %s |", name)
		for _, p := range results[name] {
			cell := fmt.Sprintf(" %.1f / %.1f", ms(p.P50), ms(p.P99))
			if p.errors > 0 {
				cell += fmt.Sprintf(" (%d errors)", p.errors)
			}
			fmt.Fprintf(out, "%s |", cell)
		}
		fmt.Fprintf(out, " p99 <= %.0f |\n", ms(goals[name]))
	}
}

// bulkLoad runs load the way bulk loads are done (as pg_restore does): the secondary indexes of tables (of every
// table when nil) are dropped first and built again after, which is many times faster than maintaining them row by
// row. A load of every table is one of deals, whose report days are counted again after it.
func bulkLoad[C any](ctx context.Context, url string, tables []string, load func() (C, error)) (C, error) {
	var none C
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return none, err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = 'public'
		AND ($1::text[] IS NULL OR tablename = ANY ($1))
		AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY indexname`, tables)
	if err != nil {
		return none, err
	}
	type index struct{ name, def string }
	indexes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (index, error) {
		var i index
		return i, r.Scan(&i.name, &i.def)
	})
	if err != nil {
		return none, err
	}
	for _, i := range indexes {
		if _, err := conn.Exec(ctx, "DROP INDEX "+pgx.Identifier{i.name}.Sanitize()); err != nil {
			return none, err
		}
	}
	// The report's per-day aggregates likewise: their triggers (migration 012) would count the rows one by one;
	// report_days_rebuild counts them all at once after.
	rows, err = conn.Query(ctx, `SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE tgname LIKE 'report_days%' ORDER BY 1, 2`)
	if err != nil {
		return none, err
	}
	type trigger struct{ table, name string }
	triggers, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (trigger, error) {
		var t trigger
		return t, r.Scan(&t.table, &t.name)
	})
	if err != nil {
		return none, err
	}
	turn := func(how string) error {
		for _, t := range triggers {
			if _, err := conn.Exec(ctx, "ALTER TABLE "+t.table+" "+how+" TRIGGER "+pgx.Identifier{t.name}.Sanitize()); err != nil {
				return err
			}
		}
		return nil
	}
	if err := turn("DISABLE"); err != nil {
		return none, err
	}
	counts, err := load()
	if err != nil {
		return counts, err
	}
	progress(fmt.Sprintf("bulk load: %+v loaded; building the indexes again", counts))
	if _, err := conn.Exec(ctx, "SET maintenance_work_mem = '1GB'"); err != nil {
		return counts, err
	}
	for _, i := range indexes {
		if _, err := conn.Exec(ctx, i.def); err != nil {
			return counts, fmt.Errorf("rebuild index %s: %w", i.name, err)
		}
	}
	if tables != nil {
		return counts, turn("ENABLE")
	}
	progress("read path: counting the report's days")
	if _, err := conn.Exec(ctx, "SET work_mem = '256MB'"); err != nil {
		return counts, err
	}
	if _, err := conn.Exec(ctx, "SELECT report_days_rebuild()"); err != nil {
		return counts, fmt.Errorf("rebuild the report's days: %w", err)
	}
	return counts, turn("ENABLE")
}

// prepare brings the statistics up to date after a bulk load, as autovacuum would on a live database, and
// samples deals and the log's head for the queries.
func prepare(ctx context.Context, url string) (*sample, int64, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, 0, err
	}
	defer conn.Close(ctx)
	progress("read path: vacuum and analyze")
	// The tables read through index-only scans get their visibility map; the event log its statistics.
	if _, err := conn.Exec(ctx, "VACUUM (ANALYZE) leads, opportunities, decisions, stage_visits, report_created_days, "+
		"report_reached_days, report_closed_days, report_stay_days, report_turnaround_days, report_overdue_days, "+
		"deal_forecasts, forecast_snapshots, contract_invoices, contract_payments, contract_milestones, cash_months"); err != nil {
		return nil, 0, fmt.Errorf("vacuum: %w", err)
	}
	if _, err := conn.Exec(ctx, "ANALYZE events"); err != nil {
		return nil, 0, fmt.Errorf("analyze: %w", err)
	}
	s := &sample{}
	if s.deals, err = sampleIDs(ctx, conn, 1, "SELECT id::text FROM opportunities %s LIMIT 2000"); err != nil {
		return nil, 0, err
	}
	if s.officeDeals, err = sampleIDs(ctx, conn, 6, `SELECT o.id::text FROM opportunities o %s
		JOIN deal_access a ON a.deal_id = o.id WHERE a.org_unit = $1 LIMIT 2000`, dev.DemoPeople["sales_manager"].Unit.String()); err != nil {
		return nil, 0, err
	}
	var size int64
	if err := conn.QueryRow(ctx, "SELECT last_sequence, pg_database_size(current_database()) FROM event_log_head").Scan(&s.lastSeq, &size); err != nil {
		return nil, 0, err
	}
	return s, size, nil
}

// sampleIDs returns the ids query finds in a random sample of about percent of the rows of the table after its
// %s, or in the whole table when the sample holds none (a small table).
func sampleIDs(ctx context.Context, conn *pgx.Conn, percent int, query string, args ...any) ([]string, error) {
	for _, from := range []string{fmt.Sprintf("TABLESAMPLE BERNOULLI (%d)", percent), ""} {
		rows, err := conn.Query(ctx, fmt.Sprintf(query, from), args...)
		if err != nil {
			return nil, err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(ids) > 0 {
			return ids, err
		}
	}
	return nil, fmt.Errorf("no rows to sample: %s", query)
}

// seedForecast sets the exchange rates of the seeded currencies into EUR (once) and takes the forecast's weekly
// snapshots of the 13 weeks before the epoch again, of the deals seeded so far.
func seedForecast(ctx context.Context, st *store.Store, url string) error {
	var rates []ltc.ExchangeRate
	for _, r := range []struct{ from, rate string }{{"USD", "0.9235"}, {"CNY", "0.1276"}, {"GBP", "1.1650"}} {
		rates = append(rates, ltc.ExchangeRate{EffectiveDate: ltc.Date{Year: 2020, Month: 1, Day: 1}, From: r.from, To: "EUR",
			Rate: r.rate, SetBy: ltc.Person{ID: "bench"}, SetAt: seed.Epoch})
	}
	if _, err := st.SetExchangeRates(ctx, rates, store.ReferenceRequest{ID: "bench-rates", Method: "SetExchangeRates",
		ActorID: "bench", PayloadHash: []byte("bench-rates")}); err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DELETE FROM forecast_snapshots; DELETE FROM forecast_snapshot_weeks"); err != nil {
		return err
	}
	for week := 12; week >= 0; week-- {
		if _, err := st.TakeForecastSnapshot(ctx, seed.Epoch.AddDate(0, 0, -7*week)); err != nil {
			return err
		}
	}
	return nil
}

// printReports prints the latencies of the queries named with the prefix (a report) with their 95th percentile too.
func printReports(out io.Writer, prefix string, sizes []int, results map[string][]readPoint, names []string) {
	fmt.Fprintf(out, "\n%s, p50 / p95 / p99 ms:\n\n| query | deals | p50 | p95 | p99 | errors |\n|---|--:|--:|--:|--:|--:|\n", prefix)
	for _, name := range names {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		for i, p := range results[name] {
			fmt.Fprintf(out, "| %s | %d | %.1f | %.1f | %.1f | %d |\n", name, sizes[i], ms(p.P50), ms(p.P95), ms(p.P99), p.errors)
		}
	}
}
