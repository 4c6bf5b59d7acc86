package interp

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"sort"
	"strings"
)

// TypeOf returns the static type of the expression expr, as Go would
// give it: an interface-typed expression has its interface type, an
// untyped constant its default type. expr is evaluated, so it may call
// nothing (a call could change the program's state): for a call at its
// top, f(x) or v.M(x), only the function is evaluated and its result type
// given; a conversion T(x) of something that calls nothing is evaluated.
func (in *Interp) TypeOf(ctx context.Context, expr string) (string, error) {
	t, results, err := in.exprType(ctx, expr)
	if err != nil {
		return "", err
	}
	if results {
		return in.results(t), nil
	}
	return in.typeName(t), nil
}

// StaticType is TypeOf's type itself, for completion: a call's result,
// when the function has exactly one.
func (in *Interp) StaticType(ctx context.Context, expr string) (reflect.Type, error) {
	t, results, err := in.exprType(ctx, expr)
	if err != nil {
		return nil, err
	}
	if results {
		if t.NumOut() != 1 {
			return nil, fmt.Errorf("%s has %d results", expr, t.NumOut())
		}
		return t.Out(0), nil
	}
	return t, nil
}

// exprType is the type of expr, or with results true, the type of the
// function a call at expr's top calls.
func (in *Interp) exprType(ctx context.Context, expr string) (t reflect.Type, results bool, err error) {
	x, err := parser.ParseExpr(expr)
	if err != nil {
		return nil, false, fmt.Errorf("not an expression: %v", err)
	}
	if call, ok := ast.Unparen(x).(*ast.CallExpr); ok {
		if err := callsNothing(call.Fun, expr); err != nil {
			return nil, false, err
		}
		fun := expr[call.Fun.Pos()-1 : call.Fun.End()-1]
		t, err := in.staticType(ctx, fun)
		if err == nil && t.Kind() == reflect.Func {
			return t, true, nil
		}
		// Not a function value: a conversion, if it is one.
		for _, a := range call.Args {
			if err := callsNothing(a, expr); err != nil {
				return nil, false, err
			}
		}
		t, err2 := in.staticType(ctx, expr)
		if err2 != nil {
			if err != nil {
				return nil, false, err
			}
			return nil, false, err2
		}
		return t, false, nil
	}
	if err := callsNothing(x, expr); err != nil {
		return nil, false, err
	}
	t, err = in.staticType(ctx, expr)
	return t, false, err
}

// callsNothing refuses an expression with a call or a receive in it.
func callsNothing(x ast.Expr, src string) error {
	var bad ast.Node
	ast.Inspect(x, func(n ast.Node) bool {
		if bad != nil {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // not called here
		case *ast.CallExpr:
			bad = n
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				bad = n
			}
		}
		return bad == nil
	})
	if bad == nil {
		return nil
	}
	what := src[bad.Pos()-1 : bad.End()-1]
	return fmt.Errorf(":type evaluates nothing that could change the program: %s would run; give it a variable first (v := %s), then :type v", what, what)
}

// staticType evaluates expr into a variable of its own type and returns
// that type.
func (in *Interp) staticType(ctx context.Context, expr string) (reflect.Type, error) {
	_, vals, err := in.eval(ctx, "func() any { v := ("+expr+"); return &v }()")
	if err != nil {
		return nil, err
	}
	if len(vals) != 1 {
		return nil, errors.New("the expression has no value")
	}
	rv := reflect.ValueOf(vals[0])
	if rv.Kind() != reflect.Pointer {
		return nil, fmt.Errorf("internal error: %T", vals[0])
	}
	return rv.Type().Elem(), nil
}

// typeName names t as results name types: the session's types by name.
func (in *Interp) typeName(t reflect.Type) string {
	return (&printer{names: in.names}).typeString(t)
}

// results is the result list of the function type t, as :type says it.
func (in *Interp) results(t reflect.Type) string {
	switch t.NumOut() {
	case 0:
		return "no value: the function returns nothing"
	case 1:
		return in.typeName(t.Out(0))
	}
	parts := make([]string, t.NumOut())
	for i := range parts {
		parts[i] = in.typeName(t.Out(i))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// Methods evaluates expr and returns the method set of its value, one
// "Name(params) results" per method, sorted: for a value that is not a
// pointer, the methods of a pointer to it are listed too, marked as such.
// Methods of the session's own types are not visible to reflection in
// yaegi; for them the list says so.
func (in *Interp) Methods(ctx context.Context, expr string) ([]string, error) {
	_, vals, err := in.eval(ctx, expr)
	if err != nil {
		return nil, err
	}
	if len(vals) != 1 {
		return nil, errors.New(":methods takes one value")
	}
	v := reflect.ValueOf(vals[0])
	if !v.IsValid() {
		return nil, errors.New("nil has no methods")
	}
	t := v.Type()
	seen := map[string]bool{}
	var out []string
	add := func(t reflect.Type, note string) {
		for i := range t.NumMethod() {
			m := t.Method(i)
			if seen[m.Name] {
				continue
			}
			seen[m.Name] = true
			out = append(out, m.Name+in.signature(m.Type, t.Kind() != reflect.Interface)+note)
		}
	}
	add(t, "")
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		add(reflect.PointerTo(t), "  (on a pointer)")
	}
	sort.Strings(out)
	if len(out) == 0 {
		if in.names != nil && in.names.typeString(t) != t.String() {
			return nil, fmt.Errorf("%s is a type of this session: yaegi does not show its methods to reflection", in.typeName(t))
		}
		return nil, fmt.Errorf("%s has no methods", in.typeName(t))
	}
	return out, nil
}

// signature formats a method's type without its receiver.
func (in *Interp) signature(t reflect.Type, hasReceiver bool) string {
	var b strings.Builder
	b.WriteByte('(')
	first := 0
	if hasReceiver {
		first = 1
	}
	for i := first; i < t.NumIn(); i++ {
		if i > first {
			b.WriteString(", ")
		}
		if t.IsVariadic() && i == t.NumIn()-1 {
			b.WriteString("..." + in.typeName(t.In(i).Elem()))
			continue
		}
		b.WriteString(in.typeName(t.In(i)))
	}
	b.WriteByte(')')
	switch t.NumOut() {
	case 0:
	case 1:
		b.WriteString(" " + in.typeName(t.Out(0)))
	default:
		b.WriteString(" " + in.results(t))
	}
	return b.String()
}
