package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// Reminder kinds: the deadlines people are reminded of before they pass.
const (
	RemindDecision     = "decision"
	RemindWeeklyReport = "weekly_report"
	RemindHandover     = "handover"
	RemindSummary      = "summary"
	RemindLead         = "lead"
)

// ReminderTypes are the types a person mutes to have no reminders of a kind (NotificationPreferences'
// muted_event_types takes them beside the event types).
var ReminderTypes = []string{"reminder." + RemindDecision, "reminder." + RemindWeeklyReport, "reminder." + RemindHandover,
	"reminder." + RemindSummary, "reminder." + RemindLead}

// reminderDetails are what a reminder's mail says.
type reminderDetails struct {
	Kind       string    `json:"kind"`
	DueAt      time.Time `json:"due_at"`
	Title      string    `json:"title"`
	DecisionID string    `json:"decision_id,omitempty"`
	Gate       string    `json:"gate,omitempty"`
}

// reminderRules are the reminders' mails, by kind, in the Rules' form ({title}, {gate}, {due}).
var reminderRules = map[string]Rule{
	RemindDecision: {Page: "decisions",
		Subject: map[string]string{"en": "Reminder: {gate} of {title} is due {due}", "zh-CN": "提醒：{title} 的 {gate} 决策将于 {due} 到期"},
		Body: map[string]string{"en": "The {gate} decision of {title} waits for your decision or review; it is escalated if not decided by {due}.",
			"zh-CN": "{title} 的 {gate} 决策等待您的决策或评审；若 {due} 前未决策将升级。"}},
	RemindWeeklyReport: {Page: "deals",
		Subject: map[string]string{"en": "Reminder: the weekly report of {title} is due {due}", "zh-CN": "提醒：{title} 的周报将于 {due} 到期"},
		Body:    map[string]string{"en": "The weekly report of {title} is due {due}.", "zh-CN": "{title} 的周报应于 {due} 前提交。"}},
	RemindHandover: {Page: "deals",
		Subject: map[string]string{"en": "Reminder: the handover of {title} is due {due}", "zh-CN": "提醒：{title} 的合同交底会将于 {due} 到期"},
		Body:    map[string]string{"en": "The contract handover meeting of {title} is due {due}.", "zh-CN": "{title} 的合同交底会应于 {due} 前完成。"}},
	RemindSummary: {Page: "deals",
		Subject: map[string]string{"en": "Reminder: the project summary of {title} is due {due}", "zh-CN": "提醒：{title} 的项目总结将于 {due} 到期"},
		Body:    map[string]string{"en": "The project summary of {title} is due {due}.", "zh-CN": "{title} 的项目总结应于 {due} 前提交。"}},
	RemindLead: {Page: "leads",
		Subject: map[string]string{"en": "Reminder: the lead {title} is due {due}", "zh-CN": "提醒：线索 {title} 将于 {due} 到期"},
		Body:    map[string]string{"en": "The lead {title} is to be qualified or disqualified by {due}.", "zh-CN": "线索 {title} 应于 {due} 前完成验证或关闭。"}},
}

// reminder is one deadline to remind of, and whom.
type reminder struct {
	key        string
	details    reminderDetails
	recipients []string
}

// reminders are the deadlines of a deal due within (now, now+before], with the people each concerns: the
// deciders and missing reviewers of a pending decision, the owner for the rest. The weekly report's is its due
// time (the engine flags it missing a grace later).
func reminders(d ltc.Deal, p ltc.Policy, now time.Time, before time.Duration) []reminder {
	soon := func(t time.Time) bool { return t.After(now) && !t.After(now.Add(before)) }
	var out []reminder
	if d.Opportunity == nil {
		if l := d.Lead; l.Open() && !l.Overdue && soon(l.SLADueAt) {
			out = append(out, reminder{fmt.Sprintf("lead:%s:%d", l.ID, l.SLADueAt.Unix()),
				reminderDetails{Kind: RemindLead, DueAt: l.SLADueAt, Title: firstOf(l.Title, l.Customer.Name)},
				[]string{ltc.UserRecipient(l.Owner.ID)}})
		}
		return out
	}
	o := *d.Opportunity
	owner := []string{ltc.UserRecipient(o.Owner.ID)}
	for _, dl := range d.Deadlines(p) {
		if !soon(dl.Due) {
			continue
		}
		r := reminder{key: dl.Key, details: reminderDetails{DueAt: dl.Due, Title: o.Title}, recipients: owner}
		switch cmd := dl.Command.(type) {
		case ltc.EscalateDecision:
			dec, ok := o.Decision(cmd.DecisionID)
			if !ok {
				continue
			}
			to := dec.Deciders()
			for _, f := range dec.MissingReviews() {
				to = append(to, ltc.FunctionRecipient(f))
			}
			r.details.Kind, r.details.DecisionID, r.details.Gate, r.recipients = RemindDecision, dec.ID, string(dec.Gate), ltc.InUnit(to, o.Unit)
		case ltc.MarkHandoverOverdue:
			r.details.Kind = RemindHandover
		case ltc.MarkSummaryOverdue:
			r.details.Kind = RemindSummary
		default:
			continue // the weekly report's check: reminded of at its due time, below
		}
		out = append(out, r)
	}
	if c := o.Cadence; c != nil && o.Open() && soon(c.NextDueAt) {
		out = append(out, reminder{fmt.Sprintf("report:%s:%d", o.ID, c.NextDueAt.Unix()),
			reminderDetails{Kind: RemindWeeklyReport, DueAt: c.NextDueAt, Title: o.Title}, owner})
	}
	return out
}

// RemindOnce enqueues the reminders of the deadlines due within the lead time, each once per deadline and person
// (a sweep that finds it again adds nothing). It returns how many deals it looked at.
func (n *Notifier) RemindOnce(ctx context.Context, now time.Time) (int, error) {
	if n.o.Mailer == nil || n.o.RemindBefore <= 0 {
		return 0, nil
	}
	dir, err := n.directory(ctx)
	if err != nil {
		return 0, err
	}
	var seen int
	for after := ""; ; {
		deals, err := n.o.Store.DealsWithDeadlines(ctx, after, now, now.Add(n.o.RemindBefore), 500)
		if err != nil {
			return seen, err
		}
		var out []store.Delivery
		for _, d := range deals {
			for _, r := range reminders(d, n.o.Policy, now, n.o.RemindBefore) {
				details, _ := json.Marshal(r.details)
				for _, p := range dir.Resolve(r.recipients) {
					if ch, ok := mailChannel(p, "reminder."+r.details.Kind); ok {
						out = append(out, store.Delivery{Reminder: "remind:" + r.key, Details: details, DealID: d.Lead.ID, Channel: ch, Target: p.ID})
					}
				}
			}
		}
		if err := n.o.Store.Enqueue(ctx, out); err != nil {
			return seen, err
		}
		seen += len(deals)
		if len(deals) < 500 {
			return seen, nil
		}
		after = deals[len(deals)-1].Lead.ID
	}
}

// composeReminder writes a reminder's mail.
func composeReminder(d store.Delivery, p store.DirectoryPerson, lang, webURL string) (Mail, error) {
	var r reminderDetails
	if err := json.Unmarshal(d.Details, &r); err != nil {
		return Mail{}, err
	}
	rule, ok := reminderRules[r.Kind]
	if !ok {
		return Mail{}, fmt.Errorf("no reminder of kind %q", r.Kind)
	}
	data, _ := json.Marshal(map[string]string{"decision_id": r.DecisionID, "gate": r.Gate, "due_at": r.DueAt.Format(time.RFC3339)})
	e := store.RecordedEvent{Event: ltc.Event{DealID: d.DealID, Type: "reminder." + r.Kind, Data: data}}
	m := compose(rule, e, p, lang, webURL, r.Title)
	m.MessageID = fmt.Sprintf("ltc-%s-%s@ltc.engine", strings.NewReplacer(":", "-").Replace(d.Reminder), p.ID)
	return m, nil
}

// mailChannel is how a person gets a notification of the type: by mail, held for their daily digest, or not.
func mailChannel(p store.DirectoryPerson, typ string) (string, bool) {
	if !wantsMail(p, typ) {
		return "", false
	}
	if p.Prefs().DailyDigest {
		return store.ChannelDigest, true
	}
	return store.ChannelEmail, true
}
