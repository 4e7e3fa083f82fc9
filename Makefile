.DEFAULT_GOAL := help
.PHONY: help run test test-busy unit contract fuzz bench migrate fmt lint check-layers check-docs check-walkthrough build db-stop clean-db

# Swift sources the formatter and the linter cover.
SWIFT_SOURCES := Package.swift Sources Tests fuzz/Package.swift fuzz/Sources

help:       ## list the targets
	@awk 'BEGIN {FS = ":[^#]*## "} /^[a-z-]+:.*## / {printf "  make %-13s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run:        ## set up everything (PostgreSQL, build, migrations) and start smshub with the demo simulator
	@scripts/run

test:       ## the whole suite on a throwaway PostgreSQL of its own, then the API contract check
	@scripts/test

test-busy:  ## make test on a slow day: one process per core spinning beside it (SMSHUB_TEST_BUSY)
	@SMSHUB_TEST_BUSY=$${SMSHUB_TEST_BUSY:-$$(nproc)} scripts/test

unit:       ## the suites not tagged .slow: no database, no server (scripts/unit)
	@scripts/unit

contract:   ## the API contract check alone: openapi.yaml validated, schemathesis against a live server
	@scripts/contract

fuzz:       ## every libFuzzer target for FUZZ_SECONDS each (default 60); see fuzz/run
	@fuzz/run $${FUZZ_SECONDS:-60}

bench:      ## the hot-path benchmarks on a release build (bench/run; docs/performance.md)
	@bench/run

migrate:    ## apply pending migrations to DATABASE_URL's database, or the local one
	@scripts/migrate

fmt:        ## format the Swift code in place (swift format, .swift-format)
	swift format format --in-place --parallel --recursive $(SWIFT_SOURCES)

lint:       ## fail on code the formatter would change or its rules refuse
	swift format lint --strict --parallel --recursive $(SWIFT_SOURCES)

check-layers: ## fail when a module imports what its layer must not (scripts/check-layers)
	@scripts/check-layers

check-docs: ## fail on a broken link, a command that no longer exists, or a configuration key read but not documented (or documented but not read)
	@scripts/check-docs

check-walkthrough: ## paste the README's walk-through against a fresh make run and compare the outputs
	@scripts/check-walkthrough

build:      ## debug build of everything
	swift build

db-stop:    ## stop the local PostgreSQL clusters (make run's and the tests'), keeping their data
	@scripts/db stop

clean-db:   ## stop the local PostgreSQL clusters and delete their data
	@scripts/db clean
