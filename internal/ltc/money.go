package ltc

import (
	"math"
	"strconv"
	"strings"
)

// The one way people's amounts are read and written: ParseAmount reads an amount as a person types it into minor
// units, FormatAmount and FormatTotal write minor units back as a person reads them. Both go by the currency's
// minor digits (MinorDigits: EUR 2, JPY 0, KWD 3) and are exact: no float, no rounding.

// ParseAmount reads an amount of currency as a person writes it in major units into Money, exactly: "1234",
// "1234.5" and "1,234.50" are 123450 minor units of EUR, "1,234" is 1234 of JPY and "1.25" is 1250 of KWD. The
// currency code may be lower case; the Money has it upper case.
//
// The amount is digits with an optional decimal point, which has digits on both sides ("0.5", not ".5" or "5.");
// no sign, exponent or spaces within. Commas may group the digits before the point by thousands, as the web
// workplace and FormatAmount's grouped form show amounts; they must then group all of them by three ("2,500,000",
// not "25,00,000", nor "1,5", which may be meant as one and a half). An amount has at most as many decimals as the
// currency has minor digits: the engine does not round, so "0.125" EUR and "1000.5" JPY are refused; further
// decimals are taken only when they are zeros ("1000.00" JPY is 1000, as an amount copied from a two-digit
// currency). Surrounding spaces are ignored.
//
// The amount must be money the engine takes (MoneyProblem): negative amounts and amounts beyond MaxAmountMinor
// minor units are refused, as is an unknown currency (MinorDigits). Refusals quote the text and name no field:
// the caller prefixes its own ("--value: ...", "value: ...").
func ParseAmount(text, currency string) (Money, error) {
	code := strings.ToUpper(strings.TrimSpace(currency))
	digits, err := MinorDigits(code)
	if err != nil {
		return Money{}, err
	}
	s := strings.TrimSpace(text)
	if strings.HasPrefix(s, "-") {
		return Money{}, Invalid("%q is negative; an amount is from 0 to %s %s", text, FormatAmount(MaxAmountMinor, code, false), code)
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	if strings.Contains(whole, ",") {
		groups := strings.Split(whole, ",")
		for i, g := range groups {
			if len(g) == 0 || len(g) > 3 || (i > 0 && len(g) != 3) {
				return Money{}, Invalid("%q groups its digits wrongly: commas separate thousands, as in %s", text, amountExample(code, digits))
			}
		}
		whole = strings.Join(groups, "")
	}
	if !allDigits(whole) || (hasPoint && !allDigits(frac)) {
		return Money{}, Invalid("%q is not an amount such as %s", text, amountExample(code, digits))
	}
	if len(frac) > digits {
		if strings.Trim(frac[digits:], "0") != "" {
			if digits == 0 {
				return Money{}, Invalid("%q has decimals, but an amount of %s has none (its minor unit is its major unit); the engine does not round", text, code)
			}
			return Money{}, Invalid("%q has %d decimals, but an amount of %s has at most %d; the engine does not round", text, len(frac), code, digits)
		}
		frac = frac[:digits]
	}
	frac += strings.Repeat("0", digits-len(frac))
	// Leading zeros do not count towards the size; past 19 digits ParseInt refuses, past MaxAmountMinor the check.
	n := strings.TrimLeft(whole+frac, "0")
	if n == "" {
		return Money{Currency: code}, nil
	}
	minor, err := strconv.ParseInt(n, 10, 64)
	if err != nil || minor > MaxAmountMinor {
		return Money{}, Invalid("%q is more than the largest amount, %s %s", text, FormatAmount(MaxAmountMinor, code, false), code)
	}
	return Money{Currency: code, AmountMinor: minor}, nil
}

// FormatAmount writes an amount of minor units of currency as a person reads it, with the currency's minor digits:
// 250000000 EUR is "2500000.00", 2500000 JPY is "2500000", 2500 KWD is "2.500"; grouped puts commas between the
// thousands ("2,500,000.00"), as ParseAmount reads them. A negative amount starts with a minus sign. An unknown
// currency code is written with two minor digits. The currency code itself is not written.
func FormatAmount(minor int64, currency string, grouped bool) string {
	return FormatTotal(strconv.FormatInt(minor, 10), currency, grouped)
}

// FormatTotal is FormatAmount for an exact sum of minor units written as a decimal integer (MoneyTotal's
// amount_minor), however large: "10000000000000000000000" EUR is "100000000000000000000.00". Text that is not a
// decimal integer is returned as it is; "" is zero.
func FormatTotal(minor string, currency string, grouped bool) string {
	digits, err := MinorDigits(currency)
	if err != nil {
		digits = 2
	}
	s, sign := minor, ""
	if strings.HasPrefix(s, "-") {
		s, sign = s[1:], "-"
	}
	if !allDigits(s) && s != "" {
		return minor
	}
	s = strings.TrimLeft(s, "0")
	if len(s) <= digits {
		s = strings.Repeat("0", digits+1-len(s)) + s
	}
	if strings.Trim(s, "0") == "" {
		sign = "" // no "-0.00"
	}
	whole, frac := s[:len(s)-digits], s[len(s)-digits:]
	if grouped {
		whole = groupThousands(whole)
	}
	if digits == 0 {
		return sign + whole
	}
	return sign + whole + "." + frac
}

// groupThousands puts commas between the thousands of a whole number's digits: "2500000" is "2,500,000".
func groupThousands(digits string) string {
	var grouped strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			grouped.WriteByte(',')
		}
		grouped.WriteRune(c)
	}
	return grouped.String()
}

// amountExample is an amount of two and a half million in the currency, as refusals show it: "2,500,000.00".
func amountExample(currency string, digits int) string {
	return FormatAmount(2_500_000*int64(math.Pow10(digits)), currency, true)
}

func allDigits(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}
