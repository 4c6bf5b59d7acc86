package interp

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"strings"
)

// groupKind says how a run of input is handed to yaegi. yaegi compiles
// either a file (declarations) or a block (statements, evaluated in the
// global scope), never a mix, so an input like
// `var m = map[string]int{}; m["a"] = 1; m` is cut into groups that are
// compiled and run one after the other.
type groupKind int

const (
	stmtGroup   groupKind = iota // statements, run as a block in the global scope
	declGroup                    // func, method, type, var and const declarations
	importGroup                  // import declarations
	exprGroup                    // the trailing expression whose value is printed
)

// group is one compilable piece of the user's input, already parsed.
type group struct {
	kind  groupKind
	file  *ast.File  // declGroup, importGroup
	stmts []ast.Stmt // stmtGroup, exprGroup
	src   string     // the text given to the parser, for replay (see recycle.go)
	res   resolution // the input's names (see scope.go), shared by its groups
}

// srcFile is the file name yaegi strips from its error positions, so
// messages read "2:5: undefined: x" like the user's own input.
const srcFile = "_.go"

// unit is a top-level statement or declaration: the tokens between two
// semicolons (written or inserted at a newline) outside any brackets.
type unit struct {
	kind       groupKind
	start, end int
}

// splitUnits cuts src into top-level units. Scanner errors are ignored here:
// the parser reports them with better messages when the groups are parsed.
func splitUnits(src string) []unit {
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(src))
	var s scanner.Scanner
	s.Init(file, []byte(src), func(token.Position, string) {}, 0)

	var (
		units []unit
		depth int
		start = -1
		toks  []token.Token // tokens of the current unit, to classify a leading func
	)
	flush := func(end int) {
		if start >= 0 {
			units = append(units, unit{kind: classify(toks), start: start, end: end})
		}
		start, toks = -1, toks[:0]
	}
	for {
		pos, tok, _ := s.Scan()
		if tok == token.EOF {
			break
		}
		off := file.Offset(pos)
		if tok == token.SEMICOLON && depth == 0 {
			flush(off)
			continue
		}
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth > 0 {
				depth--
			}
		}
		if start < 0 {
			start = off
		}
		if len(toks) < 64 {
			toks = append(toks, tok)
		}
	}
	flush(len(src))
	return units
}

// classify tells a declaration from a statement by its first tokens, the way
// yaegi's own REPL does, except that a leading "func" is a declaration only
// when it is followed by a name or by a receiver and a name: `func() {...}()`
// is a statement.
func classify(toks []token.Token) groupKind {
	if len(toks) == 0 {
		return stmtGroup
	}
	switch toks[0] {
	case token.IMPORT:
		return importGroup
	case token.TYPE, token.VAR, token.CONST:
		return declGroup
	case token.FUNC:
		if len(toks) > 1 && toks[1] == token.IDENT {
			return declGroup
		}
		if len(toks) > 1 && toks[1] == token.LPAREN {
			depth := 0
			for i := 1; i < len(toks); i++ {
				switch toks[i] {
				case token.LPAREN:
					depth++
				case token.RPAREN:
					depth--
				}
				if depth == 0 {
					if i+2 < len(toks) && toks[i+1] == token.IDENT && toks[i+2] == token.LPAREN {
						return declGroup
					}
					return stmtGroup
				}
			}
		}
	}
	return stmtGroup
}

// parseInput parses the whole input into groups before anything runs, so a
// syntax error anywhere is reported without executing the lines before it.
func parseInput(fset *token.FileSet, src string) ([]group, error) {
	units := splitUnits(src)
	var groups []group
	res := resolution{}
	for i := 0; i < len(units); {
		j := i + 1
		for j < len(units) && units[j].kind == units[i].kind {
			j++
		}
		start, end := units[i].start, len(src)
		if j < len(units) {
			end = units[j].start
		}
		g, err := parseGroup(fset, src, units[i].kind, start, end, res)
		if err != nil {
			return nil, err
		}
		for _, gr := range g {
			if err := checkReserved(fset, gr); err != nil {
				return nil, err
			}
		}
		groups = append(groups, g...)
		i = j
	}
	return groups, nil
}

// parseGroup parses src[start:end] into yaegi's file set. The text before
// start is blanked (newlines kept) and a /*line*/ directive resets the
// position, so every position yaegi or the parser reports is the line and
// column in what the user typed, not in the wrapper built around it.
func parseGroup(fset *token.FileSet, src string, kind groupKind, start, end int, res resolution) ([]group, error) {
	var b strings.Builder
	if kind == stmtGroup {
		b.WriteString("package main; func _() {")
	} else {
		b.WriteString("package main;")
	}
	b.WriteString("/*line " + srcFile + ":1:1*/")
	for i := 0; i < start; i++ {
		if src[i] == '\n' {
			b.WriteByte('\n')
		} else {
			b.WriteByte(' ')
		}
	}
	b.WriteString(src[start:end])
	if kind == stmtGroup {
		b.WriteString("\n}")
	}
	text := b.String()
	f, err := parser.ParseFile(fset, srcFile, text, parser.SkipObjectResolution)
	if err == nil {
		// Before any pass walks it (runGroup checks the groups again).
		if err := checkDepth(fset, f); err != nil {
			return nil, err
		}
		err = resolve(fset, f, res)
	}
	if err != nil {
		return nil, syntaxError(err, src)
	}
	if kind != stmtGroup {
		return []group{{kind: kind, file: f, src: text, res: res}}, nil
	}
	fn, ok := f.Decls[0].(*ast.FuncDecl)
	if !ok || len(f.Decls) != 1 || fn.Body == nil {
		// A stray closing brace can end the wrapper early and leave more
		// declarations behind it.
		return nil, errors.New("syntax error: unbalanced braces")
	}
	stmts := fn.Body.List
	var groups []group
	// The trailing expression is compiled on its own so its value can be
	// captured without the statements before it being compiled twice.
	if n := len(stmts); n > 0 {
		if _, ok := stmts[n-1].(*ast.ExprStmt); ok {
			if n > 1 {
				groups = append(groups, group{kind: stmtGroup, stmts: stmts[:n-1], src: text, res: res})
			}
			return append(groups, group{kind: exprGroup, stmts: stmts[n-1:], src: text, res: res}), nil
		}
	}
	if len(stmts) == 0 {
		return nil, nil
	}
	return append(groups, group{kind: stmtGroup, stmts: stmts, src: text, res: res}), nil
}

// Incomplete reports whether src needs more input before it can be
// evaluated: an open brace, parenthesis or bracket, an unterminated raw
// string or block comment, or a trailing binary operator, comma, dot or
// similar token that cannot end a statement. It is false for complete input
// and for input whose syntax error no further line can fix (an unmatched
// closing bracket, an unterminated interpreted string), so that the error is
// reported instead of waiting for more lines.
func Incomplete(src string) bool {
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(src))
	var (
		s      scanner.Scanner
		open   bool // an unterminated raw string or block comment
		broken bool // any other scanning error
		stack  []token.Token
		last   = token.ILLEGAL
	)
	s.Init(file, []byte(src), func(_ token.Position, msg string) {
		if msg == "raw string literal not terminated" || msg == "comment not terminated" {
			open = true
		} else {
			broken = true
		}
	}, 0)
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			stack = append(stack, tok)
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if len(stack) == 0 || stack[len(stack)-1] != opener(tok) {
				return false
			}
			stack = stack[:len(stack)-1]
		}
		// A semicolon inserted at a newline or at the end of input says
		// nothing about completeness; the token before it does.
		if tok == token.SEMICOLON && lit == "\n" {
			continue
		}
		last = tok
	}
	if broken {
		return false
	}
	if open || len(stack) > 0 {
		return true
	}
	return continues(last)
}

func opener(closer token.Token) token.Token {
	switch closer {
	case token.RPAREN:
		return token.LPAREN
	case token.RBRACK:
		return token.LBRACK
	}
	return token.LBRACE
}

// continues reports whether a statement cannot end with tok, so that the
// next line must continue it.
func continues(tok token.Token) bool {
	switch tok {
	case token.INC, token.DEC:
		return false
	case token.COMMA, token.PERIOD, token.COLON, token.DEFINE, token.ARROW, token.ELSE:
		return true
	}
	return tok.IsOperator() && tok != token.RPAREN && tok != token.RBRACK &&
		tok != token.RBRACE && tok != token.SEMICOLON && tok != token.ELLIPSIS
}

// checkReserved rejects identifiers with the prefix of manhole's helpers:
// declaring one would break every later evaluation of the session.
func checkReserved(fset *token.FileSet, g group) error {
	var bad *ast.Ident
	visit := func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && bad == nil && strings.HasPrefix(id.Name, helperName) {
			bad = id
		}
		return bad == nil
	}
	if g.file != nil {
		ast.Inspect(g.file, visit)
	}
	for _, s := range g.stmts {
		ast.Inspect(s, visit)
	}
	if bad != nil {
		return fmt.Errorf("%s: names starting with %s are reserved", positionOf(fset, bad.Pos()), helperName)
	}
	return nil
}
