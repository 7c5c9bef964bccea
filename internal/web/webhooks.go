package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// webhooks is the subject of the webhooks page's forms: the webhooks the API lists.
type webhooks struct {
	List []*ltcv1.Webhook
}

// GetId names the webhooks page in its forms' path.
func (webhooks) GetId() string { return "webhooks" }

// webhooksView is the webhooks page: the receivers of events other systems registered, with the forms that
// register one and stop one; Secret is the new webhook's, shown once, right after it was registered.
type webhooksView struct {
	Webhooks []*ltcv1.Webhook
	Forms    []actionView
	Secret   string
}

// webhookActions are the webhooks page's forms. Registering one is answered by the page itself (its secret is
// shown once); stopping one goes back to the page.
var webhookActions = forms("/", []action[webhooks]{
	{Key: "create", Title: "Register a webhook", Who: "Admins, and systems with the write scope",
		Fields: []field{{Name: "url", Label: "Address", Kind: "text", Hint: "https (http on loopback only)"},
			{Name: "types", Label: "Event types", Kind: "text", Hint: "Separated by commas; none: every type"}},
		Send: func(ctx context.Context, s *Server, _, rid string, v url.Values) error {
			_, err := s.createWebhook(ctx, rid, v)
			return err
		}},
	{Key: "delete", Title: "Stop a webhook", Who: "Admins, and the system that registered it",
		Offered: func(w webhooks) bool { return len(w.List) > 0 },
		Fields:  []field{{Name: "webhook", Label: "Webhook", Kind: "select"}},
		Choices: func(w webhooks) map[string][]option {
			var opts []option
			for _, h := range w.List {
				opts = append(opts, option{Value: h.Id, Label: h.Url, Plain: true})
			}
			return map[string][]option{"webhook": opts}
		},
		Send: func(ctx context.Context, s *Server, _, rid string, v url.Values) error {
			_, err := s.people.DeleteWebhook(ctx, &ltcv1.DeleteWebhookRequest{RequestId: rid, WebhookId: v.Get("webhook")})
			return err
		}},
})

// createWebhook registers the webhook of the form's values.
func (s *Server) createWebhook(ctx context.Context, rid string, v url.Values) (*ltcv1.CreateWebhookResponse, error) {
	var types []string
	for t := range strings.SplitSeq(v.Get("types"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			types = append(types, t)
		}
	}
	return s.people.CreateWebhook(ctx, &ltcv1.CreateWebhookRequest{RequestId: rid, Url: strings.TrimSpace(v.Get("url")), EventTypes: types})
}

func (s *Server) webhookList(w http.ResponseWriter, r *http.Request, id Identity) {
	s.webhooksPage(w, r, id, http.StatusOK, "", nil, "")
}

// webhooksPage lists the webhooks (ListWebhooks, which only admins and systems may call) with the forms: the one
// of refusedKey as refused, the others new; secret, when set, is a new webhook's.
func (s *Server) webhooksPage(w http.ResponseWriter, r *http.Request, id Identity, code int, refusedKey string, refused *actionForm, secret string) {
	ctx, cancel := s.call(r, id)
	defer cancel()
	listed, err := s.people.ListWebhooks(ctx, &ltcv1.ListWebhooksRequest{})
	if err != nil {
		s.failed(w, r, err)
		return
	}
	subject := webhooks{List: listed.Webhooks}
	view := webhooksView{Webhooks: listed.Webhooks, Secret: secret}
	view.Forms = draw(webhookActions, subject, refusedKey, refused)
	s.render(w, r, code, "webhooks", "", view)
}

// postWebhooks serves the webhooks page's forms. A registered webhook's page shows its secret, once, rather than
// going back to the page.
func (s *Server) postWebhooks() http.Handler {
	redraw := func(w http.ResponseWriter, r *http.Request, id Identity, code int, key string, form *actionForm) {
		s.webhooksPage(w, r, id, code, key, form, "")
	}
	send := post(s, webhookActions, redraw)
	return s.person(func(w http.ResponseWriter, r *http.Request, id Identity) {
		r.SetPathValue("id", "webhooks")
		if r.PathValue("action") != "create" {
			send(w, r, id)
			return
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		ctx, cancel := s.call(r, id)
		defer cancel()
		created, err := s.createWebhook(ctx, r.PostForm.Get("request_id"), r.PostForm)
		if err != nil {
			if s.unauthenticated(w, r, err) {
				return
			}
			redraw(w, r, id, http.StatusUnprocessableEntity, "create",
				&actionForm{RequestID: r.PostForm.Get("request_id"), Values: r.PostForm, Error: sentence(err)})
			return
		}
		s.webhooksPage(w, r, id, http.StatusOK, "", nil, created.Secret)
	})
}
