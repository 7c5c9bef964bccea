package web

import (
	"net/http"
	"net/url"

	"github.com/google/uuid"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// accountPageSize is how many accounts a page of the list shows.
const accountPageSize = 25

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

// contactForm is the form that adds a contact, as submitted.
type contactForm struct {
	RequestID, Name, Title, Department, Email, Phone, ReportsTo, Role, Attitude string
	HiddenDecider, RisingStar                                                   bool
	Error                                                                       string
}

// accountView is the account page: the account, its power map as trees, and the form that adds a contact.
type accountView struct {
	Account   *ltcv1.Account
	PowerMap  []*powerNode
	Contact   contactForm
	Roles     []ltcv1.ContactRole
	Attitudes []ltcv1.Attitude
}

func (s *Server) account(w http.ResponseWriter, r *http.Request, id Identity) {
	s.accountPage(w, r, id, http.StatusOK, contactForm{})
}

// accountPage shows one account (GetAccount): grade and its history, team, relationship, plan, review cadence,
// satisfaction, open deals and the power map, with the contact form as given (a new one gets a new request id).
// Contacts' personal data show as the API returns them: empty for those who may not read them.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, id Identity, code int, contact contactForm) {
	ctx, cancel := s.call(r, id)
	defer cancel()
	got, err := s.accounts.GetAccount(ctx, &ltcv1.GetAccountRequest{Id: r.PathValue("id")})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	view := accountView{Account: got.Account, PowerMap: powerTree(got.Account.PowerMap), Contact: contact,
		Roles: []ltcv1.ContactRole{ltcv1.ContactRole_CONTACT_ROLE_DECISION_MAKER, ltcv1.ContactRole_CONTACT_ROLE_INFLUENCER,
			ltcv1.ContactRole_CONTACT_ROLE_EVALUATOR, ltcv1.ContactRole_CONTACT_ROLE_USER,
			ltcv1.ContactRole_CONTACT_ROLE_GATEKEEPER, ltcv1.ContactRole_CONTACT_ROLE_COACH},
		Attitudes: []ltcv1.Attitude{ltcv1.Attitude_ATTITUDE_VALUES_US, ltcv1.Attitude_ATTITUDE_ACCEPTS_US,
			ltcv1.Attitude_ATTITUDE_COMMODITY, ltcv1.Attitude_ATTITUDE_THREAT},
	}
	if view.Contact.RequestID == "" {
		view.Contact.RequestID = uuid.NewString()
	}
	s.render(w, r, code, "account", "accounts", view)
}

// addContact sends the contact form to AddContact; a refusal draws the account again with the form as it was and
// the API's sentence beside it.
func (s *Server) addContact(w http.ResponseWriter, r *http.Request, id Identity) {
	f := contactForm{RequestID: r.PostFormValue("request_id"), Name: r.PostFormValue("name"), Title: r.PostFormValue("title"),
		Department: r.PostFormValue("department"), Email: r.PostFormValue("email"), Phone: r.PostFormValue("phone"),
		ReportsTo: r.PostFormValue("reports_to"), Role: r.PostFormValue("role"), Attitude: r.PostFormValue("attitude"),
		HiddenDecider: r.PostFormValue("hidden_decider") != "", RisingStar: r.PostFormValue("rising_star") != ""}
	ctx, cancel := s.call(r, id)
	defer cancel()
	_, err := s.accounts.AddContact(ctx, &ltcv1.AddContactRequest{RequestId: f.RequestID, AccountId: r.PathValue("id"),
		Contact: &ltcv1.Contact{Name: f.Name, Title: f.Title, Department: f.Department, Email: f.Email, Phone: f.Phone,
			ReportsToContactId: f.ReportsTo, Role: ltcv1.ContactRole(ltcv1.ContactRole_value[f.Role]),
			Attitude: ltcv1.Attitude(ltcv1.Attitude_value[f.Attitude]), HiddenDecider: f.HiddenDecider, RisingStar: f.RisingStar}})
	if err != nil {
		if s.unauthenticated(w, r, err) {
			return
		}
		f.Error = sentence(err)
		s.accountPage(w, r, id, http.StatusUnprocessableEntity, f)
		return
	}
	http.Redirect(w, r, "/accounts/"+url.PathEscape(r.PathValue("id")), http.StatusSeeOther)
}
