package ltc

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// legalForms are the legal forms that may end a company's name, as words after NormaliseAccountName's folding:
// "Acme Co., Ltd." is the customer Acme. Dots are dropped before the words are split, so "S.A." is "sa".
var legalForms = []string{
	"ltd", "limited", "co", "coltd", "company", "corp", "corporation", "inc", "incorporated", "group", "plc", "llc",
	"llp", "lp", "gmbh", "ag", "kg", "se", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "oy", "ab", "as", "asa",
	"pte", "pty", "kk",
}

// legalSuffixes are the legal forms that end a name written without spaces (Chinese), longest first, so that
// 股份有限公司 goes whole before 公司 is looked for.
var legalSuffixes = []string{"股份有限公司", "有限责任公司", "有限責任公司", "有限公司", "集团", "集團", "公司"}

// NormaliseAccountName is the key under which two accounts' names are the same customer's: the name in Unicode
// compatibility form (NFKC: full-width letters are letters), case-folded (ß is ss), without spaces and
// punctuation, and without the legal forms that end it (Ltd, Co, GmbH, 有限公司, 集团, ...). A name that is nothing
// but a legal form keeps it. Two accounts of equal normalised name and region are the same customer.
func NormaliseAccountName(name string) string {
	words := normalWords(strings.NewReplacer(".", "", "'", "", "’", "").Replace(name))
	for len(words) > 0 {
		n := len(words)
		last := words[n-1]
		if n > 1 && slices.Contains(legalForms, last) {
			words = words[:n-1]
			continue
		}
		i := slices.IndexFunc(legalSuffixes, func(s string) bool { return strings.HasSuffix(last, s) })
		if i < 0 {
			break
		}
		if trimmed := strings.TrimSuffix(last, legalSuffixes[i]); trimmed != "" {
			words[n-1] = trimmed
		} else if n > 1 {
			words = words[:n-1]
		} else {
			break
		}
	}
	return strings.Join(words, "")
}

// NormaliseRegion is the key under which two accounts' regions are the same: the region in Unicode compatibility
// form, case-folded, without spaces and punctuation.
func NormaliseRegion(region string) string {
	return strings.Join(normalWords(region), "")
}

// normalWords are the words of s in NFKC, case-folded: the runs of letters, digits and combining marks.
func normalWords(s string) []string {
	folded := norm.NFKC.String(cases.Fold().String(norm.NFKC.String(s)))
	return strings.FieldsFunc(folded, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
}
