-- bench/partition-probe: status-event-like rows partitioned per tenant (LIST) and month (RANGE), as
-- removing one tenant's month by dropping a partition would need; the same rows unpartitioned beside
-- them. 100 rows a leaf; psql variables :tenants and :months.
SET client_min_messages = warning;
DROP TABLE IF EXISTS probe_parted, probe_flat;
CREATE TABLE probe_flat (tenant_id int NOT NULL, received_at timestamptz NOT NULL, id bigint NOT NULL, body text);
CREATE TABLE probe_parted (LIKE probe_flat) PARTITION BY LIST (tenant_id);
SELECT format('CREATE TABLE probe_parted_%s PARTITION OF probe_parted FOR VALUES IN (%s) PARTITION BY RANGE (received_at)', t, t)
FROM generate_series(1, :tenants) t \gexec
SELECT format('CREATE TABLE probe_parted_%s_%s PARTITION OF probe_parted_%s FOR VALUES FROM (%L) TO (%L)', t, m, t,
              timestamptz '2026-01-01' + (m - 1) * interval '1 month', timestamptz '2026-01-01' + m * interval '1 month')
FROM generate_series(1, :tenants) t, generate_series(1, :months) m \gexec
CREATE INDEX ON probe_parted (tenant_id, received_at, id);
CREATE INDEX ON probe_flat (tenant_id, received_at, id);
INSERT INTO probe_parted
SELECT t, timestamptz '2026-01-01' + (m - 1) * interval '1 month' + r * interval '1 hour', t * 1000000 + m * 1000 + r, 'x'
FROM generate_series(1, :tenants) t, generate_series(1, :months) m, generate_series(1, 100) r;
INSERT INTO probe_flat SELECT * FROM probe_parted;
VACUUM ANALYZE probe_parted;
VACUUM ANALYZE probe_flat;
