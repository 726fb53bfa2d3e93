package lessons

import (
	"encoding/json"
	"html"
	"regexp"
	"strconv"

	"wsplay/core"
	"wsplay/site"
)

// The interface words of the lesson pages come from the playground's own
// catalog, site/static/words.json, which the page's JavaScript reads too:
// one home for every word, in every language, so a widget's no-JavaScript
// fallback rendered here and the live widget that replaces it say the same
// thing. Rule texts come from the core (core.Rule.TextIn); the core's field
// meanings are English only for now.

// catalog is words.json as read.
type catalog struct {
	Languages []struct {
		Code string `json:"code"`
		Name string `json:"name"`
		HTML string `json:"html"`
	} `json:"languages"`
	Words map[string]map[string]string `json:"words"`
}

// theCatalog is read once, at start-up: a catalog that does not parse is a
// build mistake, and the tests (which load the package) catch it first.
var theCatalog = func() *catalog {
	b, err := site.Files.ReadFile("static/words.json")
	if err != nil {
		panic("lessons: site/static/words.json is not embedded: " + err.Error())
	}
	var c catalog
	if err := json.Unmarshal(b, &c); err != nil {
		panic("lessons: site/static/words.json: " + err.Error())
	}
	if len(c.Languages) == 0 {
		panic("lessons: site/static/words.json lists no languages")
	}
	return &c
}()

// catalogLanguages lists the catalog's language codes, in its order.
func catalogLanguages() []string {
	var codes []string
	for _, l := range theCatalog.Languages {
		codes = append(codes, l.Code)
	}
	return codes
}

// languageName is a language's own name, for the switch.
func languageName(code string) string {
	for _, l := range theCatalog.Languages {
		if l.Code == code {
			return l.Name
		}
	}
	return code
}

var placeholder = regexp.MustCompile(`\{([\w-]+)\}`)

// words reads the catalog in one language.
type words struct{ lang string }

// wordsIn returns the words of lang; a word lang lacks is the first
// language's, as on the page (catalog.js).
func wordsIn(lang string) words { return words{lang} }

// entry is the text of key, with the .one form when n is "1" (see
// catalog.js's text). A missing key is returned as it is, so that a typo
// shows.
func (w words) entry(key string, args map[string]string) string {
	e, ok := theCatalog.Words[key]
	if one, has := theCatalog.Words[key+".one"]; has && args["n"] == "1" {
		e, ok = one, true
	}
	if !ok {
		return key
	}
	if s, ok := e[w.lang]; ok {
		return s
	}
	return e[theCatalog.Languages[0].Code]
}

// text is the plain text of key with {name} replaced by args[name].
func (w words) text(key string, args ...string) string {
	m := pairs(args)
	return fillIn(w.entry(key, m), m, func(s string) string { return s })
}

// html is key's text escaped for HTML, with each {name} replaced by
// htmlArgs[name], which is HTML already (a <code> or <q> element the caller
// built and escaped).
func (w words) html(key string, htmlArgs ...string) string {
	m := pairs(htmlArgs)
	return fillIn(w.entry(key, m), m, html.EscapeString)
}

func fillIn(s string, args map[string]string, esc func(string) string) string {
	out := ""
	last := 0
	for _, loc := range placeholder.FindAllStringSubmatchIndex(s, -1) {
		out += esc(s[last:loc[0]])
		if v, ok := args[s[loc[2]:loc[3]]]; ok {
			out += v
		} else {
			out += esc(s[loc[0]:loc[1]])
		}
		last = loc[1]
	}
	return out + esc(s[last:])
}

func pairs(kv []string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// role is "client" or "server" in the language.
func (w words) role(r core.Role) string {
	if r == core.Client {
		return w.text("role.client")
	}
	return w.text("role.server")
}

// has reports whether the catalog has key.
func has(key string) bool {
	_, ok := theCatalog.Words[key]
	return ok
}

// itoa is strconv.Itoa, short for the many numbers in the words' arguments.
func itoa(n int) string { return strconv.Itoa(n) }
