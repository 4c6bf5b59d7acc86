//go:build size_yaegistd

package main

import yaegi "github.com/traefik/yaegi/interp"
import "github.com/traefik/yaegi/stdlib"

func init() { hooks = append(hooks, func() { yaegi.New(yaegi.Options{}).Use(stdlib.Symbols) }) }
