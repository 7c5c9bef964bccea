// Package web is the web workplace: the pages where executives decide gates and teams work their deals, in a
// browser. It is a client of the public gRPC API: every page is made from the calls other systems make, with the
// signed-in person's token, and every change is an API call whose refusal the page shows as the API's sentence.
// It holds no rule of its own. Pages are server-rendered from html/template; every asset is embedded; htmx
// enhances pages that work without JavaScript.
//
// Adding a page: a template in templates/ defining "title" and "content" (it gets a *Page: T and Enum translate,
// Data is the page's own), a handler wrapped in Server.person and routed in routes, an entry in sections when the
// navigation shows it, and its strings in the catalogue of messages.go (a test checks they are all there). A form
// carries a request_id made when the page is drawn; its handler calls the API once and, when refused, draws the
// page again with the form as posted and the API's sentence beside it. Pages' forms are actions (forms.go; the deal's
// in dealactions.go, the account's in accountactions.go, and My work's, the lead's, the decision's and the
// webhooks'): each says its fields, defaults and API call, draw makes a page's forms, the "action" template draws
// one folded in its <details>, and post sends it from {page}/{id}/actions/{key}. A chart is the "chart"
// template: an element whose data-chart attribute holds its figures as JSON, which static/charts.js draws (no
// inline script); the page gives the same figures as a table, for readers without JavaScript or a screen.
//
// static/htmx.min.js is htmx 2.0.11 from npm (htmx.org), under the licence in static/htmx.LICENSE;
// static/echarts.min.js is Apache ECharts 6.1.0 from npm (echarts), under the licence in static/echarts.LICENSE (and static/echarts.NOTICE),
// which static/charts.js (ours) loads on the pages that have charts.
package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

//go:embed templates static
var files embed.FS

// ContentSecurityPolicy is sent with every response: scripts, styles and everything else come from the
// workplace itself, with no inline script or style; forms post only to it, and no other site may frame it.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// Options configures the workplace.
type Options struct {
	// API is the connection to the engine's gRPC API.
	API grpc.ClientConnInterface
	// SignIn signs people in: OIDC with the company's identity provider, or DevSignIn under `ltcd dev`; nil offers
	// no sign-in, so nobody can.
	SignIn SignIn
	// SessionKey signs and encrypts session cookies (32+ bytes); empty makes a random key, so sessions end with
	// the process.
	SessionKey []byte
	// Secure marks cookies Secure: set it whenever the workplace is reached other than on loopback.
	Secure bool
	// Timeout bounds each API call of a page; 0 means 10 seconds.
	Timeout time.Duration
	Logger  *slog.Logger
}

// Server is the workplace's HTTP handler; the engine serves it on its own address.
type Server struct {
	leads     ltcv1.LeadServiceClient
	deals     ltcv1.OpportunityServiceClient
	decisions ltcv1.DecisionServiceClient
	accounts  ltcv1.AccountServiceClient
	reports   ltcv1.ReportServiceClient
	people    ltcv1.PeopleServiceClient
	reference ltcv1.ReferenceDataServiceClient
	contracts ltcv1.ContractServiceClient
	signIn    SignIn
	sessions  *sessions
	pages     map[string]*template.Template
	timeout   time.Duration
	log       *slog.Logger
	handler   http.Handler
	// cashReaders is whom the navigation shows the cash page.
	cashReaders cashReaders
}

// New builds the workplace.
func New(o Options) (*Server, error) {
	if o.API == nil {
		return nil, errors.New("web: no API connection")
	}
	sess, err := newSessions(o.SessionKey, o.Secure)
	if err != nil {
		return nil, err
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Server{
		leads: ltcv1.NewLeadServiceClient(o.API), deals: ltcv1.NewOpportunityServiceClient(o.API),
		decisions: ltcv1.NewDecisionServiceClient(o.API), accounts: ltcv1.NewAccountServiceClient(o.API),
		reports: ltcv1.NewReportServiceClient(o.API), people: ltcv1.NewPeopleServiceClient(o.API),
		reference: ltcv1.NewReferenceDataServiceClient(o.API), contracts: ltcv1.NewContractServiceClient(o.API),
		signIn: o.SignIn, sessions: sess, pages: pages, timeout: o.Timeout, log: o.Logger,
	}
	if s.timeout == 0 {
		s.timeout = 10 * time.Second
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.handler = s.routes()
	return s, nil
}

// ServeHTTP serves the workplace.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// A section is an entry of the navigation. Later pages add theirs here.
type section struct {
	Key, Path, Label string
	// only, when set, says whether the signed-in person is shown the entry: the pages of some people only.
	only func(s *Server, r *http.Request, id Identity) bool
}

var sections = []section{
	{"work", "/work", "My work", nil},
	{"deals", "/deals", "Deals", nil},
	{"leads", "/leads", "Leads", nil},
	{"pipeline", "/pipeline", "Pipeline", nil},
	{"forecast", "/forecast", "Forecast", nil},
	{"cash", "/cash", "Cash", (*Server).mayReadCash},
	{"accounts", "/accounts", "Accounts", nil},
	{"reference", "/reference", "Prices and rates", nil},
}

// routes wires the pages, behind the security every response gets.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(files, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheFor(time.Hour, http.FileServerFS(static))))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/work", http.StatusSeeOther)
	})
	if s.signIn != nil {
		mux.Handle("/signin/", s.signIn.Handler(ui{s}))
	} else {
		mux.HandleFunc("GET /signin/{$}", func(w http.ResponseWriter, r *http.Request) {
			s.render(w, r, http.StatusOK, "signin", "", nil)
		})
	}
	mux.HandleFunc("POST /signout", func(w http.ResponseWriter, r *http.Request) {
		next := "/signin/"
		if p, ok := s.signIn.(ProviderSignOut); ok {
			if id, signedIn := s.sessions.identity(r); signedIn {
				if u := p.SignOutURL(id); u != "" {
					next = u
				}
			}
		}
		s.sessions.end(w)
		http.Redirect(w, r, next, http.StatusSeeOther)
	})
	mux.HandleFunc("POST /lang", s.chooseLanguage)
	mux.Handle("GET /work", s.person(s.myWork))
	mux.Handle("POST /work/actions/{action}", s.postWork())
	mux.Handle("GET /contracts/{id}", s.person(s.contract))
	mux.Handle("POST /contracts/{id}/actions/{action}", s.person(post(s, contractPageActions, s.contractPage)))
	mux.Handle("GET /reference", s.person(s.referenceList))
	mux.Handle("POST /reference/actions/{action}", s.person(func(w http.ResponseWriter, r *http.Request, id Identity) {
		r.SetPathValue("id", "reference")
		post(s, referenceActions, func(w http.ResponseWriter, r *http.Request, id Identity, code int, key string, form *actionForm) {
			s.referencePage(w, r, id, code, key, form)
		})(w, r, id)
	}))
	mux.Handle("GET /webhooks", s.person(s.webhookList))
	mux.Handle("POST /webhooks/actions/{action}", s.postWebhooks())
	mux.Handle("GET /decisions/{id}", s.person(s.decision))
	mux.Handle("POST /decisions/{id}/decide", s.person(s.decide))
	mux.Handle("POST /decisions/{id}/review", s.person(s.review))
	mux.Handle("POST /decisions/{id}/actions/{action}", s.person(post(s, decisionActions,
		func(w http.ResponseWriter, r *http.Request, id Identity, code int, key string, form *actionForm) {
			s.decisionPageWith(w, r, id, code, decideForm{Verdict: ltcv1.Verdict_VERDICT_APPROVE.String()}, reviewForm{}, key, form)
		})))
	mux.Handle("GET /deals", s.person(s.dealList))
	mux.Handle("GET /deals/{id}", s.person(s.deal))
	mux.Handle("POST /deals/{id}/actions/{action}", s.person(post(s, dealActions, s.dealPage)))
	mux.Handle("GET /leads", s.person(s.leadList))
	mux.Handle("POST /leads", s.person(s.createLead))
	mux.Handle("GET /leads/{id}", s.person(s.lead))
	mux.Handle("POST /leads/{id}/qualify", s.person(s.qualify))
	mux.Handle("POST /leads/{id}/disqualify", s.person(s.disqualify))
	mux.Handle("POST /leads/{id}/actions/{action}", s.person(post(s, leadActions,
		func(w http.ResponseWriter, r *http.Request, id Identity, code int, key string, form *actionForm) {
			s.leadPage(w, r, id, code, qualifyForm{}, disqualifyForm{}, key, form)
		})))
	mux.Handle("GET /accounts", s.person(s.accountList))
	mux.Handle("GET /accounts/{id}", s.person(s.account))
	mux.Handle("POST /accounts/{id}/actions/{action}", s.person(post(s, accountActions, s.accountPage)))
	mux.Handle("GET /pipeline", s.person(s.pipeline))
	mux.Handle("GET /forecast", s.person(s.forecast))
	mux.Handle("GET /cash", s.person(s.cash))
	return secure(http.NewCrossOriginProtection().Handler(mux))
}

// secure adds the security headers to every response.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

func cacheFor(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(d/time.Second)))
		next.ServeHTTP(w, r)
	})
}

// renewBefore is how long before its token expires a session renews it (when its sign-in is a Renewer).
const renewBefore = time.Minute

// person serves a page for the signed-in person, and sends everyone else to the sign-in. A session whose token
// is about to expire renews it first; when that fails the page goes on with the token it has, which the API
// accepts until it expires (then the person signs in again).
func (s *Server) person(page func(http.ResponseWriter, *http.Request, Identity)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.sessions.identity(r)
		if !ok {
			http.Redirect(w, r, "/signin/", http.StatusSeeOther)
			return
		}
		if renewer, can := s.signIn.(Renewer); can && id.Refresh != "" && time.Until(id.Expiry) < renewBefore {
			ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
			renewed, err := renewer.Renew(ctx, id)
			cancel()
			if err == nil {
				err = s.sessions.start(w, renewed)
				id = renewed
			}
			if err != nil {
				s.log.Warn("web: renew the session's token", "err", err)
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		page(w, r, id)
	})
}

// call returns the context of an API call made for id: their token and the call's deadline.
func (s *Server) call(r *http.Request, id Identity) (context.Context, context.CancelFunc) {
	ctx := metadata.AppendToOutgoingContext(r.Context(), "authorization", "Bearer "+id.Token)
	return context.WithTimeout(ctx, s.timeout)
}

// failed shows a page the API refused: its sentence, with the status that fits. A token the API no longer
// accepts ends the session.
func (s *Server) failed(w http.ResponseWriter, r *http.Request, err error) {
	st := status.Convert(err)
	code := http.StatusBadGateway
	switch st.Code() {
	case codes.Unauthenticated:
		s.sessions.end(w)
		http.Redirect(w, r, "/signin/", http.StatusSeeOther)
		return
	case codes.NotFound:
		code = http.StatusNotFound
	case codes.PermissionDenied:
		code = http.StatusForbidden
	case codes.InvalidArgument:
		code = http.StatusBadRequest
	case codes.Unavailable, codes.DeadlineExceeded:
		code = http.StatusServiceUnavailable
	}
	if code == http.StatusBadGateway {
		s.log.Warn("web: API call failed", "path", r.URL.Path, "code", st.Code().String(), "message", st.Message())
	}
	s.render(w, r, code, "error", "", st.Message())
}

// sentence is the API's sentence of a refusal: the gRPC status message.
func sentence(err error) string { return status.Convert(err).Message() }

// unauthenticated reports whether err says the token is no longer accepted; it then ends the session and sends
// the browser to the sign-in.
func (s *Server) unauthenticated(w http.ResponseWriter, r *http.Request, err error) bool {
	if status.Code(err) != codes.Unauthenticated {
		return false
	}
	s.failed(w, r, err)
	return true
}

// chooseLanguage keeps the chosen language in a cookie and goes back to the page it was chosen on.
func (s *Server) chooseLanguage(w http.ResponseWriter, r *http.Request) {
	if lang := r.PostFormValue("lang"); supported(lang) {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.sessions.secure})
	}
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.HasPrefix(back, "/\\") {
		back = "/work"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// Page is what every template gets: the page's own data and the layout's.
type Page struct {
	Lang language.Tag
	// Person is the signed-in person's name; empty when nobody is signed in.
	Person string
	// Section is the key of the navigation's current entry.
	Section  string
	Sections []section
	// Path is the page's path and query, where a language switch returns to.
	Path string
	Data any
	p    *message.Printer
}

// T returns the catalogue's message for key in the page's language, formatted with args.
func (p *Page) T(key string, args ...any) string { return p.p.Sprintf(key, args...) }

// Enum names a value of the API's enums (a stage, a gate, a verdict...) in the page's language.
func (p *Page) Enum(v fmt.Stringer) string { return p.p.Sprintf(v.String()) }

// StageName names a stage or lead state as the event log records it ("PURSUIT", "NEW") in the page's language.
func (p *Page) StageName(name string) string {
	if v, ok := ltcv1.Stage_value["STAGE_"+name]; ok {
		return p.Enum(ltcv1.Stage(v))
	}
	if v, ok := ltcv1.LeadState_value["LEAD_STATE_"+name]; ok {
		return p.Enum(ltcv1.LeadState(v))
	}
	return name
}

// Sub is the page with other data, for a partial template.
func (p *Page) Sub(data any) *Page {
	sub := *p
	sub.Data = data
	return &sub
}

// Other is the language a switch offers: the one the page is not in.
func (p *Page) Other() language.Tag {
	if p.Lang == languages[0] {
		return languages[1]
	}
	return languages[0]
}

// render draws the template name in the layout, in the request's language.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name, sectionKey string, data any) {
	lang := requestLanguage(r)
	back := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		back = r.URL.Path // the page the form was on: /leads for /leads, /decisions/ID for /decisions/ID/decide,
		// /accounts/ID for /accounts/ID/actions/grade
		if page, _, ok := strings.Cut(back, "/actions/"); ok {
			back = page
		} else if strings.Count(back, "/") > 2 {
			back = path.Dir(back)
		}
	}
	page := &Page{Lang: lang, Section: sectionKey, Sections: sections, Path: back, Data: data, p: printer(lang)}
	if id, ok := s.sessions.identity(r); ok {
		page.Person = id.Name
		page.Sections = nil
		for _, sec := range sections {
			if sec.only == nil || sec.only(s, r, id) {
				page.Sections = append(page.Sections, sec)
			}
		}
	}
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", page); err != nil {
		s.log.Error("web: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", lang.String())
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// ui is the workplace as a sign-in sees it.
type ui struct{ s *Server }

func (u ui) Render(w http.ResponseWriter, r *http.Request, code int, name string, data any) {
	u.s.render(w, r, code, name, "", data)
}

func (u ui) Start(w http.ResponseWriter, r *http.Request, id Identity) {
	if err := u.s.sessions.start(w, id); err != nil {
		u.s.log.Error("web: start session", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, "/work", http.StatusSeeOther)
}

func (u ui) Hold(w http.ResponseWriter, v any) error { return u.s.sessions.hold(w, v) }

func (u ui) Take(w http.ResponseWriter, r *http.Request, v any) bool {
	return u.s.sessions.take(w, r, v)
}

// parsePages parses each page of templates/ with the layout.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/partials.html", n)
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}
