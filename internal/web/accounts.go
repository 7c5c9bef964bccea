package web

import (
	"net/http"
	"net/url"

	"golang.org/x/sync/errgroup"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// accountPageSize is how many accounts a page of the list shows; accountActivities how many activities, the
// latest, the account page shows.
const accountPageSize, accountActivities = 25, 10

// accountsView is one page of the account list with its filter.
type accountsView struct {
	Accounts []*ltcv1.Account
	Grades   []ltcv1.CustomerGrade
	Grade    string
	// Name is the text the accounts' names contain; Target keeps the target-account list only.
	Name   string
	Target bool
	// Next links the next page, empty on the last one; First links the first page, empty on it.
	Next, First string
}

// accountList lists the accounts the person reads (ListAccounts), filtered by grade, name and the target list,
// a page at a time with the API's page tokens.
func (s *Server) accountList(w http.ResponseWriter, r *http.Request, id Identity) {
	q := r.URL.Query()
	view := accountsView{Grades: grades, Grade: q.Get("grade"), Name: q.Get("name"), Target: q.Get("target") != ""}
	ctx, cancel := s.call(r, id)
	defer cancel()
	resp, err := s.accounts.ListAccounts(ctx, &ltcv1.ListAccountsRequest{PageSize: accountPageSize, PageToken: q.Get("page"),
		Grade: ltcv1.CustomerGrade(ltcv1.CustomerGrade_value[view.Grade]), NameContains: view.Name, TargetOnly: view.Target})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	view.Accounts = resp.Accounts
	filter := url.Values{}
	if view.Grade != "" {
		filter.Set("grade", view.Grade)
	}
	if view.Name != "" {
		filter.Set("name", view.Name)
	}
	if view.Target {
		filter.Set("target", "1")
	}
	view.First, view.Next = pageLinks("/accounts", filter, q.Get("page"), resp.NextPageToken)
	s.render(w, r, http.StatusOK, "accounts", "accounts", view)
}

// powerNode is a contact of the power map with the contacts who report to it, for the page's nested lists.
type powerNode struct {
	*ltcv1.PowerMapEntry
	Reports []*powerNode
}

// powerTree nests the power map, which the API gives flattened depth first with each contact's depth, into the
// trees of the contacts who report to no one.
func powerTree(entries []*ltcv1.PowerMapEntry) []*powerNode {
	var roots []*powerNode
	var path []*powerNode // path[d] is the latest contact at depth d
	for _, e := range entries {
		n := &powerNode{PowerMapEntry: e}
		d := min(int(e.Depth), len(path))
		path = append(path[:d], n)
		if d == 0 {
			roots = append(roots, n)
		} else {
			path[d-1].Reports = append(path[d-1].Reports, n)
		}
	}
	return roots
}

// accountView is the account page: the account, its power map as trees, and its forms by key.
type accountView struct {
	Account  *ltcv1.Account
	PowerMap []*powerNode
	// Activities are the account's latest activities, held, planned and cancelled.
	Activities []*ltcv1.Activity
	// Forms are the forms the page offers, by their keys.
	Forms map[string]*actionView
}

func (s *Server) account(w http.ResponseWriter, r *http.Request, id Identity) {
	s.accountPage(w, r, id, http.StatusOK, "", nil)
}

// accountPage shows one account (GetAccount): grade and its history, team, relationship, plan, review cadence,
// satisfaction, open deals and activities and the power map, with the forms of the changes people make there;
// the form of action refusedKey as refused, the others new (with new request ids). Contacts' personal data show
// as the API returns them: empty for those who may not read them.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, id Identity, code int, refusedKey string, refused *actionForm) {
	ctx, cancel := s.call(r, id)
	defer cancel()
	var got *ltcv1.GetAccountResponse
	var activities *ltcv1.ListActivitiesResponse
	var g errgroup.Group
	g.Go(func() (err error) {
		got, err = s.accounts.GetAccount(ctx, &ltcv1.GetAccountRequest{Id: r.PathValue("id")})
		return err
	})
	g.Go(func() (err error) {
		activities, err = s.accounts.ListActivities(ctx, &ltcv1.ListActivitiesRequest{AccountId: r.PathValue("id"), PageSize: accountActivities})
		return err
	})
	if err := g.Wait(); err != nil {
		s.failed(w, r, err)
		return
	}
	view := accountView{Account: got.Account, PowerMap: powerTree(got.Account.PowerMap), Activities: activities.Activities,
		Forms: map[string]*actionView{}}
	for _, form := range draw(accountActions, view.Account, refusedKey, refused) {
		view.Forms[form.Key] = &form
	}
	s.render(w, r, code, "account", "accounts", view)
}
