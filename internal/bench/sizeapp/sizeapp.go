// Package sizeapp is the small application of the binary-size test: an
// HTTP service answering JSON, with structured logs, as a manhole is
// typically embedded in. The size-* programs build it with and without a
// manhole and with each symbol set.
package sizeapp

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
)

// Run serves until SIGINT.
func Run() {
	var hits atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"path": r.URL.Path, "hits": hits.Add(1)})
	})
	srv := &http.Server{Addr: "127.0.0.1:0", Handler: mux}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Shutdown(context.Background())
	}()
	slog.Info("serving", "addr", srv.Addr)
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		slog.Error("serve", "err", err)
		os.Exit(1)
	}
}
