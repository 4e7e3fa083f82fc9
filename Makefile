.PHONY: run test build migrate clean-db fuzz

run:        ## set up everything and start the service
	@scripts/run

test:       ## set up the database and run the whole test suite
	@scripts/test

build:
	swift build

clean-db:   ## stop and delete the local PostgreSQL cluster
	@bash -c 'source scripts/lib.sh; d=$$(pg_bindir); [ -f "$$SMSHUB_PG_DATA/PG_VERSION" ] && pg_as_owner $$d/pg_ctl -D "$$SMSHUB_PG_DATA" stop -m fast || true; rm -rf "$$SMSHUB_PG_DATA"'

fuzz:       ## run every libFuzzer target for FUZZ_SECONDS each (default 60); see fuzz/run
	@fuzz/run $${FUZZ_SECONDS:-60}
