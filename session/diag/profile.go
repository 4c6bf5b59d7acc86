package diag

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// This file reads just enough of the pprof protobuf format
// (github.com/google/pprof/proto/profile.proto) to print what
// `go tool pprof -top` prints, without a dependency.

// profileTop is a profile reduced to per-function totals of one sample
// value.
type profileTop struct {
	sampleType, unit string
	total            int64
	funcs            []funcTotal // by flat, largest first
}

type funcTotal struct {
	name      string
	flat, cum int64
}

var errBadProfile = errors.New("malformed profile")

// Field numbers of profile.proto.
const (
	pbProfileSampleType  = 1
	pbProfileSample      = 2
	pbProfileLocation    = 4
	pbProfileFunction    = 5
	pbProfileStringTable = 6
	pbProfileDefaultType = 14

	pbValueTypeType = 1
	pbValueTypeUnit = 2

	pbSampleLocation = 1
	pbSampleValue    = 2

	pbLocationID   = 1
	pbLocationLine = 4
	pbLineFunction = 1

	pbFunctionID   = 1
	pbFunctionName = 2
)

// pbWalk calls f for each field of a protobuf message: v for varints
// (and fixed-size values), data for length-delimited fields.
func pbWalk(b []byte, f func(field int, wire byte, v uint64, data []byte)) error {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return errBadProfile
		}
		b = b[n:]
		field, wire := int(key>>3), byte(key&7)
		switch wire {
		case 0:
			v, n := binary.Uvarint(b)
			if n <= 0 {
				return errBadProfile
			}
			b = b[n:]
			f(field, wire, v, nil)
		case 1:
			if len(b) < 8 {
				return errBadProfile
			}
			f(field, wire, binary.LittleEndian.Uint64(b), nil)
			b = b[8:]
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return errBadProfile
			}
			f(field, wire, 0, b[n:n+int(l)])
			b = b[n+int(l):]
		case 5:
			if len(b) < 4 {
				return errBadProfile
			}
			f(field, wire, uint64(binary.LittleEndian.Uint32(b)), nil)
			b = b[4:]
		default:
			return errBadProfile
		}
	}
	return nil
}

// pbUints appends a repeated integer field, packed or not.
func pbUints(dst []uint64, wire byte, v uint64, data []byte) []uint64 {
	if wire != 2 {
		return append(dst, v)
	}
	for len(data) > 0 {
		x, n := binary.Uvarint(data)
		if n <= 0 {
			return dst
		}
		dst = append(dst, x)
		data = data[n:]
	}
	return dst
}

// readProfileTop totals a gzipped profile per function, for the default
// sample type (the last one unless the profile names another, as pprof
// does).
func readProfileTop(gz []byte) (*profileTop, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}

	type sample struct{ locs, values []uint64 }
	var (
		strs        []string
		types       [][2]uint64 // string indexes of type and unit
		samples     []sample
		locFuncs    = map[uint64][]uint64{} // location id -> function ids, innermost first
		funcNames   = map[uint64]uint64{}   // function id -> string index
		defaultType uint64
		inner       error
	)
	err = pbWalk(raw, func(field int, wire byte, v uint64, data []byte) {
		switch field {
		case pbProfileStringTable:
			strs = append(strs, string(data))
		case pbProfileSampleType:
			var t [2]uint64
			inner = errors.Join(inner, pbWalk(data, func(f int, _ byte, v uint64, _ []byte) {
				if f == pbValueTypeType || f == pbValueTypeUnit {
					t[f-1] = v
				}
			}))
			types = append(types, t)
		case pbProfileSample:
			var s sample
			inner = errors.Join(inner, pbWalk(data, func(f int, w byte, v uint64, d []byte) {
				switch f {
				case pbSampleLocation:
					s.locs = pbUints(s.locs, w, v, d)
				case pbSampleValue:
					s.values = pbUints(s.values, w, v, d)
				}
			}))
			samples = append(samples, s)
		case pbProfileLocation:
			var id uint64
			var funcs []uint64
			inner = errors.Join(inner, pbWalk(data, func(f int, _ byte, v uint64, d []byte) {
				switch f {
				case pbLocationID:
					id = v
				case pbLocationLine:
					inner = errors.Join(inner, pbWalk(d, func(f int, _ byte, v uint64, _ []byte) {
						if f == pbLineFunction {
							funcs = append(funcs, v)
						}
					}))
				}
			}))
			locFuncs[id] = funcs
		case pbProfileFunction:
			var id, name uint64
			inner = errors.Join(inner, pbWalk(data, func(f int, _ byte, v uint64, _ []byte) {
				switch f {
				case pbFunctionID:
					id = v
				case pbFunctionName:
					name = v
				}
			}))
			funcNames[id] = name
		case pbProfileDefaultType:
			defaultType = v
		}
	})
	if err = errors.Join(err, inner); err != nil {
		return nil, err
	}
	str := func(i uint64) string {
		if i < uint64(len(strs)) {
			return strs[i]
		}
		return ""
	}
	if len(types) == 0 {
		return nil, errBadProfile
	}
	vi := len(types) - 1
	for i, t := range types {
		if defaultType != 0 && t[0] == defaultType {
			vi = i
		}
	}
	top := &profileTop{sampleType: str(types[vi][0]), unit: str(types[vi][1])}
	byName := map[string]*funcTotal{}
	get := func(name string) *funcTotal {
		t := byName[name]
		if t == nil {
			t = &funcTotal{name: name}
			byName[name] = t
		}
		return t
	}
	for _, s := range samples {
		if vi >= len(s.values) {
			continue
		}
		v := int64(s.values[vi])
		top.total += v
		// As pprof: a location without symbols (the threadcreate
		// profile has only those) counts as <unknown>.
		var names []string
		for _, loc := range s.locs {
			fns := locFuncs[loc]
			if len(fns) == 0 {
				names = append(names, "<unknown>")
			}
			for _, fn := range fns {
				names = append(names, cmp.Or(str(funcNames[fn]), "<unknown>"))
			}
		}
		if len(names) == 0 {
			names = []string{"<unknown>"}
		}
		get(names[0]).flat += v
		seen := map[string]bool{}
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				get(n).cum += v
			}
		}
	}
	for _, t := range byName {
		top.funcs = append(top.funcs, *t)
	}
	// sort.Slice, not slices.SortFunc: a generic sort of a struct type
	// costs the binary ~8 KiB per element type.
	sort.Slice(top.funcs, func(i, j int) bool {
		a, b := top.funcs[i], top.funcs[j]
		return cmp.Or(cmp.Compare(b.flat, a.flat), cmp.Compare(b.cum, a.cum), strings.Compare(a.name, b.name)) < 0
	})
	return top, nil
}

func (p *profileTop) value(v int64) string {
	switch p.unit {
	case "bytes":
		return fmtBytes(v)
	case "nanoseconds":
		return fmtDuration(time.Duration(v))
	}
	return fmt.Sprint(v)
}

const topFuncs = 20

// printProfileTop prints the functions with the most flat value, like
// go tool pprof -top.
func printProfileTop(c *Env, title string, gz []byte) int {
	p, err := readProfileTop(gz)
	if err != nil {
		fmt.Fprintf(c.Stderr, "reading the profile: %v\n", err)
		return 1
	}
	what := p.sampleType
	if p.unit == "count" {
		what = ""
	}
	fmt.Fprintf(c.Stdout, "%s: %s in total\n", title, strings.TrimSpace(p.value(p.total)+" "+what))
	if p.total == 0 {
		return 0
	}
	w := tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "flat\tflat%%\tcum\tcum%%\t\n")
	nameWidth := max(c.Width-45, 20)
	for i, f := range p.funcs {
		if i == topFuncs {
			break
		}
		if f.flat == 0 && f.cum == 0 {
			break
		}
		// The name goes after the last cell so that AlignRight leaves it
		// flush left.
		fmt.Fprintf(w, "%s\t%.1f%%\t%s\t%.1f%%\t  %s\n", p.value(f.flat), pct(f.flat, p.total),
			p.value(f.cum), pct(f.cum, p.total), cut(f.name, nameWidth))
	}
	w.Flush()
	if n := len(p.funcs) - topFuncs; n > 0 {
		fmt.Fprintf(c.Stdout, "(%d more functions)\n", n)
	}
	return 0
}

func pct(v, total int64) float64 { return 100 * float64(v) / float64(total) }
