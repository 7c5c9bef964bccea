package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"

	"github.com/ltcengine/ltc/bench/seed"
	"github.com/ltcengine/ltc/internal/auth"
	"github.com/ltcengine/ltc/internal/dev"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/web"
)

// The goal of the workplace's pages: the server's time for a page, p95, at 10^6 deals.
const (
	webGoal     = 150 * time.Millisecond
	webGoalSize = 1_000_000
)

// workplaceURL is where the bench's browser thinks the workplace is; the requests never leave the process.
const workplaceURL = "http://workplace.bench"

// seededOwner is the demo key of a seeded account manager the dev sign-in also offers here: owner-0000 of the
// German office, one of the tenth of the owners who hold more deals, so My work has deals of theirs to show.
const seededOwner = "owner-0000"

// workplace is the web workplace (internal/web) served in the bench process, a client of the read path's
// `ltcd serve` with the demo people's tokens. Each person signs in through the dev sign-in as a browser does and
// keeps their cookies; a page is timed from ServeHTTP's call to its return, its API calls over gRPC included.
type workplace struct {
	handler http.Handler
	api     *countingConn
	jars    map[string]http.CookieJar // by demo key
	calls   map[string]*pageCalls     // by page row, since the last callsAt
}

// pageCalls is what a page row's requests cost beside their time: the API calls they made, by method, and the
// bytes of the pages.
type pageCalls struct {
	requests, bytes int
	byMethod        map[string]int
}

// newWorkplace builds the workplace on d's connection with the dev sign-in of the demo people (and of
// seededOwner, with a token signed by secret), and signs in everyone the pages are read as.
func newWorkplace(ctx context.Context, d *driver, secret string) (*workplace, error) {
	signIn := dev.SignIn(d.tokens)
	owner := ltc.Actor{ID: seed.Owner(0), Name: "Owner 0000", Roles: []ltc.Role{ltc.RoleSales}, Unit: seed.Office(0)}
	tok, err := auth.Mint([]byte(secret), owner, time.Now(), 24*time.Hour)
	if err != nil {
		return nil, err
	}
	signIn.People = append(signIn.People, web.DevPerson{Key: seededOwner, Name: owner.Name,
		About: "sales, " + owner.Unit.String() + " (seeded)", Token: tok})
	api := &countingConn{ClientConnInterface: d.conn, calls: map[string]int{}}
	srv, err := web.New(web.Options{API: api, SignIn: signIn})
	if err != nil {
		return nil, err
	}
	w := &workplace{handler: srv, api: api, jars: map[string]http.CookieJar{}, calls: map[string]*pageCalls{}}
	for _, key := range []string{"executive2", "executive3", "sales", "sales_manager", seededOwner} {
		if err := w.signIn(ctx, key); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// signIn posts the dev sign-in's form for the person, as a browser on the workplace's page does, and keeps the
// session cookie it gets in the person's jar.
func (w *workplace) signIn(ctx context.Context, key string) error {
	form := strings.NewReader(url.Values{"person": {key}}.Encode())
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, workplaceURL+"/signin/dev", form)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	resp := rec.Result()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/work" {
		return fmt.Errorf("web: sign in as %s: %s to %q", key, resp.Status, resp.Header.Get("Location"))
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return err
	}
	jar.SetCookies(req.URL, resp.Cookies())
	if len(jar.Cookies(req.URL)) == 0 {
		return fmt.Errorf("web: sign in as %s: no session cookie", key)
	}
	w.jars[key] = jar
	return nil
}

// get serves the page at target to the person, with their cookies, and returns how long ServeHTTP took; any
// answer but 200 is an error. The page's API calls and size count under row.
func (w *workplace) get(ctx context.Context, row, as, target string) (time.Duration, error) {
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, workplaceURL+target, nil)
	jar := w.jars[as]
	for _, c := range jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	w.api.take()
	start := time.Now()
	w.handler.ServeHTTP(rec, req)
	took := time.Since(start)
	calls := w.api.take()
	jar.SetCookies(req.URL, rec.Result().Cookies())
	if rec.Code != http.StatusOK {
		return took, fmt.Errorf("GET %s as %s: %d %s %s", target, as, rec.Code, http.StatusText(rec.Code), rec.Header().Get("Location"))
	}
	pc := w.calls[row]
	if pc == nil {
		pc = &pageCalls{byMethod: map[string]int{}}
		w.calls[row] = pc
	}
	pc.requests++
	pc.bytes += rec.Body.Len()
	for m, n := range calls {
		pc.byMethod[m] += n
	}
	return took, nil
}

// callsAt describes each page row's API calls per page and its size since the last call, and starts afresh.
func (w *workplace) callsAt() map[string]string {
	cells := map[string]string{}
	for row, pc := range w.calls {
		var parts []string
		for _, m := range slices.Sorted(maps.Keys(pc.byMethod)) {
			parts = append(parts, fmt.Sprintf("%s %.4g", m, float64(pc.byMethod[m])/float64(pc.requests)))
		}
		cells[row] = fmt.Sprintf("%s; %.0f KB", strings.Join(parts, ", "), float64(pc.bytes)/float64(pc.requests)/1024)
	}
	w.calls = map[string]*pageCalls{}
	return cells
}

// countingConn counts the API calls made through it, by method.
type countingConn struct {
	grpc.ClientConnInterface
	mu    sync.Mutex
	calls map[string]int
}

func (c *countingConn) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	c.mu.Lock()
	c.calls[path.Base(method)]++
	c.mu.Unlock()
	return c.ClientConnInterface.Invoke(ctx, method, args, reply, opts...)
}

// take returns the calls counted since the last take.
func (c *countingConn) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	calls := c.calls
	c.calls = map[string]int{}
	return calls
}

// webPages are the workplace's pages, each read as someone whose page it is: My work as the EMEA region's
// executive (the inbox row's, with decisions pending), as the demo sales rep and as a seeded account manager;
// the deal list's first page and a deal of the German office as its sales manager (the lists' reader); the
// pipeline of one of the four whole quarters before the seeded data's now as the corporate executive (the
// report rows' reader).
func webPages(w *workplace, s *sample) []readQuery {
	page := func(name, as string, target func(rng *rand.Rand) string) readQuery {
		return readQuery{name: name, call: func(ctx context.Context, rng *rand.Rand) (time.Duration, error) {
			return w.get(ctx, name, as, target(rng))
		}}
	}
	fixed := func(target string) func(*rand.Rand) string { return func(*rand.Rand) string { return target } }
	quarter := time.Date(seed.Epoch.Year(), (seed.Epoch.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
	var quarters []string
	for i := 1; i <= 4; i++ {
		q := quarter.AddDate(0, -3*i, 0)
		quarters = append(quarters, fmt.Sprintf("%d-Q%d", q.Year(), (int(q.Month())+2)/3))
	}
	return []readQuery{
		page("My work, a region's executive (executive2)", "executive2", fixed("/work")),
		page("My work, a sales rep (sales)", "sales", fixed("/work")),
		page("My work, a seeded account manager ("+seededOwner+")", seededOwner, fixed("/work")),
		page("Deals, first page (the office's sales manager)", "sales_manager", fixed("/deals")),
		page("Deal, one of the office's (its sales manager)", "sales_manager", func(rng *rand.Rand) string {
			return "/deals/" + s.officeDeals[rng.IntN(len(s.officeDeals))]
		}),
		page("Pipeline, a quarter (the corporate executive)", "executive3", func(rng *rand.Rand) string {
			return "/pipeline?quarter=" + quarters[rng.IntN(len(quarters))]
		}),
	}
}

// printWebPages prints the pages' server times, a column per size, each row held to webGoal at webGoalSize (at
// the largest size measured when that one was not), and then the API calls and bytes of each page.
func printWebPages(out io.Writer, sizes []int, requests int, results map[string][]readPoint, names []string,
	calls map[string][]string) {
	fmt.Fprintf(out, "\n## Web workplace\n\nPage server time: the workplace (internal/web) in the bench process serves one page at a time into an\n")
	fmt.Fprintf(out, "httptest.ResponseRecorder for a person signed in through the dev sign-in as a browser is; its API calls go over\n")
	fmt.Fprintf(out, "gRPC to the read path's `ltcd serve`. An answer other than 200 is an error, not a time. p50 / p95 / p99 in ms\n")
	fmt.Fprintf(out, "(%d requests each):\n\n| page |", requests)
	for _, size := range sizes {
		fmt.Fprintf(out, " %d deals |", size)
	}
	fmt.Fprintf(out, " goal: p95 <= %.0f ms at 10^6 |\n|---|%s---|\n", ms(webGoal), strings.Repeat("--:|", len(sizes)))
	at := len(sizes) - 1
	if i := slices.Index(sizes, webGoalSize); i >= 0 {
		at = i
	}
	for _, name := range names {
		fmt.Fprintf(out, "| %s |", name)
		for _, p := range results[name] {
			cell := fmt.Sprintf(" %.1f / %.1f / %.1f", ms(p.P50), ms(p.P95), ms(p.P99))
			if p.errors > 0 {
				cell += fmt.Sprintf(" (%d errors)", p.errors)
			}
			fmt.Fprintf(out, "%s |", cell)
		}
		p := results[name][at]
		verdict := "✓"
		if p.errors > 0 || p.N == 0 || p.P95 > webGoal {
			verdict = "✗"
		}
		if sizes[at] != webGoalSize {
			verdict += fmt.Sprintf(" at %d deals (10^6 not measured)", sizes[at])
		}
		fmt.Fprintf(out, " %s |\n", verdict)
	}
	fmt.Fprintf(out, "\nAPI calls per page (on average) and the page's size:\n\n| page |")
	for _, size := range sizes {
		fmt.Fprintf(out, " %d deals |", size)
	}
	fmt.Fprintf(out, "\n|---|%s\n", strings.Repeat("---|", len(sizes)))
	for _, name := range names {
		fmt.Fprintf(out, "| %s | %s |\n", name, strings.Join(calls[name], " | "))
	}
}
