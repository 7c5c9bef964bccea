package ctl

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// contractChange is a command that changes a deal's contract in execution and shows it after the change.
func contractChange(run runner, use, short string, build func(s *session, args []string) (func() (*ltcv1.ContractExecution, error), error)) *cobra.Command {
	return &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(1),
		RunE: run(func(s *session, args []string) error {
			do, err := build(s, args)
			if err != nil {
				return err
			}
			c, err := do()
			if err != nil {
				return err
			}
			return s.show(c, func(w io.Writer) { renderContract(w, c) })
		})}
}

func contractCommands(run runner) *cobra.Command {
	contract := &cobra.Command{Use: "contract", Short: "Execute a WON deal's contract to cash: acceptance, invoices, payments, close"}

	show := &cobra.Command{Use: "show DEAL", Short: "The contract: milestones, acceptances, invoices and payments", Args: cobra.ExactArgs(1),
		RunE: run(func(s *session, args []string) error {
			resp, err := call(s, s.contracts.GetContract, &ltcv1.GetContractRequest{OpportunityId: args[0]})
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) { renderContract(w, resp.Contract) })
		})}

	var l struct {
		status, owner string
		overdue       bool
	}
	list := &cobra.Command{Use: "list", Short: "List contracts, newest deal first", Args: cobra.NoArgs,
		RunE: run(func(s *session, _ []string) error {
			status, err := enum[ltcv1.ContractStatus](ltcv1.ContractStatus_value, "CONTRACT_STATUS_", l.status)
			if err != nil {
				return err
			}
			resp, err := call(s, s.contracts.ListContracts, &ltcv1.ListContractsRequest{Status: status, OwnerId: l.owner, OverdueOnly: l.overdue, PageSize: 200})
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) {
				fmt.Fprintln(w, "DEAL\tSTATUS\tCUSTOMER\tAMOUNT\tINVOICED\tCOLLECTED\tOVERDUE\tOWNER")
				for _, c := range resp.Contracts {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%t\t%s\n", c.OpportunityId, name(c.Status, "CONTRACT_STATUS_"), c.CustomerName,
						showMoney(c.Amount), showMoney(c.Invoiced), showMoney(c.Collected), c.Overdue, c.Owner.GetId())
				}
			})
		})}
	list.Flags().StringVar(&l.status, "status", "", "SIGNED, EXECUTION, COMPLETED or WRITTEN_OFF")
	list.Flags().StringVar(&l.owner, "owner", "", "owner's user id")
	list.Flags().BoolVar(&l.overdue, "overdue", false, "only contracts with an overdue invoice")

	var a struct{ kind, certificate, date string }
	accept := contractChange(run, "accept DEAL", "Record the customer's acceptance (PAC, then FAC) with its certificate, as the DELIVERY_PM",
		func(s *session, args []string) (func() (*ltcv1.ContractExecution, error), error) {
			kind, err := enum[ltcv1.AcceptanceKind](ltcv1.AcceptanceKind_value, "ACCEPTANCE_KIND_", a.kind)
			if err != nil {
				return nil, err
			}
			d, err := day(a.date)
			if err != nil {
				return nil, err
			}
			return func() (*ltcv1.ContractExecution, error) {
				resp, err := call(s, s.contracts.RecordAcceptance, &ltcv1.RecordAcceptanceRequest{RequestId: s.requestID(), OpportunityId: args[0],
					Kind: kind, Certificate: a.certificate, Date: d})
				return resp.GetContract(), err
			}, nil
		})
	accept.Flags().StringVar(&a.kind, "kind", "", "PAC or FAC")
	accept.Flags().StringVar(&a.certificate, "certificate", "", "the acceptance certificate's reference")
	accept.Flags().StringVar(&a.date, "date", time.Now().Format(time.DateOnly), "the certificate's date")

	var inv struct{ number, milestone, amount, currency, due string }
	invoice := contractChange(run, "invoice DEAL", "Issue an invoice for a due milestone, as FINANCE",
		func(s *session, args []string) (func() (*ltcv1.ContractExecution, error), error) {
			amt, err := money(inv.amount, inv.currency)
			if err != nil {
				return nil, err
			}
			due, err := day(inv.due)
			if err != nil {
				return nil, err
			}
			return func() (*ltcv1.ContractExecution, error) {
				resp, err := call(s, s.contracts.IssueInvoice, &ltcv1.IssueInvoiceRequest{RequestId: s.requestID(), OpportunityId: args[0],
					Number: inv.number, MilestoneId: inv.milestone, Amount: amt, DueDate: due})
				return resp.GetContract(), err
			}, nil
		})
	invoice.Flags().StringVar(&inv.number, "number", "", "invoice number")
	invoice.Flags().StringVar(&inv.milestone, "milestone", "", "the milestone, e.g. M1")
	invoice.Flags().StringVar(&inv.amount, "amount", "", "amount")
	invoice.Flags().StringVar(&inv.currency, "currency", "EUR", "ISO currency")
	invoice.Flags().StringVar(&inv.due, "due", time.Now().AddDate(0, 0, 30).Format(time.DateOnly), "payment due date")

	var p struct{ invoice, reference, amount, currency, date string }
	pay := contractChange(run, "pay DEAL", "Record a payment against an invoice, as FINANCE or the ERP (idempotent by --reference)",
		func(s *session, args []string) (func() (*ltcv1.ContractExecution, error), error) {
			amt, err := money(p.amount, p.currency)
			if err != nil {
				return nil, err
			}
			d, err := day(p.date)
			if err != nil {
				return nil, err
			}
			return func() (*ltcv1.ContractExecution, error) {
				resp, err := call(s, s.contracts.RecordPayment, &ltcv1.RecordPaymentRequest{RequestId: s.requestID(), OpportunityId: args[0],
					InvoiceNumber: p.invoice, Reference: p.reference, Amount: amt, Date: d})
				return resp.GetContract(), err
			}, nil
		})
	pay.Flags().StringVar(&p.invoice, "invoice", "", "the invoice paid")
	pay.Flags().StringVar(&p.reference, "reference", "", "the payment's reference (bank or ERP)")
	pay.Flags().StringVar(&p.amount, "amount", "", "amount")
	pay.Flags().StringVar(&p.currency, "currency", "EUR", "ISO currency")
	pay.Flags().StringVar(&p.date, "date", time.Now().Format(time.DateOnly), "value date")

	closeContract := contractChange(run, "close DEAL", "Close the contract once every milestone is due and paid (the AR or FINANCE)",
		func(s *session, args []string) (func() (*ltcv1.ContractExecution, error), error) {
			return func() (*ltcv1.ContractExecution, error) {
				resp, err := call(s, s.contracts.CloseContract, &ltcv1.CloseContractRequest{RequestId: s.requestID(), OpportunityId: args[0]})
				return resp.GetContract(), err
			}, nil
		})

	contract.AddCommand(show, list, accept, invoice, pay, closeContract)
	return contract
}

// paymentTerms reads --term NAME=SHARE:TRIGGER[:YYYY-MM-DD], SHARE a percentage ("30%") or an amount ("15000.50").
func paymentTerms(specs []string, currency string) ([]*ltcv1.PaymentTerm, error) {
	var out []*ltcv1.PaymentTerm
	for _, spec := range specs {
		termName, rest, ok := strings.Cut(spec, "=")
		parts := strings.Split(rest, ":")
		if !ok || len(parts) < 2 || len(parts) > 3 {
			return nil, fmt.Errorf("--term %q: want NAME=SHARE:TRIGGER[:YYYY-MM-DD], e.g. advance=30%%:signature or PAC=60%%:pac:2027-06-30", spec)
		}
		trigger, err := enum[ltcv1.MilestoneTrigger](ltcv1.MilestoneTrigger_value, "MILESTONE_TRIGGER_", parts[1])
		if err != nil {
			return nil, fmt.Errorf("--term %q: %w", spec, err)
		}
		t := &ltcv1.PaymentTerm{Name: termName, Trigger: trigger}
		if percent, isPercent := strings.CutSuffix(parts[0], "%"); isPercent {
			t.Percent = percent
		} else if t.Amount, err = money(parts[0], currency); err != nil {
			return nil, fmt.Errorf("--term %q: %w", spec, err)
		}
		if len(parts) == 3 {
			if t.PlannedDate, err = day(parts[2]); err != nil {
				return nil, fmt.Errorf("--term %q: %w", spec, err)
			}
		}
		out = append(out, t)
	}
	return out, nil
}

func renderContract(w io.Writer, c *ltcv1.ContractExecution) {
	fmt.Fprintf(w, "Deal\t%s  %s\n", c.OpportunityId, c.Title)
	fmt.Fprintf(w, "Contract\t%s, signed %s\n", c.Contract.GetNumber(), showDay(c.Contract.GetDate()))
	fmt.Fprintf(w, "Status\t%s (deal %s)\n", name(c.Status, "CONTRACT_STATUS_"), name(c.Stage, "STAGE_"))
	fmt.Fprintf(w, "Amount\t%s; invoiced %s, collected %s, receivable %s\n", showMoney(c.Amount), showMoney(c.Invoiced),
		showMoney(c.Collected), showMoney(c.Receivable))
	if c.Overdue {
		fmt.Fprintln(w, "Overdue\tan invoice is past its due date")
	}
	for _, m := range c.Milestones {
		due := "waits for " + name(m.Term.GetTrigger(), "MILESTONE_TRIGGER_")
		if m.DueTime != nil {
			due = "due since " + m.DueTime.AsTime().Format(time.DateOnly)
		}
		share := m.Term.GetPercent() + "%"
		if m.Term.GetAmount() != nil {
			share = "fixed"
		}
		fmt.Fprintf(w, "Milestone %s\t%s, %s %s, %s; invoiced %s, paid %s\n", m.Id, m.Term.GetName(), share, showMoney(m.Amount), due,
			showMoney(m.Invoiced), showMoney(m.Paid))
	}
	for _, a := range c.Acceptances {
		fmt.Fprintf(w, "Acceptance\t%s, certificate %s of %s, by %s\n", name(a.Kind, "ACCEPTANCE_KIND_"), a.Certificate, showDay(a.Date), person(a.RecordedBy))
	}
	for _, inv := range c.Invoices {
		state := "outstanding " + showMoney(inv.Outstanding)
		if inv.Outstanding.GetAmountMinor() == 0 {
			state = "paid"
		} else if inv.Overdue {
			state += fmt.Sprintf(", OVERDUE (escalated %d)", inv.Escalations)
		}
		fmt.Fprintf(w, "Invoice %s\t%s for %s, due %s, %s\n", inv.Number, showMoney(inv.Amount), inv.MilestoneId, showDay(inv.DueDate), state)
		for _, p := range inv.Payments {
			fmt.Fprintf(w, "  payment\t%s %s on %s, by %s\n", p.Reference, showMoney(p.Amount), showDay(p.Date), person(p.RecordedBy))
		}
	}
	for _, co := range c.ChangeOrders {
		fmt.Fprintf(w, "Change order\t%s: %s -> %s\n", co.DecisionId, showMoney(co.AmountBefore), showMoney(co.Amount))
	}
	if c.CloseTime != nil {
		fmt.Fprintf(w, "Closed\t%s by %s\n", c.CloseTime.AsTime().Format(time.RFC3339), person(c.ClosedBy))
	}
	if c.WrittenOff != nil {
		fmt.Fprintf(w, "Written off\t%s\n", showMoney(c.WrittenOff))
	}
}
