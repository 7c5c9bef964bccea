package notify

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// Rule says how an event type notifies people: whom beyond the event's own recipients, what the mail says in
// each language, and which page and ltcctl command it points to.
type Rule struct {
	// Managers adds the managers of the people the event names (user:), for what is overdue.
	Managers bool
	// Page is the web workplace's page of the thing: "decisions", "deals", "leads" or "accounts".
	Page string
	// Subject and Body by language; {gate}, {title}, {id} and {due} are filled in.
	Subject, Body map[string]string
}

// Rules is the one table of the events that notify people; the events of other types reach only webhooks.
var Rules = map[string]Rule{
	ltc.EventDecisionRequested: {Page: "decisions",
		Subject: map[string]string{"en": "Waiting for you: {gate} of {title}", "zh-CN": "待您处理：{title} 的 {gate} 决策"},
		Body: map[string]string{"en": "The {gate} decision of {title} waits for your decision or review, due {due}.",
			"zh-CN": "{title} 的 {gate} 决策等待您的决策或评审，截止 {due}。"}},
	ltc.EventDecisionEscalated: {Page: "decisions",
		Subject: map[string]string{"en": "Escalated to you: {gate} of {title}", "zh-CN": "已升级至您：{title} 的 {gate} 决策"},
		Body: map[string]string{"en": "The {gate} decision of {title} passed its SLA and was escalated; it is due {due}.",
			"zh-CN": "{title} 的 {gate} 决策已超过时限并升级，新的截止时间 {due}。"}},
	ltc.EventDecisionOverdue: {Page: "decisions",
		Subject: map[string]string{"en": "Overdue: {gate} of {title}", "zh-CN": "已逾期：{title} 的 {gate} 决策"},
		Body: map[string]string{"en": "The {gate} decision of {title} is overdue at the highest authority (due {due}).",
			"zh-CN": "{title} 的 {gate} 决策在最高权限处已逾期（截止 {due}）。"}},
	ltc.EventDecisionDecided: {Page: "decisions",
		Subject: map[string]string{"en": "Decided: {gate} of {title}", "zh-CN": "已决策：{title} 的 {gate}"},
		Body:    map[string]string{"en": "The {gate} decision of {title} you requested is decided.", "zh-CN": "您申请的 {title} 的 {gate} 决策已有结论。"}},
	ltc.EventWeeklyReportOverdue: {Page: "deals", Managers: true,
		Subject: map[string]string{"en": "Weekly report overdue: {title}", "zh-CN": "周报逾期：{title}"},
		Body:    map[string]string{"en": "The weekly report of {title} was due {due}.", "zh-CN": "{title} 的周报应于 {due} 提交。"}},
	ltc.EventHandoverOverdue: {Page: "deals", Managers: true,
		Subject: map[string]string{"en": "Handover overdue: {title}", "zh-CN": "合同交底会逾期：{title}"},
		Body:    map[string]string{"en": "The contract handover meeting of {title} was due {due}.", "zh-CN": "{title} 的合同交底会应于 {due} 召开。"}},
	ltc.EventSummaryOverdue: {Page: "deals", Managers: true,
		Subject: map[string]string{"en": "Project summary overdue: {title}", "zh-CN": "项目总结逾期：{title}"},
		Body:    map[string]string{"en": "The project summary of {title} was due {due}.", "zh-CN": "{title} 的项目总结应于 {due} 提交。"}},
	ltc.EventLeadOverdue: {Page: "leads", Managers: true,
		Subject: map[string]string{"en": "Lead SLA passed: {title}", "zh-CN": "线索处理超时：{title}"},
		Body:    map[string]string{"en": "The lead {title} was due to be qualified or disqualified {due}.", "zh-CN": "线索 {title} 应于 {due} 前完成验证或关闭。"}},
	ltc.EventRelationshipReviewOverdue: {Page: "accounts", Managers: true,
		Subject: map[string]string{"en": "Relationship review overdue: {title}", "zh-CN": "客户关系审视逾期：{title}"},
		Body:    map[string]string{"en": "The relationship review of account {title} is overdue.", "zh-CN": "客户 {title} 的关系审视已逾期。"}},
	ltc.EventRelationshipReviewEscalated: {Page: "accounts",
		Subject: map[string]string{"en": "Relationship review escalated: {title}", "zh-CN": "客户关系审视已升级：{title}"},
		Body:    map[string]string{"en": "The relationship review of account {title} is overdue and was escalated to you.", "zh-CN": "客户 {title} 的关系审视已逾期并升级至您。"}},
	// Contract execution: a milestone to invoice, and receivables unpaid past their due date (the AR and the FR,
	// then the sales managers, then the executives in scope, as the events address them).
	ltc.EventMilestoneDue: {Page: "deals",
		Subject: map[string]string{"en": "Milestone due: {title}", "zh-CN": "里程碑到期：{title}"},
		Body:    map[string]string{"en": "A milestone of the contract of {title} is due: it can be invoiced.", "zh-CN": "{title} 合同的一个里程碑已到期，可以开票。"}},
	ltc.EventInvoiceOverdue: {Page: "deals",
		Subject: map[string]string{"en": "Invoice overdue: {title}", "zh-CN": "发票逾期：{title}"},
		Body:    map[string]string{"en": "An invoice of the contract of {title} is unpaid past its due date.", "zh-CN": "{title} 合同的一张发票已过到期日仍未回款。"}},
	ltc.EventInvoiceEscalated: {Page: "deals",
		Subject: map[string]string{"en": "Overdue invoice escalated to you: {title}", "zh-CN": "逾期发票已升级至您：{title}"},
		Body: map[string]string{"en": "An invoice of the contract of {title} is still unpaid well past its due date and was escalated to you.",
			"zh-CN": "{title} 合同的一张发票逾期未回款，已升级至您。"}},
}

// Mail is one notification mail.
type Mail struct {
	To, ToName    string
	Subject, Body string
	MessageID     string
	EventSequence int64
	Recipient     string
	Language      string
}

// eventFacts are what a mail says of its event, read from the event's details.
type eventFacts struct {
	DecisionID string `json:"decision_id"`
	ID         string `json:"id"`
	Gate       string `json:"gate"`
	DealTitle  string `json:"deal_title"`
	Title      string `json:"title"`
	Name       string `json:"name"`
	DueAt      string `json:"due_at"`
}

// compose writes the mail of an event to a person, in their language, with the thing's page and ltcctl command.
func compose(rule Rule, e store.RecordedEvent, p store.DirectoryPerson, lang, webURL, title string) Mail {
	var f eventFacts
	_ = json.Unmarshal(e.Data, &f)
	subject := e.DealID
	if e.AccountID != "" {
		subject = e.AccountID
	}
	decision := f.DecisionID
	if decision == "" && strings.HasPrefix(e.Type, "decision.") {
		decision = f.ID
	}
	if title == "" {
		title = firstOf(f.DealTitle, f.Title, f.Name, subject)
	}
	due := "-"
	if t, err := time.Parse(time.RFC3339, f.DueAt); err == nil {
		due = t.UTC().Format("2006-01-02 15:04 UTC")
	}
	fill := strings.NewReplacer("{gate}", f.Gate, "{title}", title, "{id}", subject, "{due}", due)
	id, page, command := subject, rule.Page, ""
	switch rule.Page {
	case "decisions":
		id, command = decision, "ltcctl inbox"
		if e.Type == ltc.EventDecisionDecided {
			command = "ltcctl deal show " + subject
		}
	case "deals":
		command = "ltcctl deal show " + subject
	case "leads":
		command = "ltcctl lead show " + subject
	case "accounts":
		command = "ltcctl account show " + subject
	}
	link := strings.TrimRight(webURL, "/") + "/" + page + "/" + id
	var b strings.Builder
	b.WriteString(fill.Replace(rule.Body[lang]) + "\n\n")
	if webURL != "" {
		b.WriteString(label(lang, "Open it", "打开") + ": " + link + "\n")
	}
	b.WriteString(label(lang, "Or from a terminal", "或在终端") + ": " + command + "\n\n")
	if e.Sequence > 0 {
		b.WriteString(label(lang, "Event", "事件") + " " + fmt.Sprint(e.Sequence) + " (" + e.Type + ")\n")
	}
	b.WriteString(label(lang, "You receive this mail from the LTC engine; `ltcctl notifications set` changes what you receive.",
		"此邮件由 LTC 引擎发送；`ltcctl notifications set` 可更改通知设置。") + "\n")
	return Mail{
		To: p.Email, ToName: p.Name, Subject: "[LTC] " + fill.Replace(rule.Subject[lang]), Body: b.String(),
		MessageID: fmt.Sprintf("ltc-%d-%s@ltc.engine", e.Sequence, p.ID), EventSequence: e.Sequence, Recipient: p.ID, Language: lang,
	}
}

func label(lang, en, zh string) string {
	if lang == "zh-CN" {
		return zh
	}
	return en
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// Recipients are the people an event notifies by mail: its recipients (and, for what is overdue, their
// managers), without the person who made the change, each once; nil for an event type of no rule.
func (d Directory) Recipients(e store.RecordedEvent) []store.DirectoryPerson {
	rule, ok := Rules[e.Type]
	if !ok {
		return nil
	}
	people := d.Resolve(e.Recipients)
	if rule.Managers {
		var more []string
		for _, r := range e.Recipients {
			if id, ok := strings.CutPrefix(r, "user:"); ok {
				if m, ok := d.Manager(id); ok {
					more = append(more, "user:"+m.ID)
				}
			}
		}
		people = d.Resolve(append(append([]string{}, e.Recipients...), more...))
	}
	var out []store.DirectoryPerson
	for _, p := range people {
		if p.ID != e.Actor.ID {
			out = append(out, p)
		}
	}
	return out
}

// wantsMail reports whether the person is mailed about the event type.
func wantsMail(p store.DirectoryPerson, typ string) bool {
	pr := p.Prefs()
	return p.Email != "" && pr.Email && !containsString(pr.Muted, typ)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
