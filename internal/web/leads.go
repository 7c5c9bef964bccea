package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ltcengine/ltc/internal/ltc"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// leadPageSize is how many leads a page of the list shows.
const leadPageSize = 25

// leadForm is the form that creates a lead, as submitted. The customer is an existing account (AccountID) or a
// new customer (Name, Grade, Industry, Region); the API takes exactly one of them.
type leadForm struct {
	RequestID, AccountID, Name, Grade, Industry, Region    string
	Title, Description, Value, Currency, CloseDate, Source string
	Error                                                  string
}

// leadsView is one page of the lead list with its filter, and the form that creates a lead.
type leadsView struct {
	Leads  []*ltcv1.Lead
	States []ltcv1.LeadState
	State  string
	// Next links the next page, empty on the last one; First links the first page, empty on it.
	Next, First string
	Create      leadForm
	Grades      []ltcv1.CustomerGrade
	Sources     []ltcv1.LeadSource
}

// leadStates are the states the lead list filters by.
var leadStates = []ltcv1.LeadState{ltcv1.LeadState_LEAD_STATE_NEW, ltcv1.LeadState_LEAD_STATE_QUALIFIED,
	ltcv1.LeadState_LEAD_STATE_DISQUALIFIED}

// grades are the customer grades, from the highest.
var grades = []ltcv1.CustomerGrade{ltcv1.CustomerGrade_CUSTOMER_GRADE_S, ltcv1.CustomerGrade_CUSTOMER_GRADE_A,
	ltcv1.CustomerGrade_CUSTOMER_GRADE_B, ltcv1.CustomerGrade_CUSTOMER_GRADE_C}

// leadSources are where a lead may come from.
var leadSources = []ltcv1.LeadSource{ltcv1.LeadSource_LEAD_SOURCE_CUSTOMER_STRATEGY,
	ltcv1.LeadSource_LEAD_SOURCE_INDUSTRY_ANALYSIS, ltcv1.LeadSource_LEAD_SOURCE_CUSTOMER_NEED,
	ltcv1.LeadSource_LEAD_SOURCE_OWN_STRATEGY, ltcv1.LeadSource_LEAD_SOURCE_MARKETING_EVENT,
	ltcv1.LeadSource_LEAD_SOURCE_REFERRAL, ltcv1.LeadSource_LEAD_SOURCE_OTHER}

func (s *Server) leadList(w http.ResponseWriter, r *http.Request, id Identity) {
	s.leadsPage(w, r, id, http.StatusOK, leadForm{Currency: "EUR", Grade: ltcv1.CustomerGrade_CUSTOMER_GRADE_B.String()})
}

// leadsPage lists the leads the person reads (ListLeads), filtered by state, a page at a time with the API's
// page tokens, with the create form as given (a new one gets a new request id).
func (s *Server) leadsPage(w http.ResponseWriter, r *http.Request, id Identity, code int, create leadForm) {
	q := r.URL.Query()
	view := leadsView{States: leadStates, State: q.Get("state"), Create: create, Grades: grades, Sources: leadSources}
	if view.Create.RequestID == "" {
		view.Create.RequestID = uuid.NewString()
	}
	ctx, cancel := s.call(r, id)
	defer cancel()
	resp, err := s.leads.ListLeads(ctx, &ltcv1.ListLeadsRequest{PageSize: leadPageSize, PageToken: q.Get("page"),
		State: ltcv1.LeadState(ltcv1.LeadState_value[view.State])})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	view.Leads = resp.Leads
	filter := url.Values{}
	if view.State != "" {
		filter.Set("state", view.State)
	}
	view.First, view.Next = pageLinks("/leads", filter, q.Get("page"), resp.NextPageToken)
	s.render(w, r, code, "leads", "leads", view)
}

// pageLinks are the links of a paged list at path with its filter: to the first page (empty on it) and to the
// next page (empty on the last one).
func pageLinks(path string, filter url.Values, page, next string) (first, nextLink string) {
	if page != "" {
		first = path + "?" + filter.Encode()
	}
	if next != "" {
		filter.Set("page", next)
		nextLink = path + "?" + filter.Encode()
	}
	return first, nextLink
}

// createLead sends the create form to CreateLead; success shows the new lead, a refusal draws the list again
// with the form as it was and the API's sentence beside it.
func (s *Server) createLead(w http.ResponseWriter, r *http.Request, id Identity) {
	f := leadForm{RequestID: r.PostFormValue("request_id"), AccountID: strings.TrimSpace(r.PostFormValue("account_id")),
		Name: r.PostFormValue("customer_name"), Grade: r.PostFormValue("grade"), Industry: r.PostFormValue("industry"),
		Region: r.PostFormValue("region"), Title: r.PostFormValue("title"), Description: r.PostFormValue("description"),
		Value: r.PostFormValue("value"), Currency: r.PostFormValue("currency"), CloseDate: r.PostFormValue("close_date"),
		Source: r.PostFormValue("source")}
	value, err := amount("value", f.Value, f.Currency)
	if err != nil {
		f.Error = sentence(err)
		s.leadsPage(w, r, id, http.StatusUnprocessableEntity, f)
		return
	}
	req := &ltcv1.CreateLeadRequest{RequestId: f.RequestID, Title: f.Title, Description: f.Description,
		Source:         ltcv1.LeadSource(ltcv1.LeadSource_value[f.Source]),
		EstimatedValue: value, ExpectedCloseDate: calendarDay(f.CloseDate)}
	if f.AccountID != "" {
		req.AccountId = f.AccountID
	} else if strings.TrimSpace(f.Name) != "" {
		req.Customer = &ltcv1.Customer{Name: strings.TrimSpace(f.Name), Grade: ltcv1.CustomerGrade(ltcv1.CustomerGrade_value[f.Grade]),
			Industry: f.Industry, Region: f.Region}
	}
	ctx, cancel := s.call(r, id)
	defer cancel()
	created, err := s.leads.CreateLead(ctx, req)
	if err != nil {
		if s.unauthenticated(w, r, err) {
			return
		}
		f.Error = sentence(err)
		s.leadsPage(w, r, id, http.StatusUnprocessableEntity, f)
		return
	}
	http.Redirect(w, r, "/leads/"+url.PathEscape(created.Lead.Id), http.StatusSeeOther)
}

// amount reads a form's amount such as "2500000" or "2,500,000.50" as Money in currency, exactly by the currency's
// minor digits (ltc.ParseAmount: "1,000" JPY is 1000 yen); nil when it is left empty, so that the API says whether
// it is needed. An amount that is not exactly one of the currency is refused here, naming the field, since the API
// would only see minor units.
func amount(name, value, currency string) (*ltcv1.Money, error) {
	if strings.TrimSpace(value) == "" {
		return nil, nil
	}
	m, err := ltc.ParseAmount(value, currency)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "%s: %v", name, err)
	}
	return &ltcv1.Money{CurrencyCode: m.Currency, AmountMinor: m.AmountMinor}, nil
}

// formAmount reads a pair of moneyFields, name and name_currency.
func formAmount(v url.Values, name string) (*ltcv1.Money, error) {
	return amount(name, v.Get(name), v.Get(name+"_currency"))
}

// calendarDay reads a date written 2006-01-02; nil when it is not one.
func calendarDay(s string) *date.Date {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return nil
	}
	return &date.Date{Year: int32(t.Year()), Month: int32(t.Month()), Day: int32(t.Day())}
}

// qualifyForm is the form that qualifies a lead, as submitted.
type qualifyForm struct {
	RequestID, Urgency, Notes           string
	BudgetConfirmed, DecisionChainKnown bool
	Error                               string
}

// disqualifyForm is the form that disqualifies a lead, as submitted.
type disqualifyForm struct {
	RequestID, Reason, Error string
}

// leadView is the lead page: the lead, and while it is new the forms that qualify and disqualify it.
type leadView struct {
	Lead       *ltcv1.Lead
	Qualify    qualifyForm
	Disqualify disqualifyForm
	Urgencies  []ltcv1.Urgency
	// Forms are the lead's other forms (reassigning it), drawn by the framework of the deal's.
	Forms []actionView
}

// Open reports whether the lead still waits to be qualified or disqualified.
func (v leadView) Open() bool { return v.Lead.State == ltcv1.LeadState_LEAD_STATE_NEW }

func (s *Server) lead(w http.ResponseWriter, r *http.Request, id Identity) {
	s.leadPage(w, r, id, http.StatusOK, qualifyForm{}, disqualifyForm{}, "", nil)
}

// leadPage shows one lead (GetLead) with the forms as given; a form without a request id gets a new one.
func (s *Server) leadPage(w http.ResponseWriter, r *http.Request, id Identity, code int, qualify qualifyForm, disqualify disqualifyForm,
	refusedKey string, refused *actionForm) {
	ctx, cancel := s.call(r, id)
	defer cancel()
	got, err := s.leads.GetLead(ctx, &ltcv1.GetLeadRequest{Id: r.PathValue("id")})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	view := leadView{Lead: got.Lead, Qualify: qualify, Disqualify: disqualify,
		Urgencies: []ltcv1.Urgency{ltcv1.Urgency_URGENCY_HOT, ltcv1.Urgency_URGENCY_WARM, ltcv1.Urgency_URGENCY_COLD}}
	if view.Qualify.RequestID == "" {
		view.Qualify.RequestID = uuid.NewString()
	}
	if view.Disqualify.RequestID == "" {
		view.Disqualify.RequestID = uuid.NewString()
	}
	view.Forms = draw(leadActions, view.Lead, refusedKey, refused)
	s.render(w, r, code, "lead", "leads", view)
}

// qualify sends the qualify form to QualifyLead; the API refuses those who are not the unit's sales managers.
func (s *Server) qualify(w http.ResponseWriter, r *http.Request, id Identity) {
	f := qualifyForm{RequestID: r.PostFormValue("request_id"), Urgency: r.PostFormValue("urgency"), Notes: r.PostFormValue("notes"),
		BudgetConfirmed: r.PostFormValue("budget_confirmed") != "", DecisionChainKnown: r.PostFormValue("decision_chain_known") != ""}
	ctx, cancel := s.call(r, id)
	defer cancel()
	_, err := s.leads.QualifyLead(ctx, &ltcv1.QualifyLeadRequest{RequestId: f.RequestID, LeadId: r.PathValue("id"),
		Qualification: &ltcv1.Qualification{BudgetConfirmed: f.BudgetConfirmed, DecisionChainKnown: f.DecisionChainKnown,
			Urgency: ltcv1.Urgency(ltcv1.Urgency_value[f.Urgency]), Notes: f.Notes}})
	if err != nil {
		if s.unauthenticated(w, r, err) {
			return
		}
		f.Error = sentence(err)
		s.leadPage(w, r, id, http.StatusUnprocessableEntity, f, disqualifyForm{}, "", nil)
		return
	}
	http.Redirect(w, r, "/leads/"+url.PathEscape(r.PathValue("id")), http.StatusSeeOther)
}

// disqualify sends the disqualify form to DisqualifyLead, as qualify does the qualify form.
func (s *Server) disqualify(w http.ResponseWriter, r *http.Request, id Identity) {
	f := disqualifyForm{RequestID: r.PostFormValue("request_id"), Reason: r.PostFormValue("reason")}
	ctx, cancel := s.call(r, id)
	defer cancel()
	_, err := s.leads.DisqualifyLead(ctx, &ltcv1.DisqualifyLeadRequest{RequestId: f.RequestID, LeadId: r.PathValue("id"),
		Reason: f.Reason})
	if err != nil {
		if s.unauthenticated(w, r, err) {
			return
		}
		f.Error = sentence(err)
		s.leadPage(w, r, id, http.StatusUnprocessableEntity, qualifyForm{}, f, "", nil)
		return
	}
	http.Redirect(w, r, "/leads/"+url.PathEscape(r.PathValue("id")), http.StatusSeeOther)
}

// leadActions are the lead page's forms drawn by the framework of the deal page: reassigning an open lead.
var leadActions = forms("/leads/", []action[*ltcv1.Lead]{
	{Key: "reassign", Title: "Reassign the lead", Who: "The unit's sales manager or an executive in scope",
		Offered: func(l *ltcv1.Lead) bool { return l.State == ltcv1.LeadState_LEAD_STATE_NEW },
		Fields:  []field{{Name: "owner", Label: "New owner", Kind: "text", Hint: "User id"}, {Name: "reason", Label: "Reason", Kind: "area"}},
		Send: func(ctx context.Context, s *Server, lead, rid string, v url.Values) error {
			_, err := s.leads.ReassignLead(ctx, &ltcv1.ReassignLeadRequest{RequestId: rid, LeadId: lead,
				Owner: &ltcv1.Person{Id: strings.TrimSpace(v.Get("owner"))}, Reason: v.Get("reason")})
			return err
		}},
})
