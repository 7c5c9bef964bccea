package ctl

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// decision runs a change of a decision and shows the decision after it.
func decision(run runner, use, short string, build func(s *session, args []string) (func() (*ltcv1.Decision, error), error)) *cobra.Command {
	return &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(1),
		RunE: run(func(s *session, args []string) error {
			do, err := build(s, args)
			if err != nil {
				return err
			}
			d, err := do()
			if err != nil {
				return err
			}
			return s.show(d, func(w io.Writer) { renderDecision(w, d) })
		})}
}

func gateCommands(run runner) *cobra.Command {
	gate := &cobra.Command{Use: "gate", Short: "Request, review, decide and withdraw gate decisions (INITIATION, ATB, ATC, REOPEN)"}

	var rq struct {
		gate, level, rationale, strategy, price, currency, terms, feasibility, deviations, reference, stage, special string
		winRate                                                                                                      int32
		margin                                                                                                       float64
		lines                                                                                                        []string
	}
	request := decision(run, "request DEAL", "Request a gate with its package", func(s *session, args []string) (func() (*ltcv1.Decision, error), error) {
		g, err := enum[ltcv1.Gate](ltcv1.Gate_value, "GATE_", rq.gate)
		if err != nil {
			return nil, err
		}
		req := &ltcv1.RequestDecisionRequest{RequestId: s.requestID(), OpportunityId: args[0], Gate: g}
		switch g {
		case ltcv1.Gate_GATE_INITIATION:
			level, err := enum[ltcv1.ProjectLevel](ltcv1.ProjectLevel_value, "PROJECT_LEVEL_", rq.level)
			if err != nil {
				return nil, err
			}
			req.Package = &ltcv1.RequestDecisionRequest_Initiation{Initiation: &ltcv1.InitiationPackage{ProposedLevel: level, Rationale: rq.rationale}}
		case ltcv1.Gate_GATE_ATB, ltcv1.Gate_GATE_ATC:
			lines, err := lineItems(rq.lines, rq.currency)
			if err != nil {
				return nil, err
			}
			var p *ltcv1.Money
			if rq.price != "" {
				if p, err = money(rq.price, rq.currency); err != nil {
					return nil, err
				}
			}
			if g == ltcv1.Gate_GATE_ATB {
				req.Package = &ltcv1.RequestDecisionRequest_Bid{Bid: &ltcv1.BidPackage{Strategy: rq.strategy, ProposedPrice: p,
					GrossMarginPercent: rq.margin, PaymentTerms: rq.terms, DeliveryFeasibility: rq.feasibility, WinRate: rq.winRate,
					LineItems: lines, SpecialPriceRationale: rq.special}}
				break
			}
			req.Package = &ltcv1.RequestDecisionRequest_Contract{Contract: &ltcv1.ContractPackage{FinalPrice: p,
				GrossMarginPercent: rq.margin, PaymentTerms: rq.terms, Deviations: rq.deviations, ContractReference: rq.reference,
				LineItems: lines, SpecialPriceRationale: rq.special}}
		case ltcv1.Gate_GATE_REOPEN:
			stage, err := enum[ltcv1.Stage](ltcv1.Stage_value, "STAGE_", rq.stage)
			if err != nil {
				return nil, err
			}
			req.Package = &ltcv1.RequestDecisionRequest_Reopen{Reopen: &ltcv1.ReopenPackage{Stage: stage, Rationale: rq.rationale}}
		}
		return func() (*ltcv1.Decision, error) {
			r, err := call(s, s.gates.RequestDecision, req)
			return r.GetDecision(), err
		}, nil
	})
	rf := request.Flags()
	rf.StringVar(&rq.gate, "gate", "", "INITIATION, ATB, ATC or REOPEN")
	rf.StringVar(&rq.level, "level", "", "INITIATION: proposed level A, B or C")
	rf.StringVar(&rq.rationale, "rationale", "", "INITIATION: why pursue it; REOPEN: why work it again")
	rf.StringVar(&rq.stage, "stage", "", "REOPEN: the stage to return to: VALIDATION, PURSUIT or NEGOTIATION")
	rf.StringVar(&rq.strategy, "strategy", "", "ATB: bid strategy")
	rf.StringVar(&rq.price, "price", "", "ATB: proposed price; ATC: final price (without --line; with lines, their total)")
	rf.StringVar(&rq.currency, "currency", "EUR", "ISO currency of --price and of the lines' prices")
	rf.Float64Var(&rq.margin, "margin", 0, "ATB, ATC: gross margin, percent (without --line; with lines, the engine computes it)")
	rf.StringArrayVar(&rq.lines, "line", nil, "ATB, ATC: a line item CODE:QUANTITY[:DISCOUNT%[:UNIT_PRICE[:UNIT_COST]]], repeated; "+
		"unit prices default to the catalogue's (products list)")
	rf.StringVar(&rq.special, "special-price-rationale", "", "ATB, ATC: why a package below the margin floor is worth it (特价)")
	rf.StringVar(&rq.terms, "payment-terms", "", "ATB, ATC: payment terms")
	rf.StringVar(&rq.feasibility, "feasibility", "", "ATB: delivery feasibility (by the FR)")
	rf.Int32Var(&rq.winRate, "win-rate", 0, "ATB: win rate, percent")
	rf.StringVar(&rq.deviations, "deviations", "", "ATC: deviations from the bid")
	rf.StringVar(&rq.reference, "reference", "", "ATC: contract reference")

	var rv struct{ function, result, comments string }
	review := decision(run, "review DECISION", "Submit your professional review (专业评审)", func(s *session, args []string) (func() (*ltcv1.Decision, error), error) {
		f, err := enum[ltcv1.ReviewFunction](ltcv1.ReviewFunction_value, "REVIEW_FUNCTION_", rv.function)
		if err != nil {
			return nil, err
		}
		res, err := enum[ltcv1.ReviewResult](ltcv1.ReviewResult_value, "REVIEW_RESULT_", rv.result)
		if err != nil {
			return nil, err
		}
		return func() (*ltcv1.Decision, error) {
			r, err := call(s, s.gates.SubmitReview, &ltcv1.SubmitReviewRequest{RequestId: s.requestID(), DecisionId: args[0],
				Function: f, Result: res, Comments: rv.comments})
			return r.GetDecision(), err
		}, nil
	})
	review.Flags().StringVar(&rv.function, "function", "", "FINANCE, LEGAL, DELIVERY or SOLUTION")
	review.Flags().StringVar(&rv.result, "result", "", "pass, pass_with_concerns or fail")
	review.Flags().StringVar(&rv.comments, "comments", "", "comments")

	var dc struct {
		verdict, level, rationale string
		conditions                []string
	}
	decide := decision(run, "decide DECISION", "Decide: approve, approve_with_conditions, reject or return", func(s *session, args []string) (func() (*ltcv1.Decision, error), error) {
		v, err := enum[ltcv1.Verdict](ltcv1.Verdict_value, "VERDICT_", dc.verdict)
		if err != nil {
			return nil, err
		}
		level, err := enum[ltcv1.ProjectLevel](ltcv1.ProjectLevel_value, "PROJECT_LEVEL_", dc.level)
		if err != nil {
			return nil, err
		}
		return func() (*ltcv1.Decision, error) {
			r, err := call(s, s.gates.Decide, &ltcv1.DecideRequest{RequestId: s.requestID(), DecisionId: args[0], Verdict: v,
				Level: level, Conditions: dc.conditions, Rationale: dc.rationale})
			return r.GetDecision(), err
		}, nil
	})
	decide.Flags().StringVar(&dc.verdict, "verdict", "", "approve, approve_with_conditions, reject, return")
	decide.Flags().StringVar(&dc.level, "level", "", "INITIATION: fix another level than proposed")
	decide.Flags().StringSliceVar(&dc.conditions, "condition", nil, "conditions of an approval with conditions")
	decide.Flags().StringVar(&dc.rationale, "rationale", "", "why")

	var reason string
	withdraw := decision(run, "withdraw DECISION", "Withdraw your pending request", func(s *session, args []string) (func() (*ltcv1.Decision, error), error) {
		return func() (*ltcv1.Decision, error) {
			r, err := call(s, s.gates.WithdrawDecision, &ltcv1.WithdrawDecisionRequest{RequestId: s.requestID(), DecisionId: args[0], Reason: reason})
			return r.GetDecision(), err
		}, nil
	})
	withdraw.Flags().StringVar(&reason, "reason", "", "why")

	show := decision(run, "show DECISION", "Show a decision with its reviews", func(s *session, args []string) (func() (*ltcv1.Decision, error), error) {
		return func() (*ltcv1.Decision, error) {
			r, err := call(s, s.gates.GetDecision, &ltcv1.GetDecisionRequest{Id: args[0]})
			return r.GetDecision(), err
		}, nil
	})
	gate.AddCommand(request, review, decide, withdraw, show)
	return gate
}

func renderDecision(w io.Writer, d *ltcv1.Decision) {
	fmt.Fprintf(w, "Decision\t%s\n", d.Id)
	fmt.Fprintf(w, "Gate\t%s on deal %s (level %s)\n", name(d.Gate, "GATE_"), d.OpportunityId, name(d.Level, "PROJECT_LEVEL_"))
	if d.PolicyLevel != ltcv1.ProjectLevel_PROJECT_LEVEL_UNSPECIFIED {
		fmt.Fprintf(w, "Levels\tproposed %s, policy %s\n", name(d.ProposedLevel, "PROJECT_LEVEL_"), name(d.PolicyLevel, "PROJECT_LEVEL_"))
	}
	fmt.Fprintf(w, "Status\t%s\n", name(d.Status, "DECISION_STATUS_"))
	fmt.Fprintf(w, "Requested\tby %s at %s\n", person(d.RequestedBy), d.RequestTime.AsTime().Format(time.DateTime))
	fmt.Fprintf(w, "Authority\t%d (asked %d, %d escalation(s))%s\n", d.Authority, d.RequiredAuthority, d.Escalations, map[bool]string{true: "  OVERDUE"}[d.Overdue])
	fmt.Fprintf(w, "Reviews missing\t%s\n", missing(d))
	for _, r := range d.Reviews {
		fmt.Fprintf(w, "Review\t%s %s by %s%s %s\n", name(r.Function, "REVIEW_FUNCTION_"), name(r.Result, "REVIEW_RESULT_"), person(r.Reviewer),
			onBehalfOf(r.OnBehalfOf), r.Comments)
	}
	renderAssignments(w, d)
	renderEconomics(w, d)
	if r := d.GetReopen(); r != nil {
		fmt.Fprintf(w, "Reopen to\t%s: %s\n", name(r.Stage, "STAGE_"), r.Rationale)
	}
	if d.DecidedBy != nil {
		fmt.Fprintf(w, "Decided\tby %s%s (authority %d) at %s: %s\n", person(d.DecidedBy), onBehalfOf(d.OnBehalfOf), d.DeciderAuthority,
			d.DecideTime.AsTime().Format(time.DateTime), d.Rationale)
	} else {
		fmt.Fprintf(w, "Due\t%s\n", d.DueTime.AsTime().Format(time.DateTime))
	}
}

// lineItems reads --line values: CODE:QUANTITY[:DISCOUNT%[:UNIT_PRICE[:UNIT_COST]]], prices in major units of
// currency, read exactly.
func lineItems(specs []string, currency string) ([]*ltcv1.LineItem, error) {
	var out []*ltcv1.LineItem
	for _, spec := range specs {
		parts := strings.Split(spec, ":")
		if len(parts) < 2 || len(parts) > 5 {
			return nil, fmt.Errorf("--line %q: want CODE:QUANTITY[:DISCOUNT%%[:UNIT_PRICE[:UNIT_COST]]]", spec)
		}
		qty, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("--line %q: quantity %q is not a whole number", spec, parts[1])
		}
		li := &ltcv1.LineItem{ProductCode: parts[0], Quantity: qty}
		if len(parts) > 2 {
			li.DiscountPercent = strings.TrimSuffix(parts[2], "%")
		}
		for i, dst := range []**ltcv1.Money{&li.UnitListPrice, &li.UnitCost} {
			if len(parts) > 3+i && parts[3+i] != "" {
				m, err := money(parts[3+i], currency)
				if err != nil {
					return nil, fmt.Errorf("--line %q: %w", spec, err)
				}
				*dst = m
			}
		}
		out = append(out, li)
	}
	return out, nil
}

// renderEconomics shows a package's line items, totals and margin check, and the converted value the level came
// from.
func renderEconomics(w io.Writer, d *ltcv1.Decision) {
	lines, totals := d.GetBid().GetLineItems(), d.GetBid().GetTotals()
	if c := d.GetContract(); c != nil {
		lines, totals = c.LineItems, c.Totals
	}
	for _, li := range lines {
		cost := ""
		if li.CostAmount != nil {
			cost = ", cost " + showMoney(li.CostAmount)
		}
		fmt.Fprintf(w, "Line	%s %s: %d %s × %s less %s%% = %s%s\n", li.ProductCode, li.ProductName, li.Quantity, li.Unit,
			showMoney(li.UnitListPrice), li.DiscountPercent, showMoney(li.NetAmount), cost)
	}
	if totals != nil {
		cost := ""
		if totals.CostTotal != nil {
			cost = ", cost " + showMoney(totals.CostTotal)
		}
		fmt.Fprintf(w, "Totals	list %s, discount %s (%s%%), net %s%s, gross margin %s%%\n", showMoney(totals.ListTotal),
			showMoney(totals.DiscountTotal), totals.DiscountPercent, showMoney(totals.NetTotal), cost, totals.GrossMarginPercent)
	}
	if m := d.Margin; m != nil {
		floor := "the level's floor"
		if m.Family != "" {
			floor = "the " + m.Family + " floor"
		}
		verdict := "at or above it"
		if m.SpecialPrice {
			verdict = fmt.Sprintf("%s points below: SPECIAL PRICE (特价)", m.ShortfallPoints)
		}
		fmt.Fprintf(w, "Margin	%s%% against %s of %s%%, %s\n", m.MarginPercent, floor, m.FloorPercent, verdict)
	}
	if rationale := d.GetBid().GetSpecialPriceRationale() + d.GetContract().GetSpecialPriceRationale(); rationale != "" {
		fmt.Fprintf(w, "Special price\t%s\n", rationale)
	}
	if d.LevelValue != nil && d.LevelRate != nil {
		fmt.Fprintf(w, "Level value\t%s at %s %s→%s (effective %s)\n", showMoney(d.LevelValue), d.LevelRate.Rate,
			d.LevelRate.FromCurrency, d.LevelRate.ToCurrency, showDay(d.LevelRate.EffectiveDate))
	}
}
