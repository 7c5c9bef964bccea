// Package ltc is the Lead-To-Cash domain: leads, deals, the people who work them and the rules that govern them.
// It is pure (no I/O, no clock, no Temporal) so that the workflows and the API apply the very same rules.
package ltc

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Money is an amount in the minor units of an ISO 4217 currency.
type Money struct {
	Currency    string `json:"currency"`
	AmountMinor int64  `json:"amount_minor"`
}

// MaxAmountMinor is the largest amount the engine takes, in minor units (api.md, Limits): ten trillion in major
// units of a two-digit currency, and far below where a sum of amounts could overflow a deal's arithmetic. The API
// declares the same bound on Money (TestMoneyBoundIsTheDomains).
const MaxAmountMinor = 1_000_000_000_000_000

// String formats money as "12345.67 CNY", "1000 JPY", "1.250 KWD": with the currency's minor digits (FormatAmount).
func (m Money) String() string {
	return FormatAmount(m.AmountMinor, m.Currency, false) + " " + m.Currency
}

// Date is a calendar date without a time zone.
type Date struct {
	Year  int `json:"year"`
	Month int `json:"month"`
	Day   int `json:"day"`
}

// The dates and times the engine takes lie in the years MinYear to MaxYear. A deal's dates (close, meetings,
// action items, bid, contract) and times (handover, report periods) are business dates of the present era; the
// bound keeps any two of them a time.Duration apart (about 292 years), so SLA and timer arithmetic cannot overflow,
// and within what PostgreSQL, JSON and google.type.Date hold.
const (
	MinYear = 1970
	MaxYear = 2199
)

// Valid reports whether the date exists in the calendar, in the years MinYear to MaxYear.
func (d Date) Valid() bool {
	t := time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
	return ValidTime(t) && t.Year() == d.Year && int(t.Month()) == d.Month && t.Day() == d.Day
}

// ValidTime reports whether t lies in the years MinYear to MaxYear (UTC).
func ValidTime(t time.Time) bool {
	y := t.UTC().Year()
	return y >= MinYear && y <= MaxYear
}

// TextProblem says what keeps s from being text the engine takes, or "": it must be valid UTF-8 without NUL or
// another control character but tab, line feed and carriage return. PostgreSQL cannot store NUL, and no text of a
// deal means a control character.
func TextProblem(s string) string {
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	for i, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return fmt.Sprintf("must not contain control character %U (at byte %d)", r, i)
		}
	}
	return ""
}

// CustomerGrade is the customer's grade (客户分级): S strategic, A partner, B, C.
type CustomerGrade string

// Customer grades.
const (
	GradeS CustomerGrade = "S"
	GradeA CustomerGrade = "A"
	GradeB CustomerGrade = "B"
	GradeC CustomerGrade = "C"
)

// Customer is the buying organisation, as a lead names it and the deal made from it keeps it: the account, and its
// name, grade, industry and region when the lead was created.
type Customer struct {
	// AccountID is the customer's account (leads and deals recorded before accounts got theirs from the read model).
	AccountID string        `json:"account_id,omitempty"`
	Name      string        `json:"name"`
	Grade     CustomerGrade `json:"grade"`
	Industry  string        `json:"industry,omitempty"`
	Region    string        `json:"region,omitempty"`
}

// Person names a user as their token identifies them.
type Person struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// SystemPerson is the actor of changes the engine makes by itself, such as SLA timers.
var SystemPerson = Person{ID: "system", Name: "LTC engine"}

// MoneyProblem says what keeps m from being an amount the engine takes, or "": an ISO 4217 currency code (three
// upper-case letters) and an amount from 0 to MaxAmountMinor.
func MoneyProblem(m Money) string {
	if len(m.Currency) != 3 || strings.ToUpper(m.Currency) != m.Currency ||
		strings.IndexFunc(m.Currency, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return fmt.Sprintf("needs an ISO 4217 currency code of three upper-case letters (not %q)", m.Currency)
	}
	if m.AmountMinor < 0 || m.AmountMinor > MaxAmountMinor {
		return fmt.Sprintf("must be an amount from 0 to %d minor units", MaxAmountMinor)
	}
	return ""
}
