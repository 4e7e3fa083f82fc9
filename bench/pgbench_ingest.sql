-- pgbench: PostgreSQL alone doing the service's ingest transaction for a batch of Huawei status reports (the
-- INSERT of PostgresEventStore.storeStatuses, parameters as text arrays, under the tenant setting and
-- row-level security, committed durably). Rows/s here bounds ingestion from the database's side.
-- bench/run passes the constants with -D (rows per transaction, and arrays of that many elements); report ids are made unique from :r.
\set r random(1, 1000000000000)
BEGIN;
SELECT set_config('smshub.tenant_id', :tenant, true);
WITH inserted AS (
INSERT INTO status_events (tenant_id, provider_account_id, provider, provider_message_id, number_raw, number_e164, state,
                           provider_code, description, part_sequence, part_total, segments, occurred_at, source, dedup_key, raw)
SELECT :tenant::uuid, e.*
FROM unnest(:accounts::uuid[], :providers::text[], (SELECT array_agg(:id_prefix || :r || '-' || g) FROM generate_series(1, :rows::int) g),
            :nulls::text[], :nulls::text[], :states::text[], :codes::text[], :descriptions::text[],
            :nulls::int[], :nulls::int[], :nulls::int[], :times::timestamptz[],
            :sources::text[], (SELECT array_agg(:key_prefix || :r || '-' || g || :key_suffix) FROM generate_series(1, :rows::int) g), :raws::jsonb[])
     AS e(provider_account_id, provider, provider_message_id, number_raw, number_e164, state, provider_code, description,
          part_sequence, part_total, segments, occurred_at, source, dedup_key, raw)
ON CONFLICT (tenant_id, dedup_key) DO NOTHING
RETURNING dedup_key, provider_account_id, provider_message_id
)
SELECT i.dedup_key, EXISTS (
    SELECT 1 FROM message_recipients r
    WHERE r.tenant_id = :tenant::uuid AND r.provider_account_id = i.provider_account_id AND r.provider_message_id = i.provider_message_id
) AS has_recipients
FROM inserted i;
COMMIT;
