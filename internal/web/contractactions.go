package web

import (
	"context"
	"net/url"
	"time"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// The deal page's forms of a WON deal whose contract is in execution: the acceptance by the delivery project
// manager, FINANCE's invoices and payments, and the contract's close.

// executing is the Offered of the contract's forms: the deal in EXECUTION.
var executing = in(ltcv1.Stage_STAGE_EXECUTION)

var contractActions = []action[*ltcv1.Opportunity]{
	{Key: "accept", Title: "Record the customer's acceptance", Who: "The delivery project manager",
		Offered: executing,
		Fields: []field{{Name: "kind", Label: "Acceptance", Kind: "select", Options: enumOptions(ltcv1.AcceptanceKind_ACCEPTANCE_KIND_PAC,
			ltcv1.AcceptanceKind_ACCEPTANCE_KIND_FAC)}, {Name: "certificate", Label: "Certificate", Kind: "text"},
			{Name: "date", Label: "Date", Kind: "date"}},
		Defaults: dated("date"),
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			_, err := s.contracts.RecordAcceptance(ctx, &ltcv1.RecordAcceptanceRequest{RequestId: rid, OpportunityId: deal,
				Kind: enumValue[ltcv1.AcceptanceKind](ltcv1.AcceptanceKind_value, v.Get("kind")), Certificate: v.Get("certificate"),
				Date: calendarDay(v.Get("date"))})
			return err
		}},
	{Key: "invoice", Title: "Issue an invoice", Who: "FINANCE",
		Offered: executing,
		Fields: append([]field{{Name: "number", Label: "Invoice number", Kind: "text"},
			{Name: "milestone", Label: "Milestone", Kind: "text", Hint: "M1, M2, … in the order of the payment terms"}},
			append(moneyFields("amount", "Amount"), field{Name: "due", Label: "Due date", Kind: "date"})...),
		Defaults: func(o *ltcv1.Opportunity) url.Values {
			v := url.Values{}
			v.Set("amount_currency", o.GetContract().GetAmount().GetCurrencyCode())
			v.Set("due", time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly))
			return v
		},
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			m, err := formAmount(v, "amount")
			if err != nil {
				return err
			}
			_, err = s.contracts.IssueInvoice(ctx, &ltcv1.IssueInvoiceRequest{RequestId: rid, OpportunityId: deal, Number: v.Get("number"),
				MilestoneId: v.Get("milestone"), Amount: m, DueDate: calendarDay(v.Get("due"))})
			return err
		}},
	{Key: "pay", Title: "Record a payment", Who: "FINANCE or the ERP",
		Offered: executing,
		Fields: append([]field{{Name: "invoice", Label: "Invoice number", Kind: "text"}, {Name: "reference", Label: "Payment reference", Kind: "text"}},
			append(moneyFields("amount", "Amount"), field{Name: "date", Label: "Date", Kind: "date"})...),
		Defaults: func(o *ltcv1.Opportunity) url.Values {
			v := dated("date")(o)
			v.Set("amount_currency", o.GetContract().GetAmount().GetCurrencyCode())
			return v
		},
		Send: func(ctx context.Context, s *Server, deal, rid string, v url.Values) error {
			m, err := formAmount(v, "amount")
			if err != nil {
				return err
			}
			_, err = s.contracts.RecordPayment(ctx, &ltcv1.RecordPaymentRequest{RequestId: rid, OpportunityId: deal, InvoiceNumber: v.Get("invoice"),
				Reference: v.Get("reference"), Amount: m, Date: calendarDay(v.Get("date"))})
			return err
		}},
	{Key: "close-contract", Title: "Close the contract", Who: "The owner or FINANCE",
		Offered: executing,
		Send: func(ctx context.Context, s *Server, deal, rid string, _ url.Values) error {
			_, err := s.contracts.CloseContract(ctx, &ltcv1.CloseContractRequest{RequestId: rid, OpportunityId: deal})
			return err
		}},
}

// dated fills the date field with today's date.
func dated(name string) func(*ltcv1.Opportunity) url.Values {
	return func(*ltcv1.Opportunity) url.Values {
		v := url.Values{}
		v.Set(name, today())
		return v
	}
}
