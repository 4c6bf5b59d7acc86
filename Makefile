# manhole — make demo runs the demo, make test runs every check CI runs.
GO ?= go

.PHONY: all build demo test lint unit bench fuzz clean

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

lint:
	@fmt=$$(gofmt -l .); if [ -n "$$fmt" ]; then echo "gofmt needed:"; echo "$$fmt"; exit 1; fi
	$(GO) vet ./...
	GOOS=darwin $(GO) vet ./...

bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

# Run the evaluator's fuzz target for a while (FUZZTIME=10m make fuzz).
FUZZTIME ?= 2m
fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzEval -fuzztime=$(FUZZTIME) ./interp/

clean:
	rm -rf bin
