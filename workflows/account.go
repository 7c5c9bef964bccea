package workflows

import (
	"errors"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ltcengine/ltc/activities"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// AccountWorkflowID is the workflow id of an account's process.
func AccountWorkflowID(accountID string) string { return "Account:" + accountID }

// AccountInput starts an account's process: for its CreateAccount Update without an account; with the account as
// the database holds it, for an account whose process does not run (one made before processes held accounts);
// or, continued as new, with the account as the last run left it. A start with an account older than the
// database's (a race the API cannot see) is caught up by the first write (store.AccountBehind).
type AccountInput struct {
	ID      string       `json:"id"`
	Policy  ltc.Policy   `json:"policy"`
	Account *ltc.Account `json:"account,omitempty"`
	// Applied holds the ids of the latest requests the process applied, oldest first (at most maxApplied; the
	// request records in the database answer older ones).
	Applied  []string `json:"applied,omitempty"`
	Revision int64    `json:"revision,omitempty"`
}

// QueryAccount is the query that returns an account's process state (AccountState).
const QueryAccount = "account"

// AccountState is the account as its process holds it, its revision and the latest requests it applied.
type AccountState struct {
	Account  ltc.Account `json:"account"`
	Revision int64       `json:"revision"`
	Applied  []string    `json:"applied"`
}

// AccountUpdate is the argument of every Update of an account: the caller's request and the command.
type AccountUpdate[C ltc.AccountCommand] struct {
	Request Request `json:"request"`
	Command C       `json:"command"`
}

// maxApplied bounds the request ids an account's process carries across continue-as-new.
const maxApplied = 1000

// Update names of an account. Each is also the method name recorded with the request.
const (
	UpdateCreateAccount            = "CreateAccount"
	UpdateAccount                  = "UpdateAccount"
	UpdateGradeAccount             = "GradeAccount"
	UpdateAddContact               = "AddContact"
	UpdateContact                  = "UpdateContact"
	UpdateEraseContact             = "EraseContact"
	UpdateAssessRelationship       = "AssessRelationship"
	UpdateSetAccountPlan           = "SetAccountPlan"
	UpdateRecordRelationshipReview = "RecordRelationshipReview"
	UpdateRecordSatisfaction       = "RecordSatisfaction"
	UpdateRecordActivity           = "RecordActivity"
	UpdateReviewActivity           = "ReviewActivity"
	UpdateCompleteActivity         = "CompleteActivity"
)

// accountCommands are the Updates of an account.
var accountCommands = []accountCommand{
	{UpdateCreateAccount, handleAccount[ltc.CreateAccount]},
	{UpdateAccount, handleAccount[ltc.UpdateAccount]},
	{UpdateGradeAccount, handleAccount[ltc.GradeAccount]},
	{UpdateAddContact, handleAccount[ltc.AddContact]},
	{UpdateContact, handleAccount[ltc.UpdateContact]},
	{UpdateEraseContact, handleAccount[ltc.EraseContact]},
	{UpdateAssessRelationship, handleAccount[ltc.AssessRelationship]},
	{UpdateSetAccountPlan, handleAccount[ltc.SetAccountPlan]},
	{UpdateRecordRelationshipReview, handleAccount[ltc.RecordRelationshipReview]},
	{UpdateRecordSatisfaction, handleAccount[ltc.RecordSatisfaction]},
	{UpdateRecordActivity, handleAccount[ltc.RecordActivity]},
	{UpdateReviewActivity, handleAccount[ltc.ReviewActivity]},
	{UpdateCompleteActivity, handleAccount[ltc.CompleteActivity]},
}

// accountCommand is a row of the account's Update table.
type accountCommand struct {
	name     string
	register func(workflow.Context, *accountProcess, string) error
}

// AccountWorkflow is the process of one customer account. It takes the account's commands as Updates, one at a
// time, with the mechanism of a deal's (the command's rules are the validator and, under the lock, the change),
// and keeps the relationship-review cadence of S and A accounts: a review owed each quarter becomes overdue after
// the policy's grace and is escalated to the owner's managers, then to the executives in scope. An account lives
// as long as the customer: the process continues as new when Temporal suggests it, and at once after a contact's
// personal data was erased, so that the run whose history holds them closes (and is deleted after the
// namespace's retention). A process started for an account that does not exist ends once nothing is in flight.
func AccountWorkflow(ctx workflow.Context, in AccountInput) error {
	p := &accountProcess{id: in.ID, policy: in.Policy, applied: in.Applied, revision: in.Revision, mu: workflow.NewMutex(ctx)}
	if in.Account != nil {
		p.account = *in.Account
	}
	if err := p.setup(ctx); err != nil {
		return err
	}
	return p.run(ctx)
}

// accountProcess is an account's process state.
type accountProcess struct {
	id       string
	account  ltc.Account
	policy   ltc.Policy
	mu       workflow.Mutex
	rev      int
	applied  []string
	revision int64
	// erased is set by a change that erased a contact's personal data: the run continues as new.
	erased bool
}

func (p *accountProcess) setup(ctx workflow.Context) error {
	err := workflow.SetQueryHandler(ctx, QueryAccount, func() (AccountState, error) {
		return AccountState{Account: p.account, Revision: p.revision, Applied: p.applied}, nil
	})
	for _, c := range accountCommands {
		if err != nil {
			return err
		}
		err = c.register(ctx, p, c.name)
	}
	return err
}

func (p *accountProcess) took(requestID string) bool { return slices.Contains(p.applied, requestID) }

func (p *accountProcess) context(ctx workflow.Context, r Request) ltc.Context {
	now := workflow.Now(ctx)
	if p.account.UpdatedAt.After(now) {
		now = p.account.UpdatedAt
	}
	return ltc.Context{Actor: r.Actor, Now: now, Policy: p.policy, RequestID: r.ID}
}

// handleAccount registers the Update name of account command C, as handle does a deal's.
func handleAccount[C ltc.AccountCommand](ctx workflow.Context, p *accountProcess, name string) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, name,
		func(ctx workflow.Context, u AccountUpdate[C]) (store.Request, error) {
			return p.commit(ctx, name, u.Request, u.Command)
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, u AccountUpdate[C]) error {
			if p.took(u.Request.ID) {
				return nil
			}
			_, err := ltc.RunAccount(u.Command, p.account, p.context(ctx, u.Request))
			return refusal(err)
		}})
}

// commit applies the caller's command under the lock and records the change. A request applied before (in an
// earlier run) returns an empty record: the request record in the database answers it.
func (p *accountProcess) commit(ctx workflow.Context, method string, r Request, cmd ltc.AccountCommand) (store.Request, error) {
	if err := p.mu.Lock(ctx); err != nil {
		return store.Request{}, err
	}
	defer p.mu.Unlock()
	for {
		if p.took(r.ID) {
			return store.Request{}, nil
		}
		c, err := ltc.RunAccount(cmd, p.account, p.context(ctx, r))
		if err != nil {
			return store.Request{}, refusal(err)
		}
		record := requestRecord(r, method, c.Account.ID, accountResult(c))
		written, err := p.write(ctx, record, c)
		if err != nil || written {
			return record, err
		}
		if p.took(r.ID) {
			return store.Request{}, nil
		}
	}
}

// AccountResult is what the caller of a change of an account gets, from the request record: the account after the
// change, and the id of the contact or activity it wrote. Contacts' personal data are not in it (the API reads the
// contact), so an erasure leaves none in request records.
type AccountResult struct {
	Account    ltc.Account `json:"account"`
	ContactID  string      `json:"contact_id,omitempty"`
	ActivityID string      `json:"activity_id,omitempty"`
}

func accountResult(c ltc.AccountChange) AccountResult {
	r := AccountResult{Account: c.Account.WithoutPersonalData()}
	if c.Contact != nil {
		r.ContactID = c.Contact.ID
	}
	if c.Activity != nil {
		r.ActivityID = c.Activity.ID
	}
	return r
}

// write records a change computed on the process's account, on top of its revision. It reports false when the
// database held changes the process had not seen, or the request already: the process adopted them, and the caller
// computes its change again, if it still applies.
func (p *accountProcess) write(ctx workflow.Context, r store.Request, c ltc.AccountChange) (bool, error) {
	change := store.AccountChange{Request: r, Account: c.Account, Contact: c.Contact, Activity: c.Activity,
		NotesChanged: c.NotesChanged, Events: c.Events, Revision: p.revision + 1}
	var a *activities.Activities
	var w store.AccountWrite
	if err := workflow.ExecuteLocalActivity(writeOptions(ctx), a.RecordAccountChange, change).Get(ctx, &w); err != nil {
		var app *temporal.ApplicationError
		if errors.As(err, &app) && app.Type() == activities.DuplicateAccount {
			// The same customer has an account: the caller learns its id.
			var existing string
			_ = app.Details(&existing)
			return false, temporal.NewNonRetryableApplicationError(app.Message(), activities.DuplicateAccount, nil, existing)
		}
		return false, err
	}
	switch {
	case w.Behind != nil:
		workflow.GetLogger(ctx).Warn("The database holds changes of the account this process had not seen; adopting them",
			"base", p.revision, "revision", w.Behind.Revision, "requests", w.Behind.Requests)
		p.account, p.revision = w.Behind.Account, w.Behind.Revision
		for _, id := range w.Behind.Requests {
			p.remember(id)
		}
		p.rev++
		return false, nil
	case w.Applied:
		p.remember(r.ID)
		return false, nil
	}
	p.account, p.revision = c.Account, change.Revision
	p.remember(r.ID)
	p.erased = p.erased || slices.ContainsFunc(c.Events, func(e ltc.Event) bool { return e.Type == ltc.EventContactErased })
	p.rev++
	return true, nil
}

// remember adds a request id to those the process applied, keeping the latest maxApplied.
func (p *accountProcess) remember(id string) {
	if id == "" || p.took(id) {
		return
	}
	p.applied = append(p.applied, id)
	if len(p.applied) > maxApplied {
		p.applied = slices.Clone(p.applied[len(p.applied)-maxApplied:])
	}
}

// system records the engine's own change when a deadline of the account passes, unless it no longer applies.
func (p *accountProcess) system(ctx workflow.Context, d ltc.AccountDeadline) error {
	if err := p.mu.Lock(ctx); err != nil {
		return err
	}
	defer p.mu.Unlock()
	for {
		c, err := ltc.RunAccount(d.Command, p.account, ltc.Context{Actor: systemActor, Now: p.context(ctx, Request{}).Now, Policy: p.policy})
		if err != nil {
			return nil
		}
		written, err := p.write(ctx, requestRecord(Request{ID: d.Key}, "Deadline", c.Account.ID, accountResult(c)), c)
		if err != nil || written {
			return err
		}
	}
}

// run waits for changes and the account's deadlines. It continues as new when Temporal suggests it or a contact's
// personal data were erased, once no Update is in flight.
func (p *accountProcess) run(ctx workflow.Context) error {
	if p.account.ID == "" {
		// Started for its CreateAccount Update, which comes with the start: a process whose creation was refused
		// ends.
		if _, err := workflow.AwaitWithTimeout(ctx, time.Minute, func() bool { return p.account.ID != "" }); err != nil {
			return err
		}
		if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
			return err
		}
		if p.account.ID == "" {
			return nil
		}
	}
	var t alarmTimer
	for {
		if p.erased || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return err
			}
			account := p.account
			return workflow.NewContinueAsNewError(ctx, AccountWorkflow, AccountInput{ID: p.id, Policy: p.policy,
				Account: &account, Applied: p.applied, Revision: p.revision})
		}
		rev := p.rev
		changed := func() bool { return p.rev != rev }
		d, ok := p.account.NextDeadline(p.policy)
		due, err := t.until(ctx, d.Due, ok, changed)
		if err != nil {
			return err
		}
		if !due {
			continue
		}
		if err := p.system(ctx, d); err != nil {
			workflow.GetLogger(ctx).Error("A deadline's change of the account was refused; it is tried again after the next change", "error", err)
			if err := workflow.Await(ctx, changed); err != nil {
				return err
			}
		}
	}
}
