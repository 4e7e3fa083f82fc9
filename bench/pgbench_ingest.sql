-- pgbench: PostgreSQL alone doing the service's ingest transaction for a batch of Huawei status reports on
-- messages it has not recorded (PostgresEventStore.storeStatuses: the read of the reports' recipients, then
-- the INSERT, parameters as text arrays, under the tenant setting and row-level security, committed
-- durably). Rows/s here bounds ingestion from the database's side.
-- bench/run passes the constants with -D (rows per transaction, and arrays of that many elements); report ids are made unique from :r.
\set r random(1, 1000000000000)
BEGIN;
SELECT set_config('smshub.tenant_id', :tenant, true);
SELECT r.id, r.provider_account_id, r.provider_message_id, r.number_e164, r.status
FROM message_recipients r
JOIN (SELECT DISTINCT * FROM unnest(:accounts::uuid[], (SELECT array_agg(:id_prefix || :r || '-' || g) FROM generate_series(1, :rows::int) g)))
     AS k(account_id, message_id) ON r.provider_account_id = k.account_id AND r.provider_message_id = k.message_id
WHERE r.tenant_id = :tenant::uuid
ORDER BY r.created_at, r.id;
INSERT INTO status_events (tenant_id, id, recipient_id, provider_account_id, provider, provider_message_id, number_raw, number_e164,
                           state, provider_code, description, part_sequence, part_total, segments, occurred_at, source, dedup_key, raw)
SELECT :tenant::uuid, e.*
FROM unnest((SELECT array_agg(uuid_v7()) FROM generate_series(1, :rows::int)), :nulls::uuid[], :accounts::uuid[], :providers::text[],
            (SELECT array_agg(:id_prefix || :r || '-' || g) FROM generate_series(1, :rows::int) g),
            :nulls::text[], :nulls::text[], :states::text[], :codes::text[], :descriptions::text[],
            :nulls::int[], :nulls::int[], :nulls::int[], :times::timestamptz[],
            :sources::text[], (SELECT array_agg(:key_prefix || :r || '-' || g || :key_suffix) FROM generate_series(1, :rows::int) g), :raws::jsonb[])
     AS e(id, recipient_id, provider_account_id, provider, provider_message_id, number_raw, number_e164, state, provider_code,
          description, part_sequence, part_total, segments, occurred_at, source, dedup_key, raw)
ON CONFLICT (tenant_id, dedup_key) DO NOTHING
RETURNING dedup_key;
COMMIT;
