//go:build size_yaegi

package main

import yaegi "github.com/traefik/yaegi/interp"

func init() { hooks = append(hooks, func() { yaegi.New(yaegi.Options{}) }) }
