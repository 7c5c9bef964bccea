package web_test

import (
	"context"
	"html"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/ltcengine/ltc/internal/web"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// pagedDeals is an OpportunityService with two pages of deals, which records what the workplace asked.
type pagedDeals struct {
	ltcv1.UnimplementedOpportunityServiceServer
	mu    sync.Mutex
	asked []*ltcv1.ListOpportunitiesRequest
	auth  []string
}

func (p *pagedDeals) ListOpportunities(ctx context.Context, req *ltcv1.ListOpportunitiesRequest) (*ltcv1.ListOpportunitiesResponse, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked = append(p.asked, req)
	md, _ := metadata.FromIncomingContext(ctx)
	p.auth = append(p.auth, md.Get("authorization")...)
	if req.PageToken == "" {
		return &ltcv1.ListOpportunitiesResponse{NextPageToken: "second/page+token",
			Opportunities: []*ltcv1.Opportunity{{Id: "11111111-1111-4111-8111-111111111111", Title: "First deal", Stage: ltcv1.Stage_STAGE_PURSUIT}}}, nil
	}
	return &ltcv1.ListOpportunitiesResponse{
		Opportunities: []*ltcv1.Opportunity{{Id: "22222222-2222-4222-8222-222222222222", Title: "Second deal", Stage: ltcv1.Stage_STAGE_PURSUIT}}}, nil
}

// fakeAPI serves the services on an in-memory connection for the workplace.
func fakeAPI(t *testing.T, register func(*grpc.Server)) *httptest.Server {
	t.Helper()
	l := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	register(srv)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufnet", grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return l.DialContext(ctx) }))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	s, err := web.New(web.Options{API: conn, SignIn: web.DevSignIn{People: []web.DevPerson{eva}}})
	require.NoError(t, err)
	site := httptest.NewServer(s)
	t.Cleanup(site.Close)
	return site
}

// TestTheDealListPagesWithTheAPIsTokensAndKeepsItsFilter pages through the deal list against an API that answers
// two pages: the next page's link carries the API's token and the filter unchanged, as the API requires, and every
// call carries the person's token.
func TestTheDealListPagesWithTheAPIsTokensAndKeepsItsFilter(t *testing.T) {
	api := &pagedDeals{}
	site := fakeAPI(t, func(srv *grpc.Server) { ltcv1.RegisterOpportunityServiceServer(srv, api) })
	client := signedIn(t, site, "executive2")
	api.asked, api.auth = nil, nil // My work, where the sign-in lands, lists deals too

	code, page := read(t, func() (*http.Response, error) {
		return client.Get(site.URL + "/deals?stage=STAGE_PURSUIT&customer=Acme")
	})
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, "First deal")
	next := url.Values{"page": {"second/page+token"}, "stage": {"STAGE_PURSUIT"}, "customer": {"Acme"}}
	assert.Contains(t, page, `href="`+html.EscapeString("/deals?"+next.Encode())+`"`)
	assert.NotContains(t, page, "First page", "the first page links no first page")

	_, page = read(t, func() (*http.Response, error) { return client.Get(site.URL + "/deals?" + next.Encode()) })
	assert.Contains(t, page, "Second deal")
	assert.NotContains(t, page, "Next page", "the last page links no next page")
	assert.Contains(t, page, "First page")

	require.Len(t, api.asked, 2)
	assert.Equal(t, "", api.asked[0].PageToken)
	assert.Equal(t, "second/page+token", api.asked[1].PageToken)
	for _, req := range api.asked {
		assert.Equal(t, ltcv1.Stage_STAGE_PURSUIT, req.Stage)
		assert.Equal(t, "Acme", req.Customer)
	}
	assert.Equal(t, []string{"Bearer token-of-eva", "Bearer token-of-eva"}, api.auth, "each call carries the person's token")
}

// expiredToken is a DecisionService that no longer accepts the person's token.
type expiredToken struct {
	ltcv1.UnimplementedDecisionServiceServer
}

func (expiredToken) ListDecisions(context.Context, *ltcv1.ListDecisionsRequest) (*ltcv1.ListDecisionsResponse, error) {
	return nil, status.Error(codes.Unauthenticated, "token expired")
}

// TestATokenTheAPINoLongerAcceptsEndsTheSession checks that a page the API refuses as UNAUTHENTICATED ends the
// session and sends the person to sign in again.
func TestATokenTheAPINoLongerAcceptsEndsTheSession(t *testing.T) {
	site := fakeAPI(t, func(srv *grpc.Server) { ltcv1.RegisterDecisionServiceServer(srv, expiredToken{}) })
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(site.URL+"/signin/dev", url.Values{"person": {"executive2"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp, err = client.Get(site.URL + "/work")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/signin/", resp.Header.Get("Location"))
	require.Len(t, resp.Cookies(), 1)
	assert.Negative(t, resp.Cookies()[0].MaxAge, "the session cookie is removed")
}

// quietInbox is a DecisionService with nothing pending, and overdueDeals an OpportunityService whose overdue
// deals are one late weekly report and one late handover.
type (
	quietInbox struct {
		ltcv1.UnimplementedDecisionServiceServer
	}
	overdueDeals struct {
		ltcv1.UnimplementedOpportunityServiceServer
	}
)

func (quietInbox) ListDecisions(context.Context, *ltcv1.ListDecisionsRequest) (*ltcv1.ListDecisionsResponse, error) {
	return &ltcv1.ListDecisionsResponse{}, nil
}

func (overdueDeals) ListOpportunities(_ context.Context, req *ltcv1.ListOpportunitiesRequest) (*ltcv1.ListOpportunitiesResponse, error) {
	if !req.OverdueOnly {
		return nil, status.Error(codes.InvalidArgument, "My work asks for overdue deals only")
	}
	return &ltcv1.ListOpportunitiesResponse{Opportunities: []*ltcv1.Opportunity{
		{Id: "33333333-3333-4333-8333-333333333333", Title: "Late report deal", Stage: ltcv1.Stage_STAGE_PURSUIT, OverdueReportPeriods: []int32{2}},
		{Id: "44444444-4444-4444-8444-444444444444", Title: "Late handover deal", Stage: ltcv1.Stage_STAGE_HANDOVER, HandoverOverdue: true},
	}}, nil
}

// TestMyWorkListsTheDealsWithSomethingOverdue checks My work's second list, from ListOpportunities overdue_only.
func TestMyWorkListsTheDealsWithSomethingOverdue(t *testing.T) {
	site := fakeAPI(t, func(srv *grpc.Server) {
		ltcv1.RegisterDecisionServiceServer(srv, quietInbox{})
		ltcv1.RegisterOpportunityServiceServer(srv, overdueDeals{})
	})
	client := signedIn(t, site, "executive2")
	code, page := read(t, func() (*http.Response, error) { return client.Get(site.URL + "/work") })
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, "Nothing waits for you.")
	assert.Regexp(t, `Late report deal</a></td><td>Pursuit</td>\s*<td>Weekly report`, page)
	assert.Regexp(t, `Late handover deal</a></td><td>Handover</td>\s*<td>Handover`, page)
}
