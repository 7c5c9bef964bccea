package web

import (
	"maps"
	"net/http"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// The languages of the workplace: English, and Simplified Chinese for the seeds' readers. The first is the
// fallback.
var languages = []language.Tag{language.English, language.SimplifiedChinese}

var matcher = language.NewMatcher(languages)

// langCookie holds the language a person chose; without it the browser's Accept-Language decides.
const langCookie = "ltc_lang"

// messages is the message catalogue: every string a page shows, by its English text (or, for the API's enum
// values, their name), in each language.
var messages = newCatalogue()

func newCatalogue() *catalog.Builder {
	maps.Copy(catalogue, signInMessages)
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for key, m := range catalogue {
		en := m.en
		if en == "" {
			en = key
		}
		if err := b.SetString(language.English, key, en); err != nil {
			panic(err)
		}
		if err := b.SetString(language.SimplifiedChinese, key, m.zh); err != nil {
			panic(err)
		}
	}
	return b
}

// requestLanguage returns the language of a request: the chosen one (cookie), else the best of Accept-Language.
func requestLanguage(r *http.Request) language.Tag {
	var tags []language.Tag
	if c, err := r.Cookie(langCookie); err == nil {
		if t, err := language.Parse(c.Value); err == nil {
			tags = append(tags, t)
		}
	}
	accepted, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	tags = append(tags, accepted...)
	_, i, _ := matcher.Match(tags...)
	return languages[i]
}

// printer prints the catalogue's messages in one language.
func printer(tag language.Tag) *message.Printer {
	return message.NewPrinter(tag, message.Catalog(messages))
}

// supported reports whether s names one of the workplace's languages exactly.
func supported(s string) bool {
	for _, t := range languages {
		if strings.EqualFold(t.String(), s) {
			return true
		}
	}
	return false
}
