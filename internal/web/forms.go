package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// An action is a form of a page (the deal's, the account's): one call of the API that records something on the
// page's subject or moves it on. The page offers an action where the process has it (Offered); who may take it is
// the API's to say, and its refusal shows beside the form. A page's actions are made with forms, which names the
// path they post to.
type action[T subject] struct {
	// Key names the form: its element ids start with it and it posts to {page}/{id}/actions/{Key}.
	Key string
	// Title and Who are catalogue keys: the form's heading, and who takes it in the process.
	Title, Who string
	Fields     []field
	// Offered says whether the page offers the action on the subject as it stands (nil: always).
	Offered func(o T) bool
	// Defaults fills a new form from the subject (nil: empty).
	Defaults func(o T) url.Values
	// Choices gives the options of the fields that choose among the subject's own (its contacts), by field name.
	Choices func(o T) map[string][]option
	// Send makes the action's API call with the form's values and request id.
	Send func(ctx context.Context, s *Server, id, requestID string, v url.Values) error
	// page is the path of the subject's pages, "/deals/" or "/accounts/" (set by forms).
	page string
}

// A subject is what a page's actions act on: a deal or an account.
type subject interface{ GetId() string }

// forms are a page's actions, posting to the page at path (such as "/deals/").
func forms[T subject](path string, actions []action[T]) []action[T] {
	for i := range actions {
		actions[i].page = path
	}
	return actions
}

// draw draws a page's forms on the subject: the form of refusedKey as refused (its values, request id and the
// API's sentence), the others the page offers new.
func draw[T subject](actions []action[T], o T, refusedKey string, refused *actionForm) []actionView {
	var views []actionView
	for _, a := range actions {
		switch {
		case a.Key == refusedKey:
			views = append(views, a.view(o, refused))
		case a.offers(o):
			views = append(views, a.view(o, nil))
		}
	}
	return views
}

// offers says whether the page offers the action on the subject.
func (a action[T]) offers(o T) bool { return a.Offered == nil || a.Offered(o) }

// A field is an input of an action's form.
type field struct {
	// Name is the form's key; Label and Hint are catalogue keys.
	Name, Label, Hint string
	// Kind is "text", "email", "area", "number", "date", "datetime-local", "select", "check" or "checks" (a box for
	// each option, posting the values ticked).
	Kind    string
	Options []option
}

// An option of a select field: the value posted, and the catalogue key of its label; a Plain label (a contact's
// name, a number) shows as it is.
type option struct {
	Value, Label string
	Plain        bool
}

// enumOptions are the options of a select of enum values, labelled by their names (which the catalogue holds).
func enumOptions[E fmt.Stringer](values ...E) []option {
	opts := make([]option, len(values))
	for i, v := range values {
		opts[i] = option{Value: v.String(), Label: v.String()}
	}
	return opts
}

// actionForm is an action's form as drawn: its values and request id, and the API's sentence when refused.
type actionForm struct {
	RequestID string
	Values    url.Values
	Error     string
}

// actionView is an action with its form, as a page draws it.
type actionView struct {
	// Post is the path the form posts to.
	Post, Key, Title, Who string
	RequestID             string
	Fields                []fieldView
	Error                 string
	// Open draws the form unfolded: it was refused.
	Open bool
}

// fieldView is a field with its element id and current value (values, for "checks").
type fieldView struct {
	field
	ID, Value string
	Values    []string
}

// Chosen says whether the value is among the field's values: a ticked box of "checks".
func (f fieldView) Chosen(value string) bool { return slices.Contains(f.Values, value) }

// view draws the action's form: a refused one as posted, a new one from the subject's defaults.
func (a action[T]) view(o T, form *actionForm) actionView {
	if form == nil {
		form = &actionForm{RequestID: uuid.NewString()}
		if a.Defaults != nil {
			form.Values = a.Defaults(o)
		}
	}
	v := actionView{Post: a.page + url.PathEscape(o.GetId()) + "/actions/" + a.Key, Key: a.Key, Title: a.Title, Who: a.Who,
		RequestID: form.RequestID, Error: form.Error, Open: form.Error != ""}
	var choices map[string][]option
	if a.Choices != nil {
		choices = a.Choices(o)
	}
	for _, f := range a.Fields {
		if c, ok := choices[f.Name]; ok {
			f.Options = append(slices.Clip(f.Options), c...)
		}
		v.Fields = append(v.Fields, fieldView{field: f, ID: a.Key + "-" + f.Name, Value: form.Values.Get(f.Name), Values: form.Values[f.Name]})
	}
	return v
}

// money and currency fields, in pairs.
func moneyFields(name, label string) []field {
	return []field{{Name: name, Label: label, Kind: "text", Hint: "Amount, e.g. 2,400,000.00"},
		{Name: name + "_currency", Label: "Currency", Kind: "text", Hint: "ISO 4217 code, e.g. EUR"}}
}

// setMoney writes an amount into a form's values, as its money fields show it.
func setMoney(v url.Values, name string, m *ltcv1.Money) {
	if m == nil {
		return
	}
	v.Set(name, strings.TrimPrefix(money(m), m.CurrencyCode+" "))
	v.Set(name+"_currency", m.CurrencyCode)
}

// roleFields are one person field per team role: the member's user id.
func roleFields(prefix string) []field {
	fields := make([]field, len(teamRoles))
	for i, r := range teamRoles {
		fields[i] = field{Name: prefix + r.String(), Label: r.String(), Kind: "text", Hint: "User id"}
	}
	return fields
}

// teamValues fills the role fields from a team.
func teamValues(prefix string, team []*ltcv1.TeamMember) url.Values {
	v := url.Values{}
	for _, m := range team {
		v.Set(prefix+m.Role.String(), m.GetPerson().GetId())
	}
	return v
}

// members reads the role fields: a member for each role given a user id.
func members(prefix string, v url.Values) []*ltcv1.TeamMember {
	var out []*ltcv1.TeamMember
	for _, r := range teamRoles {
		if id := strings.TrimSpace(v.Get(prefix + r.String())); id != "" {
			out = append(out, &ltcv1.TeamMember{Person: &ltcv1.Person{Id: id}, Role: r})
		}
	}
	return out
}

// number reads a whole number; -1 when it is not one, so that the API says what it takes.
func number(s string) int32 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	if err != nil {
		return -1
	}
	return int32(n)
}

// percentage reads a percentage such as "31.5"; out of any range when it is not one, so that the API says what it
// takes.
func percentage(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 1000
	}
	return f
}

// moment reads a time written by a datetime-local input, in UTC; nil when it is not one.
func moment(s string) *timestamppb.Timestamp {
	t, err := time.Parse("2006-01-02T15:04", strings.TrimSpace(s))
	if err != nil {
		return nil
	}
	return timestamppb.New(t)
}

// enumValue reads a select of enum values.
func enumValue[E ~int32](names map[string]int32, s string) E { return E(names[s]) }

// ids reads a list of user ids separated by commas or spaces.
func ids(s string) []*ltcv1.Person {
	var people []*ltcv1.Person
	for _, id := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' }) {
		people = append(people, &ltcv1.Person{Id: id})
	}
	return people
}

func today() string { return time.Now().UTC().Format(time.DateOnly) }

// refusal is a form's refusal made by the page itself (as a confirmation not ticked), not by the API: a catalogue
// key, which the page says in its language.
type refusal string

func (r refusal) Error() string { return string(r) }

// post sends a page's action's form to the API. Success goes back to the page at the form; a refusal draws the page
// again (with redraw) with the form as posted (its request id too) and the API's sentence beside it. An action the
// page does not have is not found.
func post[T subject](s *Server, actions []action[T],
	redraw func(w http.ResponseWriter, r *http.Request, id Identity, code int, key string, form *actionForm)) func(http.ResponseWriter, *http.Request, Identity) {
	return func(w http.ResponseWriter, r *http.Request, id Identity) {
		i := slices.IndexFunc(actions, func(a action[T]) bool { return a.Key == r.PathValue("action") })
		if i < 0 {
			http.NotFound(w, r)
			return
		}
		a := actions[i]
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		form := actionForm{RequestID: r.PostForm.Get("request_id"), Values: r.PostForm}
		ctx, cancel := s.call(r, id)
		defer cancel()
		if err := a.Send(ctx, s, r.PathValue("id"), form.RequestID, r.PostForm); err != nil {
			if s.unauthenticated(w, r, err) {
				return
			}
			form.Error = sentence(err)
			if ours, ok := errors.AsType[refusal](err); ok {
				form.Error = printer(requestLanguage(r)).Sprintf(string(ours))
			}
			redraw(w, r, id, http.StatusUnprocessableEntity, a.Key, &form)
			return
		}
		http.Redirect(w, r, a.page+url.PathEscape(r.PathValue("id"))+"#action-"+a.Key, http.StatusSeeOther)
	}
}
