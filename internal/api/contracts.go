package api

import (
	"context"
	"errors"
	"slices"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
	"github.com/ltcengine/ltc/workflows"
)

// contractService serves ContractService: the execution to cash of a WON deal's contract, which lives in the deal's
// process (ltc.RulesExecution). Its changes are commands of the deal, sent as every change of a deal is.
type contractService struct {
	ltcv1.UnimplementedContractServiceServer
	*Server
}

// contract is the deal of the id with its contract in execution, as the caller may read it.
func (s *Server) contract(ctx context.Context, id string) (ltc.Opportunity, error) {
	actor := actorOf(ctx)
	if err := ltc.CanRead(actor); err != nil {
		return ltc.Opportunity{}, err
	}
	o, err := s.deal(ctx, id)
	if err != nil {
		return o, err
	}
	if err := ltc.CanReadContract(actor, o); err != nil {
		return o, err
	}
	if o.Execution == nil {
		return o, ltc.NotFound("deal %s has no contract in execution (%s, rules version %d)", id, o.Stage, o.Rules)
	}
	return o, nil
}

func (s contractService) GetContract(ctx context.Context, req *ltcv1.GetContractRequest) (*ltcv1.GetContractResponse, error) {
	o, err := s.contract(ctx, req.OpportunityId)
	if err != nil {
		return nil, err
	}
	return &ltcv1.GetContractResponse{Contract: executionToProto(o)}, nil
}

func (s contractService) ListContracts(ctx context.Context, req *ltcv1.ListContractsRequest) (*ltcv1.ListContractsResponse, error) {
	actor := actorOf(ctx)
	if err := ltc.CanRead(actor); err != nil {
		return nil, err
	}
	deals, next, err := s.store.ListContracts(ctx, store.ContractFilter{
		Status:      fromEnum[ltc.ContractStatus](ltcv1.ContractStatus_name, int32(req.Status), "CONTRACT_STATUS_"),
		OwnerID:     req.OwnerId,
		AccountID:   req.AccountId,
		OverdueOnly: req.OverdueOnly,
		Reader:      &actor,
		Reach:       ltc.ContractReach(actor),
		Today:       time.Now(),
	}, pageSize(req.PageSize), req.PageToken)
	if err != nil {
		return nil, listError(err)
	}
	resp := &ltcv1.ListContractsResponse{NextPageToken: next}
	for _, o := range deals {
		resp.Contracts = append(resp.Contracts, executionToProto(o))
	}
	return resp, nil
}

// changeContract sends a change of the deal's contract and returns the contract after it.
func (s contractService) changeContract(ctx context.Context, method, dealID, requestID string, req proto.Message, cmd ltc.Command) (*ltcv1.ContractExecution, error) {
	res, err := s.changeDeal(ctx, method, dealID, requestID, req, cmd)
	if err != nil {
		return nil, err
	}
	return executionToProto(res.Opportunity), nil
}

func (s contractService) RecordAcceptance(ctx context.Context, req *ltcv1.RecordAcceptanceRequest) (*ltcv1.RecordAcceptanceResponse, error) {
	c, err := s.changeContract(ctx, workflows.UpdateRecordAcceptance, req.OpportunityId, req.RequestId, req, ltc.RecordAcceptance{
		Kind:        fromEnum[ltc.Trigger](ltcv1.AcceptanceKind_name, int32(req.Kind), "ACCEPTANCE_KIND_"),
		Certificate: req.Certificate, Date: dateFromProto(req.Date)})
	if err != nil {
		return nil, err
	}
	return &ltcv1.RecordAcceptanceResponse{Contract: c}, nil
}

// IssueInvoice issues an invoice whose number no other contract holds: invoice numbers are unique company-wide.
// The number is reserved for the deal's request (invoice_numbers) before the deal's process is asked, so of two
// contracts issuing one number at once exactly one gets it and the other is ALREADY_EXISTS with nothing recorded.
// The reservation becomes the contract's for good when the process issued the invoice, and is released when the
// process refused it; one left behind by a call that never finished (the API stopped, the process did not answer)
// stays the deal's, for its retry, and another contract takes it over after invoiceNumberLease once that request
// is not pending in the deal's process.
func (s contractService) IssueInvoice(ctx context.Context, req *ltcv1.IssueInvoiceRequest) (*ltcv1.IssueInvoiceResponse, error) {
	if res, ok, err := s.answered(ctx, workflows.UpdateIssueInvoice, req.RequestId, req); ok || err != nil {
		if err != nil {
			return nil, err
		}
		// Issued: the number is the contract's (marked here too when the first call did not hear the outcome).
		s.issuedInvoiceNumber(ctx, res.Opportunity.ID, req.Number)
		return &ltcv1.IssueInvoiceResponse{Contract: executionToProto(res.Opportunity)}, nil
	}
	o, err := s.deal(ctx, req.OpportunityId)
	if err != nil {
		return nil, err
	}
	// Who may not issue the contract's invoices reserves nothing and learns nothing of other contracts' numbers:
	// the process refuses them as ever.
	reserve := o.Execution != nil && ltc.CanIssueInvoice(actorOf(ctx), o) == nil
	if reserve {
		if err := s.reserveInvoiceNumber(ctx, o.ID, req.Number, req.RequestId); err != nil {
			return nil, err
		}
	}
	c, err := s.changeContract(ctx, workflows.UpdateIssueInvoice, req.OpportunityId, req.RequestId, req, ltc.IssueInvoice{
		Number: req.Number, MilestoneID: req.MilestoneId, Amount: moneyFromProto(req.Amount), DueDate: dateFromProto(req.DueDate)})
	if reserve {
		switch {
		case err == nil:
			s.issuedInvoiceNumber(ctx, o.ID, req.Number)
		case refusedKind(err) != "":
			s.releaseInvoiceNumber(ctx, o.ID, req.Number, req.RequestId)
		}
		// Otherwise the outcome is unknown (a timeout, the engine unavailable): the reservation stays the deal's for
		// the retry with the same request_id.
	}
	if err != nil {
		return nil, err
	}
	return &ltcv1.IssueInvoiceResponse{Contract: c}, nil
}

// invoiceNumberLease is how long a reservation of an invoice number not issued yet is the deal's before another
// contract may take it over (and then only when its request is not pending in the deal's process): far longer than
// a call may wait to be admitted and answered (its deadline, --request-timeout, 10 s by default).
const invoiceNumberLease = 10 * time.Minute

// issuedInvoiceNumber marks the number the deal's contract issued as its own for good. Should the write fail, the
// next contract to ask for the number finds the invoice on this one and marks it then.
func (s contractService) issuedInvoiceNumber(ctx context.Context, dealID, number string) {
	if err := s.store.IssuedInvoiceNumber(ctx, number, dealID); err != nil {
		s.log.WarnContext(ctx, "The invoice is issued but its number not yet marked so", "deal", dealID, "number", number, "err", err)
	}
}

// reserveInvoiceNumber reserves the number for the deal's request, or refuses with ALREADY_EXISTS naming it when
// another contract issued it or is issuing it.
func (s contractService) reserveInvoiceNumber(ctx context.Context, dealID, number, requestID string) error {
	used := func() error {
		return ltc.Conflict("invoice number %s is used by another contract (issued, or being issued there); invoice numbers are unique company-wide", number)
	}
	for range 3 {
		holder, ok, err := s.store.ReserveInvoiceNumber(ctx, number, dealID, requestID, invoiceNumberLease)
		if err != nil || ok {
			return err
		}
		if holder.Issued {
			return used()
		}
		// Reserved by another contract: issued there (the read model holds the invoice), being issued, or left by
		// a call that never finished.
		if other, err := s.deal(ctx, holder.DealID); err == nil && other.Execution != nil {
			if _, _, issued := other.Execution.Invoice(number); issued {
				if err := s.store.IssuedInvoiceNumber(ctx, number, holder.DealID); err != nil {
					return err
				}
				return used()
			}
		}
		if !holder.Stale || s.pendingRequest(ctx, holder.DealID, holder.RequestID) {
			return used()
		}
		if taken, err := s.store.TakeOverInvoiceNumber(ctx, holder, dealID, requestID, invoiceNumberLease); err != nil || taken {
			return err
		}
	}
	return used()
}

// pendingRequest reports whether the request may have issued, or may still issue, the invoice in the deal's
// process: false only when Temporal does not know its Update (never admitted, or rejected) or it was refused.
// Applied, not completed yet, or no answer from Temporal all count as pending.
func (s contractService) pendingRequest(ctx context.Context, dealID, requestID string) bool {
	if requestID == "" {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	err := s.temporal.GetWorkflowUpdateHandle(client.GetWorkflowUpdateHandleOptions{
		WorkflowID: workflows.DealWorkflowID(dealID), UpdateID: requestID}).Get(ctx, nil)
	return err == nil || (!gone(err) && refusedKind(err) == "")
}

// releaseInvoiceNumber gives up the request's reservation after the process refused the invoice, unless the deal's
// contract holds an invoice of the number (issued by another request of the deal meanwhile): then it is marked
// issued.
func (s contractService) releaseInvoiceNumber(ctx context.Context, dealID, number, requestID string) {
	var err error
	if o, rerr := s.deal(ctx, dealID); rerr == nil && o.Execution != nil {
		if _, _, issued := o.Execution.Invoice(number); issued {
			err = s.store.IssuedInvoiceNumber(ctx, number, dealID)
		} else {
			err = s.store.ReleaseInvoiceNumber(ctx, number, requestID)
		}
	} else {
		err = errors.Join(rerr, errors.New("deal not read"))
	}
	if err != nil {
		// The reservation stays the deal's until the lease ends and another contract takes it over.
		s.log.WarnContext(ctx, "The reservation of a refused invoice's number was not released", "deal", dealID, "number", number, "err", err)
	}
}

// RecordPayment is idempotent by the payment reference as well as by request id: the ERP may send a payment again,
// at once or later, under a new request id. A retry under the same request id is answered as every request is (its
// first answer; another payload under it is ALREADY_EXISTS). A sending under a new request id of a payment the
// contract holds already is refused by the process's rule (a reference is recorded once), and answered here: with
// the contract as it stands when the content is the same (also when the sendings raced, the process taking the
// first), ALREADY_EXISTS saying what is recorded when it differs.
func (s contractService) RecordPayment(ctx context.Context, req *ltcv1.RecordPaymentRequest) (*ltcv1.RecordPaymentResponse, error) {
	cmd := ltc.RecordPayment{InvoiceNumber: req.InvoiceNumber, Reference: req.Reference, Amount: moneyFromProto(req.Amount),
		Date: dateFromProto(req.Date)}
	if res, ok, err := s.answered(ctx, workflows.UpdateRecordPayment, req.RequestId, req); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return &ltcv1.RecordPaymentResponse{Contract: executionToProto(res.Opportunity)}, nil
	}
	c, err := s.changeContract(ctx, workflows.UpdateRecordPayment, req.OpportunityId, req.RequestId, req, cmd)
	if k := refusedKind(err); k == ltc.KindConflict {
		// The reference is recorded already; who may record the payment learns with what. Anyone else keeps the
		// refusal.
		if o, rerr := s.deal(ctx, req.OpportunityId); rerr == nil && o.Execution != nil && ltc.CanRecordPayment(actorOf(ctx), o) == nil {
			if p, invoice, ok := o.Execution.Payment(req.Reference); ok {
				if invoice != cmd.InvoiceNumber || p.Amount != cmd.Amount || p.Date != cmd.Date {
					return nil, ltc.Conflict("payment %s is recorded already with other content (%s on invoice %s, dated %04d-%02d-%02d)",
						p.Reference, p.Amount, invoice, p.Date.Year, p.Date.Month, p.Date.Day)
				}
				// Answered: recorded under the caller's request id, so that its retry gets this answer and the id
				// used for another payload is refused.
				if err := s.recordAnswer(ctx, workflows.UpdateRecordPayment, req.RequestId, req, workflows.DealResult{Opportunity: o}); err != nil {
					return nil, err
				}
				return &ltcv1.RecordPaymentResponse{Contract: executionToProto(o)}, nil
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return &ltcv1.RecordPaymentResponse{Contract: c}, nil
}

// refusedKind is the kind of a refusal of the rules, whether the API or the deal's process refused.
func refusedKind(err error) ltc.Kind {
	if k := ltc.KindOf(err); k != "" {
		return k
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		if _, ok := kindCodes[ltc.Kind(app.Type())]; ok {
			return ltc.Kind(app.Type())
		}
	}
	return ""
}

func (s contractService) CloseContract(ctx context.Context, req *ltcv1.CloseContractRequest) (*ltcv1.CloseContractResponse, error) {
	c, err := s.changeContract(ctx, workflows.UpdateCloseContract, req.OpportunityId, req.RequestId, req, ltc.CloseContract{})
	if err != nil {
		return nil, err
	}
	return &ltcv1.CloseContractResponse{Contract: c}, nil
}

func executionToProto(o ltc.Opportunity) *ltcv1.ContractExecution {
	x := o.Execution
	if x == nil {
		return nil
	}
	money := func(minor int64) *ltcv1.Money {
		return moneyToProto(ltc.Money{Currency: x.Amount.Currency, AmountMinor: minor})
	}
	pc := &ltcv1.ContractExecution{
		OpportunityId: o.ID, Title: o.Title, CustomerName: o.Customer.Name, Owner: personToProto(o.Owner), OrgUnit: o.Unit.String(),
		AccountId: o.Customer.AccountID, Contract: contractToProto(o.Contract),
		Status: toEnum[ltcv1.ContractStatus](ltcv1.ContractStatus_value, x.Status, "CONTRACT_STATUS_"),
		Amount: moneyToProto(x.Amount), Invoiced: money(x.Invoiced()), Collected: money(x.Collected()),
		Receivable: money(x.Receivable()), Overdue: x.OverdueReceivable(), CloseTime: timeToProto(x.ClosedAt),
		Stage: toEnum[ltcv1.Stage](ltcv1.Stage_value, o.Stage, "STAGE_"),
	}
	if x.ClosedBy != nil {
		pc.ClosedBy = personToProto(*x.ClosedBy)
	}
	if x.WrittenOff != nil {
		pc.WrittenOff = moneyToProto(*x.WrittenOff)
	}
	for _, co := range x.ChangeOrders {
		pc.ChangeOrders = append(pc.ChangeOrders, &ltcv1.ChangeOrder{DecisionId: co.DecisionID, AmountBefore: moneyToProto(co.AmountBefore),
			Amount: moneyToProto(co.Amount), ApproveTime: timeToProto(&co.ApprovedAt)})
	}
	for _, m := range x.Milestones {
		invoiced, paid := x.MilestoneSums(m.ID)
		pc.Milestones = append(pc.Milestones, milestoneToProto(m, money(invoiced), money(paid)))
	}
	for _, a := range x.Acceptances {
		pc.Acceptances = append(pc.Acceptances, acceptanceToProto(a))
	}
	for _, inv := range x.Invoices {
		pc.Invoices = append(pc.Invoices, invoiceToProto(inv))
	}
	return pc
}

func milestoneToProto(m ltc.Milestone, invoiced, paid *ltcv1.Money) *ltcv1.Milestone {
	return &ltcv1.Milestone{Id: m.ID, Term: paymentTermToProto(m.Term), Amount: moneyToProto(m.Amount), DueTime: timeToProto(m.DueAt),
		Invoiced: invoiced, Paid: paid}
}

func paymentTermToProto(t ltc.PaymentTerm) *ltcv1.PaymentTerm {
	pt := &ltcv1.PaymentTerm{Name: t.Name, Percent: t.Percent, Trigger: toEnum[ltcv1.MilestoneTrigger](ltcv1.MilestoneTrigger_value, t.Trigger, "MILESTONE_TRIGGER_")}
	if t.Amount != nil {
		pt.Amount = moneyToProto(*t.Amount)
	}
	if t.PlannedDate != nil {
		pt.PlannedDate = dateToProto(*t.PlannedDate)
	}
	return pt
}

func paymentTermsFromProto(terms []*ltcv1.PaymentTerm) []ltc.PaymentTerm {
	var out []ltc.PaymentTerm
	for _, t := range terms {
		term := ltc.PaymentTerm{Name: t.Name, Percent: t.Percent,
			Trigger: fromEnum[ltc.Trigger](ltcv1.MilestoneTrigger_name, int32(t.Trigger), "MILESTONE_TRIGGER_")}
		if t.Amount != nil {
			m := moneyFromProto(t.Amount)
			term.Amount = &m
		}
		if t.PlannedDate != nil {
			d := dateFromProto(t.PlannedDate)
			term.PlannedDate = &d
		}
		out = append(out, term)
	}
	return out
}

func acceptanceToProto(a ltc.Acceptance) *ltcv1.Acceptance {
	return &ltcv1.Acceptance{Kind: toEnum[ltcv1.AcceptanceKind](ltcv1.AcceptanceKind_value, a.Kind, "ACCEPTANCE_KIND_"),
		Certificate: a.Certificate, Date: dateToProto(a.Date), RecordedBy: personToProto(a.RecordedBy), RecordTime: timeToProto(&a.RecordedAt)}
}

func paymentToProto(p ltc.Payment) *ltcv1.Payment {
	return &ltcv1.Payment{Reference: p.Reference, Amount: moneyToProto(p.Amount), Date: dateToProto(p.Date),
		RecordedBy: personToProto(p.RecordedBy), RecordTime: timeToProto(&p.RecordedAt)}
}

func invoiceToProto(inv ltc.Invoice) *ltcv1.Invoice {
	pi := &ltcv1.Invoice{Number: inv.Number, MilestoneId: inv.MilestoneID, Amount: moneyToProto(inv.Amount), DueDate: dateToProto(inv.DueDate),
		IssuedBy: personToProto(inv.IssuedBy), IssueTime: timeToProto(&inv.IssuedAt),
		Paid:        moneyToProto(ltc.Money{Currency: inv.Amount.Currency, AmountMinor: inv.Paid()}),
		Outstanding: moneyToProto(ltc.Money{Currency: inv.Amount.Currency, AmountMinor: inv.Outstanding()}),
		Overdue:     inv.Overdue, Escalations: int32(inv.Escalations)}
	for _, p := range inv.Payments {
		pi.Payments = append(pi.Payments, paymentToProto(p))
	}
	return pi
}

// contractGatePackageFromProto is the package of a CHANGE_ORDER or WRITE_OFF request, if it has one.
func contractGatePackageFromProto(req *ltcv1.RequestDecisionRequest) (*ltc.ChangeOrderPackage, *ltc.WriteOffPackage) {
	if p := req.GetChangeOrder(); p != nil {
		return &ltc.ChangeOrderPackage{Amount: moneyFromProto(p.Amount), PaymentTerms: paymentTermsFromProto(p.PaymentTerms), Rationale: p.Rationale}, nil
	}
	if p := req.GetWriteOff(); p != nil {
		return nil, &ltc.WriteOffPackage{Rationale: p.Rationale}
	}
	return nil, nil
}

// contractGatePackageToProto sets the decision's package of a CHANGE_ORDER or WRITE_OFF decision.
func contractGatePackageToProto(pd *ltcv1.Decision, pkg ltc.Package) {
	switch {
	case pkg.ChangeOrder != nil:
		co := pkg.ChangeOrder
		p := &ltcv1.ChangeOrderPackage{Amount: moneyToProto(co.Amount), Rationale: co.Rationale, AmountBefore: moneyToProto(co.AmountBefore)}
		for _, t := range co.PaymentTerms {
			p.PaymentTerms = append(p.PaymentTerms, paymentTermToProto(t))
		}
		for _, m := range co.Milestones {
			p.MilestoneAmounts = append(p.MilestoneAmounts, moneyToProto(m.Amount))
		}
		pd.Package = &ltcv1.Decision_ChangeOrder{ChangeOrder: p}
	case pkg.WriteOff != nil:
		pd.Package = &ltcv1.Decision_WriteOff{WriteOff: &ltcv1.WriteOffPackage{Rationale: pkg.WriteOff.Rationale, Amount: moneyToProto(pkg.WriteOff.Amount)}}
	}
}

// GetCashReport serves ReportService's cash report from the read model's contract tables.
func (s reportService) GetCashReport(ctx context.Context, req *ltcv1.GetCashReportRequest) (*ltcv1.GetCashReportResponse, error) {
	actor := actorOf(ctx)
	if err := ltc.CanReadCashReport(actor); err != nil {
		return nil, err
	}
	from, to := req.StartTime.AsTime(), req.EndTime.AsTime()
	if !from.Before(to) {
		return nil, invalidArgument(fieldViolation{"end_time", "must be after start_time"})
	}
	asOf := ltc.DateOf(time.Now())
	if req.AsOf != nil {
		if asOf = dateFromProto(req.AsOf); !asOf.Valid() {
			return nil, invalidArgument(fieldViolation{"as_of", "must be a valid date"})
		}
	}
	group := map[ltcv1.CashGrouping]store.CashGroup{ltcv1.CashGrouping_CASH_GROUPING_OWNER: store.CashByOwner,
		ltcv1.CashGrouping_CASH_GROUPING_ACCOUNT: store.CashByAccount}[req.GroupBy]
	rows, err := s.store.CashReport(ctx, store.CashFilter{From: from, To: to, AsOf: asOf.Time(), Group: group, OwnerID: req.OwnerId,
		Reach: ltc.CashReach(actor)})
	if err != nil {
		return nil, err
	}
	resp := &ltcv1.GetCashReportResponse{AsOf: dateToProto(asOf)}
	for _, r := range rows {
		money := func(minor int64) *ltcv1.Money {
			return moneyToProto(ltc.Money{Currency: r.Currency, AmountMinor: minor})
		}
		row := &ltcv1.CashReportRow{Key: r.Key, CurrencyCode: r.Currency, Invoiced: money(r.Invoiced), Collected: money(r.Collected),
			Receivable: money(r.Receivable)}
		for i, b := range store.CashBuckets {
			row.Overdue = append(row.Overdue, &ltcv1.AgedReceivable{Bucket: b, Amount: money(r.Overdue[i])})
		}
		if r.DSO >= 0 {
			row.DsoDays = &r.DSO
		}
		months := make([]time.Time, 0, len(r.Expected))
		for m := range r.Expected {
			months = append(months, m)
		}
		slices.SortFunc(months, func(a, b time.Time) int { return a.Compare(b) })
		for _, m := range months {
			e := &ltcv1.ExpectedCash{Amount: money(r.Expected[m])}
			if !m.IsZero() {
				e.Month = dateToProto(ltc.DateOf(m))
			}
			row.Expected = append(row.Expected, e)
		}
		resp.Rows = append(resp.Rows, row)
	}
	return resp, nil
}
