package ctl

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/types/known/timestamppb"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// change runs a change of a deal and shows the deal after it.
func change(run runner, use, short string, nargs int, build func(s *session, args []string) (func() (*ltcv1.Opportunity, error), error)) *cobra.Command {
	return &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(nargs),
		RunE: run(func(s *session, args []string) error {
			do, err := build(s, args)
			if err != nil {
				return err
			}
			o, err := do()
			if err != nil {
				return err
			}
			return s.show(o, func(w io.Writer) { renderDeal(w, o, nil) })
		})}
}

func dealCommands(run runner) *cobra.Command {
	deal := &cobra.Command{Use: "deal", Short: "Show and work deals"}

	var l struct {
		stage, outcome, level, owner, customer string
		overdue, mine                          bool
	}
	list := &cobra.Command{Use: "list", Short: "List deals, newest first", Args: cobra.NoArgs,
		RunE: run(func(s *session, _ []string) error {
			stage, err := enum[ltcv1.Stage](ltcv1.Stage_value, "STAGE_", l.stage)
			if err != nil {
				return err
			}
			outcome, err := enum[ltcv1.Outcome](ltcv1.Outcome_value, "OUTCOME_", l.outcome)
			if err != nil {
				return err
			}
			level, err := enum[ltcv1.ProjectLevel](ltcv1.ProjectLevel_value, "PROJECT_LEVEL_", l.level)
			if err != nil {
				return err
			}
			resp, err := call(s, s.deals.ListOpportunities, &ltcv1.ListOpportunitiesRequest{Stage: stage, Outcome: outcome,
				Level: level, OwnerId: l.owner, Customer: l.customer, OverdueOnly: l.overdue, Mine: l.mine, PageSize: 200})
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) {
				fmt.Fprintln(w, "ID\tSTAGE\tOUTCOME\tLEVEL\tCUSTOMER\tTITLE\tVALUE\tOWNER")
				for _, o := range resp.Opportunities {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", o.Id, name(o.Stage, "STAGE_"), name(o.Outcome, "OUTCOME_"),
						name(o.Level, "PROJECT_LEVEL_"), o.Customer.GetName(), o.Title, showMoney(o.EstimatedValue), o.Owner.GetId())
				}
			})
		})}
	list.Flags().StringVar(&l.stage, "stage", "", "stage, e.g. PURSUIT")
	list.Flags().StringVar(&l.outcome, "outcome", "", "outcome, e.g. WON")
	list.Flags().StringVar(&l.level, "level", "", "A, B or C")
	list.Flags().StringVar(&l.owner, "owner", "", "owner's user id")
	list.Flags().StringVar(&l.customer, "customer", "", "customer name contains")
	list.Flags().BoolVar(&l.overdue, "overdue", false, "only deals with something overdue")
	list.Flags().BoolVar(&l.mine, "mine", false, "only the deals whose team you are on (as their owner too)")

	show := &cobra.Command{Use: "show DEAL", Short: "The whole deal: stage, team, risks, decisions, reports, timeline", Args: cobra.ExactArgs(1),
		RunE: run(func(s *session, args []string) error {
			resp, err := call(s, s.deals.GetOpportunity, &ltcv1.GetOpportunityRequest{Id: args[0]})
			if err != nil {
				return err
			}
			if s.opts.Output == "json" {
				return s.printJSON(resp)
			}
			events, err := call(s, s.deals.ListEvents, &ltcv1.ListEventsRequest{DealId: args[0], PageSize: 1000})
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) { renderDeal(w, resp.Opportunity, events.Events) })
		})}

	var a struct {
		winRate         int32
		value, currency string
		competitors     []string
		chain, notes    string
	}
	assess := change(run, "assess DEAL", "Record the VALIDATION assessment", 1, func(s *session, args []string) (func() (*ltcv1.Opportunity, error), error) {
		v, err := money(a.value, a.currency)
		if err != nil {
			return nil, err
		}
		return func() (*ltcv1.Opportunity, error) {
			r, err := call(s, s.deals.UpdateAssessment, &ltcv1.UpdateAssessmentRequest{RequestId: s.requestID(), OpportunityId: args[0],
				Assessment: &ltcv1.Assessment{WinRate: a.winRate, Value: v, Competitors: a.competitors, DecisionChain: a.chain, Notes: a.notes}})
			return r.GetOpportunity(), err
		}, nil
	})
	assess.Flags().Int32Var(&a.winRate, "win-rate", 0, "estimated chance to win, percent")
	assess.Flags().StringVar(&a.value, "value", "0", "estimated value")
	assess.Flags().StringVar(&a.currency, "currency", "EUR", "ISO currency")
	assess.Flags().StringSliceVar(&a.competitors, "competitor", nil, "competitors")
	assess.Flags().StringVar(&a.chain, "decision-chain", "", "the customer's decision chain")
	assess.Flags().StringVar(&a.notes, "notes", "", "notes")

	var team []string
	appoint := change(run, "team DEAL", "Appoint or change the team: --member AR=sam --member SR=sara --member FR=fred", 1,
		func(s *session, args []string) (func() (*ltcv1.Opportunity, error), error) {
			m, err := members(team)
			if err != nil {
				return nil, err
			}
			return func() (*ltcv1.Opportunity, error) {
				r, err := call(s, s.deals.AppointTeam, &ltcv1.AppointTeamRequest{RequestId: s.requestID(), OpportunityId: args[0], Members: m})
				return r.GetOpportunity(), err
			}, nil
		})
	appoint.Flags().StringSliceVar(&team, "member", nil, "ROLE=ID, repeated: AR, SR, FR required; BID_MANAGER, FINANCE, LEGAL, DELIVERY_PM optional")

	var r struct{ description, category, probability, impact, owner, mitigation, status string }
	risk := change(run, "risk DEAL", "Add a risk to the register", 1, func(s *session, args []string) (func() (*ltcv1.Opportunity, error), error) {
		cat, err := enum[ltcv1.RiskCategory](ltcv1.RiskCategory_value, "RISK_CATEGORY_", r.category)
		if err != nil {
			return nil, err
		}
		p, err := enum[ltcv1.RiskLevel](ltcv1.RiskLevel_value, "RISK_LEVEL_", r.probability)
		if err != nil {
			return nil, err
		}
		i, err := enum[ltcv1.RiskLevel](ltcv1.RiskLevel_value, "RISK_LEVEL_", r.impact)
		if err != nil {
			return nil, err
		}
		st, err := enum[ltcv1.RiskStatus](ltcv1.RiskStatus_value, "RISK_STATUS_", r.status)
		if err != nil {
			return nil, err
		}
		return func() (*ltcv1.Opportunity, error) {
			resp, err := call(s, s.deals.AddRisk, &ltcv1.AddRiskRequest{RequestId: s.requestID(), OpportunityId: args[0], Risk: &ltcv1.Risk{
				Description: r.description, Category: cat, Probability: p, Impact: i, Owner: &ltcv1.Person{Id: r.owner},
				Mitigation: r.mitigation, Status: st}})
			return resp.GetOpportunity(), err
		}, nil
	})
	risk.Flags().StringVar(&r.description, "description", "", "what could happen")
	risk.Flags().StringVar(&r.category, "category", "", "commercial, technical, delivery, legal, financial")
	risk.Flags().StringVar(&r.probability, "probability", "", "low, medium, high")
	risk.Flags().StringVar(&r.impact, "impact", "", "low, medium, high")
	risk.Flags().StringVar(&r.owner, "owner", "", "owner's user id")
	risk.Flags().StringVar(&r.mitigation, "mitigation", "", "mitigation")
	risk.Flags().StringVar(&r.status, "status", "open", "open, mitigated, closed")

	var wr struct {
		progress, next, risks, help string
		winRate                     int32
	}
	report := change(run, "report DEAL", "Submit the weekly report (项目周报)", 1, func(s *session, args []string) (func() (*ltcv1.Opportunity, error), error) {
		return func() (*ltcv1.Opportunity, error) {
			resp, err := call(s, s.deals.SubmitWeeklyReport, &ltcv1.SubmitWeeklyReportRequest{RequestId: s.requestID(), OpportunityId: args[0],
				Report: &ltcv1.WeeklyReport{Progress: wr.progress, WinRate: wr.winRate, NextSteps: wr.next, RisksAndIssues: wr.risks, HelpNeeded: wr.help}})
			return resp.GetOpportunity(), err
		}, nil
	})
	report.Flags().StringVar(&wr.progress, "progress", "", "progress")
	report.Flags().Int32Var(&wr.winRate, "win-rate", 0, "current win rate, percent")
	report.Flags().StringVar(&wr.next, "next-steps", "", "next steps")
	report.Flags().StringVar(&wr.risks, "risks", "", "risks and issues")
	report.Flags().StringVar(&wr.help, "help-needed", "", "help needed")

	var mt struct {
		kind, date, conclusions string
		attendees               []string
	}
	meeting := change(run, "meeting DEAL", "Record a meeting (kickoff, analysis, negotiation)", 1, func(s *session, args []string) (func() (*ltcv1.Opportunity, error), error) {
		kind, err := enum[ltcv1.MeetingKind](ltcv1.MeetingKind_value, "MEETING_KIND_", mt.kind)
		if err != nil {
			return nil, err
		}
		d, err := day(mt.date)
		if err != nil {
			return nil, err
		}
		var people []*ltcv1.Person
		for _, id := range mt.attendees {
			people = append(people, &ltcv1.Person{Id: id})
		}
		return func() (*ltcv1.Opportunity, error) {
			resp, err := call(s, s.deals.RecordMeeting, &ltcv1.RecordMeetingRequest{RequestId: s.requestID(), OpportunityId: args[0],
				Meeting: &ltcv1.Meeting{Kind: kind, Date: d, Attendees: people, Conclusions: mt.conclusions}})
			return resp.GetOpportunity(), err
		}, nil
	})
	meeting.Flags().StringVar(&mt.kind, "kind", "analysis", "kickoff, analysis, negotiation")
	meeting.Flags().StringVar(&mt.date, "date", time.Now().Format(time.DateOnly), "YYYY-MM-DD")
	meeting.Flags().StringSliceVar(&mt.attendees, "attendee", nil, "attendees' user ids")
	meeting.Flags().StringVar(&mt.conclusions, "conclusions", "", "conclusions")

	var b struct{ price, currency, date, reference string }
	bid := change(run, "bid DEAL", "Submit the bid (inside the ATB-approved envelope)", 1, func(s *session, args []string) (func() (*ltcv1.Opportunity, error), error) {
		p, err := money(b.price, b.currency)
		if err != nil {
			return nil, err
		}
		d, err := day(b.date)
		if err != nil {
			return nil, err
		}
		return func() (*ltcv1.Opportunity, error) {
			resp, err := call(s, s.deals.SubmitBid, &ltcv1.SubmitBidRequest{RequestId: s.requestID(), OpportunityId: args[0],
				Bid: &ltcv1.Bid{Price: p, Date: d, Reference: b.reference}})
			return resp.GetOpportunity(), err
		}, nil
	})
	bid.Flags().StringVar(&b.price, "price", "", "bid price")
	bid.Flags().StringVar(&b.currency, "currency", "EUR", "ISO currency")
	bid.Flags().StringVar(&b.date, "date", time.Now().Format(time.DateOnly), "bid date")
	bid.Flags().StringVar(&b.reference, "reference", "", "tender reference")

	var t struct{ result, winner, reason string }
	tender := change(run, "tender DEAL", "Record the tender result: shortlisted, won, lost, cancelled", 1, func(s *session, args []string) (func() (*ltcv1.Opportunity, error), error) {
		res, err := enum[ltcv1.Tender](ltcv1.Tender_value, "TENDER_", t.result)
		if err != nil {
			return nil, err
		}
		return func() (*ltcv1.Opportunity, error) {
			resp, err := call(s, s.deals.RecordTenderResult, &ltcv1.RecordTenderResultRequest{RequestId: s.requestID(), OpportunityId: args[0],
				Result: &ltcv1.TenderResult{Result: res, Winner: t.winner, Reason: t.reason}})
			return resp.GetOpportunity(), err
		}, nil
	})
	tender.Flags().StringVar(&t.result, "result", "", "shortlisted, won, lost, cancelled")
	tender.Flags().StringVar(&t.winner, "winner", "", "who won, when lost")
	tender.Flags().StringVar(&t.reason, "reason", "", "why")

	var c struct {
		number, date, amount, currency string
		terms                          []string
	}
	sign := change(run, "sign DEAL", "Record the signed contract (the ATC-approved amount)", 1, func(s *session, args []string) (func() (*ltcv1.Opportunity, error), error) {
		amt, err := money(c.amount, c.currency)
		if err != nil {
			return nil, err
		}
		d, err := day(c.date)
		if err != nil {
			return nil, err
		}
		terms, err := paymentTerms(c.terms, c.currency)
		if err != nil {
			return nil, err
		}
		return func() (*ltcv1.Opportunity, error) {
			resp, err := call(s, s.deals.SignContract, &ltcv1.SignContractRequest{RequestId: s.requestID(), OpportunityId: args[0],
				Contract: &ltcv1.Contract{Number: c.number, Date: d, Amount: amt, PaymentTerms: terms}})
			return resp.GetOpportunity(), err
		}, nil
	})
	sign.Flags().StringVar(&c.number, "number", "", "contract number")
	sign.Flags().StringVar(&c.date, "date", time.Now().Format(time.DateOnly), "signing date")
	sign.Flags().StringVar(&c.amount, "amount", "", "amount")
	sign.Flags().StringVar(&c.currency, "currency", "EUR", "ISO currency")
	sign.Flags().StringArrayVar(&c.terms, "term", nil, "payment term NAME=SHARE:TRIGGER[:YYYY-MM-DD], repeated: advance=30%:signature, PAC=60%:pac:2027-06-30")

	handover := &cobra.Command{Use: "handover", Short: "The contract handover meeting (合同交底会)"}
	var hs struct {
		at        string
		attendees []string
	}
	schedule := change(run, "schedule DEAL", "Schedule it: --at 2027-02-03T09:00:00Z --attendee AR=sam ... --attendee DELIVERY_PM=dora", 1,
		func(s *session, args []string) (func() (*ltcv1.Opportunity, error), error) {
			at, err := time.Parse(time.RFC3339, hs.at)
			if err != nil {
				return nil, fmt.Errorf("--at: want RFC 3339, e.g. 2027-02-03T09:00:00Z")
			}
			m, err := members(hs.attendees)
			if err != nil {
				return nil, err
			}
			return func() (*ltcv1.Opportunity, error) {
				resp, err := call(s, s.deals.ScheduleHandover, &ltcv1.ScheduleHandoverRequest{RequestId: s.requestID(), OpportunityId: args[0],
					ScheduleTime: timestamppb.New(at), Attendees: m})
				return resp.GetOpportunity(), err
			}, nil
		})
	schedule.Flags().StringVar(&hs.at, "at", "", "when, RFC 3339")
	schedule.Flags().StringSliceVar(&hs.attendees, "attendee", nil, "ROLE=ID, repeated")
	var hc struct{ terms, commitments, risks, issues string }
	complete := change(run, "complete DEAL", "Complete it with the record, as the delivery project manager: the deal is WON", 1,
		func(s *session, args []string) (func() (*ltcv1.Opportunity, error), error) {
			return func() (*ltcv1.Opportunity, error) {
				resp, err := call(s, s.deals.CompleteHandover, &ltcv1.CompleteHandoverRequest{RequestId: s.requestID(), OpportunityId: args[0],
					Record: &ltcv1.HandoverRecord{KeyTerms: hc.terms, Commitments: hc.commitments, RisksHandedOver: hc.risks, OpenIssues: hc.issues}})
				return resp.GetOpportunity(), err
			}, nil
		})
	complete.Flags().StringVar(&hc.terms, "key-terms", "", "key terms")
	complete.Flags().StringVar(&hc.commitments, "commitments", "", "commitments made to the customer")
	complete.Flags().StringVar(&hc.risks, "risks", "", "risks handed over")
	complete.Flags().StringVar(&hc.issues, "open-issues", "", "open issues")
	handover.AddCommand(schedule, complete)

	var cl struct{ outcome, reason string }
	closeDeal := change(run, "close DEAL", "Close the deal as LOST or ABANDONED", 1, func(s *session, args []string) (func() (*ltcv1.Opportunity, error), error) {
		out, err := enum[ltcv1.Outcome](ltcv1.Outcome_value, "OUTCOME_", cl.outcome)
		if err != nil {
			return nil, err
		}
		return func() (*ltcv1.Opportunity, error) {
			resp, err := call(s, s.deals.CloseOpportunity, &ltcv1.CloseOpportunityRequest{RequestId: s.requestID(), OpportunityId: args[0],
				Outcome: out, Reason: cl.reason})
			return resp.GetOpportunity(), err
		}, nil
	})
	closeDeal.Flags().StringVar(&cl.outcome, "outcome", "", "lost or abandoned")
	closeDeal.Flags().StringVar(&cl.reason, "reason", "", "why")

	var sm struct{ reasons, lessons, accuracy string }
	summary := change(run, "summary DEAL", "Submit the project summary (销售项目总结) after the close", 1, func(s *session, args []string) (func() (*ltcv1.Opportunity, error), error) {
		return func() (*ltcv1.Opportunity, error) {
			resp, err := call(s, s.deals.SubmitProjectSummary, &ltcv1.SubmitProjectSummaryRequest{RequestId: s.requestID(), OpportunityId: args[0],
				Summary: &ltcv1.ProjectSummary{WinLossReasons: sm.reasons, Lessons: sm.lessons, WinRateAccuracy: sm.accuracy}})
			return resp.GetOpportunity(), err
		}, nil
	})
	summary.Flags().StringVar(&sm.reasons, "reasons", "", "why it was won or lost")
	summary.Flags().StringVar(&sm.lessons, "lessons", "", "lessons")
	summary.Flags().StringVar(&sm.accuracy, "accuracy", "", "how accurate the win-rate estimates were")

	deal.AddCommand(list, show, assess, appoint, risk, report, meeting, bid, tender, sign, handover, closeDeal, summary, dealReassign(run), dealForecast(run))
	return deal
}

// renderDeal draws the deal for people; events, if given, become its timeline.
func renderDeal(w io.Writer, o *ltcv1.Opportunity, events []*ltcv1.Event) {
	stage := name(o.Stage, "STAGE_")
	if o.Outcome != ltcv1.Outcome_OUTCOME_UNSPECIFIED {
		stage += " (" + name(o.Outcome, "OUTCOME_") + ")"
	}
	fmt.Fprintf(w, "Deal\t%s  %s\n", o.Id, o.Title)
	fmt.Fprintf(w, "Stage\t%s\n", stage)
	fmt.Fprintf(w, "Customer\t%s (grade %s), account %s\n", o.Customer.GetName(), name(o.Customer.GetGrade(), "CUSTOMER_GRADE_"), orDash(o.AccountId))
	fmt.Fprintf(w, "Level\t%s\n", name(o.Level, "PROJECT_LEVEL_"))
	fmt.Fprintf(w, "Value\t%s\n", showMoney(o.EstimatedValue))
	if f := o.Forecast; f != nil {
		fmt.Fprintf(w, "Forecast\t%s, %s, closing %s\n", name(f.Category, "FORECAST_CATEGORY_"), showMoney(f.Value), showDay(f.ExpectedCloseDate))
	}
	fmt.Fprintf(w, "Owner\t%s (%s)\n", person(o.Owner), o.OrgUnit)
	if o.Sponsor != nil {
		fmt.Fprintf(w, "Sponsor\t%s\n", person(o.Sponsor))
	}
	if a := o.Assessment; a != nil {
		fmt.Fprintf(w, "Assessment\twin rate %d%%, competitors %s\n", a.WinRate, strings.Join(a.Competitors, ", "))
	}
	if len(o.Team) > 0 {
		var team []string
		for _, m := range o.Team {
			team = append(team, name(m.Role, "TEAM_ROLE_")+" "+person(m.Person))
		}
		fmt.Fprintf(w, "Team\t%s\n", strings.Join(team, ", "))
	}
	for _, r := range o.Risks {
		fmt.Fprintf(w, "Risk\t%s [%s, p %s, impact %s, %s] owner %s\n", r.Description, name(r.Category, "RISK_CATEGORY_"),
			name(r.Probability, "RISK_LEVEL_"), name(r.Impact, "RISK_LEVEL_"), name(r.Status, "RISK_STATUS_"), person(r.Owner))
	}
	for _, d := range o.Decisions {
		fmt.Fprintf(w, "Decision\t%s %s %s, authority %d", name(d.Gate, "GATE_"), d.Id, name(d.Status, "DECISION_STATUS_"), d.Authority)
		if d.DecidedBy != nil {
			fmt.Fprintf(w, ", by %s: %s", person(d.DecidedBy), d.Rationale)
		} else if d.Status == ltcv1.DecisionStatus_DECISION_STATUS_PENDING {
			fmt.Fprintf(w, ", due %s, reviews missing %s", d.DueTime.AsTime().Format(time.DateTime), missing(d))
		}
		fmt.Fprintln(w)
		for _, r := range d.Reviews {
			fmt.Fprintf(w, "\t  review %s %s by %s %s\n", name(r.Function, "REVIEW_FUNCTION_"), name(r.Result, "REVIEW_RESULT_"), person(r.Reviewer), r.Comments)
		}
	}
	if o.ApprovedBidPrice != nil {
		fmt.Fprintf(w, "Bid envelope\t%s\n", showMoney(o.ApprovedBidPrice))
	}
	if b := o.Bid; b != nil {
		fmt.Fprintf(w, "Bid\t%s on %s (%s)\n", showMoney(b.Price), showDay(b.Date), b.Reference)
	}
	if c := o.Contract; c != nil {
		fmt.Fprintf(w, "Contract\t%s %s signed %s\n", c.Number, showMoney(c.Amount), showDay(c.Date))
	}
	if h := o.Handover; h != nil {
		fmt.Fprintf(w, "Handover\t%s", h.ScheduleTime.AsTime().Format(time.DateTime))
		if h.AcknowledgedBy != nil {
			fmt.Fprintf(w, ", acknowledged by %s", person(h.AcknowledgedBy))
		}
		fmt.Fprintln(w)
	}
	if o.NextReportDueTime != nil || o.LastReport != nil {
		fmt.Fprint(w, "Weekly report\t")
		if o.NextReportDueTime != nil {
			fmt.Fprintf(w, "next due %s; ", o.NextReportDueTime.AsTime().Format(time.DateTime))
		}
		if r := o.LastReport; r != nil {
			fmt.Fprintf(w, "last by %s: %s", person(r.SubmittedBy), r.Progress)
		}
		if len(o.OverdueReportPeriods) > 0 {
			fmt.Fprintf(w, "; %d period(s) missed", len(o.OverdueReportPeriods))
		}
		fmt.Fprintln(w)
	}
	if s := o.Summary; s != nil {
		fmt.Fprintf(w, "Summary\t%s; lessons: %s\n", s.WinLossReasons, s.Lessons)
	}
	renderReopenings(w, o)
	if len(events) > 0 {
		fmt.Fprintln(w, "Timeline")
		for _, e := range events {
			fmt.Fprintf(w, "\t%s  %s  %s\n", e.OccurTime.AsTime().Format(time.DateTime), e.Type, person(e.Actor))
		}
	}
}
