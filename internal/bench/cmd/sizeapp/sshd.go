//go:build size_sshd

package main

import "github.com/gliderlabs/ssh"

func init() { hooks = append(hooks, func() { (&ssh.Server{}).ListenAndServe() }) }
