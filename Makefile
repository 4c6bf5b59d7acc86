# manhole — make demo runs the demo, make test runs every check CI runs.
GO ?= go

.PHONY: all build demo test lint unit stress bench fuzz clean

all: build

build:
	$(GO) build -o bin/ ./cmd/manhole ./cmd/manhole-demo

# Start the demo service and attach an interactive session to it; the demo
# stops when you leave the session (Ctrl-D or :quit).
demo: build
	@bin/manhole-demo & demo=$$!; \
	trap 'kill $$demo 2>/dev/null; wait $$demo 2>/dev/null' EXIT INT TERM; \
	for i in $$(seq 100); do bin/manhole exec $$demo 1 >/dev/null 2>&1 && break; sleep 0.1; done; \
	if [ -t 0 ]; then bin/manhole connect $$demo; \
	else echo "make demo: stdin is not a terminal; the demo runs until you press Ctrl-C"; wait $$demo; fi

# The test command README.md gives and CI runs.
test: lint unit

unit:
	$(GO) test -race -count=1 ./...
	# Under -race the corpus runs two of its modes; all six here (CONFORMANCE.md).
	$(GO) test -count=1 -run '^TestConformance$$' ./interp/

# Several SSH clients at once typing hostile input at the demo (built with
# the race detector, writing its store without pause) for STRESSTIME; the
# host must survive, report no race, and come back to its baseline.
# make test runs a few seconds of it.
STRESSTIME ?= 3m
stress:
	MANHOLE_STRESS=$(STRESSTIME) $(GO) test -race -count=1 -run '^TestStress$$' -v -timeout=30m .

# BENCHMOD is the nested module of the benchmarks whose anchor is gops
# (kept out of the library's go.mod); lint vets it as it vets the root.
BENCHMOD = internal/bench/gops

# staticcheck, the version CI installs (.ci/run).
STATICCHECK ?= staticcheck
STATICCHECK_INSTALL = go install honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint:
	@fmt=$$(gofmt -l .); if [ -n "$$fmt" ]; then echo "gofmt needed:"; echo "$$fmt"; exit 1; fi
	$(GO) vet ./...
	GOOS=darwin $(GO) vet ./...
	GOOS=windows $(GO) vet ./...
	cd $(BENCHMOD) && $(GO) vet ./... && GOOS=darwin $(GO) vet ./... && GOOS=windows $(GO) vet ./...
	@if command -v $(STATICCHECK) >/dev/null 2>&1; then echo "$(STATICCHECK) ./..."; $(STATICCHECK) ./...; \
	elif [ -n "$$CI" ]; then echo "staticcheck is missing: $(STATICCHECK_INSTALL)"; exit 1; \
	else echo "staticcheck is missing, skipped (CI runs it): $(STATICCHECK_INSTALL)"; fi

# Every benchmark, with the side-by-side comparisons of internal/bench
# (a bare SSH server, plain yaegi and x/crypto measured in the same run)
# and of its nested module $(BENCHMOD) (gops); prints the table of
# figures, anchors and ratios and writes it to BENCHMARKS.md. Needs ssh
# and nc, as the tests do. About 3 minutes.
bench:
	@out=$$(mktemp); \
	$(GO) test -run='^$$' -bench=. -benchmem -timeout=10m ./... > $$out 2>&1; \
	(cd $(BENCHMOD) && $(GO) test -run='^$$' -bench=. -benchmem -timeout=10m ./...) >> $$out 2>&1; \
	$(GO) run ./internal/bench/cmd/benchtable -o BENCHMARKS.md < $$out; st=$$?; \
	rm -f $$out; exit $$st

# Run the evaluator's fuzz target for a while (FUZZTIME=10m make fuzz).
FUZZTIME ?= 2m
fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzEval -fuzztime=$(FUZZTIME) ./interp/

clean:
	rm -rf bin
