package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"
	"google.golang.org/protobuf/types/known/timestamppb"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// workItem is a pending decision on My work: a decision to take or a review to submit.
type workItem struct {
	Decision *ltcv1.Decision
	// Deal is the deal's title, or its short id when the person may read the decision but not the deal.
	Deal string
	// MissingReviews are the required reviews not submitted yet.
	MissingReviews []ltcv1.ReviewFunction
}

// workView is My work: the decisions and reviews waiting for the person, what their deals' teams owe, and the
// deals they read that have something overdue.
type workView struct {
	Items   []workItem
	Owed    []obligation
	Overdue []*ltcv1.Opportunity
	// Delegations are those in force the person gave or received (ListDelegations current_only).
	Delegations []*ltcv1.Delegation
	// Forms are My work's own: delegating one's decisions, ending a delegation.
	Forms []actionView
}

// obligation is something a deal's team owes: a weekly report, the handover or the project summary.
type obligation struct {
	// What is the catalogue's name of it; Form is the id of its form on the deal page.
	What, Form string
	Deal       *ltcv1.Opportunity
	Due        *timestamppb.Timestamp
	Overdue    bool
}

// obligations are what the teams of deals owe, as the API says: a weekly report while one is due, the handover
// while the deal is in HANDOVER, the project summary while it is due and not in.
func obligations(deals []*ltcv1.Opportunity) []obligation {
	var owed []obligation
	for _, o := range deals {
		if o.NextReportDueTime != nil {
			owed = append(owed, obligation{What: "Weekly report", Form: "report-form", Deal: o, Due: o.NextReportDueTime,
				Overdue: len(o.OverdueReportPeriods) > 0})
		}
		if o.Stage == ltcv1.Stage_STAGE_HANDOVER {
			owed = append(owed, obligation{What: "Contract handover", Form: "action-handover", Deal: o, Due: o.HandoverDueTime,
				Overdue: o.HandoverOverdue})
		}
		if o.SummaryDueTime != nil && o.Summary == nil {
			owed = append(owed, obligation{What: "Project summary", Form: "action-summary", Deal: o, Due: o.SummaryDueTime,
				Overdue: o.SummaryOverdue})
		}
	}
	slices.SortStableFunc(owed, func(a, b obligation) int {
		return overdueFirst(a.Overdue, b.Overdue, a.Due, b.Due)
	})
	return owed
}

// overdueFirst orders what is overdue before what is not, then by due time.
func overdueFirst(aOverdue, bOverdue bool, aDue, bDue *timestamppb.Timestamp) int {
	if aOverdue != bOverdue {
		if aOverdue {
			return -1
		}
		return 1
	}
	return aDue.AsTime().Compare(bDue.AsTime())
}

// myWork lists what waits for the person (ListDecisions pending_for_me) and what their deals owe (ListOpportunities
// mine), overdue first, then by due time, the deals they read with something overdue (ListOpportunities
// overdue_only; left out for those who read no deals), and the delegations in force they gave or received. The
// calls run at once.
func (s *Server) myWork(w http.ResponseWriter, r *http.Request, id Identity) {
	s.workPage(w, r, id, http.StatusOK, "", nil)
}

// workPage draws My work with its forms: the one of refusedKey as refused, the others new.
func (s *Server) workPage(w http.ResponseWriter, r *http.Request, id Identity, code int, refusedKey string, refused *actionForm) {
	ctx, cancel := s.call(r, id)
	defer cancel()
	var pending *ltcv1.ListDecisionsResponse
	var view workView
	var g errgroup.Group
	g.Go(func() (err error) {
		pending, err = s.decisions.ListDecisions(ctx, &ltcv1.ListDecisionsRequest{PendingForMe: true, PageSize: 200})
		return err
	})
	g.Go(func() error {
		if mine, err := s.deals.ListOpportunities(ctx, &ltcv1.ListOpportunitiesRequest{Mine: true, PageSize: 200}); err == nil {
			view.Owed = obligations(mine.Opportunities)
		}
		return nil
	})
	g.Go(func() error {
		if overdue, err := s.deals.ListOpportunities(ctx, &ltcv1.ListOpportunitiesRequest{OverdueOnly: true, PageSize: 50}); err == nil {
			view.Overdue = overdue.Opportunities
		}
		return nil
	})
	g.Go(func() error {
		if given, err := s.people.ListDelegations(ctx, &ltcv1.ListDelegationsRequest{CurrentOnly: true, PageSize: 50}); err == nil {
			view.Delegations = given.Delegations
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		s.failed(w, r, err)
		return
	}
	titles := s.dealTitles(ctx, pending.Decisions)
	for _, d := range pending.Decisions {
		view.Items = append(view.Items, workItem{Decision: d, Deal: titles[d.OpportunityId], MissingReviews: missingReviews(d)})
	}
	slices.SortStableFunc(view.Items, func(a, b workItem) int {
		return overdueFirst(a.Decision.Overdue, b.Decision.Overdue, a.Decision.GetDueTime(), b.Decision.GetDueTime())
	})
	view.Forms = draw(workActions, work{Delegations: view.Delegations}, refusedKey, refused)
	s.render(w, r, code, "mywork", "work", view)
}

// dealTitles names the deals of the decisions: by the title the decision carries, else (a decision recorded
// before decisions carried it) by the deal's, read a few at a time; a deal the person may not read (a reviewer
// reads the decision, not always the deal) keeps its short id.
func (s *Server) dealTitles(ctx context.Context, decisions []*ltcv1.Decision) map[string]string {
	titles := map[string]string{}
	var deals []string
	for _, d := range decisions {
		if d.OpportunityTitle != "" {
			titles[d.OpportunityId] = d.OpportunityTitle
		}
	}
	for _, d := range decisions {
		if _, ok := titles[d.OpportunityId]; !ok {
			titles[d.OpportunityId] = short(d.OpportunityId)
			deals = append(deals, d.OpportunityId)
		}
	}
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(8)
	for _, deal := range deals {
		g.Go(func() error {
			if got, err := s.deals.GetOpportunity(ctx, &ltcv1.GetOpportunityRequest{Id: deal}); err == nil {
				mu.Lock()
				titles[deal] = got.Opportunity.GetTitle()
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait()
	return titles
}

// missingReviews are the reviews a decision requires that nobody has submitted yet.
func missingReviews(d *ltcv1.Decision) []ltcv1.ReviewFunction {
	var missing []ltcv1.ReviewFunction
	for _, f := range d.RequiredReviews {
		if !slices.ContainsFunc(d.Reviews, func(r *ltcv1.Review) bool { return r.Function == f }) {
			missing = append(missing, f)
		}
	}
	return missing
}

// decideForm is the decision form as submitted, kept to draw it again beside a refusal.
type decideForm struct {
	RequestID, Verdict, Level, Conditions, Rationale string
	// Error is the API's sentence when it refused the form.
	Error string
}

// reviewForm is the review form as submitted.
type reviewForm struct {
	RequestID, Function, Result, Comments string
	Error                                 string
}

// decisionView is the decision page: the decision with its package, reviews and risks, the deal it is about,
// and the forms to decide it or review it.
type decisionView struct {
	Decision       *ltcv1.Decision
	Deal           *ltcv1.Opportunity
	MissingReviews []ltcv1.ReviewFunction
	Decide         decideForm
	Review         reviewForm
	// The choices of the forms: Functions are the reviews still missing.
	Verdicts  []ltcv1.Verdict
	Levels    []ltcv1.ProjectLevel
	Functions []ltcv1.ReviewFunction
	Results   []ltcv1.ReviewResult
	// Forms are the decision's other forms (assigning a review), drawn by the framework of the deal's.
	Forms []actionView
}

// Pending reports whether the decision still waits for reviews or a decider.
func (v decisionView) Pending() bool {
	return v.Decision.Status == ltcv1.DecisionStatus_DECISION_STATUS_PENDING
}

// Initiation reports whether the decision is of the INITIATION gate, whose decider fixes the project level.
func (v decisionView) Initiation() bool { return v.Decision.Gate == ltcv1.Gate_GATE_INITIATION }

func (s *Server) decision(w http.ResponseWriter, r *http.Request, id Identity) {
	s.decisionPage(w, r, id, http.StatusOK, decideForm{Verdict: ltcv1.Verdict_VERDICT_APPROVE.String()}, reviewForm{})
}

// decisionPage draws the decision page with the forms as given; a form without a request id gets a new one, so
// resubmitting the same form (a double click, the back button) repeats the same request and changes nothing twice.
func (s *Server) decisionPage(w http.ResponseWriter, r *http.Request, id Identity, code int, decide decideForm, review reviewForm) {
	s.decisionPageWith(w, r, id, code, decide, review, "", nil)
}

// decisionPageWith draws the decision page with its other forms too (assigning a review): the one of refusedKey
// as refused, the others new.
func (s *Server) decisionPageWith(w http.ResponseWriter, r *http.Request, id Identity, code int, decide decideForm, review reviewForm,
	refusedKey string, refused *actionForm) {
	ctx, cancel := s.call(r, id)
	defer cancel()
	got, err := s.decisions.GetDecision(ctx, &ltcv1.GetDecisionRequest{Id: r.PathValue("id")})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	d := got.Decision
	view := decisionView{Decision: d, MissingReviews: missingReviews(d), Decide: decide, Review: review,
		Verdicts: []ltcv1.Verdict{ltcv1.Verdict_VERDICT_APPROVE, ltcv1.Verdict_VERDICT_APPROVE_WITH_CONDITIONS,
			ltcv1.Verdict_VERDICT_REJECT, ltcv1.Verdict_VERDICT_RETURN},
		Levels:    []ltcv1.ProjectLevel{ltcv1.ProjectLevel_PROJECT_LEVEL_A, ltcv1.ProjectLevel_PROJECT_LEVEL_B, ltcv1.ProjectLevel_PROJECT_LEVEL_C},
		Functions: missingReviews(d),
		Results: []ltcv1.ReviewResult{ltcv1.ReviewResult_REVIEW_RESULT_PASS, ltcv1.ReviewResult_REVIEW_RESULT_PASS_WITH_CONCERNS,
			ltcv1.ReviewResult_REVIEW_RESULT_FAIL},
	}
	if view.Decide.RequestID == "" {
		view.Decide.RequestID = uuid.NewString()
	}
	if view.Review.RequestID == "" {
		view.Review.RequestID = uuid.NewString()
	}
	if deal, err := s.deals.GetOpportunity(ctx, &ltcv1.GetOpportunityRequest{Id: d.OpportunityId}); err == nil {
		view.Deal = deal.Opportunity
	} else if s.unauthenticated(w, r, err) {
		return
	}
	view.Forms = draw(decisionActions, d, refusedKey, refused)
	s.render(w, r, code, "decision", "work", view)
}

// decide sends the decision form to Decide. A refusal draws the page again with the form as it was (its request
// id too) and the API's sentence beside it; success goes back to the decision, now decided.
func (s *Server) decide(w http.ResponseWriter, r *http.Request, id Identity) {
	form := decideForm{RequestID: r.PostFormValue("request_id"), Verdict: r.PostFormValue("verdict"),
		Level: r.PostFormValue("level"), Conditions: r.PostFormValue("conditions"), Rationale: r.PostFormValue("rationale")}
	ctx, cancel := s.call(r, id)
	defer cancel()
	_, err := s.decisions.Decide(ctx, &ltcv1.DecideRequest{
		RequestId: form.RequestID, DecisionId: r.PathValue("id"),
		Verdict: ltcv1.Verdict(ltcv1.Verdict_value[form.Verdict]), Level: ltcv1.ProjectLevel(ltcv1.ProjectLevel_value[form.Level]),
		Conditions: lines(form.Conditions), Rationale: form.Rationale,
	})
	if err != nil {
		if s.unauthenticated(w, r, err) {
			return
		}
		form.Error = sentence(err)
		s.decisionPage(w, r, id, http.StatusUnprocessableEntity, form, reviewForm{})
		return
	}
	http.Redirect(w, r, "/decisions/"+url.PathEscape(r.PathValue("id")), http.StatusSeeOther)
}

// review sends the review form to SubmitReview, as decide does the decision form.
func (s *Server) review(w http.ResponseWriter, r *http.Request, id Identity) {
	form := reviewForm{RequestID: r.PostFormValue("request_id"), Function: r.PostFormValue("function"),
		Result: r.PostFormValue("result"), Comments: r.PostFormValue("comments")}
	ctx, cancel := s.call(r, id)
	defer cancel()
	_, err := s.decisions.SubmitReview(ctx, &ltcv1.SubmitReviewRequest{
		RequestId: form.RequestID, DecisionId: r.PathValue("id"),
		Function: ltcv1.ReviewFunction(ltcv1.ReviewFunction_value[form.Function]),
		Result:   ltcv1.ReviewResult(ltcv1.ReviewResult_value[form.Result]), Comments: form.Comments,
	})
	if err != nil {
		if s.unauthenticated(w, r, err) {
			return
		}
		form.Error = sentence(err)
		s.decisionPage(w, r, id, http.StatusUnprocessableEntity, decideForm{Verdict: ltcv1.Verdict_VERDICT_APPROVE.String()}, form)
		return
	}
	http.Redirect(w, r, "/decisions/"+url.PathEscape(r.PathValue("id")), http.StatusSeeOther)
}

// dealsView is one page of the deal list with its filter.
type dealsView struct {
	Deals    []*ltcv1.Opportunity
	Stages   []ltcv1.Stage
	Stage    string
	Customer string
	// Next links the next page, empty on the last one; First links the first page, empty on it.
	Next, First string
}

// dealPageSize is how many deals a page of the list shows.
const dealPageSize = 25

// dealList lists the deals the person reads (ListOpportunities), filtered by stage and customer, a page at a
// time with the API's page tokens.
func (s *Server) dealList(w http.ResponseWriter, r *http.Request, id Identity) {
	q := r.URL.Query()
	view := dealsView{Stages: executionPath, Stage: q.Get("stage"), Customer: q.Get("customer")}
	ctx, cancel := s.call(r, id)
	defer cancel()
	resp, err := s.deals.ListOpportunities(ctx, &ltcv1.ListOpportunitiesRequest{
		PageSize: dealPageSize, PageToken: q.Get("page"),
		Stage: ltcv1.Stage(ltcv1.Stage_value[view.Stage]), Customer: view.Customer,
	})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	view.Deals = resp.Opportunities
	filter := url.Values{}
	if view.Stage != "" {
		filter.Set("stage", view.Stage)
	}
	if view.Customer != "" {
		filter.Set("customer", view.Customer)
	}
	view.First, view.Next = pageLinks("/deals", filter, q.Get("page"), resp.NextPageToken)
	s.render(w, r, http.StatusOK, "deals", "deals", view)
}

// stagePath is the opportunity process's stages in order, the path a deal walks.
var stagePath = []ltcv1.Stage{
	ltcv1.Stage_STAGE_VALIDATION, ltcv1.Stage_STAGE_INITIATION_REVIEW, ltcv1.Stage_STAGE_TEAM_FORMATION,
	ltcv1.Stage_STAGE_PURSUIT, ltcv1.Stage_STAGE_ATB_REVIEW, ltcv1.Stage_STAGE_BIDDING, ltcv1.Stage_STAGE_NEGOTIATION,
	ltcv1.Stage_STAGE_ATC_REVIEW, ltcv1.Stage_STAGE_CONTRACT_SIGNING, ltcv1.Stage_STAGE_HANDOVER, ltcv1.Stage_STAGE_CLOSED,
}

// executionPath is the path of a deal whose contract is executed (rules version 4): its contract's execution
// between the handover and the close. The deal list's stage filter offers it too.
var executionPath = slices.Insert(slices.Clone(stagePath), len(stagePath)-1, ltcv1.Stage_STAGE_EXECUTION)

// step is a stage on a deal's path bar: passed, current, or ahead.
type step struct {
	Stage           ltcv1.Stage
	Passed, Current bool
}

// dealView is the deal page.
type dealView struct {
	Deal *ltcv1.Opportunity
	Path []step
	// Next is the stage after the current one; unset for a closed deal.
	Next ltcv1.Stage
	// Missing is what the deal needs to move on from its stage.
	Missing  []need
	Timeline []*ltcv1.Event
	// Actions are the forms the page offers at the deal's stage.
	Actions []actionView
	// Execution is that the deal's contract is in execution or was (its status is set): the page links to the
	// contract's.
	Execution bool
}

func (s *Server) deal(w http.ResponseWriter, r *http.Request, id Identity) {
	s.dealPage(w, r, id, http.StatusOK, "", nil)
}

// dealPage shows one deal: its path bar with what it needs to move on, team, risks, decisions, weekly reports,
// meetings, bid, contract, handover and timeline (GetOpportunity and ListEvents, at once), and the forms the
// process has at its stage; the form of action refusedKey as refused, the others new (with new request ids).
func (s *Server) dealPage(w http.ResponseWriter, r *http.Request, id Identity, code int, refusedKey string, refused *actionForm) {
	ctx, cancel := s.call(r, id)
	defer cancel()
	var got *ltcv1.GetOpportunityResponse
	var events *ltcv1.ListEventsResponse
	var g errgroup.Group
	g.Go(func() (err error) {
		got, err = s.deals.GetOpportunity(ctx, &ltcv1.GetOpportunityRequest{Id: r.PathValue("id")})
		return err
	})
	g.Go(func() (err error) {
		events, err = s.deals.ListEvents(ctx, &ltcv1.ListEventsRequest{DealId: r.PathValue("id"), PageSize: 1000})
		return err
	})
	if err := g.Wait(); err != nil {
		s.failed(w, r, err)
		return
	}
	view := dealView{Deal: got.Opportunity, Missing: missing(got.Opportunity), Execution: s.executed(ctx, got.Opportunity)}
	path := stagePath
	if view.Execution {
		path = executionPath
	}
	at := slices.Index(path, view.Deal.Stage)
	for i, st := range path {
		view.Path = append(view.Path, step{Stage: st, Passed: i < at, Current: i == at})
	}
	if at >= 0 && at+1 < len(path) {
		view.Next = path[at+1]
	}
	next := "" // the form of the first thing the deal needs is drawn open, unless another was refused
	if i := slices.IndexFunc(view.Missing, func(n need) bool { return n.Form != "" }); i >= 0 && refused == nil {
		next = view.Missing[i].Form
	}
	view.Actions = draw(dealActions, view.Deal, refusedKey, refused)
	for i := range view.Actions {
		view.Actions[i].Open = view.Actions[i].Open || view.Actions[i].Key == next
	}
	view.Timeline = events.Events
	slices.Reverse(view.Timeline)
	s.render(w, r, code, "deal", "deals", view)
}

// executed is whether the deal's contract is in execution or was: a deal in EXECUTION, or a WON deal with a
// signed contract whose execution the API knows (GetContract; deals won before execution have none).
func (s *Server) executed(ctx context.Context, o *ltcv1.Opportunity) bool {
	if o.Stage == ltcv1.Stage_STAGE_EXECUTION {
		return true
	}
	if o.Outcome != ltcv1.Outcome_OUTCOME_WON || o.Contract == nil {
		return false
	}
	got, err := s.contracts.GetContract(ctx, &ltcv1.GetContractRequest{OpportunityId: o.Id})
	return err == nil && got.GetContract().GetStatus() != ltcv1.ContractStatus_CONTRACT_STATUS_UNSPECIFIED
}

// decisionActions are the decision page's forms drawn by the framework of the deal page: naming the reviewer who
// owes a pending review.
var decisionActions = forms("/decisions/", []action[*ltcv1.Decision]{
	{Key: "assign", Title: "Assign a review to a reviewer", Who: "The unit's sales manager or an executive in scope",
		Offered: func(d *ltcv1.Decision) bool {
			return d.Status == ltcv1.DecisionStatus_DECISION_STATUS_PENDING && len(missingReviews(d)) > 0
		},
		Fields: []field{{Name: "function", Label: "Function", Kind: "select"}, {Name: "reviewer", Label: "Reviewer", Kind: "text", Hint: "User id"},
			{Name: "reason", Label: "Reason", Kind: "area"}},
		Choices: func(d *ltcv1.Decision) map[string][]option {
			return map[string][]option{"function": enumOptions(missingReviews(d)...)}
		},
		Send: func(ctx context.Context, s *Server, decision, rid string, v url.Values) error {
			_, err := s.decisions.ReassignReview(ctx, &ltcv1.ReassignReviewRequest{RequestId: rid, DecisionId: decision,
				Function: enumValue[ltcv1.ReviewFunction](ltcv1.ReviewFunction_value, v.Get("function")),
				Reviewer: &ltcv1.Person{Id: strings.TrimSpace(v.Get("reviewer"))}, Reason: v.Get("reason")})
			return err
		}},
})
