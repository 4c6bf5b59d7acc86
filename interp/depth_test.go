package interp

import (
	"context"
	"strings"
	"testing"
)

// An input nested too deep is refused as soon as it is parsed, before the
// resolver and the passes walk it (found by an attack: a chain of 99 000
// additions took 1.3 s of CPU before it was refused, in the resolver's
// and passes' walks and in asking the deepest node's position at each
// new depth, which walks down the chain: quadratic). The resolver would
// refuse this one too, for its second :=; the depth comes first.
func TestTooDeepInputIsRefusedFirst(t *testing.T) {
	f := newFixture(t, nil)
	for _, src := range []string{
		"x := 1; x := 2; y := 1" + strings.Repeat("+1", 3000),
		"func g() int { a := 1; a := 2; return 1" + strings.Repeat("+1", 3000) + " }",
	} {
		_, err := f.in.Eval(context.Background(), src)
		if err == nil || !strings.Contains(err.Error(), "nests more than 2000 levels deep") {
			t.Errorf("%.40s...: %v, want the depth refused", src, err)
		}
	}
}

// BenchmarkRefuseDeepInput measures the refusal of a chain of 99 000
// additions, about 200 KB typed or pasted.
func BenchmarkRefuseDeepInput(b *testing.B) {
	f := newFixture(b, nil)
	src := strings.Repeat("1+", 99000) + "1"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.in.Eval(context.Background(), src); err == nil {
			b.Fatal("accepted")
		}
	}
}
