# Gloss: `make build`, `make run`, `make test`. `make test` installs what a
# fresh Debian machine lacks (npm packages, Debian's chromium) and runs the Go
# tests (on PostgreSQL too when PG_URL can be used), the SPA typecheck and the
# Playwright end-to-end suite against the real binary. `make bench` measures
# the binary black-box beside a plain Go baseline (not part of `make test`).

SHELL     := /bin/bash
GO        ?= go
PG_URL    ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
DATA_DIR  ?= ./data
BENCH_N   ?= 100000

.PHONY: build run test deps chromium postgresql-server generate check-generate test-go test-pg typecheck e2e bench clean

build: node_modules
	npm run build
	$(GO) build -o bin/gloss .

run: build
	./bin/gloss start --data-dir $(DATA_DIR)

node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch node_modules

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "installing Debian's chromium for the end-to-end tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

# postgresql-server: initdb and pg_ctl, with which the database tests start a throwaway
# TLS cluster (sslmode=verify-full).
postgresql-server:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "installing Debian's postgresql for the database TLS test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	fi

deps: node_modules chromium postgresql-server

# generate regenerates every generated file: ent and gqlgen (go generate),
# then the SPA's operation types (frontend/src/gql, from codegen.ts).
generate: node_modules
	$(GO) generate ./...
	npm run codegen

# check-generate fails when regenerating changes any generated file, i.e.
# when committed generated code is stale: ent and gqlgen's Go code, or the
# SPA's frontend/src/gql (an operation or the schema changed without
# `npm run codegen`).
check-generate: node_modules
	@generated() { { find ent graph -type f -name '*.go'; find frontend/src/gql -type f; } | sort | xargs sha256sum; }; \
	before=$$(generated); \
	$(GO) generate ./... && npm run --silent codegen || exit 1; \
	after=$$(generated); \
	if [ "$$before" != "$$after" ]; then \
		echo "generated code is stale: run 'make generate' and commit the result"; \
		diff <(echo "$$before") <(echo "$$after"); exit 1; \
	fi; echo "generated code is current"

# The SQLite suite: no PostgreSQL needed (tests of what only PostgreSQL
# offers carry the pg build tag and run in test-pg).
test-go:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 45m ./...

# The PostgreSQL suite: the server suite again on PostgreSQL plus the tests
# of what only PostgreSQL offers (replicas, two processes, revocation across
# processes, pgcheck), built with -tags pg. It runs when PG_URL (default: the
# local server as the tests expect it, trust auth, database `test`) accepts a
# connection, answers a query and lets its role create databases; otherwise
# it says why, and the SQLite run of test-go stands alone. Point it
# elsewhere with `make test PG_URL=postgres://user:pass@host:5432/db`.
test-pg:
	$(GO) vet -tags pg ./...
	@if msg=$$($(GO) run ./internal/database/cmd/pgcheck '$(PG_URL)' 2>/dev/null); then \
		echo "running the PostgreSQL suite on $$msg"; \
		DATABASE_URL='$(PG_URL)' $(GO) test -tags pg -count=1 -timeout 30m . ./internal/database/... ./internal/audit/... ./internal/accounts/... ; \
	else \
		echo "not running the PostgreSQL suite: $${msg:-pgcheck failed to run}"; \
		echo "  (only the SQLite suite ran; set PG_URL=postgres://user@host:5432/db to test on another server)"; \
	fi

typecheck: node_modules
	npm run typecheck

e2e: deps build
	npx playwright test

test: deps check-generate test-go test-pg typecheck e2e

# bench builds the binary (with whatever SPA frontend/dist holds: the API is
# what is measured) and runs bench/ against it with BENCH_N tasks, beside a
# plain Go baseline; it prints one table of figures, ratios and goals. When
# PG_URL can be used (as for test-pg) it runs Gloss on a fresh PostgreSQL
# database too; BENCH_PG=0 skips that, BENCH_PG=1 insists on it.
BENCH_PG ?=
bench:
	$(GO) build -o bin/gloss .
	@pg=; \
	if [ "$(BENCH_PG)" != 0 ]; then \
		if msg=$$($(GO) run ./internal/database/cmd/pgcheck '$(PG_URL)' 2>/dev/null); then \
			echo "Gloss runs on SQLite, then on $$msg"; pg='$(PG_URL)'; \
		elif [ "$(BENCH_PG)" = 1 ]; then \
			echo "BENCH_PG=1 but PostgreSQL cannot be used: $${msg:-pgcheck failed to run}"; exit 1; \
		else \
			echo "SQLite only: $${msg:-pgcheck failed to run} (set PG_URL to use another server)"; \
		fi; \
	fi; \
	$(GO) run ./bench -n $(BENCH_N) -pg "$$pg"

clean:
	rm -rf bin frontend/dist/assets frontend/dist/index.html test-results playwright-report
