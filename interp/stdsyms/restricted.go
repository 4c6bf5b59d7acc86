package stdsyms

// The replacements the extractor substitutes for symbols that would end
// or cripple the host process, as in yaegi's stdlib/restricted.go (same
// names, same behaviour, so that code behaves alike with this set and
// with the full standard library; Apache License 2.0, Traefik Labs).

import (
	"errors"
	"io"
	"log"
	"os"
	"strconv"
)

var errRestricted = errors.New("restricted")

// osExit panics instead of exiting.
func osExit(code int) { panic("os.Exit(" + strconv.Itoa(code) + ")") }

// osFindProcess is os.FindProcess, except for the process itself.
func osFindProcess(pid int) (*os.Process, error) {
	if pid == os.Getpid() {
		return nil, errRestricted
	}
	return os.FindProcess(pid)
}

// The following functions call Panic instead of Fatal to avoid exit.
func logFatal(v ...any)            { log.Panic(v...) }
func logFatalf(f string, v ...any) { log.Panicf(f, v...) }
func logFatalln(v ...any)          { log.Panicln(v...) }

// CheckPrint, when set, is called with the arguments of each print method
// of a Logger of evaluated code before it prints them (package interp
// sets it to its nesting check: fmt overflows the stack, fatally, on a map
// that holds itself).
var CheckPrint func(v []any)

func checkPrint(v []any) {
	if CheckPrint != nil {
		CheckPrint(v)
	}
}

// logLogger is the log.Logger of evaluated code: its Fatal methods panic.
type logLogger struct {
	l *log.Logger
}

// logNew returns a wrapped logger.
func logNew(out io.Writer, prefix string, flag int) *logLogger {
	return &logLogger{log.New(out, prefix, flag)}
}

// The following methods call Panic instead of Fatal to avoid exit.
func (l *logLogger) Fatal(v ...any)            { checkPrint(v); l.l.Panic(v...) }
func (l *logLogger) Fatalf(f string, v ...any) { checkPrint(v); l.l.Panicf(f, v...) }
func (l *logLogger) Fatalln(v ...any)          { checkPrint(v); l.l.Panicln(v...) }

// The following methods forward to the wrapped logger.
func (l *logLogger) Flags() int                   { return l.l.Flags() }
func (l *logLogger) Output(d int, s string) error { return l.l.Output(d, s) }
func (l *logLogger) Panic(v ...any)               { checkPrint(v); l.l.Panic(v...) }
func (l *logLogger) Panicf(f string, v ...any)    { checkPrint(v); l.l.Panicf(f, v...) }
func (l *logLogger) Panicln(v ...any)             { checkPrint(v); l.l.Panicln(v...) }
func (l *logLogger) Prefix() string               { return l.l.Prefix() }
func (l *logLogger) Print(v ...any)               { checkPrint(v); l.l.Print(v...) }
func (l *logLogger) Printf(f string, v ...any)    { checkPrint(v); l.l.Printf(f, v...) }
func (l *logLogger) Println(v ...any)             { checkPrint(v); l.l.Println(v...) }
func (l *logLogger) SetFlags(flag int)            { l.l.SetFlags(flag) }
func (l *logLogger) SetOutput(w io.Writer)        { l.l.SetOutput(w) }
func (l *logLogger) SetPrefix(prefix string)      { l.l.SetPrefix(prefix) }
func (l *logLogger) Writer() io.Writer            { return l.l.Writer() }
