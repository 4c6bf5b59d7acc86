package interp

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gomanhole/manhole/interp/stdlib"
)

// hashCases are inputs using the hashes and net/url of the default set,
// each with the printed result the same code gives compiled.
func hashCases() map[string]string {
	q := strconv.Quote
	data := []byte("manhole")
	s256 := sha256.Sum256(data)
	s1 := sha1.Sum(data)
	m5 := md5.Sum(data)
	s512 := sha512.Sum512(data)
	f32 := fnv.New32a()
	f32.Write(data)
	f64 := fnv.New64()
	f64.Write(data)
	mac := hmac.New(sha256.New, []byte("key"))
	mac.Write(data)
	u, err := url.Parse("https://ann@example.com:8080/a%20b?q=1&q=2#frag")
	if err != nil {
		panic(err)
	}
	parsed := fmt.Sprint(u.Scheme, " ", u.User.Username(), " ", u.Hostname(), " ", u.Port(), " ", u.Path, " ", u.Query()["q"], " ", u.Fragment)
	return map[string]string{
		`s := sha256.Sum256([]byte("manhole")); hex.EncodeToString(s[:])`:                                      q(hex.EncodeToString(s256[:])),
		`s := sha1.Sum([]byte("manhole")); hex.EncodeToString(s[:])`:                                           q(hex.EncodeToString(s1[:])),
		`s := md5.Sum([]byte("manhole")); fmt.Sprintf("%x", s)`:                                                q(fmt.Sprintf("%x", m5)),
		`s := sha512.Sum512([]byte("manhole")); hex.EncodeToString(s[:])`:                                      q(hex.EncodeToString(s512[:])),
		`h := sha256.New(); h.Write([]byte("man")); h.Write([]byte("hole")); hex.EncodeToString(h.Sum(nil))`:   q(hex.EncodeToString(s256[:])),
		`var h hash.Hash = sha512.New(); h.Size()`:                                                             strconv.Itoa(sha512.Size),
		`fmt.Sprint(crc32.ChecksumIEEE([]byte("manhole")))`:                                                    q(fmt.Sprint(crc32.ChecksumIEEE(data))),
		`var h hash.Hash32 = fnv.New32a(); h.Write([]byte("manhole")); fmt.Sprint(h.Sum32())`:                  q(fmt.Sprint(f32.Sum32())),
		`h := fnv.New64(); h.Write([]byte("manhole")); fmt.Sprint(h.Sum64() % 16)`:                             q(fmt.Sprint(f64.Sum64() % 16)),
		`m := hmac.New(sha256.New, []byte("key")); m.Write([]byte("manhole")); hex.EncodeToString(m.Sum(nil))`: q(hex.EncodeToString(mac.Sum(nil))),
		`hmac.Equal([]byte("a"), []byte("a"))`:                                                                 "true",
		`b, err := hex.DecodeString("6d68"); fmt.Sprint(string(b), err)`:                                       `"mh<nil>"`,
		`u, err := url.Parse("https://ann@example.com:8080/a%20b?q=1&q=2#frag"); err == nil`:                   "true",
		`u, _ := url.Parse("https://ann@example.com:8080/a%20b?q=1&q=2#frag"); fmt.Sprint(u.Scheme, " ", u.User.Username(), " ", u.Hostname(), " ", u.Port(), " ", u.Path, " ", u.Query()["q"], " ", u.Fragment)`: q(parsed),
		`url.QueryEscape("a b&c")`:                           q(url.QueryEscape("a b&c")),
		`url.Values{"b": {"2"}, "a": {"1", "x y"}}.Encode()`: q(url.Values{"b": {"2"}, "a": {"1", "x y"}}.Encode()),
		`_, err := url.Parse("http://[::1"); err != nil`:     "true",
	}
}

// TestDefaultSetHashesAndURL runs the hashes, encoding/hex and net/url of
// the default set, imported automatically by their bare names.
func TestDefaultSetHashesAndURL(t *testing.T) {
	f := newFixture(t, nil)
	for src, want := range hashCases() {
		if got := f.value(t, src); got != want {
			t.Errorf("%s\n = %s\nwant %s", src, got, want)
		}
	}
}

// TestDefaultSetImportsByPath imports each added package by its path, in
// a fresh interpreter (so nothing was auto-imported before).
func TestDefaultSetImportsByPath(t *testing.T) {
	for path, src := range map[string]string{
		"crypto/sha256": "sha256.Size",
		"crypto/sha1":   "sha1.Size",
		"crypto/sha512": "sha512.Size384",
		"crypto/md5":    "md5.BlockSize",
		"crypto/hmac":   `len(hmac.New(sha1.New, nil).Sum(nil))`,
		"hash":          `var h hash.Hash64 = fnv.New64a(); h.Size()`,
		"hash/crc32":    "crc32.Size",
		"hash/fnv":      "fnv.New128().Size()",
		"net/url":       `url.PathEscape("a/b")`,
		"encoding/hex":  `hex.EncodedLen(3)`,
	} {
		f := newFixture(t, nil)
		if _, err := f.in.Eval(context.Background(), "import "+strconv.Quote(path)+"\n"+src); err != nil {
			t.Errorf("import %q; %s: %v", path, src, err)
		}
	}
}

// TestDefaultSetConcurrently hashes and parses in several interpreters at
// once, each also in goroutines of its own, while the host hashes too.
func TestDefaultSetConcurrently(t *testing.T) {
	cases := hashCases()
	stop := make(chan struct{})
	var busy sync.WaitGroup
	busy.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				sha256.Sum256([]byte("host"))
			}
		}
	})
	defer func() { close(stop); busy.Wait() }()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			f := newFixture(t, nil)
			for range 3 {
				for src, want := range cases {
					res, err := f.in.Eval(context.Background(), src)
					if err != nil || res.Value != want {
						t.Errorf("%s = %q, %v; want %s", src, res.Value, err, want)
					}
				}
			}
			src := `ch := make(chan string, 8)
for i := range 8 { go func() { s := sha256.Sum256([]byte(strconv.Itoa(i))); ch <- hex.EncodeToString(s[:4]) }() }
n := 0
for range 8 { if len(<-ch) == 8 { n++ } }
n`
			if res, err := f.in.Eval(context.Background(), src); err != nil || res.Value != "8" {
				t.Errorf("hashing in goroutines: %q, %v", res.Value, err)
			}
		})
	}
	wg.Wait()
}

// TestDefaultSetLeavesOut checks that the packages stdsyms/doc.go names
// as left out are neither importable nor imported by name.
func TestDefaultSetLeavesOut(t *testing.T) {
	f := newFixture(t, nil)
	for path, src := range map[string]string{
		"encoding/xml":  "xml.Header",
		"text/template": `template.HTMLEscapeString("<")`,
		"reflect":       "reflect.TypeOf(1)",
		"html/template": `template.HTMLEscapeString("<")`,
	} {
		_, err := f.in.Eval(context.Background(), "import "+strconv.Quote(path)+"\n"+src)
		if err == nil || !strings.Contains(err.Error(), "not available") {
			t.Errorf("import %q in the default set: %v", path, err)
		}
		if _, err := f.in.Eval(context.Background(), src); err == nil {
			t.Errorf("%s compiled with the default set", src)
		}
	}
}

// TestPackageNamesYieldToVariables: a session variable named like a
// package of the set is the variable.
func TestPackageNamesYieldToVariables(t *testing.T) {
	f := newFixture(t, nil)
	for src, want := range map[string]string{
		`url := "http://example.com/"; url + "x"`: `"http://example.com/x"`,
		`hash := 5; hash + 1`:                     "6",
	} {
		if got := f.value(t, src); got != want {
			t.Errorf("%s = %s, want %s", src, got, want)
		}
	}
	g := newFixture(t, map[string]any{"url": "from the app"})
	if got := g.value(t, "url"); got != `"from the app"` {
		t.Errorf("namespace url = %s", got)
	}
}

// TestPackageNamesWithFullStdlib: with the whole standard library, bare
// names still mean the packages people mean: template is text/template
// (not html/template), xml encoding/xml, url net/url; and the output of a
// template goes to the session.
func TestPackageNamesWithFullStdlib(t *testing.T) {
	stdout, stderr := &safeBuffer{}, &safeBuffer{}
	stats := &Stats{Requests: 3}
	in, err := New(Options{Symbols: NewSymbols(stdlib.Symbols), Stdout: stdout, Stderr: stderr,
		Namespace: map[string]any{"stats": stats}})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	eval := func(src string) string {
		t.Helper()
		res, err := in.Eval(context.Background(), src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		return res.Value
	}
	// html/template would escape the value: &lt;3&gt;.
	eval(`template.Must(template.New("").Parse("{{printf \"<%d>\" .Requests}}\n")).Execute(os.Stdout, stats)`)
	if got := stdout.String(); got != "<3>\n" {
		t.Errorf("template output = %q, want text/template's %q", got, "<3>\n")
	}
	want, err := xml.Marshal(stats)
	if err != nil {
		t.Fatal(err)
	}
	if got := eval(`b, _ := xml.Marshal(stats); string(b)`); got != strconv.Quote(string(want)) {
		t.Errorf("xml.Marshal(stats) = %s, want %q", got, want)
	}
	if got := eval(`u, _ := url.Parse("http://h/p"); u.Host`); got != `"h"` {
		t.Errorf("url.Parse: %s", got)
	}
	for src, want := range hashCases() {
		if got := eval(src); got != want {
			t.Errorf("full stdlib: %s = %s, want %s", src, got, want)
		}
	}
}

// TestReflectOnInterpretedValues pins what stdsyms/doc.go says of reflect,
// which is in the full standard library only: a namespace value is the
// host's value, with its Go type; a value of a type the session declared
// has yaegi's type, unnamed, without methods, its unexported fields
// renamed.
func TestReflectOnInterpretedValues(t *testing.T) {
	stats := &Stats{Requests: 3}
	in, err := New(Options{Symbols: NewSymbols(stdlib.Symbols), Namespace: map[string]any{"stats": stats, "store": &Store{m: map[string]string{}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	eval := func(src string) (string, error) {
		res, err := in.Eval(context.Background(), src)
		return res.Value, err
	}
	for _, c := range []struct{ src, want string }{
		{`reflect.TypeOf(stats).String()`, `"*interp.Stats"`},
		{`reflect.ValueOf(stats).Elem().Field(0).Int()`, "3"},
		{`reflect.ValueOf(stats).Elem().FieldByName("Errors").SetInt(7); stats.Errors`, "7"},
		{`type S struct{ A int; b string }`, ""},
		{`func (S) M() string { return "m" }`, ""},
		{`s := S{1, "z"}`, ""},
		{`reflect.TypeOf(s).Name()`, `""`},
		{`reflect.TypeOf(s).String()`, `"struct { A int; Xb string }"`},
		{`reflect.TypeOf(s).NumMethod()`, "0"},
		{`reflect.ValueOf(&s).MethodByName("M").IsValid()`, "false"},
		{`reflect.ValueOf(s).Field(1).String()`, `"z"`},
		{`reflect.DeepEqual(s, S{1, "z"})`, "true"},
		{`var i any = s`, ""},
		{`reflect.TypeOf(i).String()`, `"interp.valueInterface"`},
	} {
		got, err := eval(c.src)
		if err != nil || got != c.want {
			t.Errorf("%s = %s, %v; want %s", c.src, got, err, c.want)
		}
	}
	if stats.Errors != 7 {
		t.Errorf("Set through reflect did not reach the host: %d", stats.Errors)
	}
	if _, err := eval(`reflect.ValueOf(store).Elem().Field(1).Set(reflect.ValueOf(map[string]string{}))`); err == nil || !strings.Contains(err.Error(), "unexported field") {
		t.Errorf("Set of an unexported field: %v, want reflect's panic", err)
	}
}
