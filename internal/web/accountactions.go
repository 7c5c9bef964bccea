package web

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// The account page's forms say who takes them; the engine decides, and says why when it refuses.
const (
	byTheTeam     = "The owner, the account team or a manager in scope"
	byTheCore     = "The owner, the account's AR, SR or FR, or a manager in scope"
	byManagement  = "A sales manager or executive in scope"
	keep          = "Keep as is"
	eraseUnticked = "Tick the confirmation to erase the contact's personal data."
)

var (
	relationshipLevels = enumOptions(ltcv1.RelationshipLevel_RELATIONSHIP_LEVEL_VENDOR,
		ltcv1.RelationshipLevel_RELATIONSHIP_LEVEL_PREFERRED_SUPPLIER, ltcv1.RelationshipLevel_RELATIONSHIP_LEVEL_STRATEGIC_SUPPLIER,
		ltcv1.RelationshipLevel_RELATIONSHIP_LEVEL_PARTNER)
	contactRoles = enumOptions(ltcv1.ContactRole_CONTACT_ROLE_DECISION_MAKER, ltcv1.ContactRole_CONTACT_ROLE_INFLUENCER,
		ltcv1.ContactRole_CONTACT_ROLE_EVALUATOR, ltcv1.ContactRole_CONTACT_ROLE_USER, ltcv1.ContactRole_CONTACT_ROLE_GATEKEEPER,
		ltcv1.ContactRole_CONTACT_ROLE_COACH)
	attitudes = enumOptions(ltcv1.Attitude_ATTITUDE_VALUES_US, ltcv1.Attitude_ATTITUDE_ACCEPTS_US, ltcv1.Attitude_ATTITUDE_COMMODITY,
		ltcv1.Attitude_ATTITUDE_THREAT)
	// keepOr are the options of a contact's field that an update changes only when chosen.
	keepOr = func(opts ...option) []option { return append([]option{{Value: "", Label: keep}}, opts...) }
	yesNo  = keepOr(option{Value: "yes", Label: "Yes"}, option{Value: "no", Label: "No"})
)

// scores are the options of a score from low to high: a dash (none chosen yet), then the numbers.
func scores(low, high int) []option {
	opts := []option{{Value: "", Label: "—", Plain: true}}
	for n := low; n <= high; n++ {
		opts = append(opts, option{Value: strconv.Itoa(n), Label: strconv.Itoa(n), Plain: true})
	}
	return opts
}

// dimensions are the four dimensions of a relationship's assessment (seed 001), by field name.
var dimensions = []field{
	{Name: "communication", Label: "Communication", Kind: "select", Options: scores(1, 5), Hint: "1 (weak) to 5 (strong)"},
	{Name: "business_fit", Label: "Business fit", Kind: "select", Options: scores(1, 5), Hint: "1 (weak) to 5 (strong)"},
	{Name: "joint_undertakings", Label: "Joint undertakings", Kind: "select", Options: scores(1, 5), Hint: "1 (weak) to 5 (strong)"},
	{Name: "identification", Label: "Identification", Kind: "select", Options: scores(1, 5), Hint: "1 (weak) to 5 (strong)"},
}

// contactOptions are the account's contacts as options, in the power map's order, named as the page names them;
// erased ones only when erased is set.
func contactOptions(a *ltcv1.Account, erased bool) []option {
	var opts []option
	for _, e := range a.PowerMap {
		c := e.GetContact()
		if c.GetErased() && !erased {
			continue
		}
		label := c.GetName()
		if label == "" {
			label = short(c.GetId())
		}
		if c.GetTitle() != "" {
			label += " · " + c.GetTitle()
		}
		opts = append(opts, option{Value: c.GetId(), Label: label, Plain: true})
	}
	return opts
}

// living says whether the account has a contact whose data is not erased.
func living(a *ltcv1.Account) bool { return len(contactOptions(a, false)) > 0 }

// contactIDs reads the contacts ticked.
func contactIDs(v url.Values, name string) []string {
	return slices.DeleteFunc(slices.Clone(v[name]), func(id string) bool { return id == "" })
}

// mask is an update mask of the paths.
func mask(paths ...string) *fieldmaskpb.FieldMask { return &fieldmaskpb.FieldMask{Paths: paths} }

// accountActions are the account page's forms: the AccountService's changes people make there.
var accountActions = forms("/accounts/", []action[*ltcv1.Account]{
	{Key: "grade", Title: "Grade the account", Who: "S or A: an executive in scope who is not on the account; B or C: the owner or a manager in scope",
		Fields: []field{{Name: "grade", Label: "Grade", Kind: "select", Options: enumOptions(grades...)},
			{Name: "rationale", Label: "Rationale", Kind: "area", Hint: "Against the written grading criteria"}},
		Defaults: func(a *ltcv1.Account) url.Values { return url.Values{"grade": {a.Grade.String()}} },
		Send: func(ctx context.Context, s *Server, account, rid string, v url.Values) error {
			_, err := s.accounts.GradeAccount(ctx, &ltcv1.GradeAccountRequest{RequestId: rid, AccountId: account,
				Grade: enumValue[ltcv1.CustomerGrade](ltcv1.CustomerGrade_value, v.Get("grade")), Rationale: v.Get("rationale")})
			return err
		}},
	{Key: "assess", Title: "Assess the relationship", Who: byTheTeam,
		Fields: append(append([]field{{Name: "level", Label: "Relationship level", Kind: "select", Options: relationshipLevels}}, dimensions...),
			field{Name: "rationale", Label: "Rationale", Kind: "area"}),
		Defaults: func(a *ltcv1.Account) url.Values {
			r := a.Relationship
			if r == nil {
				return nil
			}
			return url.Values{"level": {r.Level.String()}, "communication": {strconv.Itoa(int(r.Communication))},
				"business_fit": {strconv.Itoa(int(r.BusinessFit))}, "joint_undertakings": {strconv.Itoa(int(r.JointUndertakings))},
				"identification": {strconv.Itoa(int(r.Identification))}}
		},
		Send: func(ctx context.Context, s *Server, account, rid string, v url.Values) error {
			_, err := s.accounts.AssessRelationship(ctx, &ltcv1.AssessRelationshipRequest{RequestId: rid, AccountId: account,
				Assessment: &ltcv1.RelationshipAssessment{Level: enumValue[ltcv1.RelationshipLevel](ltcv1.RelationshipLevel_value, v.Get("level")),
					Communication: number(v.Get("communication")), BusinessFit: number(v.Get("business_fit")),
					JointUndertakings: number(v.Get("joint_undertakings")), Identification: number(v.Get("identification")),
					Rationale: v.Get("rationale")}})
			return err
		}},
	{Key: "satisfaction", Title: "Record a satisfaction score", Who: byTheTeam,
		Fields: []field{{Name: "period", Label: "Period", Kind: "text", Hint: "A quarter, e.g. 2026-Q4"},
			{Name: "score", Label: "Score", Kind: "number", Hint: "0 to 100"}, {Name: "respondents", Label: "Respondents", Kind: "number"}},
		Defaults: func(*ltcv1.Account) url.Values { return url.Values{"period": {quarterOf(time.Now().UTC())}} },
		Send: func(ctx context.Context, s *Server, account, rid string, v url.Values) error {
			_, err := s.accounts.RecordSatisfaction(ctx, &ltcv1.RecordSatisfactionRequest{RequestId: rid, AccountId: account,
				Score: &ltcv1.SatisfactionScore{Period: strings.TrimSpace(v.Get("period")), Score: number(v.Get("score")),
					Respondents: number(v.Get("respondents"))}})
			return err
		}},
	{Key: "details", Title: "Update the account", Who: byTheCore,
		Fields: []field{{Name: "name", Label: "Account name", Kind: "text"}, {Name: "industry", Label: "Industry", Kind: "text"},
			{Name: "region", Label: "Region", Kind: "text"},
			{Name: "supplier", Label: "Supplier status", Kind: "select", Options: enumOptions(ltcv1.SupplierState_SUPPLIER_STATE_NONE,
				ltcv1.SupplierState_SUPPLIER_STATE_REGISTERED, ltcv1.SupplierState_SUPPLIER_STATE_CERTIFIED,
				ltcv1.SupplierState_SUPPLIER_STATE_SHORT_LISTED)},
			{Name: "supplier_until", Label: "Supplier status until", Kind: "date", Hint: "Empty when it does not expire"}},
		Defaults: func(a *ltcv1.Account) url.Values {
			v := url.Values{"name": {a.Name}, "industry": {a.Industry}, "region": {a.Region},
				"supplier": {ltcv1.SupplierState_SUPPLIER_STATE_NONE.String()}}
			if a.Supplier != nil {
				v.Set("supplier", a.Supplier.State.String())
				v.Set("supplier_until", day(a.Supplier.ExpireDate))
			}
			return v
		},
		Send: func(ctx context.Context, s *Server, account, rid string, v url.Values) error {
			_, err := s.accounts.UpdateAccount(ctx, &ltcv1.UpdateAccountRequest{RequestId: rid, Account: &ltcv1.Account{Id: account,
				Name: strings.TrimSpace(v.Get("name")), Industry: strings.TrimSpace(v.Get("industry")), Region: strings.TrimSpace(v.Get("region")),
				Supplier: &ltcv1.SupplierStatus{State: enumValue[ltcv1.SupplierState](ltcv1.SupplierState_value, v.Get("supplier")),
					ExpireDate: calendarDay(v.Get("supplier_until"))}},
				UpdateMask: mask("name", "industry", "region", "supplier")})
			return err
		}},
	{Key: "owner", Title: "Change the owner or the target list", Who: byManagement,
		Fields: []field{{Name: "owner", Label: "Owner", Kind: "text", Hint: "User id"},
			{Name: "target", Label: "On the target-account list", Kind: "check"}},
		Defaults: func(a *ltcv1.Account) url.Values {
			v := url.Values{"owner": {a.GetOwner().GetId()}}
			if a.Target {
				v.Set("target", "on")
			}
			return v
		},
		Send: func(ctx context.Context, s *Server, account, rid string, v url.Values) error {
			_, err := s.accounts.UpdateAccount(ctx, &ltcv1.UpdateAccountRequest{RequestId: rid, Account: &ltcv1.Account{Id: account,
				Owner: &ltcv1.Person{Id: strings.TrimSpace(v.Get("owner"))}, Target: v.Get("target") != ""},
				UpdateMask: mask("owner", "target")})
			return err
		}},
	{Key: "team", Title: "Appoint the account team", Who: byTheCore,
		Fields:   roleFields("member_"),
		Defaults: func(a *ltcv1.Account) url.Values { return teamValues("member_", a.Team) },
		Send: func(ctx context.Context, s *Server, account, rid string, v url.Values) error {
			_, err := s.accounts.UpdateAccount(ctx, &ltcv1.UpdateAccountRequest{RequestId: rid,
				Account: &ltcv1.Account{Id: account, Team: members("member_", v)}, UpdateMask: mask("team")})
			return err
		}},
	{Key: "contact", Title: "Add a contact", Who: byTheTeam,
		Fields: []field{{Name: "name", Label: "Name", Kind: "text"}, {Name: "title", Label: "Job title", Kind: "text"},
			{Name: "department", Label: "Department", Kind: "text"}, {Name: "email", Label: "Email", Kind: "email"},
			{Name: "phone", Label: "Phone", Kind: "text"},
			{Name: "reports_to", Label: "Reports to", Kind: "select", Options: []option{{Value: "", Label: "Nobody: the top of the org chart"}}},
			{Name: "role", Label: "Role in decisions", Kind: "select", Options: append([]option{{Value: "", Label: "Not known yet"}}, contactRoles...)},
			{Name: "attitude", Label: "Attitude to us", Kind: "select", Options: append([]option{{Value: "", Label: "Not known yet"}}, attitudes...)},
			{Name: "hidden_decider", Label: "Hidden decider", Kind: "check"}, {Name: "rising_star", Label: "Rising star", Kind: "check"}},
		Choices: func(a *ltcv1.Account) map[string][]option {
			return map[string][]option{"reports_to": contactOptions(a, true)}
		},
		Send: func(ctx context.Context, s *Server, account, rid string, v url.Values) error {
			_, err := s.accounts.AddContact(ctx, &ltcv1.AddContactRequest{RequestId: rid, AccountId: account, Contact: &ltcv1.Contact{
				Name: v.Get("name"), Title: v.Get("title"), Department: v.Get("department"), Email: strings.TrimSpace(v.Get("email")),
				Phone: v.Get("phone"), ReportsToContactId: v.Get("reports_to"),
				Role:          enumValue[ltcv1.ContactRole](ltcv1.ContactRole_value, v.Get("role")),
				Attitude:      enumValue[ltcv1.Attitude](ltcv1.Attitude_value, v.Get("attitude")),
				HiddenDecider: v.Get("hidden_decider") != "", RisingStar: v.Get("rising_star") != ""}})
			return err
		}},
	{Key: "update_contact", Title: "Update a contact", Who: byTheTeam,
		Offered: living,
		Fields: []field{{Name: "contact", Label: "Contact", Kind: "select"},
			{Name: "holder", Label: "Relationship holder", Kind: "text", Hint: "User id; empty keeps the holder"},
			{Name: "strength", Label: "Strength", Kind: "select", Options: keepOr(scores(0, 5)[1:]...), Hint: "0 (none) to 5 (strong)"},
			{Name: "attitude", Label: "Attitude to us", Kind: "select", Options: keepOr(attitudes...)},
			{Name: "role", Label: "Role in decisions", Kind: "select", Options: keepOr(contactRoles...)},
			{Name: "reports_to", Label: "Reports to", Kind: "select", Options: keepOr(option{Value: "nobody", Label: "Nobody: the top of the org chart"})},
			{Name: "hidden_decider", Label: "Hidden decider", Kind: "select", Options: yesNo},
			{Name: "rising_star", Label: "Rising star", Kind: "select", Options: yesNo}},
		Choices: func(a *ltcv1.Account) map[string][]option {
			return map[string][]option{"contact": contactOptions(a, false), "reports_to": contactOptions(a, true)}
		},
		Send: func(ctx context.Context, s *Server, account, rid string, v url.Values) error {
			c, paths := &ltcv1.Contact{Id: v.Get("contact")}, []string{}
			if holder := strings.TrimSpace(v.Get("holder")); holder != "" {
				c.Holder, paths = &ltcv1.Person{Id: holder}, append(paths, "holder")
			}
			if strength := v.Get("strength"); strength != "" {
				c.Strength, paths = number(strength), append(paths, "strength")
			}
			if a := v.Get("attitude"); a != "" {
				c.Attitude, paths = enumValue[ltcv1.Attitude](ltcv1.Attitude_value, a), append(paths, "attitude")
			}
			if r := v.Get("role"); r != "" {
				c.Role, paths = enumValue[ltcv1.ContactRole](ltcv1.ContactRole_value, r), append(paths, "role")
			}
			if to := v.Get("reports_to"); to != "" {
				if to != "nobody" {
					c.ReportsToContactId = to
				}
				paths = append(paths, "reports_to_contact_id")
			}
			if h := v.Get("hidden_decider"); h != "" {
				c.HiddenDecider, paths = h == "yes", append(paths, "hidden_decider")
			}
			if r := v.Get("rising_star"); r != "" {
				c.RisingStar, paths = r == "yes", append(paths, "rising_star")
			}
			_, err := s.accounts.UpdateContact(ctx, &ltcv1.UpdateContactRequest{RequestId: rid, AccountId: account, Contact: c,
				UpdateMask: mask(paths...)})
			return err
		}},
	{Key: "erase_contact", Title: "Erase a contact's personal data", Who: "The owner, a manager in scope or an admin",
		Offered: living,
		Fields: []field{{Name: "contact", Label: "Contact", Kind: "select"},
			{Name: "reference", Label: "Privacy request", Kind: "text", Hint: "Its reference, such as a ticket number; never the person's data"},
			{Name: "confirm", Label: "Erase the name, title, department, email, phone and notes for good", Kind: "check"}},
		Choices: func(a *ltcv1.Account) map[string][]option {
			return map[string][]option{"contact": contactOptions(a, false)}
		},
		Send: func(ctx context.Context, s *Server, account, rid string, v url.Values) error {
			if v.Get("confirm") == "" {
				return refusal(eraseUnticked)
			}
			_, err := s.accounts.EraseContact(ctx, &ltcv1.EraseContactRequest{RequestId: rid, AccountId: account,
				ContactId: v.Get("contact"), Reference: strings.TrimSpace(v.Get("reference"))})
			return err
		}},
	{Key: "plan", Title: "Set the relationship plan", Who: byTheTeam,
		Fields: append(append([]field{{Name: "year", Label: "Year", Kind: "number"},
			{Name: "target_level", Label: "Target level", Kind: "select", Options: relationshipLevels}}, moneyFields("orders", "Target orders")...),
			field{Name: "objectives", Label: "Objectives", Kind: "area", Hint: "With the actions at the decision, management and operations layers"}),
		Defaults: func(a *ltcv1.Account) url.Values {
			year := time.Now().UTC().Year()
			v := url.Values{"year": {strconv.Itoa(year)}}
			if p := a.Plan; p != nil && int(p.Year) >= year {
				v.Set("year", strconv.Itoa(int(p.Year)))
				v.Set("target_level", p.TargetLevel.String())
				setMoney(v, "orders", p.TargetOrders)
				v.Set("objectives", p.Objectives)
			}
			return v
		},
		Send: func(ctx context.Context, s *Server, account, rid string, v url.Values) error {
			m, err := formAmount(v, "orders")
			if err != nil {
				return err
			}
			_, err = s.accounts.SetAccountPlan(ctx, &ltcv1.SetAccountPlanRequest{RequestId: rid, AccountId: account, Plan: &ltcv1.AccountPlan{
				Year: number(v.Get("year")), TargetLevel: enumValue[ltcv1.RelationshipLevel](ltcv1.RelationshipLevel_value, v.Get("target_level")),
				TargetOrders: m, Objectives: v.Get("objectives")}})
			return err
		}},
	{Key: "review", Title: "Record a relationship review", Who: byTheTeam,
		Fields: []field{{Name: "quarter", Label: "Quarter", Kind: "text", Hint: "The quarter it reviews, e.g. 2026-Q4"},
			{Name: "held", Label: "Held", Kind: "date"},
			{Name: "attendees", Label: "Our people attending", Kind: "text", Hint: "User ids, separated by commas"},
			{Name: "contacts", Label: "The customer's people attending", Kind: "checks"},
			{Name: "conclusions", Label: "Conclusions", Kind: "area"}, {Name: "actions", Label: "Actions agreed", Kind: "area"},
			{Name: "level_after", Label: "Level after", Kind: "select", Options: append([]option{{Value: "", Label: "No level concluded"}},
				relationshipLevels...)}},
		Defaults: func(a *ltcv1.Account) url.Values {
			v := url.Values{"quarter": {quarterOf(time.Now().UTC())}, "held": {today()}, "attendees": {people(a)}}
			if a.Cadence != nil {
				v.Set("quarter", a.Cadence.Quarter)
			}
			return v
		},
		Choices: func(a *ltcv1.Account) map[string][]option {
			return map[string][]option{"contacts": contactOptions(a, false)}
		},
		Send: func(ctx context.Context, s *Server, account, rid string, v url.Values) error {
			_, err := s.accounts.RecordRelationshipReview(ctx, &ltcv1.RecordRelationshipReviewRequest{RequestId: rid, AccountId: account,
				Review: &ltcv1.RelationshipReview{Quarter: strings.TrimSpace(v.Get("quarter")), HeldDate: calendarDay(v.Get("held")),
					Attendees: ids(v.Get("attendees")), AttendeeContactIds: contactIDs(v, "contacts"), Conclusions: v.Get("conclusions"),
					Actions: v.Get("actions"), LevelAfter: enumValue[ltcv1.RelationshipLevel](ltcv1.RelationshipLevel_value, v.Get("level_after"))}})
			return err
		}},
	{Key: "activity", Title: "Record an activity", Who: byTheTeam,
		Fields: append([]field{{Name: "kind", Label: "Kind", Kind: "select", Options: enumOptions(ltcv1.ActivityKind_ACTIVITY_KIND_BUSINESS_EXCHANGE,
			ltcv1.ActivityKind_ACTIVITY_KIND_EXECUTIVE_VISIT, ltcv1.ActivityKind_ACTIVITY_KIND_COMPANY_VISIT,
			ltcv1.ActivityKind_ACTIVITY_KIND_REFERENCE_VISIT, ltcv1.ActivityKind_ACTIVITY_KIND_EXHIBITION, ltcv1.ActivityKind_ACTIVITY_KIND_GIFT,
			ltcv1.ActivityKind_ACTIVITY_KIND_HOSPITALITY, ltcv1.ActivityKind_ACTIVITY_KIND_TRAVEL, ltcv1.ActivityKind_ACTIVITY_KIND_OTHER)},
			{Name: "state", Label: "Status", Kind: "select", Options: enumOptions(ltcv1.ActivityState_ACTIVITY_STATE_HELD,
				ltcv1.ActivityState_ACTIVITY_STATE_PLANNED)},
			{Name: "date", Label: "Date", Kind: "date"}, {Name: "subject", Label: "Subject", Kind: "text"},
			{Name: "our_people", Label: "Our people", Kind: "text", Hint: "User ids, separated by commas"},
			{Name: "contacts", Label: "The customer's people taking part", Kind: "checks"},
			{Name: "outcome", Label: "Outcome", Kind: "area"}},
			field{Name: "value", Label: "Value", Kind: "text", Hint: "Gifts, hospitality and travel only"},
			field{Name: "value_currency", Label: "Currency", Kind: "text", Hint: "ISO 4217 code, e.g. EUR"}),
		Defaults: func(a *ltcv1.Account) url.Values {
			return url.Values{"date": {today()}, "our_people": {a.GetOwner().GetId()}}
		},
		Choices: func(a *ltcv1.Account) map[string][]option {
			return map[string][]option{"contacts": contactOptions(a, false)}
		},
		Send: func(ctx context.Context, s *Server, account, rid string, v url.Values) error {
			m, err := formAmount(v, "value")
			if err != nil {
				return err
			}
			_, err = s.accounts.RecordActivity(ctx, &ltcv1.RecordActivityRequest{RequestId: rid, AccountId: account, Activity: &ltcv1.Activity{
				Kind: enumValue[ltcv1.ActivityKind](ltcv1.ActivityKind_value, v.Get("kind")), Date: calendarDay(v.Get("date")),
				OurPeople: ids(v.Get("our_people")), ContactIds: contactIDs(v, "contacts"), Subject: v.Get("subject"),
				Outcome: v.Get("outcome"), Value: m,
				State: enumValue[ltcv1.ActivityState](ltcv1.ActivityState_value, v.Get("state"))}})
			return err
		}},
	{Key: "complete_activity", Title: "Complete a planned activity", Who: byTheTeam,
		Offered: func(a *ltcv1.Account) bool { return len(activityOptions(a, false)) > 0 },
		Fields: []field{{Name: "activity", Label: "Activity", Kind: "select"},
			{Name: "state", Label: "Status", Kind: "select", Options: enumOptions(ltcv1.ActivityState_ACTIVITY_STATE_HELD,
				ltcv1.ActivityState_ACTIVITY_STATE_CANCELLED)},
			{Name: "held", Label: "Held on", Kind: "date"}, {Name: "outcome", Label: "Outcome", Kind: "area"}},
		Defaults: func(*ltcv1.Account) url.Values { return url.Values{"held": {today()}} },
		Choices: func(a *ltcv1.Account) map[string][]option {
			return map[string][]option{"activity": activityOptions(a, false)}
		},
		Send: func(ctx context.Context, s *Server, account, rid string, v url.Values) error {
			state := enumValue[ltcv1.ActivityState](ltcv1.ActivityState_value, v.Get("state"))
			req := &ltcv1.CompleteActivityRequest{RequestId: rid, AccountId: account, ActivityId: v.Get("activity"), State: state,
				Outcome: v.Get("outcome")}
			if state == ltcv1.ActivityState_ACTIVITY_STATE_HELD {
				req.HeldDate = calendarDay(v.Get("held"))
			}
			_, err := s.accounts.CompleteActivity(ctx, req)
			return err
		}},
	{Key: "review_activity", Title: "Review an activity (LEGAL)", Who: "A LEGAL reviewer in scope who took no part in it",
		Offered: func(a *ltcv1.Account) bool { return len(activityOptions(a, true)) > 0 },
		Fields: []field{{Name: "activity", Label: "Activity", Kind: "select"},
			{Name: "result", Label: "Result", Kind: "select", Options: enumOptions(ltcv1.ActivityReviewStatus_ACTIVITY_REVIEW_STATUS_APPROVED,
				ltcv1.ActivityReviewStatus_ACTIVITY_REVIEW_STATUS_REJECTED)},
			{Name: "rationale", Label: "Rationale", Kind: "area"}},
		Choices: func(a *ltcv1.Account) map[string][]option {
			return map[string][]option{"activity": activityOptions(a, true)}
		},
		Send: func(ctx context.Context, s *Server, account, rid string, v url.Values) error {
			_, err := s.accounts.ReviewActivity(ctx, &ltcv1.ReviewActivityRequest{RequestId: rid, AccountId: account,
				ActivityId: v.Get("activity"), Rationale: v.Get("rationale"),
				Result: enumValue[ltcv1.ActivityReviewStatus](ltcv1.ActivityReviewStatus_value, v.Get("result"))})
			return err
		}},
})

// activityOptions are the account's open activities as a select offers them: the planned ones, or (pending) those
// whose LEGAL review is pending.
func activityOptions(a *ltcv1.Account, pending bool) []option {
	var opts []option
	for _, act := range a.OpenActivities {
		if pending && act.Review != ltcv1.ActivityReviewStatus_ACTIVITY_REVIEW_STATUS_PENDING ||
			!pending && act.State != ltcv1.ActivityState_ACTIVITY_STATE_PLANNED {
			continue
		}
		opts = append(opts, option{Value: act.Id, Label: day(act.Date) + " · " + act.Subject, Plain: true})
	}
	return opts
}

// people are the user ids of the account's owner and team, once each, as a list field shows them.
func people(a *ltcv1.Account) string {
	list := []string{a.GetOwner().GetId()}
	for _, m := range a.Team {
		if id := m.GetPerson().GetId(); !slices.Contains(list, id) {
			list = append(list, id)
		}
	}
	return strings.Join(slices.DeleteFunc(list, func(id string) bool { return id == "" }), ", ")
}
