//go:build size_http

package main

import "net/http"
import "encoding/json"
import "log/slog"

func init() { hooks = append(hooks, func() { slog.Info("x"); json.Marshal(1); http.ListenAndServe(":0", nil) }) }
