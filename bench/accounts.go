package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ltcengine/ltc/bench/seed"
	"github.com/ltcengine/ltc/internal/store"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// accountSample is what the account queries pick from: accounts present in the seeded database.
type accountSample struct {
	accounts []string // of every office
	german   []string // of the German office, which its sales manager reads
	count    int      // accounts seeded: AccountName(0) to AccountName(count-1)
}

// accountQueries are the reads of accounts, each made as someone who may make it: GetAccount with its power map as
// the corporate executive and as the German office's sales manager (an account of that office), ListAccounts as
// that sales manager, who reads one office in six.
func accountQueries(d *driver, s *accountSample) []readQuery {
	measure := d.timed
	get := func(name, as string, ids func() []string) readQuery {
		return readQuery{name: name, goal: 20 * time.Millisecond, call: func(ctx context.Context, rng *rand.Rand) (time.Duration, error) {
			return measure(ctx, as, func(ctx context.Context) error {
				ids := ids()
				resp, err := d.accounts.GetAccount(ctx, &ltcv1.GetAccountRequest{Id: ids[rng.IntN(len(ids))]})
				if err == nil && len(resp.Account.PowerMap) == 0 {
					return fmt.Errorf("account %s came without its power map", resp.Account.Id)
				}
				return err
			})
		}}
	}
	list := func(name string, req func(rng *rand.Rand) *ltcv1.ListAccountsRequest) readQuery {
		return readQuery{name: name, goal: 20 * time.Millisecond, call: func(ctx context.Context, rng *rand.Rand) (time.Duration, error) {
			return measure(ctx, "sales_manager", func(ctx context.Context) error {
				_, err := d.accounts.ListAccounts(ctx, req(rng))
				return err
			})
		}}
	}
	grades := []ltcv1.CustomerGrade{ltcv1.CustomerGrade_CUSTOMER_GRADE_S, ltcv1.CustomerGrade_CUSTOMER_GRADE_A,
		ltcv1.CustomerGrade_CUSTOMER_GRADE_B, ltcv1.CustomerGrade_CUSTOMER_GRADE_C}
	return []readQuery{
		get("GetAccount with its power map, an executive", "executive3", func() []string { return s.accounts }),
		get("GetAccount with its power map, the office's sales manager", "sales_manager", func() []string { return s.german }),
		list("ListAccounts, no filter", func(*rand.Rand) *ltcv1.ListAccountsRequest { return &ltcv1.ListAccountsRequest{} }),
		list("ListAccounts, by grade", func(rng *rand.Rand) *ltcv1.ListAccountsRequest {
			return &ltcv1.ListAccountsRequest{Grade: grades[rng.IntN(len(grades))]}
		}),
		list("ListAccounts, by name contains", func(rng *rand.Rand) *ltcv1.ListAccountsRequest {
			// An account's distinctive part ("012345" of "Helios Energy 012345 AG"), found through the trigram index.
			return &ltcv1.ListAccountsRequest{NameContains: strings.Fields(seed.AccountName(rng.IntN(max(1, s.count))))[2]}
		}),
		list("ListAccounts, target only", func(*rand.Rand) *ltcv1.ListAccountsRequest {
			return &ltcv1.ListAccountsRequest{TargetOnly: true}
		}),
	}
}

// accountTables are the tables seed.Accounts writes.
var accountTables = []string{"accounts", "contacts", "deal_access"}

// accountReads seeds accounts beside the read path's deals to each size in turn, and at each measures the account
// queries over gRPC through `ltcd serve`.
func accountReads(ctx context.Context, out io.Writer, st *store.Store, url string, d *driver, sizes []int, requests int) error {
	results := map[string][]readPoint{}
	var names, seeding []string
	seeded := 0
	for _, size := range sizes {
		progress(fmt.Sprintf("accounts: seeding %d accounts", size))
		start := time.Now()
		counts, err := bulkLoad(ctx, url, accountTables, func() (seed.AccountCounts, error) {
			return seed.Accounts(ctx, st, seeded, size)
		})
		if err != nil {
			return fmt.Errorf("seed %d accounts: %w", size, err)
		}
		took := time.Since(start)
		s, contacts, bytes, err := prepareAccounts(ctx, url, size)
		if err != nil {
			return err
		}
		progress(fmt.Sprintf("accounts: %d accounts and %d contacts written in %s", counts.Accounts, counts.Contacts, took.Round(time.Second)))
		seeding = append(seeding, fmt.Sprintf("| %d | %d | %.0f | %.2f |", size, contacts, took.Seconds(), float64(bytes)/(1<<30)))
		seeded = size
		progress(fmt.Sprintf("accounts: measuring at %d accounts", size))
		names = measureReads(ctx, accountQueries(d, s), rand.New(rand.NewPCG(uint64(size), 17)), requests, results, names)
	}
	fmt.Fprintf(out, "\n## Accounts\n\nSeeded through the store beside the read path's deals (bench/seed: each account made with the domain's\n")
	fmt.Fprintf(out, "own commands through ltc.RunAccount, S/A/B/C at about 5/15/40/40 %%, over the %d offices, 1 to 30 contacts\n", len(seed.Offices))
	fmt.Fprintf(out, "in an org chart, its relationship assessed, plans and reviews of S and A accounts):\n\n")
	fmt.Fprintf(out, "| accounts | contacts | seconds to seed | accounts and contacts GiB |\n|--:|--:|--:|--:|\n%s\n", strings.Join(seeding, "\n"))
	printLatencies(out, "accounts", "10^5", fmt.Sprintf("%d requests each", requests), sizes, accountQueries(d, &accountSample{}),
		results, names)
	return nil
}

// prepareAccounts brings the statistics of the account tables up to date after their bulk load and samples
// accounts for the queries; it returns the contacts in all and the size of the account tables with their indexes.
func prepareAccounts(ctx context.Context, url string, count int) (*accountSample, int64, int64, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, 0, 0, err
	}
	defer conn.Close(ctx)
	progress("accounts: vacuum and analyze")
	if _, err := conn.Exec(ctx, "VACUUM (ANALYZE) accounts, contacts, deal_access"); err != nil {
		return nil, 0, 0, fmt.Errorf("vacuum: %w", err)
	}
	s := &accountSample{count: count}
	for _, q := range []struct {
		ids   *[]string
		query string
	}{
		{&s.accounts, "SELECT id::text FROM accounts TABLESAMPLE BERNOULLI (2) LIMIT 2000"},
		{&s.german, "SELECT id::text FROM accounts TABLESAMPLE BERNOULLI (10) WHERE org_unit = 'emea/germany' LIMIT 2000"},
	} {
		rows, err := conn.Query(ctx, q.query)
		if err != nil {
			return nil, 0, 0, err
		}
		if *q.ids, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return nil, 0, 0, err
		}
		if len(*q.ids) == 0 {
			return nil, 0, 0, fmt.Errorf("no accounts to sample: %s", q.query)
		}
	}
	var contacts, bytes int64
	if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM contacts),
		pg_total_relation_size('accounts') + pg_total_relation_size('contacts')`).Scan(&contacts, &bytes); err != nil {
		return nil, 0, 0, err
	}
	return s, contacts, bytes, nil
}
