package interp

import (
	"go/ast"
	"go/token"
	"reflect"
	"strconv"
)

// The depth guard (depthGuard) costs two calls of compiled functions per
// interpreted call, which yaegi makes through reflect: about 450 ns, more
// than the interpreted call itself (about 350 ns); a recursive function
// pays it at every level. Carrying the depth in a parameter instead costs
// nearly as much (yaegi allocates each argument). So a function that
// calls itself by name is unrolled: selfGroup-1 copies of it are declared,
// each calling the next where the function called itself, the last one
// calling the function again:
//
//	func fib(n int) int { ... fib(n-1) + fib(n-2) }
//
// becomes
//
//	func fib(n int) int { __mh.EnterGroup(); defer __mh.LeaveGroup(); ... __mh_u1_fib(n-1) + __mh_u1_fib(n-2) }
//	func __mh_u1_fib(n int) int { ... __mh_u2_fib(n-1) + __mh_u2_fib(n-2) }
//	...
//	func __mh_u7_fib(n int) int { ... fib(n-1) + fib(n-2) }
//
// Only fib is guarded, and it counts the selfGroup levels of the group it
// starts: the count is never below the depth, so the limit holds; it is
// above it by less than a group for each entry into fib from elsewhere
// (a recursion through another function, fib → g → fib, counts a group for
// each entry). Every other use of fib (a value, a goroutine, a call from a
// function literal) is of fib itself.

// selfGroup is the number of levels of a direct recursion counted at once.
const selfGroup = 8

// unrollSelfCalls unrolls the functions of f that call themselves by name
// (see above). It returns the bodies that count a group (guardGroup) and
// those that need no guard, and the declarations it added.
func (rw *rewriter) unrollSelfCalls(f *ast.File) (group, unguarded map[*ast.BlockStmt]bool, added []ast.Decl) {
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		calls := selfCalls(fd)
		if len(calls) == 0 || fd.Type.TypeParams != nil || tooBigToUnroll(fd.Body) || rw.mayCallBack(fd) {
			continue
		}
		if group == nil {
			group, unguarded = map[*ast.BlockStmt]bool{}, map[*ast.BlockStmt]bool{}
		}
		group[fd.Body] = true
		copies := make([]*ast.FuncDecl, selfGroup)
		seen := make([]map[any]any, selfGroup)
		copies[0] = fd
		for i := 1; i < selfGroup; i++ {
			seen[i] = map[any]any{}
			c := cloneAST(reflect.ValueOf(fd), seen[i]).Interface().(*ast.FuncDecl)
			// The copy's names resolve as the original's: the guards
			// that follow (make of a type of this input) tell types from
			// values by them.
			for orig, cp := range seen[i] {
				if id, ok := orig.(*ast.Ident); ok {
					rw.s.alias(cp.(*ast.Ident), id)
				}
			}
			c.Doc = nil
			c.Name = ident(helperName+"_u"+strconv.Itoa(i)+"_"+fd.Name.Name, fd.Name.Pos())
			copies[i] = c
			unguarded[c.Body] = true
			added = append(added, c)
			// A copy of a goroutine's closure needs its exit guard too.
			for _, lit := range rw.goClosures {
				if cl, ok := seen[i][lit].(*ast.FuncLit); ok {
					rw.goClosures = append(rw.goClosures, cl)
				}
			}
		}
		for i := range selfGroup {
			next := fd.Name.Name
			if i+1 < selfGroup {
				next = copies[i+1].Name.Name
			}
			for _, call := range calls {
				if i > 0 {
					call = seen[i][call].(*ast.CallExpr)
				}
				call.Fun = ident(next, call.Fun.Pos())
			}
		}
	}
	f.Decls = append(f.Decls, added...)
	return group, unguarded, added
}

// mayCallBack reports whether fd calls anything but itself, a builtin, a
// conversion to a basic type or a package's function: anything else (a
// session function, a method, a func value) may call fd again, and each
// such entry would count a whole group, so that a mutual recursion would
// overflow at a fraction of the limit.
func (rw *rewriter) mayCallBack(fd *ast.FuncDecl) bool {
	found := false
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok || found {
			return !found
		}
		switch f := ast.Unparen(c.Fun).(type) {
		case *ast.Ident:
			if f.Name == fd.Name.Name || rw.s.obj(f) == nil && (builtinFuncs[f.Name] || basicTypes[f.Name]) {
				return true
			}
		case *ast.SelectorExpr:
			if rw.isPackage(f.X) {
				return true
			}
		case *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.FuncType, *ast.InterfaceType, *ast.StructType, *ast.StarExpr:
			return true // a conversion
		}
		found = true
		return false
	})
	return found
}

// maxUnrolledNodes bounds the size of a function unrolled: yaegi compiles
// each of its selfGroup copies, and a large body spends more in its own
// work than in the guard of each call.
const maxUnrolledNodes = 2000

// tooBigToUnroll reports whether body has more than maxUnrolledNodes
// nodes.
func tooBigToUnroll(body *ast.BlockStmt) bool {
	n := 0
	ast.Inspect(body, func(ast.Node) bool {
		n++
		return n <= maxUnrolledNodes
	})
	return n > maxUnrolledNodes
}

// selfCalls returns the calls fd makes of itself by name, outside function
// literals; none if fd is not to be unrolled: a method, a generic
// function, a body without such calls, or one in which the name is used
// otherwise (as a value, or declared again).
func selfCalls(fd *ast.FuncDecl) []*ast.CallExpr {
	if fd.Recv != nil || fd.Body == nil || fd.Type.TypeParams != nil || fd.Name.Name == "init" || fd.Name.Name == "_" {
		return nil
	}
	name := fd.Name.Name
	for _, fl := range []*ast.FieldList{fd.Type.Params, fd.Type.Results} {
		if fl == nil {
			continue
		}
		for _, f := range fl.List {
			for _, id := range f.Names {
				if id.Name == name {
					return nil
				}
			}
		}
	}
	var calls []*ast.CallExpr
	funs := map[*ast.Ident]bool{}
	other := false
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if id, ok := n.Fun.(*ast.Ident); ok && id.Name == name {
				calls = append(calls, n)
				funs[id] = true
			}
		case *ast.Ident:
			if n.Name == name && !funs[n] {
				other = true
			}
		}
		return !other
	})
	if other {
		return nil
	}
	return calls
}

var (
	//lint:ignore SA1019 cloneAST skips go/parser's deprecated objects, which SkipObjectResolution leaves nil
	astObjectType = reflect.TypeFor[*ast.Object]()
	//lint:ignore SA1019 cloneAST skips go/parser's deprecated objects, which SkipObjectResolution leaves nil
	astScopeType = reflect.TypeFor[*ast.Scope]()
	astCommType  = reflect.TypeFor[*ast.CommentGroup]()
)

// cloneAST deeply copies the syntax tree v, recording in seen the copy of
// each node. The parser's objects and scopes, and comments, are shared.
func cloneAST(v reflect.Value, seen map[any]any) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || v.Type() == astObjectType || v.Type() == astScopeType || v.Type() == astCommType {
			return v
		}
		if c, ok := seen[v.Interface()]; ok {
			return reflect.ValueOf(c)
		}
		c := reflect.New(v.Type().Elem())
		seen[v.Interface()] = c.Interface()
		c.Elem().Set(cloneAST(v.Elem(), seen))
		return c
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		for i := range v.NumField() {
			c.Field(i).Set(cloneAST(v.Field(i), seen))
		}
		return c
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			c.Index(i).Set(cloneAST(v.Index(i), seen))
		}
		return c
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(cloneAST(v.Elem(), seen))
		return c
	}
	return v
}

// guardGroup is depthGuard for a function unrolled by unrollSelfCalls: it
// counts the group of levels it starts.
func guardGroup(pos token.Pos) []ast.Stmt {
	return []ast.Stmt{
		helperCall("EnterGroup", pos),
		&ast.DeferStmt{Defer: pos, Call: callExpr(helperFunc("LeaveGroup", pos), pos)},
	}
}
