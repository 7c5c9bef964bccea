package ltc

import (
	"encoding/json"
	"slices"
	"strconv"
)

// A deal's size is bounded (api.md, Limits), so that no deal can grow past what its durable process, its history
// and a default gRPC client (4 MiB a message) can carry. A change that would take a deal past a limit is refused,
// naming the limit, before anything is recorded; the engine's own changes at deadlines are never refused.
const (
	MaxMeetings      = 200 // meetings recorded
	MaxRisks         = 100 // risks in the register
	MaxWeeklyReports = 500 // weekly reports, revisions included
	MaxDecisions     = 30  // gate decisions requested
	MaxTeam          = 50  // team members
	// MaxProcessBytes bounds the deal as its process holds it (JSON): what a continue-as-new carries.
	MaxProcessBytes = 1 << 20
	// MaxContentBytes bounds the content the deal's changes added (JSON: meetings, weekly reports, risk texts),
	// which the read model keeps beside the deal; with the process's part, GetOpportunity stays under 4 MiB.
	MaxContentBytes = 2 << 20
)

// RulesLimits is the rules version from which a deal's size is bounded and its process holds only what the rules
// need: meetings' attendees, conclusions and action items, weekly reports' texts and risks' descriptions and
// mitigations are content (Change.Content), kept in the read model only. Deals started before keep their rules.
const RulesLimits = 2

// Run applies the command to the deal: Apply, then, for deals under RulesLimits, the content moved out of the
// process's state and the deal's limits checked. It is how the process applies every command.
func Run(cmd Command, d Deal, c Context) (Change, error) {
	ch, err := cmd.Apply(d, c)
	if err != nil || ch.Deal.Opportunity == nil || ch.Deal.Opportunity.Rules < RulesLimits {
		return ch, err
	}
	next, content := ch.Deal.Opportunity.withoutContent()
	for _, item := range content {
		next.ContentBytes += int64(len(mustJSON(item.Item)))
	}
	if _, engine := cmd.(deadline); !engine {
		if err := withinLimits(d.Opportunity, next); err != nil {
			return Change{}, err
		}
	}
	ch.Deal.Opportunity, ch.Content = &next, content
	return ch, nil
}

// deadline marks the engine's own commands at deadlines, which limits never refuse.
type deadline interface{ deadline() }

func (MarkLeadOverdue) deadline()     {}
func (EscalateDecision) deadline()    {}
func (MarkHandoverOverdue) deadline() {}
func (MarkSummaryOverdue) deadline()  {}
func (CheckWeeklyReport) deadline()   {}

// withinLimits refuses next when it passes a limit that before (nil for a new deal) did not.
func withinLimits(before *Opportunity, next Opportunity) error {
	// A refusal names where the deal stands: before the change.
	was, current := Opportunity{}, next
	if before != nil {
		was, current = *before, *before
	}
	reports := func(o Opportunity) int {
		if o.Cadence == nil {
			return 0
		}
		return len(o.Cadence.Reports)
	}
	for _, l := range []struct {
		what       string
		was, count int
		max        int
	}{
		{"meetings", len(was.Meetings), len(next.Meetings), MaxMeetings},
		{"risks", len(was.Risks), len(next.Risks), MaxRisks},
		{"weekly reports", reports(was), reports(next), MaxWeeklyReports},
		{"gate decisions", len(was.Decisions), len(next.Decisions), MaxDecisions},
		{"team members", len(was.Team), len(next.Team), MaxTeam},
	} {
		if l.count > l.max && l.count > l.was {
			return current.precondition("a deal holds at most %d %s and this change would make %d", l.max, l.what, l.count)
		}
	}
	if next.ContentBytes > MaxContentBytes {
		return current.precondition("a deal holds at most %d bytes of meetings, weekly reports and risk texts, and this change would make %d",
			MaxContentBytes, next.ContentBytes)
	}
	if n := len(mustJSON(next)); n > MaxProcessBytes && n > len(mustJSON(was)) {
		return current.precondition("a deal's process holds at most %d bytes and this change would make %d", MaxProcessBytes, n)
	}
	return nil
}

// withoutContent is the deal as its process keeps it: its meetings, weekly reports and risks without their texts,
// and those texts as content, one item for each meeting, report or risk this change added or replaced (the
// others are without their texts already).
func (o Opportunity) withoutContent() (Opportunity, []Content) {
	var content []Content
	if i := slices.IndexFunc(o.Meetings, Meeting.hasContent); i >= 0 {
		o.Meetings = slices.Clone(o.Meetings)
		for ; i < len(o.Meetings); i++ {
			if m := o.Meetings[i]; m.hasContent() {
				content = append(content, Content{Kind: ContentMeeting, Key: m.ID, Item: m})
				o.Meetings[i] = Meeting{ID: m.ID, Kind: m.Kind, Date: m.Date, RecordedBy: m.RecordedBy, RecordedAt: m.RecordedAt}
			}
		}
	}
	if o.Cadence != nil && slices.ContainsFunc(o.Cadence.Reports, WeeklyReport.hasContent) {
		cadence := *o.Cadence
		cadence.Reports = slices.Clone(cadence.Reports)
		for i, r := range cadence.Reports {
			if r.hasContent() {
				content = append(content, Content{Kind: ContentWeeklyReport, Key: r.Key(), Item: r})
				cadence.Reports[i] = WeeklyReport{Period: r.Period, Revision: r.Revision, WinRate: r.WinRate,
					SubmittedBy: r.SubmittedBy, SubmittedAt: r.SubmittedAt}
			}
		}
		o.Cadence = &cadence
	}
	if slices.ContainsFunc(o.Risks, Risk.hasContent) {
		o.Risks = slices.Clone(o.Risks)
		for i, r := range o.Risks {
			if r.hasContent() {
				content = append(content, Content{Kind: ContentRisk, Key: r.ID, Item: r})
				o.Risks[i].Description, o.Risks[i].Mitigation = "", ""
			}
		}
	}
	return o, content
}

func (m Meeting) hasContent() bool {
	return len(m.Attendees) > 0 || m.Conclusions != "" || len(m.ActionItems) > 0
}

func (r WeeklyReport) hasContent() bool {
	return r.Progress != "" || r.NextSteps != "" || r.RisksAndIssues != "" || r.HelpNeeded != ""
}

func (r Risk) hasContent() bool { return r.Description != "" || r.Mitigation != "" }

// Key identifies a weekly report among the deal's: its period and revision.
func (r WeeklyReport) Key() string { return strconv.Itoa(r.Period) + "." + strconv.Itoa(r.Revision) }

// ContentItems is a deal's content as the read model keeps it: the JSON of each item by kind and key.
type ContentItems map[ContentKind]map[string]json.RawMessage

// fill decodes the item of kind and key into v, if there is one.
func (items ContentItems) fill(kind ContentKind, key string, v any) error {
	if raw, ok := items[kind][key]; ok {
		return json.Unmarshal(raw, v)
	}
	return nil
}

// risks is rs with their texts filled in.
func (items ContentItems) risks(rs []Risk) ([]Risk, error) {
	rs = slices.Clone(rs)
	for i := range rs {
		if err := items.fill(ContentRisk, rs[i].ID, &rs[i]); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// WithContent is the decision with the texts of the risks its package names filled in (as the register holds
// them now).
func (d Decision) WithContent(items ContentItems) (Decision, error) {
	if len(items) == 0 || len(d.Package.Risks) == 0 {
		return d, nil
	}
	risks, err := items.risks(d.Package.Risks)
	d.Package.Risks = risks
	return d, err
}

// WithContent is the deal with its content filled in from the items the read model keeps beside it: the whole
// deal, as GetOpportunity returns it, but for the texts of the risks its decisions name.
func (o Opportunity) WithContent(items ContentItems) (Opportunity, error) {
	if len(items) == 0 {
		return o, nil
	}
	o.Meetings = slices.Clone(o.Meetings)
	for i := range o.Meetings {
		if err := items.fill(ContentMeeting, o.Meetings[i].ID, &o.Meetings[i]); err != nil {
			return o, err
		}
	}
	if o.Cadence != nil {
		cadence := *o.Cadence
		cadence.Reports = slices.Clone(cadence.Reports)
		for i := range cadence.Reports {
			if err := items.fill(ContentWeeklyReport, cadence.Reports[i].Key(), &cadence.Reports[i]); err != nil {
				return o, err
			}
		}
		o.Cadence = &cadence
	}
	// The risks its decisions' packages name keep no texts here: the register holds them once (GetDecision fills
	// them in for one decision).
	var err error
	o.Risks, err = items.risks(o.Risks)
	return o, err
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("ltc: encode: " + err.Error())
	}
	return b
}

// An account's size is bounded as a deal's is: a change that would take an account past a limit is refused,
// naming the limit, before anything is recorded; the engine's own changes at deadlines are never refused.
const (
	MaxContacts                = 500 // contacts, erased ones included
	MaxGradeChanges            = 100 // grades given, the first included
	MaxRelationshipAssessments = 100
	MaxAccountPlans            = 20 // yearly plans
	MaxRelationshipReviews     = 100
	MaxSatisfactionScores      = 200
	MaxOpenActivities          = 100 // activities planned and not yet held or cancelled
	// MaxAccountTeam bounds the account's team as MaxTeam bounds a deal's.
	MaxAccountTeam = MaxTeam
)

// RunAccount applies the command to the account as its process does: Apply, then the contacts' notes moved out of
// the account's state (the whole contact stays in the change, for the read model) and, but for the engine's own
// changes at deadlines, the account's limits checked.
func RunAccount(cmd AccountCommand, a Account, c Context) (AccountChange, error) {
	ch, err := cmd.Apply(a, c)
	if err != nil {
		return ch, err
	}
	next := ch.Account.withoutNotes()
	if _, engine := cmd.(deadline); !engine {
		if err := accountWithinLimits(a, next); err != nil {
			return AccountChange{}, err
		}
	}
	ch.Account = next
	return ch, nil
}

func (MarkReviewOverdue) deadline() {}
func (EscalateReview) deadline()    {}

// withoutNotes is the account as its process keeps it: its contacts without their notes.
func (a Account) withoutNotes() Account {
	if slices.ContainsFunc(a.Contacts, func(ct Contact) bool { return ct.Notes != "" }) {
		a.Contacts = slices.Clone(a.Contacts)
		for i := range a.Contacts {
			a.Contacts[i].Notes = ""
		}
	}
	return a
}

// accountWithinLimits refuses next when it passes a limit that before (the zero account for a new one) did not.
// A refusal names where the account stands: before the change, or the new account.
func accountWithinLimits(before, next Account) error {
	current := before
	if before.ID == "" {
		current = next
	}
	for _, l := range []struct {
		what       string
		was, count int
		max        int
	}{
		{"contacts", len(before.Contacts), len(next.Contacts), MaxContacts},
		{"grade changes", len(before.GradeHistory), len(next.GradeHistory), MaxGradeChanges},
		{"relationship assessments", len(before.RelationshipHistory), len(next.RelationshipHistory), MaxRelationshipAssessments},
		{"yearly plans", len(before.Plans), len(next.Plans), MaxAccountPlans},
		{"relationship reviews", len(before.Reviews), len(next.Reviews), MaxRelationshipReviews},
		{"satisfaction scores", len(before.Satisfaction), len(next.Satisfaction), MaxSatisfactionScores},
		{"open activities", len(before.OpenActivities), len(next.OpenActivities), MaxOpenActivities},
		{"team members", len(before.Team), len(next.Team), MaxAccountTeam},
	} {
		if l.count > l.max && l.count > l.was {
			return current.precondition("an account holds at most %d %s and this change would make %d", l.max, l.what, l.count)
		}
	}
	if n := len(mustJSON(next)); n > MaxProcessBytes && n > len(mustJSON(before)) {
		return current.precondition("an account's process holds at most %d bytes and this change would make %d", MaxProcessBytes, n)
	}
	return nil
}
