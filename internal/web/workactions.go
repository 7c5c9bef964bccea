package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// work is the subject of My work's forms: the signed-in person, with the delegations in force they gave or
// received. Its forms post to /work/actions/{action}.
type work struct {
	Delegations []*ltcv1.Delegation
}

// GetId names My work in its forms' path.
func (work) GetId() string { return "work" }

// workActions are My work's forms: delegating one's decisions and reviews to a deputy while away, and ending a
// delegation.
var workActions = forms("/", []action[work]{
	{Key: "delegate", Title: "Delegate your decisions and reviews", Who: "Those who decide or review gates",
		Fields: []field{{Name: "deputy", Label: "Deputy", Kind: "text", Hint: "User id"},
			{Name: "end", Label: "Until (UTC)", Kind: "datetime-local"},
			{Name: "gates", Label: "Gates", Kind: "checks", Hint: "None ticked: every gate", Options: enumOptions(
				ltcv1.Gate_GATE_INITIATION, ltcv1.Gate_GATE_ATB, ltcv1.Gate_GATE_ATC)},
			{Name: "reason", Label: "Reason", Kind: "text"}},
		Defaults: func(work) url.Values {
			return url.Values{"end": {time.Now().UTC().AddDate(0, 0, 7).Truncate(time.Hour).Format("2006-01-02T15:04")}}
		},
		Send: func(ctx context.Context, s *Server, _, rid string, v url.Values) error {
			var gates []ltcv1.Gate
			for _, g := range v["gates"] {
				gates = append(gates, enumValue[ltcv1.Gate](ltcv1.Gate_value, g))
			}
			_, err := s.people.SetDelegation(ctx, &ltcv1.SetDelegationRequest{RequestId: rid,
				Deputy: &ltcv1.Person{Id: strings.TrimSpace(v.Get("deputy"))}, EndTime: moment(v.Get("end")),
				Gates: gates, Reason: v.Get("reason")})
			return err
		}},
	{Key: "notifications", Title: "Choose how you are notified", Who: "Everyone, for themselves",
		Fields: []field{{Name: "email", Label: "Mail me what waits for me", Kind: "check"},
			{Name: "daily_digest", Label: "In one mail a day", Kind: "check"},
			{Name: "language", Label: "Language of the mails", Kind: "select", Options: []option{{Value: "", Label: "As the directory says"},
				{Value: "en", Label: "English", Plain: true}, {Value: "zh-CN", Label: "中文", Plain: true}}},
			{Name: "muted", Label: "Event types not mailed", Kind: "text", Hint: "Separated by commas, e.g. weekly_report.submitted"}},
		Defaults: func(work) url.Values { return url.Values{"email": {"on"}} },
		Send: func(ctx context.Context, s *Server, _, rid string, v url.Values) error {
			var muted []string
			for t := range strings.SplitSeq(v.Get("muted"), ",") {
				if t = strings.TrimSpace(t); t != "" {
					muted = append(muted, t)
				}
			}
			_, err := s.people.SetNotificationPreferences(ctx, &ltcv1.SetNotificationPreferencesRequest{RequestId: rid,
				Preferences: &ltcv1.NotificationPreferences{Email: v.Get("email") != "", DailyDigest: v.Get("daily_digest") != "",
					Language: v.Get("language"), MutedEventTypes: muted}})
			return err
		}},
	{Key: "revoke", Title: "End a delegation", Who: "Its delegator",
		Offered: func(w work) bool { return len(w.Delegations) > 0 },
		Fields:  []field{{Name: "delegation", Label: "Delegation", Kind: "select"}},
		Choices: func(w work) map[string][]option {
			var opts []option
			for _, d := range w.Delegations {
				opts = append(opts, option{Value: d.Id, Plain: true,
					Label: who(d.Delegator) + " → " + who(d.Deputy) + " · " + when(d.EndTime)})
			}
			return map[string][]option{"delegation": opts}
		},
		Send: func(ctx context.Context, s *Server, _, rid string, v url.Values) error {
			_, err := s.people.RevokeDelegation(ctx, &ltcv1.RevokeDelegationRequest{RequestId: rid, DelegationId: v.Get("delegation")})
			return err
		}},
})

// postWork serves My work's forms; the page's path has no id of its own.
func (s *Server) postWork() http.Handler {
	send := post(s, workActions, func(w http.ResponseWriter, r *http.Request, id Identity, code int, key string, form *actionForm) {
		s.workPage(w, r, id, code, key, form)
	})
	return s.person(func(w http.ResponseWriter, r *http.Request, id Identity) {
		r.SetPathValue("id", "work")
		send(w, r, id)
	})
}
