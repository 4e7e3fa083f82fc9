-- pgbench baseline: one single-row insert per transaction, committed durably.
INSERT INTO bench_rows (payload) VALUES ('delivered');
