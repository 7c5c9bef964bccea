// Package notify delivers the event log to people and systems (issue 19): a dispatcher follows the log by a cursor
// in PostgreSQL and enqueues, in the transaction that moves the cursor, one delivery per event and recipient (a
// person's mail, a webhook); senders drain that outbox with backoff, so an outage of the mail server or a receiver
// delays a notification and never loses it.
package notify

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
)

// Directory is the people, by id.
type Directory map[string]store.DirectoryPerson

// NewDirectory indexes people by id.
func NewDirectory(people []store.DirectoryPerson) Directory {
	d := Directory{}
	for _, p := range people {
		d[p.ID] = p
	}
	return d
}

// Resolve turns an event's recipients into people: "user:ID" is that person; "role:R@UNIT" the people of the role
// whose scope holds the unit (a sales manager's unit, an executive's scope, anyone else's unit); "authority:N@UNIT"
// the executives of authority N or more whose scope holds it; "function:F@UNIT" the reviewers of the function
// whose unit holds it. A group without a unit holds the whole company. The result is sorted by id, each once.
func (d Directory) Resolve(recipients []string) []store.DirectoryPerson {
	var ids []string
	for _, r := range recipients {
		ids = append(ids, d.resolve(r)...)
	}
	slices.Sort(ids)
	var out []store.DirectoryPerson
	for _, id := range slices.Compact(ids) {
		out = append(out, d[id])
	}
	return out
}

func (d Directory) resolve(recipient string) []string {
	kind, rest, _ := strings.Cut(recipient, ":")
	what, unitText, _ := strings.Cut(rest, "@")
	unit := ltc.Company
	if unitText != "" && unitText != "/" {
		unit = ltc.Unit(unitText)
	}
	if kind == "user" {
		if _, ok := d[rest]; ok {
			return []string{rest}
		}
		return nil
	}
	var ids []string
	for id, p := range d {
		a := p.Actor()
		var in bool
		switch kind {
		case "role":
			role := ltc.Role(what)
			switch {
			case !a.Has(role):
			case role == ltc.RoleSalesManager:
				in = a.Manages(unit)
			case role == ltc.RoleExecutive:
				in = a.ExecutiveOver(unit)
			default:
				in = a.Unit.Contains(unit)
			}
		case "authority":
			n, err := strconv.Atoi(what)
			in = err == nil && a.Authority >= n && a.ExecutiveOver(unit)
		case "function":
			in = a.Has(ltc.RoleReviewer) && slices.Contains(a.Functions, ltc.ReviewFunction(what)) && a.Unit.Contains(unit)
		}
		if in {
			ids = append(ids, id)
		}
	}
	return ids
}

// Manager is the person's manager in the directory, if they have one.
func (d Directory) Manager(id string) (store.DirectoryPerson, bool) {
	p, ok := d[id]
	if !ok || p.ManagerID == "" {
		return store.DirectoryPerson{}, false
	}
	m, ok := d[p.ManagerID]
	return m, ok
}

// filePerson is a person as the people file writes them: org is a unit path ("/" the company).
type filePerson struct {
	store.DirectoryPerson
	Org string `json:"org"`
}

// ReadPeopleFile reads a people file: a JSON array of {"id", "name", "email", "roles", "authority", "functions",
// "org", "manager", "language"}.
func ReadPeopleFile(path string) ([]store.DirectoryPerson, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw []filePerson
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("people file %s: %w", path, err)
	}
	var out []store.DirectoryPerson
	seen := map[string]bool{}
	for i, fp := range raw {
		p := fp.DirectoryPerson
		if err := CheckPerson(&p, fp.Org); err != nil {
			return nil, fmt.Errorf("people file %s, person %d (%s): %w", path, i+1, p.ID, err)
		}
		if seen[p.ID] {
			return nil, fmt.Errorf("people file %s: %s is there twice", path, p.ID)
		}
		seen[p.ID] = true
		out = append(out, p)
	}
	return out, nil
}

// CheckPerson checks a person of the directory and sets their unit from its path.
func CheckPerson(p *store.DirectoryPerson, org string) error {
	if p.ID == "" {
		return fmt.Errorf("id is required")
	}
	unit, err := ltc.ParseUnit(org)
	if err != nil {
		return err
	}
	p.Unit = unit
	for _, r := range p.Roles {
		if _, ok := ltc.ParseRole(string(r)); !ok {
			return fmt.Errorf("role %q is not one of the engine's", r)
		}
	}
	for _, f := range p.Functions {
		if _, ok := ltc.ParseReviewFunction(string(f)); !ok {
			return fmt.Errorf("review function %q is not one of the engine's", f)
		}
	}
	if p.Email != "" && !strings.Contains(p.Email, "@") {
		return fmt.Errorf("email %q is not an address", p.Email)
	}
	if !slices.Contains(Languages, p.Language) && p.Language != "" {
		return fmt.Errorf("language %q: want one of %s", p.Language, strings.Join(Languages, ", "))
	}
	return nil
}

// Languages are the languages of the mails.
var Languages = []string{"en", "zh-CN"}
