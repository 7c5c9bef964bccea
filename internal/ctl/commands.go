package ctl

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/types/known/timestamppb"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// New builds ltcctl's command tree writing to out.
func New(out io.Writer) *cobra.Command {
	var o Options
	root := &cobra.Command{
		Use:           "ltcctl",
		Short:         "Work accounts, leads, deals and gates of the LTC engine",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	f := root.PersistentFlags()
	f.StringVar(&o.Addr, "addr", envOr("LTC_ADDR", "127.0.0.1:7070"), "engine gRPC address (LTC_ADDR)")
	f.StringVar(&o.Token, "token", os.Getenv("LTC_TOKEN"), "bearer token (LTC_TOKEN)")
	f.StringVar(&o.As, "as", os.Getenv("LTC_AS"), "act as a person of the dev tokens file, e.g. sales, executive2 (LTC_AS)")
	f.StringVar(&o.Tokens, "tokens", envOr("LTC_TOKENS", ".dev/tokens.json"), "dev tokens file written by `ltcd dev` (LTC_TOKENS)")
	f.StringVarP(&o.Output, "output", "o", "table", "table or json")
	f.StringVar(&o.RequestID, "request-id", "", "request id of a change; repeat it to retry safely (default: a new one)")
	f.DurationVar(&o.Timeout, "timeout", 30*time.Second, "deadline of each call")
	f.BoolVar(&o.TLS, "tls", envBool("LTC_TLS"), "TLS with the system's roots; default off on loopback, on elsewhere (LTC_TLS)")
	f.StringVar(&o.TLSCA, "tls-ca", os.Getenv("LTC_TLS_CA"), "PEM CAs of the server's certificate; implies TLS (LTC_TLS_CA)")
	f.StringVar(&o.TLSCert, "tls-cert", os.Getenv("LTC_TLS_CERT"), "PEM client certificate for a server requiring mTLS (LTC_TLS_CERT)")
	f.StringVar(&o.TLSKey, "tls-key", os.Getenv("LTC_TLS_KEY"), "PEM key of --tls-cert (LTC_TLS_KEY)")

	// run wraps a command body with a session.
	run := func(body func(s *session, args []string) error) func(*cobra.Command, []string) error {
		return func(_ *cobra.Command, args []string) error {
			s, err := dial(o, out)
			if err != nil {
				return err
			}
			defer s.conn.Close()
			return body(s, args)
		}
	}
	root.AddCommand(accountCommands(run), leadCommands(run), dealCommands(run), gateCommands(run), reviewCommands(run), inboxCommand(run), eventsCommand(run),
		reportCommand(run), delegateCommands(run), webhookCommands(run), notificationsCommands(run), rateCommands(run), productCommands(run), demoCommand(&o, out),
		contractCommands(run))
	return root
}

func envBool(key string) bool {
	v, _ := strconv.ParseBool(os.Getenv(key))
	return v
}

type runner func(func(s *session, args []string) error) func(*cobra.Command, []string) error

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func leadCommands(run runner) *cobra.Command {
	lead := &cobra.Command{Use: "lead", Short: "Create, list, qualify, disqualify and reassign leads"}

	var c struct{ account, customer, grade, industry, region, title, description, source, value, currency, close, owner, org string }
	var create *cobra.Command
	create = &cobra.Command{Use: "create", Short: "Create a lead for an account (--account) or a new customer (--customer, --grade)", Args: cobra.NoArgs,
		RunE: run(func(s *session, _ []string) error {
			newCustomer := false
			for _, f := range []string{"customer", "grade", "industry", "region"} {
				newCustomer = newCustomer || create.Flags().Changed(f)
			}
			if (c.account != "") == newCustomer {
				return fmt.Errorf("name the customer once: --account ID (an account you read), or a new customer with --customer and --grade")
			}
			grade, err := enum[ltcv1.CustomerGrade](ltcv1.CustomerGrade_value, "CUSTOMER_GRADE_", c.grade)
			if err != nil {
				return err
			}
			source, err := enum[ltcv1.LeadSource](ltcv1.LeadSource_value, "LEAD_SOURCE_", c.source)
			if err != nil {
				return err
			}
			value, err := money(c.value, c.currency)
			if err != nil {
				return err
			}
			closeDate, err := day(c.close)
			if err != nil {
				return err
			}
			req := &ltcv1.CreateLeadRequest{RequestId: s.requestID(), Title: c.title, Description: c.description,
				AccountId: c.account, Source: source, EstimatedValue: value, ExpectedCloseDate: closeDate}
			if newCustomer {
				req.Customer = &ltcv1.Customer{Name: c.customer, Grade: grade, Industry: c.industry, Region: c.region}
			}
			if c.owner != "" {
				req.Owner = &ltcv1.Person{Id: c.owner}
			}
			req.OrgUnit = c.org
			resp, err := call(s, s.leads.CreateLead, req)
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) { renderLead(w, resp.Lead) })
		})}
	cf := create.Flags()
	cf.StringVar(&c.account, "account", "", "the customer's account id (instead of --customer and --grade)")
	cf.StringVar(&c.customer, "customer", "", "a new customer's name: its account is created, or the account of the same name and region is named")
	cf.StringVar(&c.grade, "grade", "", "the new customer's grade: S, A, B, C")
	cf.StringVar(&c.industry, "industry", "", "the new customer's industry")
	cf.StringVar(&c.region, "region", "", "the new customer's region")
	cf.StringVar(&c.title, "title", "", "title")
	cf.StringVar(&c.description, "description", "", "description")
	cf.StringVar(&c.source, "source", "customer_need", "source: customer_strategy, industry_analysis, customer_need, own_strategy, marketing_event, referral, other")
	cf.StringVar(&c.value, "value", "0", "estimated value, e.g. 2500000.00")
	cf.StringVar(&c.currency, "currency", "EUR", "ISO currency")
	cf.StringVar(&c.close, "close", "", "expected close date, YYYY-MM-DD")
	cf.StringVar(&c.owner, "owner", "", "owner's user id (default: you)")
	cf.StringVar(&c.org, "org", "", "the owner's org unit, e.g. emea/germany (default: yours)")

	var l struct {
		state, owner, customer string
		overdue                bool
	}
	list := &cobra.Command{Use: "list", Short: "List leads, newest first", Args: cobra.NoArgs,
		RunE: run(func(s *session, _ []string) error {
			state, err := enum[ltcv1.LeadState](ltcv1.LeadState_value, "LEAD_STATE_", l.state)
			if err != nil {
				return err
			}
			resp, err := call(s, s.leads.ListLeads, &ltcv1.ListLeadsRequest{State: state, OwnerId: l.owner, Customer: l.customer,
				OverdueOnly: l.overdue, PageSize: 200})
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) {
				fmt.Fprintln(w, "ID\tSTATE\tCUSTOMER\tTITLE\tVALUE\tOWNER\tOVERDUE")
				for _, x := range resp.Leads {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%v\n", x.Id, name(x.State, "LEAD_STATE_"), x.Customer.GetName(),
						x.Title, showMoney(x.EstimatedValue), x.Owner.GetId(), x.Overdue)
				}
			})
		})}
	list.Flags().StringVar(&l.state, "state", "", "NEW, QUALIFIED or DISQUALIFIED")
	list.Flags().StringVar(&l.owner, "owner", "", "owner's user id")
	list.Flags().StringVar(&l.customer, "customer", "", "customer name contains")
	list.Flags().BoolVar(&l.overdue, "overdue", false, "only overdue leads")

	show := &cobra.Command{Use: "show LEAD", Short: "Show a lead", Args: cobra.ExactArgs(1),
		RunE: run(func(s *session, args []string) error {
			resp, err := call(s, s.leads.GetLead, &ltcv1.GetLeadRequest{Id: args[0]})
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) { renderLead(w, resp.Lead) })
		})}

	var q struct {
		urgency, notes   string
		budget, decision bool
	}
	qualify := &cobra.Command{Use: "qualify LEAD", Short: "Qualify a lead into a deal", Args: cobra.ExactArgs(1),
		RunE: run(func(s *session, args []string) error {
			urgency, err := enum[ltcv1.Urgency](ltcv1.Urgency_value, "URGENCY_", q.urgency)
			if err != nil {
				return err
			}
			resp, err := call(s, s.leads.QualifyLead, &ltcv1.QualifyLeadRequest{RequestId: s.requestID(), LeadId: args[0],
				Qualification: &ltcv1.Qualification{Urgency: urgency, BudgetConfirmed: q.budget, DecisionChainKnown: q.decision, Notes: q.notes}})
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) {
				fmt.Fprintf(w, "Lead %s qualified; deal %s is in %s.\n", resp.Lead.Id, resp.Opportunity.Id, name(resp.Opportunity.Stage, "STAGE_"))
			})
		})}
	qualify.Flags().StringVar(&q.urgency, "urgency", "", "HOT, WARM or COLD")
	qualify.Flags().BoolVar(&q.budget, "budget", false, "budget confirmed")
	qualify.Flags().BoolVar(&q.decision, "decision-chain", false, "decision chain known")
	qualify.Flags().StringVar(&q.notes, "notes", "", "notes")

	var reason string
	disqualify := &cobra.Command{Use: "disqualify LEAD", Short: "Disqualify a lead", Args: cobra.ExactArgs(1),
		RunE: run(func(s *session, args []string) error {
			resp, err := call(s, s.leads.DisqualifyLead, &ltcv1.DisqualifyLeadRequest{RequestId: s.requestID(), LeadId: args[0], Reason: reason})
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) { renderLead(w, resp.Lead) })
		})}
	disqualify.Flags().StringVar(&reason, "reason", "", "why")
	lead.AddCommand(create, list, show, qualify, disqualify, leadReassign(run))
	return lead
}

func renderLead(w io.Writer, l *ltcv1.Lead) {
	fmt.Fprintf(w, "Lead\t%s\n", l.Id)
	fmt.Fprintf(w, "State\t%s\n", name(l.State, "LEAD_STATE_"))
	fmt.Fprintf(w, "Customer\t%s (grade %s), account %s\n", l.Customer.GetName(), name(l.Customer.GetGrade(), "CUSTOMER_GRADE_"), orDash(l.AccountId))
	fmt.Fprintf(w, "Title\t%s\n", l.Title)
	fmt.Fprintf(w, "Value\t%s\n", showMoney(l.EstimatedValue))
	fmt.Fprintf(w, "Expected close\t%s\n", showDay(l.ExpectedCloseDate))
	fmt.Fprintf(w, "Owner\t%s (%s)\n", person(l.Owner), l.OrgUnit)
	fmt.Fprintf(w, "SLA due\t%s%s\n", l.SlaDueTime.AsTime().Format(time.DateTime), map[bool]string{true: "  OVERDUE"}[l.Overdue])
	if l.OpportunityId != "" {
		fmt.Fprintf(w, "Deal\t%s\n", l.OpportunityId)
	}
	if l.DisqualificationReason != "" {
		fmt.Fprintf(w, "Disqualified\t%s\n", l.DisqualificationReason)
	}
}

func inboxCommand(run runner) *cobra.Command {
	return &cobra.Command{Use: "inbox", Short: "The decisions and reviews waiting for you", Args: cobra.NoArgs,
		RunE: run(func(s *session, _ []string) error {
			resp, err := call(s, s.gates.ListDecisions, &ltcv1.ListDecisionsRequest{PendingForMe: true, PageSize: 200})
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) {
				if len(resp.Decisions) == 0 {
					fmt.Fprintln(w, "Nothing waits for you.")
					return
				}
				fmt.Fprintln(w, "DECISION\tGATE\tDEAL\tLEVEL\tAUTHORITY\tREVIEWS MISSING\tDUE\tOVERDUE\tON BEHALF OF")
				for _, d := range resp.Decisions {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%v\t%s\n", d.Id, name(d.Gate, "GATE_"), d.OpportunityId,
						name(d.Level, "PROJECT_LEVEL_"), d.Authority, missing(d), d.DueTime.AsTime().Format(time.DateTime), d.Overdue,
						person(d.PendingOnBehalfOf))
				}
			})
		})}
}

func missing(d *ltcv1.Decision) string {
	var out []string
	for _, f := range d.RequiredReviews {
		in := false
		for _, r := range d.Reviews {
			in = in || r.Function == f
		}
		if !in {
			out = append(out, name(f, "REVIEW_FUNCTION_"))
		}
	}
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, ",")
}

func eventsCommand(run runner) *cobra.Command {
	var deal, account string
	var types []string
	var after int64
	var follow bool
	cmd := &cobra.Command{Use: "events", Short: "Print the event log; -f follows it", Args: cobra.NoArgs,
		RunE: run(func(s *session, _ []string) error {
			cursor := after
			for {
				resp, err := call(s, s.deals.ListEvents, &ltcv1.ListEventsRequest{AfterSequence: cursor, DealId: deal, AccountId: account, Types: types, PageSize: 500})
				if err != nil {
					return err
				}
				for _, e := range resp.Events {
					if s.opts.Output == "json" {
						if err := s.printJSON(e); err != nil {
							return err
						}
						continue
					}
					fmt.Fprintf(s.out, "%6d  %s  %s  %-32s %s", e.Sequence, e.OccurTime.AsTime().Format(time.DateTime), subject(e), e.Type, person(e.Actor))
					if e.StageBefore != e.StageAfter {
						fmt.Fprintf(s.out, "  %s -> %s", orDash(e.StageBefore), e.StageAfter)
					}
					if len(e.Recipients) > 0 {
						fmt.Fprintf(s.out, "  notify %s", strings.Join(e.Recipients, ","))
					}
					fmt.Fprintln(s.out)
				}
				cursor = resp.NextAfterSequence
				if len(resp.Events) == 0 {
					if !follow {
						return nil
					}
					time.Sleep(time.Second)
				}
			}
		})}
	cmd.Flags().StringVar(&deal, "deal", "", "only this deal")
	cmd.Flags().StringVar(&account, "account", "", "only this account's events")
	cmd.Flags().StringSliceVar(&types, "type", nil, "only these event types")
	cmd.Flags().Int64Var(&after, "after", 0, "start after this sequence")
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep following new events (tail -f)")
	return cmd
}

// subject is what an event is about, shortened: its deal, or its account for an account's own events.
func subject(e *ltcv1.Event) string {
	if e.DealId != "" {
		return "deal " + short(e.DealId)
	}
	return "acct " + short(e.AccountId)
}

func short(id string) string { return id[:min(8, len(id))] }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// period reads a report's --from and --to, YYYY-MM-DD, as the instants they start (UTC).
func period(from, to string) (*timestamppb.Timestamp, *timestamppb.Timestamp, error) {
	start, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return nil, nil, fmt.Errorf("--from: want YYYY-MM-DD")
	}
	end, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return nil, nil, fmt.Errorf("--to: want YYYY-MM-DD")
	}
	return timestamppb.New(start), timestamppb.New(end), nil
}

func reportCommand(run runner) *cobra.Command {
	var from, to, level, owner, currency string
	cmd := &cobra.Command{Use: "report", Short: "The pipeline report over a period", Args: cobra.NoArgs,
		RunE: run(func(s *session, _ []string) error {
			start, end, err := period(from, to)
			if err != nil {
				return err
			}
			lvl, err := enum[ltcv1.ProjectLevel](ltcv1.ProjectLevel_value, "PROJECT_LEVEL_", level)
			if err != nil {
				return err
			}
			r, err := call(s, s.rep.GetPipelineReport, &ltcv1.GetPipelineReportRequest{StartTime: start,
				EndTime: end, Level: lvl, OwnerId: owner, CurrencyCode: strings.ToUpper(currency)})
			if err != nil {
				return err
			}
			return s.show(r, func(w io.Writer) {
				fmt.Fprintln(w, "FUNNEL (deals created in the period)\tDEALS\tVALUE")
				for _, f := range r.Funnel {
					var vs []string
					for _, v := range f.ValueTotal {
						vs = append(vs, showTotal(v))
					}
					if f.ValueConverted != nil {
						vs = append(vs, "= "+showTotal(f.ValueConverted))
					}
					fmt.Fprintf(w, "%s %s\t%d\t%s\n", name(f.Stage, "STAGE_"), strings.TrimSuffix(name(f.Outcome, "OUTCOME_"), "-"), f.Deals, strings.Join(vs, ", "))
				}
				fmt.Fprintln(w, "\nCONVERSION\tREACHED\tRATE")
				for _, c := range r.Conversions {
					fmt.Fprintf(w, "%s -> %s\t%d -> %d\t%.0f%%\n", name(c.FromStage, "STAGE_"), name(c.ToStage, "STAGE_"), c.ReachedFrom, c.ReachedTo, 100*c.Rate)
				}
				fmt.Fprintln(w, "\nTIME IN STAGE\tSTAYS\tMEDIAN\tP90")
				for _, t := range r.TimeInStage {
					fmt.Fprintf(w, "%s\t%d\t%s\t%s\n", name(t.Stage, "STAGE_"), t.Stays, t.Median.AsDuration().Round(time.Minute), t.P90.AsDuration().Round(time.Minute))
				}
				fmt.Fprintln(w, "\nGATE TURNAROUND\tDECISIONS\tMEDIAN\tP90")
				for _, g := range r.GateTurnaround {
					fmt.Fprintf(w, "%s level %s\t%d\t%s\t%s\n", name(g.Gate, "GATE_"), name(g.Level, "PROJECT_LEVEL_"), g.Decisions, g.Median.AsDuration().Round(time.Minute), g.P90.AsDuration().Round(time.Minute))
				}
				var won []string
				for _, v := range r.ValueWonTotal {
					won = append(won, showTotal(v))
				}
				fmt.Fprintf(w, "\nWin rate\t%d of %d closed (%.0f%%), won %s\n", r.DealsWon, r.DealsClosed, 100*r.WinRate, strings.Join(won, ", "))
				fmt.Fprintf(w, "Overdue\t%d weekly reports, %d decisions\n", r.OverdueWeeklyReports, r.OverdueDecisions)
				if r.ValueWonConverted != nil {
					fmt.Fprintf(w, "Won in %s\t%s\n", r.ValueWonConverted.CurrencyCode, showTotal(r.ValueWonConverted))
					for _, rate := range r.RatesUsed {
						fmt.Fprintf(w, "Rate\t1 %s = %s %s (effective %s, in force %s)\n", rate.FromCurrency, rate.Rate, rate.ToCurrency,
							showDay(rate.EffectiveDate), showDay(r.RatesAsOf))
					}
				}
			})
		})}
	now := time.Now()
	cmd.Flags().StringVar(&from, "from", now.AddDate(0, -1, 0).Format(time.DateOnly), "start, YYYY-MM-DD")
	cmd.Flags().StringVar(&to, "to", now.AddDate(0, 0, 1).Format(time.DateOnly), "end (exclusive), YYYY-MM-DD")
	cmd.Flags().StringVar(&level, "level", "", "only level A, B or C")
	cmd.Flags().StringVar(&owner, "owner", "", "only this owner")
	cmd.Flags().StringVar(&currency, "currency", "", "also convert the sums into this currency, at finance's rates in force today")
	cmd.AddCommand(reportForecast(run), reportCash(run))
	return cmd
}
