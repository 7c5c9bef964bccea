package api

import (
	"context"
	"errors"
	"slices"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/ltcengine/ltc/activities"
	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
	"github.com/ltcengine/ltc/workflows"
)

type accountService struct {
	ltcv1.UnimplementedAccountServiceServer
	*Server
}

// maxSimilarAccounts is how many near duplicates CreateAccount returns.
const maxSimilarAccounts = 10

// changeAccount sends an account command to the account's process, started with the Update when it does not run
// (an account made before processes held accounts, or a new one), and returns the result once the read model
// holds it. Every call but CreateAccount names an existing account: an unknown id is NOT_FOUND before anything
// starts.
func (s *Server) changeAccount(ctx context.Context, method, accountID, requestID string, req proto.Message, cmd ltc.AccountCommand) (workflows.AccountResult, error) {
	actor := actorOf(ctx)
	request, err := newRequest(actor, method, requestID, req)
	if err != nil {
		return workflows.AccountResult{}, err
	}
	// The account as a process that does not run yet starts from it (an account made before processes held
	// accounts); an unknown id is refused before anything starts.
	in := workflows.AccountInput{ID: accountID, Policy: s.policy}
	if _, create := cmd.(ltc.CreateAccount); !create {
		st, err := s.store.LoadAccount(ctx, accountID)
		if err != nil {
			return workflows.AccountResult{}, err
		}
		if st == nil {
			return workflows.AccountResult{}, ltc.NotFound("account %s not found", accountID)
		}
		in.Account, in.Revision = &st.Account, st.Revision
	}
	id := workflows.AccountWorkflowID(accountID)
	res, err := send[workflows.AccountResult](ctx, s, change{
		method: method, dealID: accountID, processes: []string{id}, request: request,
		arg: workflows.AccountUpdate[ltc.AccountCommand]{Request: request, Command: cmd},
		issue: func(ctx context.Context, opts client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
			start := s.temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
				ID: id, TaskQueue: s.taskQueue,
				WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
				WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
			}, workflows.AccountWorkflow, in)
			return s.temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
				StartWorkflowOperation: start, UpdateOptions: opts,
			})
		},
	})
	// A name and region another account has (a race the checks before could not see): the database refused it.
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.Type() == activities.DuplicateAccount {
		var existing string
		_ = app.Details(&existing)
		return res, duplicateAccount(existing)
	}
	return res, err
}

// account reads an account, NOT_FOUND when there is none.
func (s *Server) account(ctx context.Context, id string) (ltc.Account, error) {
	a, err := s.store.Account(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return a, ltc.NotFound("account %s not found", id)
	}
	return a, err
}

// readableAccount reads an account the caller may read.
func (s *Server) readableAccount(ctx context.Context, id string) (ltc.Account, error) {
	actor := actorOf(ctx)
	if err := ltc.CanRead(actor); err != nil {
		return ltc.Account{}, err
	}
	a, err := s.account(ctx, id)
	if err != nil {
		return a, err
	}
	if !a.CanRead(actor) {
		return a, ltc.PermissionDenied("account %s is read by its owner, team and creator, the sales managers and executives whose scope holds %s, and its reviewers", id, a.Unit)
	}
	return a, nil
}

// duplicateAccount is ALREADY_EXISTS naming the account that is the same customer, with its id in the details.
func duplicateAccount(id string) error {
	st := status.New(codes.AlreadyExists, "an account of that name and region exists already: "+id+
		"; name it (account_id) instead of creating it again")
	if d, err := st.WithDetails(
		&errdetails.ResourceInfo{ResourceType: "ltc.v1.Account", ResourceName: id, Description: "the existing account of that customer"},
		&errdetails.ErrorInfo{Reason: "DUPLICATE_ACCOUNT", Domain: "ltc.v1", Metadata: map[string]string{"account_id": id}},
	); err == nil {
		st = d
	}
	return st.Err()
}

func (s accountService) CreateAccount(ctx context.Context, req *ltcv1.CreateAccountRequest) (*ltcv1.CreateAccountResponse, error) {
	actor := actorOf(ctx)
	cmd := ltc.CreateAccount{
		Name: req.Name, Grade: fromEnum[ltc.CustomerGrade](ltcv1.CustomerGrade_name, int32(req.Grade), "CUSTOMER_GRADE_"),
		Industry: req.Industry, Region: req.Region, Unit: actor.Unit, Owner: actor.Person(), Team: teamFromProto(req.Team),
		Target: req.Target, Supplier: supplierFromProto(req.Supplier), GradeRationale: req.GradeRationale,
	}
	if req.OrgUnit != "" {
		unit, err := ltc.ParseUnit(req.OrgUnit)
		if err != nil {
			return nil, invalidArgument(fieldViolation{"org_unit", err.Error()})
		}
		cmd.Unit = unit
	}
	if req.Owner != nil {
		cmd.Owner = ltc.Person{ID: req.Owner.Id, Name: req.Owner.Name}
	}
	a, similar, err := s.createAccount(ctx, req.RequestId, req, cmd)
	if err != nil {
		return nil, err
	}
	resp := &ltcv1.CreateAccountResponse{Account: accountToProto(actor, a, 0)}
	for _, x := range similar {
		resp.SimilarAccounts = append(resp.SimilarAccounts, &ltcv1.SimilarAccount{Id: x.ID, Name: x.Name, Region: x.Region, Similarity: x.Similarity})
	}
	return resp, nil
}

// createAccount creates an account unless the same customer has one: the existing account's id comes back as
// ALREADY_EXISTS (found before the process starts; the database refuses a race between two creations). A retried
// request finds its own account.
func (s *Server) createAccount(ctx context.Context, requestID string, req proto.Message, cmd ltc.CreateAccount) (ltc.Account, []store.SimilarAccount, error) {
	id := ltc.AccountID(requestID)
	// The rules first, so a refused creation starts no process.
	if _, err := ltc.RunAccount(cmd, ltc.Account{}, ltc.Context{Actor: actorOf(ctx), Policy: s.policy, RequestID: requestID}); err != nil {
		if done, rerr := s.store.Request(ctx, requestID); rerr == nil && done.DealID == id {
			err = nil // this very request made the account already; send answers it
		} else {
			return ltc.Account{}, nil, err
		}
	}
	if existing, err := s.store.AccountByKey(ctx, cmd.Name, cmd.Region); err == nil && existing != id {
		return ltc.Account{}, nil, duplicateAccount(existing)
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return ltc.Account{}, nil, err
	}
	res, err := s.changeAccount(ctx, workflows.UpdateCreateAccount, id, requestID, req, cmd)
	if err != nil {
		return ltc.Account{}, nil, err
	}
	similar, err := s.store.SimilarAccounts(ctx, cmd.Name, id, maxSimilarAccounts)
	return res.Account, similar, err
}

func (s accountService) GetAccount(ctx context.Context, req *ltcv1.GetAccountRequest) (*ltcv1.GetAccountResponse, error) {
	a, err := s.readableAccount(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	open, err := s.store.OpenDeals(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	pa := accountToProto(actorOf(ctx), a, open)
	pa.PowerMap = powerMap(a.Contacts, a.CanReadPersonalData(actorOf(ctx)))
	return &ltcv1.GetAccountResponse{Account: pa}, nil
}

func (s accountService) ListAccounts(ctx context.Context, req *ltcv1.ListAccountsRequest) (*ltcv1.ListAccountsResponse, error) {
	actor := actorOf(ctx)
	if err := ltc.CanRead(actor); err != nil {
		return nil, err
	}
	filter := store.AccountFilter{
		Grade:             fromEnum[ltc.CustomerGrade](ltcv1.CustomerGrade_name, int32(req.Grade), "CUSTOMER_GRADE_"),
		Industry:          req.Industry,
		Region:            req.Region,
		TargetOnly:        req.TargetOnly,
		RelationshipLevel: fromEnum[ltc.RelationshipLevel](ltcv1.RelationshipLevel_name, int32(req.RelationshipLevel), "RELATIONSHIP_LEVEL_"),
		OwnerID:           req.OwnerId,
		WithoutOpenDeals:  req.WithoutOpenDeals,
		NameContains:      req.NameContains,
		Reader:            &actor,
	}
	if req.OrgUnit != "" {
		unit, err := ltc.ParseUnit(req.OrgUnit)
		if err != nil {
			return nil, invalidArgument(fieldViolation{"org_unit", err.Error()})
		}
		filter.Unit = unit
	}
	accounts, next, err := s.store.ListAccounts(ctx, filter, pageSize(req.PageSize), req.PageToken)
	if err != nil {
		return nil, listError(err)
	}
	resp := &ltcv1.ListAccountsResponse{NextPageToken: next}
	for _, a := range accounts {
		pa := accountToProto(actor, a.Account, a.OpenDeals)
		pa.ContactCount = int32(a.ContactCount)
		resp.Accounts = append(resp.Accounts, pa)
	}
	return resp, nil
}

func (s accountService) UpdateAccount(ctx context.Context, req *ltcv1.UpdateAccountRequest) (*ltcv1.UpdateAccountResponse, error) {
	in := req.Account
	cmd := ltc.UpdateAccount{
		Fields: req.UpdateMask.GetPaths(), Name: in.Name, Industry: in.Industry, Region: in.Region,
		Team: teamFromProto(in.Team), Target: in.Target, Supplier: supplierFromProto(in.Supplier),
	}
	if in.Owner != nil {
		cmd.Owner = ltc.Person{ID: in.Owner.Id, Name: in.Owner.Name}
	}
	if slices.Contains(cmd.Fields, ltc.AccountFieldName) || slices.Contains(cmd.Fields, ltc.AccountFieldRegion) {
		a, err := s.account(ctx, in.Id)
		if err != nil {
			return nil, err
		}
		name, region := a.Name, a.Region
		if slices.Contains(cmd.Fields, ltc.AccountFieldName) {
			name = in.Name
		}
		if slices.Contains(cmd.Fields, ltc.AccountFieldRegion) {
			region = in.Region
		}
		if existing, err := s.store.AccountByKey(ctx, name, region); err == nil && existing != a.ID {
			return nil, duplicateAccount(existing)
		}
	}
	return accountAnswer(ctx, s.Server, workflows.UpdateAccount, in.Id, req.RequestId, req, cmd,
		func(a *ltcv1.Account) *ltcv1.UpdateAccountResponse { return &ltcv1.UpdateAccountResponse{Account: a} })
}

func (s accountService) GradeAccount(ctx context.Context, req *ltcv1.GradeAccountRequest) (*ltcv1.GradeAccountResponse, error) {
	cmd := ltc.GradeAccount{Grade: fromEnum[ltc.CustomerGrade](ltcv1.CustomerGrade_name, int32(req.Grade), "CUSTOMER_GRADE_"), Rationale: req.Rationale}
	return accountAnswer(ctx, s.Server, workflows.UpdateGradeAccount, req.AccountId, req.RequestId, req, cmd,
		func(a *ltcv1.Account) *ltcv1.GradeAccountResponse { return &ltcv1.GradeAccountResponse{Account: a} })
}

func (s accountService) AssessRelationship(ctx context.Context, req *ltcv1.AssessRelationshipRequest) (*ltcv1.AssessRelationshipResponse, error) {
	in := req.Assessment
	cmd := ltc.AssessRelationship{Assessment: ltc.RelationshipAssessment{
		Level:         fromEnum[ltc.RelationshipLevel](ltcv1.RelationshipLevel_name, int32(in.Level), "RELATIONSHIP_LEVEL_"),
		Communication: int(in.Communication), BusinessFit: int(in.BusinessFit), JointUndertakings: int(in.JointUndertakings),
		Identification: int(in.Identification), Rationale: in.Rationale,
	}}
	return accountAnswer(ctx, s.Server, workflows.UpdateAssessRelationship, req.AccountId, req.RequestId, req, cmd,
		func(a *ltcv1.Account) *ltcv1.AssessRelationshipResponse {
			return &ltcv1.AssessRelationshipResponse{Account: a}
		})
}

func (s accountService) SetAccountPlan(ctx context.Context, req *ltcv1.SetAccountPlanRequest) (*ltcv1.SetAccountPlanResponse, error) {
	in := req.Plan
	cmd := ltc.SetAccountPlan{Plan: ltc.AccountPlan{
		Year:         int(in.Year),
		TargetLevel:  fromEnum[ltc.RelationshipLevel](ltcv1.RelationshipLevel_name, int32(in.TargetLevel), "RELATIONSHIP_LEVEL_"),
		TargetOrders: moneyFromProto(in.TargetOrders), Objectives: in.Objectives,
	}}
	return accountAnswer(ctx, s.Server, workflows.UpdateSetAccountPlan, req.AccountId, req.RequestId, req, cmd,
		func(a *ltcv1.Account) *ltcv1.SetAccountPlanResponse { return &ltcv1.SetAccountPlanResponse{Account: a} })
}

func (s accountService) RecordRelationshipReview(ctx context.Context, req *ltcv1.RecordRelationshipReviewRequest) (*ltcv1.RecordRelationshipReviewResponse, error) {
	in := req.Review
	cmd := ltc.RecordRelationshipReview{Review: ltc.RelationshipReview{
		Quarter: in.Quarter, HeldOn: dateFromProto(in.HeldDate), OurPeople: peopleFromProto(in.Attendees),
		Contacts: in.AttendeeContactIds, Conclusions: in.Conclusions, Actions: in.Actions,
		LevelAfter: fromEnum[ltc.RelationshipLevel](ltcv1.RelationshipLevel_name, int32(in.LevelAfter), "RELATIONSHIP_LEVEL_"),
	}}
	return accountAnswer(ctx, s.Server, workflows.UpdateRecordRelationshipReview, req.AccountId, req.RequestId, req, cmd,
		func(a *ltcv1.Account) *ltcv1.RecordRelationshipReviewResponse {
			return &ltcv1.RecordRelationshipReviewResponse{Account: a}
		})
}

func (s accountService) RecordSatisfaction(ctx context.Context, req *ltcv1.RecordSatisfactionRequest) (*ltcv1.RecordSatisfactionResponse, error) {
	in := req.Score
	cmd := ltc.RecordSatisfaction{Score: ltc.SatisfactionScore{Period: in.Period, Score: int(in.Score), Respondents: int(in.Respondents)}}
	return accountAnswer(ctx, s.Server, workflows.UpdateRecordSatisfaction, req.AccountId, req.RequestId, req, cmd,
		func(a *ltcv1.Account) *ltcv1.RecordSatisfactionResponse {
			return &ltcv1.RecordSatisfactionResponse{Account: a}
		})
}

// accountAnswer runs an account change whose caller gets the account after it.
func accountAnswer[R any](ctx context.Context, s *Server, method, accountID, requestID string, req proto.Message, cmd ltc.AccountCommand, answer func(*ltcv1.Account) R) (R, error) {
	var zero R
	res, err := s.changeAccount(ctx, method, accountID, requestID, req, cmd)
	if err != nil {
		return zero, err
	}
	open, err := s.store.OpenDeals(ctx, accountID)
	if err != nil {
		return zero, err
	}
	return answer(accountToProto(actorOf(ctx), res.Account, open)), nil
}

func (s accountService) AddContact(ctx context.Context, req *ltcv1.AddContactRequest) (*ltcv1.AddContactResponse, error) {
	c, err := s.contactAnswer(ctx, workflows.UpdateAddContact, req.AccountId, req.RequestId, req, ltc.AddContact{Contact: contactFromProto(req.Contact)})
	return &ltcv1.AddContactResponse{Contact: c}, err
}

func (s accountService) UpdateContact(ctx context.Context, req *ltcv1.UpdateContactRequest) (*ltcv1.UpdateContactResponse, error) {
	cmd := ltc.UpdateContact{ContactID: req.Contact.Id, Fields: contactFields(req.UpdateMask.GetPaths()), Contact: contactFromProto(req.Contact)}
	c, err := s.contactAnswer(ctx, workflows.UpdateContact, req.AccountId, req.RequestId, req, cmd)
	return &ltcv1.UpdateContactResponse{Contact: c}, err
}

func (s accountService) EraseContact(ctx context.Context, req *ltcv1.EraseContactRequest) (*ltcv1.EraseContactResponse, error) {
	c, err := s.contactAnswer(ctx, workflows.UpdateEraseContact, req.AccountId, req.RequestId, req, ltc.EraseContact{ContactID: req.ContactId, Reference: req.Reference})
	return &ltcv1.EraseContactResponse{Contact: c}, err
}

// contactAnswer runs a change of a contact and answers with the contact as the read model holds it now (the
// request record keeps its id only, so an erased contact's data stay nowhere else).
func (s *Server) contactAnswer(ctx context.Context, method, accountID, requestID string, req proto.Message, cmd ltc.AccountCommand) (*ltcv1.Contact, error) {
	res, err := s.changeAccount(ctx, method, accountID, requestID, req, cmd)
	if err != nil {
		return nil, err
	}
	c, err := s.store.Contact(ctx, res.ContactID)
	if err != nil {
		return nil, err
	}
	return contactToProto(c, res.Account.CanReadPersonalData(actorOf(ctx))), nil
}

func (s accountService) ListContacts(ctx context.Context, req *ltcv1.ListContactsRequest) (*ltcv1.ListContactsResponse, error) {
	a, err := s.readableAccount(ctx, req.AccountId)
	if err != nil {
		return nil, err
	}
	personal := a.CanReadPersonalData(actorOf(ctx))
	contacts, next, err := s.store.ListContacts(ctx, store.ContactFilter{
		AccountID: a.ID,
		Role:      fromEnum[ltc.ContactRole](ltcv1.ContactRole_name, int32(req.Role), "CONTACT_ROLE_"),
		Attitude:  fromEnum[ltc.Attitude](ltcv1.Attitude_name, int32(req.Attitude), "ATTITUDE_"),
	}, pageSize(req.PageSize), req.PageToken)
	if err != nil {
		return nil, listError(err)
	}
	resp := &ltcv1.ListContactsResponse{NextPageToken: next, PersonalDataVisible: personal}
	for _, c := range contacts {
		resp.Contacts = append(resp.Contacts, contactToProto(c, personal))
	}
	return resp, nil
}

func (s accountService) RecordActivity(ctx context.Context, req *ltcv1.RecordActivityRequest) (*ltcv1.RecordActivityResponse, error) {
	in := req.Activity
	act := ltc.Activity{
		Kind: fromEnum[ltc.ActivityKind](ltcv1.ActivityKind_name, int32(in.Kind), "ACTIVITY_KIND_"), Date: dateFromProto(in.Date),
		OurPeople: peopleFromProto(in.OurPeople), Contacts: in.ContactIds, Subject: in.Subject, Outcome: in.Outcome,
		State: fromEnum[ltc.ActivityState](ltcv1.ActivityState_name, int32(in.State), "ACTIVITY_STATE_"),
	}
	if in.Value != nil {
		v := moneyFromProto(in.Value)
		act.Value = &v
	}
	a, err := s.activityAnswer(ctx, workflows.UpdateRecordActivity, req.AccountId, req.RequestId, req, ltc.RecordActivity{Activity: act})
	return &ltcv1.RecordActivityResponse{Activity: a}, err
}

func (s accountService) ReviewActivity(ctx context.Context, req *ltcv1.ReviewActivityRequest) (*ltcv1.ReviewActivityResponse, error) {
	cmd := ltc.ReviewActivity{ActivityID: req.ActivityId, Rationale: req.Rationale,
		Result: fromEnum[ltc.ComplianceReview](ltcv1.ActivityReviewStatus_name, int32(req.Result), "ACTIVITY_REVIEW_STATUS_")}
	a, err := s.activityAnswer(ctx, workflows.UpdateReviewActivity, req.AccountId, req.RequestId, req, cmd)
	return &ltcv1.ReviewActivityResponse{Activity: a}, err
}

func (s accountService) CompleteActivity(ctx context.Context, req *ltcv1.CompleteActivityRequest) (*ltcv1.CompleteActivityResponse, error) {
	cmd := ltc.CompleteActivity{ActivityID: req.ActivityId, Cancel: req.State == ltcv1.ActivityState_ACTIVITY_STATE_CANCELLED,
		Outcome: req.Outcome}
	if req.HeldDate != nil {
		cmd.HeldOn = dateFromProto(req.HeldDate)
	}
	a, err := s.activityAnswer(ctx, workflows.UpdateCompleteActivity, req.AccountId, req.RequestId, req, cmd)
	return &ltcv1.CompleteActivityResponse{Activity: a}, err
}

// activityAnswer runs a change of an activity and answers with the activity as the read model holds it now.
func (s *Server) activityAnswer(ctx context.Context, method, accountID, requestID string, req proto.Message, cmd ltc.AccountCommand) (*ltcv1.Activity, error) {
	res, err := s.changeAccount(ctx, method, accountID, requestID, req, cmd)
	if err != nil {
		return nil, err
	}
	a, err := s.store.Activity(ctx, res.ActivityID)
	if err != nil {
		return nil, err
	}
	return activityToProto(a), nil
}

func (s accountService) ListActivities(ctx context.Context, req *ltcv1.ListActivitiesRequest) (*ltcv1.ListActivitiesResponse, error) {
	actor := actorOf(ctx)
	filter := store.ActivityFilter{
		Kind:   fromEnum[ltc.ActivityKind](ltcv1.ActivityKind_name, int32(req.Kind), "ACTIVITY_KIND_"),
		State:  fromEnum[ltc.ActivityState](ltcv1.ActivityState_name, int32(req.State), "ACTIVITY_STATE_"),
		Review: fromEnum[ltc.ComplianceReview](ltcv1.ActivityReviewStatus_name, int32(req.Review), "ACTIVITY_REVIEW_STATUS_"),
	}
	if req.AccountId != "" {
		if _, err := s.readableAccount(ctx, req.AccountId); err != nil {
			return nil, err
		}
		filter.AccountID = req.AccountId
	}
	if req.PendingReviewForMe {
		filter.Reviewer = &actor
	}
	activities, next, err := s.store.ListActivities(ctx, filter, pageSize(req.PageSize), req.PageToken)
	if err != nil {
		return nil, listError(err)
	}
	resp := &ltcv1.ListActivitiesResponse{NextPageToken: next}
	for _, a := range activities {
		resp.Activities = append(resp.Activities, activityToProto(a))
	}
	return resp, nil
}
