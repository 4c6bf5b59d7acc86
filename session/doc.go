// Package session serves the SSH "session" channel of a manhole: a REPL on
// a pseudo-terminal (golang.org/x/term), one-shot exec requests, and
// scripts piped to a shell request without a terminal. It evaluates with
// package interp and knows nothing of sockets or authentication: any SSH
// server that accepts a session channel with x/crypto/ssh can hand it to
// [Server.Serve] (package sshd does, in a manhole).
//
//	srv := &session.Server{NewInterp: func(stdout, stderr io.Writer, width func() int) (*interp.Interp, error) {
//		return interp.New(interp.Options{Namespace: ns, Stdout: stdout, Stderr: stderr, Width: width})
//	}}
//	ch, reqs, err := newChannel.Accept()
//	go srv.Serve(ctx, session.Meta{ID: id, Identity: "peer uid 1000", UID: 1000, PID: pid}, ch, reqs)
//
// # API
//
//   - A [Server] holds what sessions share: how to build an interpreter
//     (or one shared by all, Server.Shared), timeouts, the banner, the
//     history file ([HistoryPath]), the [LogHub] that :logs follows.
//   - [Server.Serve] serves one channel until the client leaves or its
//     context is cancelled; [Meta] says who the session is and what it
//     may do (a forced command, no terminal, inspect-only).
//   - [Server.Prepare], optional, builds a connection's first interpreter
//     while its SSH handshake runs; [Server.Sessions] and [Server.Kick]
//     list and end live sessions (:sessions, :kick).
//
// # The REPL
//
// The prompt is ">>> ", and "... " while the input so far is incomplete
// (an open brace, an unterminated string). Ctrl-C clears the line, or
// cancels the running evaluation and returns to the prompt; Ctrl-D on an
// empty line leaves. Lines starting with ':' are commands (:help); the
// diagnostic ones (:goroutines, :mem, :pprof, :top...) are package
// [github.com/gomanhole/manhole/session/diag]'s, which a Server gives
// what they need: its sessions, and each run's output and terminal.
//
// # Exec and scripts
//
// "ssh host CODE" evaluates CODE and exits 0, or 1 with the error on
// stderr. "ssh host < script.go" (no terminal) evaluates the script one
// complete statement or declaration at a time and stops at the first
// error, exiting 1. Output written by evaluated code goes to the session's
// stdout untouched: no \n to \r\n rewriting outside a terminal.
//
// # Requests
//
// pty-req, window-change, env, shell, exec and signal (INT) are served.
// A window-change is never blocking, even before the shell request (a
// gliderlabs/ssh v0.3.8 hang). Subsystems, agent and X11 forwarding are
// refused.
package session
