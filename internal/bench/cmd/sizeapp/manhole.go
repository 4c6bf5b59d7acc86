//go:build size_manhole

package main

import "github.com/gomanhole/manhole"

func init() { hooks = append(hooks, func() { manhole.Start(manhole.Options{}) }) }
