package ctl

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// accountStep runs one call of the AccountService and shows what it returns. build reads the flags (changed
// tells which were given, for update masks) and makes the call.
func accountStep[T proto.Message](run runner, use, short string, nargs int, render func(io.Writer, T),
	build func(s *session, changed func(string) bool, args []string) (T, error)) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(nargs)}
	cmd.RunE = run(func(s *session, args []string) error {
		m, err := build(s, cmd.Flags().Changed, args)
		if err != nil {
			return err
		}
		return s.show(m, func(w io.Writer) { render(w, m) })
	})
	return cmd
}

// showAccount renders an account as a change returns it.
func showAccount(w io.Writer, a *ltcv1.Account) { renderAccount(w, a, nil) }

// mask is the update mask of the flags given: each flag names its field's path.
func mask(changed func(string) bool, paths map[string]string) (*fieldmaskpb.FieldMask, error) {
	m := &fieldmaskpb.FieldMask{}
	seen := map[string]bool{}
	var flags []string
	for flag, path := range paths {
		flags = append(flags, "--"+flag)
		if changed(flag) && !seen[path] {
			seen[path] = true
			m.Paths = append(m.Paths, path)
		}
	}
	if len(m.Paths) == 0 {
		slices.Sort(flags)
		return nil, fmt.Errorf("nothing to change: pass at least one of %s", strings.Join(flags, ", "))
	}
	slices.Sort(m.Paths)
	return m, nil
}

// quarter is the calendar quarter of t, "YYYY-QN".
func quarter(t time.Time) string { return fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())-1)/3+1) }

// people are our people by user id.
func people(ids []string) []*ltcv1.Person {
	var out []*ltcv1.Person
	for _, id := range ids {
		out = append(out, &ltcv1.Person{Id: id})
	}
	return out
}

// optionalDay reads YYYY-MM-DD, or nothing from an empty string.
func optionalDay(s string) (*date.Date, error) {
	if s == "" {
		return nil, nil
	}
	return day(s)
}

// accountFlags are the fields of an account that create and update share.
type accountFlags struct {
	name, industry, region, owner, supplier, expiry string
	team                                            []string
	target                                          bool
}

func (a *accountFlags) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&a.name, "name", "", "the customer's legal or common name")
	f.StringVar(&a.industry, "industry", "", "industry, e.g. telecom")
	f.StringVar(&a.region, "region", "", "the customer's region, e.g. EMEA")
	f.StringVar(&a.owner, "owner", "", "the account manager's user id (default: you; naming another is for managers and executives)")
	f.StringSliceVar(&a.team, "member", nil, "account team, ROLE=ID, repeated: AR=sam --member SR=sara --member FR=fred")
	f.BoolVar(&a.target, "target", false, "on the target-account list (managers and executives)")
	f.StringVar(&a.supplier, "supplier", "", "our supplier status there: none, registered, certified, short_listed")
	f.StringVar(&a.expiry, "supplier-expiry", "", "the last day the supplier status holds, YYYY-MM-DD")
}

// fields reads the flags into an account.
func (a *accountFlags) fields() (*ltcv1.Account, error) {
	team, err := members(a.team)
	if err != nil {
		return nil, err
	}
	out := &ltcv1.Account{Name: a.name, Industry: a.industry, Region: a.region, Team: team, Target: a.target}
	if a.owner != "" {
		out.Owner = &ltcv1.Person{Id: a.owner}
	}
	if a.supplier != "" || a.expiry != "" {
		st, err := enum[ltcv1.SupplierState](ltcv1.SupplierState_value, "SUPPLIER_STATE_", a.supplier)
		if err != nil {
			return nil, err
		}
		if st == ltcv1.SupplierState_SUPPLIER_STATE_UNSPECIFIED {
			return nil, fmt.Errorf("--supplier-expiry needs --supplier")
		}
		exp, err := optionalDay(a.expiry)
		if err != nil {
			return nil, err
		}
		out.Supplier = &ltcv1.SupplierStatus{State: st, ExpireDate: exp}
	}
	return out, nil
}

// contactFlags are the fields of a contact that add and update share.
type contactFlags struct {
	name, title, department, email, phone, reportsTo, role, attitude, holder, notes string
	hidden, rising                                                                  bool
	strength                                                                        int32
}

// contactPaths are the update mask paths of the contact flags.
var contactPaths = map[string]string{"name": "name", "title": "title", "department": "department", "email": "email",
	"phone": "phone", "reports-to": "reports_to_contact_id", "role": "role", "hidden-decider": "hidden_decider",
	"rising-star": "rising_star", "attitude": "attitude", "holder": "holder", "strength": "strength", "notes": "notes"}

func (c *contactFlags) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&c.name, "name", "", "the person's name")
	f.StringVar(&c.title, "title", "", "job title, e.g. CTO")
	f.StringVar(&c.department, "department", "", "department")
	f.StringVar(&c.email, "email", "", "email address")
	f.StringVar(&c.phone, "phone", "", "phone number")
	f.StringVar(&c.reportsTo, "reports-to", "", "the contact id of their manager at the customer (empty: top of the org chart)")
	f.StringVar(&c.role, "role", "", "role in decisions: decision_maker, influencer, evaluator, user, gatekeeper, coach")
	f.BoolVar(&c.hidden, "hidden-decider", false, "decides or sways the decision without the title for it (隐形决策链)")
	f.BoolVar(&c.rising, "rising-star", false, "likely to rise to a deciding position (明日之星)")
	f.StringVar(&c.attitude, "attitude", "", "attitude to us: values_us, accepts_us, commodity, threat")
	f.StringVar(&c.holder, "holder", "", "user id of our person who holds the relationship")
	f.Int32Var(&c.strength, "strength", 0, "how strong the holder's relationship is, 1-5")
	f.StringVar(&c.notes, "notes", "", "notes")
}

func (c *contactFlags) contact() (*ltcv1.Contact, error) {
	role, err := enum[ltcv1.ContactRole](ltcv1.ContactRole_value, "CONTACT_ROLE_", c.role)
	if err != nil {
		return nil, err
	}
	att, err := enum[ltcv1.Attitude](ltcv1.Attitude_value, "ATTITUDE_", c.attitude)
	if err != nil {
		return nil, err
	}
	out := &ltcv1.Contact{Name: c.name, Title: c.title, Department: c.department, Email: c.email, Phone: c.phone,
		ReportsToContactId: c.reportsTo, Role: role, HiddenDecider: c.hidden, RisingStar: c.rising, Attitude: att,
		Strength: c.strength, Notes: c.notes}
	if c.holder != "" {
		out.Holder = &ltcv1.Person{Id: c.holder}
	}
	return out, nil
}

func accountCommands(run runner) *cobra.Command {
	account := &cobra.Command{Use: "account", Short: "Customer accounts: grade, contacts and power map, relationship, activities"}

	var c accountFlags
	var cr struct{ grade, rationale, org string }
	create := &cobra.Command{Use: "create", Short: "Create a customer account (grade S or A needs an executive in scope)", Args: cobra.NoArgs,
		RunE: run(func(s *session, _ []string) error {
			grade, err := enum[ltcv1.CustomerGrade](ltcv1.CustomerGrade_value, "CUSTOMER_GRADE_", cr.grade)
			if err != nil {
				return err
			}
			a, err := c.fields()
			if err != nil {
				return err
			}
			resp, err := call(s, s.accounts.CreateAccount, &ltcv1.CreateAccountRequest{RequestId: s.requestID(), Name: a.Name,
				Grade: grade, GradeRationale: cr.rationale, Industry: a.Industry, Region: a.Region, OrgUnit: cr.org, Owner: a.Owner,
				Team: a.Team, Target: a.Target, Supplier: a.Supplier})
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) { renderAccount(w, resp.Account, resp.SimilarAccounts) })
		})}
	c.bind(create)
	create.Flags().StringVar(&cr.grade, "grade", "", "grade: S, A, B, C")
	create.Flags().StringVar(&cr.rationale, "rationale", "", "why this grade, against the grading criteria")
	create.Flags().StringVar(&cr.org, "org", "", "our org unit that owns it, e.g. emea/germany (default: yours)")

	var l struct {
		grade, industry, region, org, owner, level, name string
		target                                           bool
	}
	list := &cobra.Command{Use: "list", Short: "List the accounts you may read, newest first", Args: cobra.NoArgs,
		RunE: run(func(s *session, _ []string) error {
			grade, err := enum[ltcv1.CustomerGrade](ltcv1.CustomerGrade_value, "CUSTOMER_GRADE_", l.grade)
			if err != nil {
				return err
			}
			level, err := enum[ltcv1.RelationshipLevel](ltcv1.RelationshipLevel_value, "RELATIONSHIP_LEVEL_", l.level)
			if err != nil {
				return err
			}
			resp, err := call(s, s.accounts.ListAccounts, &ltcv1.ListAccountsRequest{PageSize: 200, Grade: grade, Industry: l.industry,
				Region: l.region, OrgUnit: l.org, TargetOnly: l.target, RelationshipLevel: level, NameContains: l.name, OwnerId: l.owner})
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) {
				fmt.Fprintln(w, "ID\tNAME\tGRADE\tINDUSTRY\tREGION\tUNIT\tOWNER\tRELATIONSHIP\tTARGET\tCONTACTS\tOPEN DEALS")
				for _, a := range resp.Accounts {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%v\t%d\t%d\n", a.Id, a.Name, name(a.Grade, "CUSTOMER_GRADE_"),
						orDash(a.Industry), orDash(a.Region), a.OrgUnit, a.Owner.GetId(),
						name(a.Relationship.GetLevel(), "RELATIONSHIP_LEVEL_"), a.Target, a.ContactCount, a.OpenDealCount)
				}
			})
		})}
	lf := list.Flags()
	lf.StringVar(&l.grade, "grade", "", "only grade S, A, B or C")
	lf.StringVar(&l.industry, "industry", "", "only this industry")
	lf.StringVar(&l.region, "region", "", "only this customer region")
	lf.StringVar(&l.org, "org", "", "only this org unit and the units under it")
	lf.StringVar(&l.owner, "owner", "", "only this owner's")
	lf.BoolVar(&l.target, "target", false, "only target accounts")
	lf.StringVar(&l.level, "level", "", "only this relationship level: vendor, preferred_supplier, strategic_supplier, partner")
	lf.StringVar(&l.name, "name", "", "name contains (any case, any script)")

	show := accountStep(run, "show ACCOUNT", "The whole account with its power map (权力地图)", 1, renderWholeAccount,
		func(s *session, _ func(string) bool, args []string) (*ltcv1.Account, error) {
			r, err := call(s, s.accounts.GetAccount, &ltcv1.GetAccountRequest{Id: args[0]})
			return r.GetAccount(), err
		})

	var u accountFlags
	update := accountStep(run, "update ACCOUNT", "Change the fields given: --name, --industry, --region, --owner, --member, --target, --supplier", 1, showAccount,
		func(s *session, changed func(string) bool, args []string) (*ltcv1.Account, error) {
			m, err := mask(changed, map[string]string{"name": "name", "industry": "industry", "region": "region", "owner": "owner",
				"member": "team", "target": "target", "supplier": "supplier", "supplier-expiry": "supplier"})
			if err != nil {
				return nil, err
			}
			a, err := u.fields()
			if err != nil {
				return nil, err
			}
			a.Id = args[0]
			r, err := call(s, s.accounts.UpdateAccount, &ltcv1.UpdateAccountRequest{RequestId: s.requestID(), Account: a, UpdateMask: m})
			return r.GetAccount(), err
		})
	u.bind(update)

	var g struct{ grade, rationale string }
	grade := accountStep(run, "grade ACCOUNT", "Change the grade with a rationale (to or from S and A: an executive in scope, not on the account)", 1, showAccount,
		func(s *session, _ func(string) bool, args []string) (*ltcv1.Account, error) {
			gr, err := enum[ltcv1.CustomerGrade](ltcv1.CustomerGrade_value, "CUSTOMER_GRADE_", g.grade)
			if err != nil {
				return nil, err
			}
			r, err := call(s, s.accounts.GradeAccount, &ltcv1.GradeAccountRequest{RequestId: s.requestID(), AccountId: args[0], Grade: gr, Rationale: g.rationale})
			return r.GetAccount(), err
		})
	grade.Flags().StringVar(&g.grade, "grade", "", "S, A, B or C")
	grade.Flags().StringVar(&g.rationale, "rationale", "", "why, against the grading criteria")

	var as struct {
		level, rationale                          string
		communication, fit, joint, identification int32
	}
	assess := accountStep(run, "assess ACCOUNT", "Assess the organisational relationship (组织客户关系): level and four dimensions, 1-5", 1, showAccount,
		func(s *session, _ func(string) bool, args []string) (*ltcv1.Account, error) {
			level, err := enum[ltcv1.RelationshipLevel](ltcv1.RelationshipLevel_value, "RELATIONSHIP_LEVEL_", as.level)
			if err != nil {
				return nil, err
			}
			r, err := call(s, s.accounts.AssessRelationship, &ltcv1.AssessRelationshipRequest{RequestId: s.requestID(), AccountId: args[0],
				Assessment: &ltcv1.RelationshipAssessment{Level: level, Communication: as.communication, BusinessFit: as.fit,
					JointUndertakings: as.joint, Identification: as.identification, Rationale: as.rationale}})
			return r.GetAccount(), err
		})
	af := assess.Flags()
	af.StringVar(&as.level, "level", "", "vendor, preferred_supplier, strategic_supplier, partner")
	af.Int32Var(&as.communication, "communication", 0, "communication with the organisation and its key people, 1-5")
	af.Int32Var(&as.fit, "business-fit", 0, "how far our business matches theirs, 1-5")
	af.Int32Var(&as.joint, "joint-undertakings", 0, "projects, labs and initiatives done together, 1-5")
	af.Int32Var(&as.identification, "identification", 0, "identification with our organisation, culture and brand, 1-5")
	af.StringVar(&as.rationale, "rationale", "", "why")

	var p struct {
		year                                int32
		level, orders, currency, objectives string
	}
	plan := accountStep(run, "plan ACCOUNT", "Set a year's relationship plan (客户关系规划)", 1, showAccount,
		func(s *session, _ func(string) bool, args []string) (*ltcv1.Account, error) {
			level, err := enum[ltcv1.RelationshipLevel](ltcv1.RelationshipLevel_value, "RELATIONSHIP_LEVEL_", p.level)
			if err != nil {
				return nil, err
			}
			orders, err := money(p.orders, p.currency)
			if err != nil {
				return nil, err
			}
			r, err := call(s, s.accounts.SetAccountPlan, &ltcv1.SetAccountPlanRequest{RequestId: s.requestID(), AccountId: args[0],
				Plan: &ltcv1.AccountPlan{Year: p.year, TargetLevel: level, TargetOrders: orders, Objectives: p.objectives}})
			return r.GetAccount(), err
		})
	plan.Flags().Int32Var(&p.year, "year", int32(time.Now().Year()), "the plan's year")
	plan.Flags().StringVar(&p.level, "target-level", "", "the relationship level to reach: vendor, preferred_supplier, strategic_supplier, partner")
	plan.Flags().StringVar(&p.orders, "target-orders", "0", "the orders to win in the year")
	plan.Flags().StringVar(&p.currency, "currency", "CNY", "ISO currency")
	plan.Flags().StringVar(&p.objectives, "objectives", "", "objectives and actions at the decision, management and operations layers")

	var rv struct {
		quarter, held, conclusions, actions, level string
		attendees, contacts                        []string
	}
	review := accountStep(run, "review ACCOUNT", "Record the quarterly relationship review (客户关系分析会)", 1, showAccount,
		func(s *session, _ func(string) bool, args []string) (*ltcv1.Account, error) {
			level, err := enum[ltcv1.RelationshipLevel](ltcv1.RelationshipLevel_value, "RELATIONSHIP_LEVEL_", rv.level)
			if err != nil {
				return nil, err
			}
			held, err := day(rv.held)
			if err != nil {
				return nil, err
			}
			r, err := call(s, s.accounts.RecordRelationshipReview, &ltcv1.RecordRelationshipReviewRequest{RequestId: s.requestID(), AccountId: args[0],
				Review: &ltcv1.RelationshipReview{Quarter: rv.quarter, HeldDate: held, Attendees: people(rv.attendees),
					AttendeeContactIds: rv.contacts, Conclusions: rv.conclusions, Actions: rv.actions, LevelAfter: level}})
			return r.GetAccount(), err
		})
	rf := review.Flags()
	rf.StringVar(&rv.quarter, "quarter", quarter(time.Now()), "the quarter it reviews, YYYY-QN")
	rf.StringVar(&rv.held, "date", time.Now().Format(time.DateOnly), "the day it was held")
	rf.StringSliceVar(&rv.attendees, "attendee", nil, "our attendees' user ids, repeated")
	rf.StringSliceVar(&rv.contacts, "contact", nil, "the customer's attendees' contact ids, repeated")
	rf.StringVar(&rv.conclusions, "conclusions", "", "conclusions")
	rf.StringVar(&rv.actions, "actions", "", "actions agreed")
	rf.StringVar(&rv.level, "level-after", "", "the relationship level it concluded, if any")

	var sf struct {
		period             string
		score, respondents int32
	}
	satisfaction := accountStep(run, "satisfaction ACCOUNT", "Record the customer's satisfaction score of a quarter", 1, showAccount,
		func(s *session, _ func(string) bool, args []string) (*ltcv1.Account, error) {
			r, err := call(s, s.accounts.RecordSatisfaction, &ltcv1.RecordSatisfactionRequest{RequestId: s.requestID(), AccountId: args[0],
				Score: &ltcv1.SatisfactionScore{Period: sf.period, Score: sf.score, Respondents: sf.respondents}})
			return r.GetAccount(), err
		})
	satisfaction.Flags().StringVar(&sf.period, "period", quarter(time.Now()), "the quarter, YYYY-QN")
	satisfaction.Flags().Int32Var(&sf.score, "score", 0, "the score, 0-100")
	satisfaction.Flags().Int32Var(&sf.respondents, "respondents", 0, "how many people answered")

	account.AddCommand(create, list, show, update, grade, contactCommands(run), assess, plan, review, satisfaction, activityCommands(run))
	return account
}

func contactCommands(run runner) *cobra.Command {
	contact := &cobra.Command{Use: "contact", Short: "The customer's people (关键客户): add, update, erase, list"}

	var a contactFlags
	add := accountStep(run, "add ACCOUNT", "Add a contact to the account's power map", 1, renderContact,
		func(s *session, _ func(string) bool, args []string) (*ltcv1.Contact, error) {
			ct, err := a.contact()
			if err != nil {
				return nil, err
			}
			r, err := call(s, s.accounts.AddContact, &ltcv1.AddContactRequest{RequestId: s.requestID(), AccountId: args[0], Contact: ct})
			return r.GetContact(), err
		})
	a.bind(add)

	var u contactFlags
	update := accountStep(run, "update ACCOUNT CONTACT", "Change the contact's fields given", 2, renderContact,
		func(s *session, changed func(string) bool, args []string) (*ltcv1.Contact, error) {
			m, err := mask(changed, contactPaths)
			if err != nil {
				return nil, err
			}
			ct, err := u.contact()
			if err != nil {
				return nil, err
			}
			ct.Id = args[1]
			r, err := call(s, s.accounts.UpdateContact, &ltcv1.UpdateContactRequest{RequestId: s.requestID(), AccountId: args[0], Contact: ct, UpdateMask: m})
			return r.GetContact(), err
		})
	u.bind(update)

	var reference string
	erase := accountStep(run, "erase ACCOUNT CONTACT", "Erase a contact's personal data for a privacy request; the anonymised contact stays", 2, renderContact,
		func(s *session, _ func(string) bool, args []string) (*ltcv1.Contact, error) {
			r, err := call(s, s.accounts.EraseContact, &ltcv1.EraseContactRequest{RequestId: s.requestID(), AccountId: args[0], ContactId: args[1], Reference: reference})
			return r.GetContact(), err
		})
	erase.Flags().StringVar(&reference, "reference", "", "the privacy request's reference, e.g. a ticket number (no personal data)")

	var l struct{ role, attitude string }
	list := &cobra.Command{Use: "list ACCOUNT", Short: "List the account's contacts, erased ones included, newest first", Args: cobra.ExactArgs(1),
		RunE: run(func(s *session, args []string) error {
			role, err := enum[ltcv1.ContactRole](ltcv1.ContactRole_value, "CONTACT_ROLE_", l.role)
			if err != nil {
				return err
			}
			att, err := enum[ltcv1.Attitude](ltcv1.Attitude_value, "ATTITUDE_", l.attitude)
			if err != nil {
				return err
			}
			resp, err := call(s, s.accounts.ListContacts, &ltcv1.ListContactsRequest{AccountId: args[0], PageSize: 500, Role: role, Attitude: att})
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) {
				fmt.Fprintln(w, "ID\tNAME\tTITLE\tROLE\tATTITUDE\tFLAGS\tHOLDER\tREPORTS TO")
				for _, c := range resp.Contacts {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Id, contactName(c, resp.PersonalDataVisible), orDash(c.Title),
						name(c.Role, "CONTACT_ROLE_"), name(c.Attitude, "ATTITUDE_"), flags(c), holder(c), orDash(c.ReportsToContactId))
				}
			})
		})}
	list.Flags().StringVar(&l.role, "role", "", "only this role in decisions")
	list.Flags().StringVar(&l.attitude, "attitude", "", "only this attitude")

	contact.AddCommand(add, update, erase, list)
	return contact
}

func activityCommands(run runner) *cobra.Command {
	activity := &cobra.Command{Use: "activity", Short: "Activities with the customer; gifts, hospitality and travel above the threshold need a LEGAL review first"}

	var r struct {
		kind, date, subject, outcome, value, currency, state string
		ours, contacts                                       []string
	}
	record := accountStep(run, "record ACCOUNT", "Record an activity, planned or held", 1, renderActivity,
		func(s *session, changed func(string) bool, args []string) (*ltcv1.Activity, error) {
			kind, err := enum[ltcv1.ActivityKind](ltcv1.ActivityKind_value, "ACTIVITY_KIND_", r.kind)
			if err != nil {
				return nil, err
			}
			st, err := enum[ltcv1.ActivityState](ltcv1.ActivityState_value, "ACTIVITY_STATE_", r.state)
			if err != nil {
				return nil, err
			}
			d, err := day(r.date)
			if err != nil {
				return nil, err
			}
			act := &ltcv1.Activity{Kind: kind, Date: d, OurPeople: people(r.ours), ContactIds: r.contacts, Subject: r.subject,
				Outcome: r.outcome, State: st}
			if changed("value") {
				if act.Value, err = money(r.value, r.currency); err != nil {
					return nil, err
				}
			}
			resp, err := call(s, s.accounts.RecordActivity, &ltcv1.RecordActivityRequest{RequestId: s.requestID(), AccountId: args[0], Activity: act})
			return resp.GetActivity(), err
		})
	f := record.Flags()
	f.StringVar(&r.kind, "kind", "", "company_visit, executive_visit, reference_visit, exhibition, business_exchange, gift, hospitality, travel, other")
	f.StringVar(&r.date, "date", time.Now().Format(time.DateOnly), "the day it is planned for or was held")
	f.StringSliceVar(&r.ours, "our", nil, "our people's user ids, repeated")
	f.StringSliceVar(&r.contacts, "contact", nil, "the customer's contact ids, repeated")
	f.StringVar(&r.subject, "subject", "", "subject")
	f.StringVar(&r.outcome, "outcome", "", "outcome")
	f.StringVar(&r.value, "value", "", "gift, hospitality, travel: the value")
	f.StringVar(&r.currency, "currency", "CNY", "ISO currency of --value")
	f.StringVar(&r.state, "state", "planned", "planned or held")

	var rv struct{ result, rationale string }
	review := accountStep(run, "review ACCOUNT ACTIVITY", "LEGAL: approve or reject an activity waiting for its review", 2, renderActivity,
		func(s *session, _ func(string) bool, args []string) (*ltcv1.Activity, error) {
			res, err := enum[ltcv1.ActivityReviewStatus](ltcv1.ActivityReviewStatus_value, "ACTIVITY_REVIEW_STATUS_", rv.result)
			if err != nil {
				return nil, err
			}
			resp, err := call(s, s.accounts.ReviewActivity, &ltcv1.ReviewActivityRequest{RequestId: s.requestID(), AccountId: args[0],
				ActivityId: args[1], Result: res, Rationale: rv.rationale})
			return resp.GetActivity(), err
		})
	review.Flags().StringVar(&rv.result, "result", "", "approved or rejected")
	review.Flags().StringVar(&rv.rationale, "rationale", "", "why")

	var c struct{ state, date, outcome string }
	complete := accountStep(run, "complete ACCOUNT ACTIVITY", "Record a planned activity as held or cancelled", 2, renderActivity,
		func(s *session, _ func(string) bool, args []string) (*ltcv1.Activity, error) {
			st, err := enum[ltcv1.ActivityState](ltcv1.ActivityState_value, "ACTIVITY_STATE_", c.state)
			if err != nil {
				return nil, err
			}
			req := &ltcv1.CompleteActivityRequest{RequestId: s.requestID(), AccountId: args[0], ActivityId: args[1], State: st, Outcome: c.outcome}
			if st == ltcv1.ActivityState_ACTIVITY_STATE_HELD {
				if req.HeldDate, err = day(c.date); err != nil {
					return nil, err
				}
			}
			resp, err := call(s, s.accounts.CompleteActivity, req)
			return resp.GetActivity(), err
		})
	complete.Flags().StringVar(&c.state, "state", "held", "held or cancelled")
	complete.Flags().StringVar(&c.date, "date", time.Now().Format(time.DateOnly), "held: the day it was held")
	complete.Flags().StringVar(&c.outcome, "outcome", "", "held: the outcome; cancelled: why")

	var l struct {
		kind, state, review string
		pending             bool
	}
	list := &cobra.Command{Use: "list [ACCOUNT]", Short: "List an account's activities, or with --pending the LEGAL reviews waiting for you",
		Args: cobra.MaximumNArgs(1),
		RunE: run(func(s *session, args []string) error {
			if len(args) == 0 && !l.pending {
				return fmt.Errorf("name an account, or pass --pending for your review inbox")
			}
			kind, err := enum[ltcv1.ActivityKind](ltcv1.ActivityKind_value, "ACTIVITY_KIND_", l.kind)
			if err != nil {
				return err
			}
			st, err := enum[ltcv1.ActivityState](ltcv1.ActivityState_value, "ACTIVITY_STATE_", l.state)
			if err != nil {
				return err
			}
			rs, err := enum[ltcv1.ActivityReviewStatus](ltcv1.ActivityReviewStatus_value, "ACTIVITY_REVIEW_STATUS_", l.review)
			if err != nil {
				return err
			}
			req := &ltcv1.ListActivitiesRequest{PageSize: 200, Kind: kind, State: st, Review: rs, PendingReviewForMe: l.pending}
			if len(args) == 1 {
				req.AccountId = args[0]
			}
			resp, err := call(s, s.accounts.ListActivities, req)
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) {
				if len(resp.Activities) == 0 && l.pending {
					fmt.Fprintln(w, "No activity waits for your review.")
					return
				}
				fmt.Fprintln(w, "ID\tACCOUNT\tDATE\tKIND\tSTATE\tREVIEW\tVALUE\tSUBJECT\tLOGGED BY")
				for _, a := range resp.Activities {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.Id, a.AccountId, showDay(a.Date), name(a.Kind, "ACTIVITY_KIND_"),
						name(a.State, "ACTIVITY_STATE_"), name(a.Review, "ACTIVITY_REVIEW_STATUS_"), showMoney(a.Value), a.Subject, person(a.LoggedBy))
				}
			})
		})}
	list.Flags().BoolVar(&l.pending, "pending", false, "the activities waiting for your LEGAL review, across accounts")
	list.Flags().StringVar(&l.kind, "kind", "", "only this kind")
	list.Flags().StringVar(&l.state, "state", "", "only planned, held or cancelled")
	list.Flags().StringVar(&l.review, "review", "", "only this review status: not_needed, pending, approved, rejected")

	activity.AddCommand(record, review, complete, list)
	return activity
}

// renderWholeAccount draws an account as GetAccount returns it: with its open deals, and its power map as a tree.
func renderWholeAccount(w io.Writer, a *ltcv1.Account) {
	renderAccount(w, a, nil)
	fmt.Fprintf(w, "Open deals\t%d\n", a.OpenDealCount)
	if len(a.PowerMap) == 0 {
		return
	}
	// Each contact under the one it reports to, indented by its depth.
	fmt.Fprintln(w, "\nPower map (权力地图)")
	fmt.Fprintln(w, "CONTACT\tROLE\tATTITUDE\tFLAGS\tHOLDER\tID")
	for _, e := range a.PowerMap {
		c := e.Contact
		indent := ""
		if e.Depth > 0 {
			indent = strings.Repeat("    ", int(e.Depth)-1) + "└── "
		}
		fmt.Fprintf(w, "%s%s\t%s\t%s\t%s\t%s\t%s\n", indent, join(contactName(c, a.PersonalDataVisible), c.Title),
			name(c.Role, "CONTACT_ROLE_"), name(c.Attitude, "ATTITUDE_"), flags(c), holder(c), c.Id)
	}
}

// renderAccount draws an account for people (its power map only GetAccount has), and the near
// duplicates CreateAccount found.
func renderAccount(w io.Writer, a *ltcv1.Account, similar []*ltcv1.SimilarAccount) {
	fmt.Fprintf(w, "Account\t%s  %s\n", a.Id, a.Name)
	fmt.Fprintf(w, "Grade\t%s\n", name(a.Grade, "CUSTOMER_GRADE_"))
	fmt.Fprintf(w, "Industry, region\t%s, %s\n", orDash(a.Industry), orDash(a.Region))
	fmt.Fprintf(w, "Owner\t%s (%s)\n", person(a.Owner), a.OrgUnit)
	if len(a.Team) > 0 {
		var team []string
		for _, m := range a.Team {
			team = append(team, name(m.Role, "TEAM_ROLE_")+" "+person(m.Person))
		}
		fmt.Fprintf(w, "Team\t%s\n", strings.Join(team, ", "))
	}
	if a.Target {
		fmt.Fprintln(w, "Target\ton the target-account list")
	}
	if sp := a.Supplier; sp != nil && sp.State != ltcv1.SupplierState_SUPPLIER_STATE_UNSPECIFIED {
		fmt.Fprintf(w, "Supplier\t%s", name(sp.State, "SUPPLIER_STATE_"))
		if sp.ExpireDate != nil {
			fmt.Fprintf(w, " until %s%s", showDay(sp.ExpireDate), map[bool]string{true: "  EXPIRED"}[sp.Expired])
		}
		fmt.Fprintln(w)
	}
	for _, g := range a.GradeHistory {
		change := name(g.FromGrade, "CUSTOMER_GRADE_") + " -> " + name(g.ToGrade, "CUSTOMER_GRADE_")
		if g.FromGrade == ltcv1.CustomerGrade_CUSTOMER_GRADE_UNSPECIFIED {
			change = name(g.ToGrade, "CUSTOMER_GRADE_") + " at creation"
		}
		fmt.Fprintf(w, "Graded\t%s by %s at %s: %s\n", change, person(g.ChangedBy), g.ChangeTime.AsTime().Format(time.DateTime), orDash(g.Rationale))
	}
	if r := a.Relationship; r != nil {
		fmt.Fprintf(w, "Relationship\t%s: communication %d, business fit %d, joint undertakings %d, identification %d (by %s: %s)\n",
			name(r.Level, "RELATIONSHIP_LEVEL_"), r.Communication, r.BusinessFit, r.JointUndertakings, r.Identification, person(r.AssessedBy), r.Rationale)
	}
	if p := a.Plan; p != nil {
		fmt.Fprintf(w, "Plan %d\treach %s, orders %s: %s\n", p.Year, name(p.TargetLevel, "RELATIONSHIP_LEVEL_"), showMoney(p.TargetOrders), p.Objectives)
	}
	if c := a.Cadence; c != nil {
		fmt.Fprintf(w, "Review cadence\t%s due %s", c.Quarter, c.DueTime.AsTime().Format(time.DateTime))
		if c.Overdue {
			fmt.Fprintf(w, "  OVERDUE, %d escalation(s)", c.Escalations)
		}
		fmt.Fprintln(w)
	}
	if n := len(a.Reviews); n > 0 {
		r := a.Reviews[n-1]
		fmt.Fprintf(w, "Last review\t%s held %s: %s\n", r.Quarter, showDay(r.HeldDate), r.Conclusions)
	}
	if n := len(a.Satisfaction); n > 0 {
		sc := a.Satisfaction[n-1]
		fmt.Fprintf(w, "Satisfaction\t%d in %s", sc.Score, sc.Period)
		if a.SatisfactionTrend != ltcv1.Trend_TREND_UNSPECIFIED {
			fmt.Fprintf(w, ", %s (%+d)", name(a.SatisfactionTrend, "TREND_"), a.SatisfactionChange)
		}
		fmt.Fprintln(w)
	}
	for _, act := range a.OpenActivities {
		fmt.Fprintf(w, "Planned\t%s %s %s (%s), review %s\n", showDay(act.Date), name(act.Kind, "ACTIVITY_KIND_"), act.Subject, act.Id,
			name(act.Review, "ACTIVITY_REVIEW_STATUS_"))
	}
	fmt.Fprintf(w, "Contacts\t%d\n", a.ContactCount)
	for _, x := range similar {
		fmt.Fprintf(w, "Similar\t%s (%s) %s, similarity %.2f: check it is not the same customer\n", x.Name, orDash(x.Region), x.Id, x.Similarity)
	}
}

// contactName is the contact's name, or why there is none.
func contactName(c *ltcv1.Contact, visible bool) string {
	switch {
	case c.Erased:
		return "(erased)"
	case !visible || c.Name == "":
		return "(hidden)"
	}
	return c.Name
}

// flags are a contact's hidden-decider and rising-star flags.
func flags(c *ltcv1.Contact) string {
	var out []string
	if c.HiddenDecider {
		out = append(out, "hidden decider")
	}
	if c.RisingStar {
		out = append(out, "rising star")
	}
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, ", ")
}

// holder is who holds the relationship with the contact, and how strongly.
func holder(c *ltcv1.Contact) string {
	if c.Holder == nil {
		return "-"
	}
	if c.Strength == 0 {
		return person(c.Holder)
	}
	return fmt.Sprintf("%s, strength %d", person(c.Holder), c.Strength)
}

func renderContact(w io.Writer, c *ltcv1.Contact) {
	fmt.Fprintf(w, "Contact\t%s  %s\n", c.Id, contactName(c, true))
	fmt.Fprintf(w, "Account\t%s\n", c.AccountId)
	if where := join(c.Title, c.Department); where != "" {
		fmt.Fprintf(w, "Title\t%s\n", where)
	}
	if reach := join(c.Email, c.Phone); reach != "" {
		fmt.Fprintf(w, "Reach\t%s\n", reach)
	}
	fmt.Fprintf(w, "Reports to\t%s\n", orDash(c.ReportsToContactId))
	fmt.Fprintf(w, "Role\t%s, attitude %s", name(c.Role, "CONTACT_ROLE_"), name(c.Attitude, "ATTITUDE_"))
	if f := flags(c); f != "-" {
		fmt.Fprintf(w, ", %s", f)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Holder\t%s\n", holder(c))
	if c.Notes != "" {
		fmt.Fprintf(w, "Notes\t%s\n", c.Notes)
	}
	if c.Erased {
		fmt.Fprintf(w, "Erased\t%s\n", c.EraseTime.AsTime().Format(time.DateTime))
	}
}

// join joins the texts given with commas.
func join(texts ...string) string {
	return strings.Join(slices.DeleteFunc(texts, func(s string) bool { return s == "" }), ", ")
}

func renderActivity(w io.Writer, a *ltcv1.Activity) {
	fmt.Fprintf(w, "Activity\t%s  %s\n", a.Id, a.Subject)
	fmt.Fprintf(w, "Account\t%s\n", a.AccountId)
	fmt.Fprintf(w, "Kind\t%s on %s\n", name(a.Kind, "ACTIVITY_KIND_"), showDay(a.Date))
	fmt.Fprintf(w, "State\t%s\n", name(a.State, "ACTIVITY_STATE_"))
	if a.Value != nil {
		fmt.Fprintf(w, "Value\t%s\n", showMoney(a.Value))
	}
	fmt.Fprintf(w, "LEGAL review\t%s", name(a.Review, "ACTIVITY_REVIEW_STATUS_"))
	if a.Reviewer != nil {
		fmt.Fprintf(w, " by %s: %s", person(a.Reviewer), a.ReviewRationale)
	}
	fmt.Fprintln(w)
	var ours []string
	for _, p := range a.OurPeople {
		ours = append(ours, person(p))
	}
	fmt.Fprintf(w, "Our people\t%s\n", strings.Join(ours, ", "))
	if len(a.ContactIds) > 0 {
		fmt.Fprintf(w, "Contacts\t%s\n", strings.Join(a.ContactIds, ", "))
	}
	if a.HeldDate != nil {
		fmt.Fprintf(w, "Held\t%s\n", showDay(a.HeldDate))
	}
	if a.Outcome != "" {
		fmt.Fprintf(w, "Outcome\t%s\n", a.Outcome)
	}
	fmt.Fprintf(w, "Logged\tby %s at %s\n", person(a.LoggedBy), a.LogTime.AsTime().Format(time.DateTime))
}
