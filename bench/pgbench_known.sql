-- pgbench: PostgreSQL alone doing the service's ingest transaction for a batch of Huawei status reports
-- on messages it sent (PostgresEventStore.storeStatuses with recipients found): the read of the reports'
-- recipients, the INSERT of the events attached to them, and the UPDATE that moves each recipient
-- (RecipientStatus.apply, with its rank check), under the tenant setting and row-level security,
-- committed durably. Rows/s here bounds known-message ingestion from the database's side.
-- bench/run seeds, per pgbench client, recipients "bench-<run>-<client + 1>-<n>" (bench/seed_known.sql)
-- and passes the constants with -D (a literal colon would read as a pgbench variable); each transaction
-- takes the client's next :rows of them.
\set t :client_id + 1
\set first :n * :rows + 1
\set n :n + 1
BEGIN;
SELECT set_config('smshub.tenant_id', :tenant, true);
SELECT array_agg(r.id ORDER BY r.created_at, r.id)::text AS ids,
       array_agg(r.provider_message_id ORDER BY r.created_at, r.id)::text AS message_ids,
       array_agg(r.number_e164 ORDER BY r.created_at, r.id)::text AS numbers,
       array_agg(r.message_id ORDER BY r.created_at, r.id)::text AS messages
FROM message_recipients r
JOIN (SELECT DISTINCT * FROM unnest(:accounts::uuid[],
                                    (SELECT array_agg('bench-' || :run || '-' || :t || '-' || g) FROM generate_series(:first::int, :first::int + :rows::int - 1) g)))
     AS k(account_id, message_id) ON r.provider_account_id = k.account_id AND r.provider_message_id = k.message_id
WHERE r.tenant_id = :tenant::uuid
\gset
-- Each event keeps its recipient's message, and its number since Huawei reports name none (migration 0022).
INSERT INTO status_events (tenant_id, id, recipient_id, message_id, recipient_number_e164, provider_account_id, provider, provider_message_id,
                           number_raw, number_e164, state, provider_code, description, part_sequence, part_total, segments,
                           occurred_at, source, dedup_key, raw)
SELECT :tenant::uuid, e.*
FROM unnest((SELECT array_agg(uuid_v7()) FROM generate_series(1, :rows::int)), :ids::uuid[], :messages::uuid[], :numbers::text[], :accounts::uuid[], :providers::text[],
            :message_ids::text[], :nulls::text[], :nulls::text[], :states::text[], :codes::text[], :descriptions::text[],
            :nulls::int[], :nulls::int[], :nulls::int[], :times::timestamptz[],
            :sources::text[], (SELECT array_agg(:key_prefix || m || :key_suffix) FROM unnest(:message_ids::text[]) AS u(m)), :raws::jsonb[])
     AS e(id, recipient_id, message_id, recipient_number_e164, provider_account_id, provider, provider_message_id, number_raw, number_e164, state, provider_code,
          description, part_sequence, part_total, segments, occurred_at, source, dedup_key, raw)
ON CONFLICT (tenant_id, dedup_key) DO NOTHING
RETURNING dedup_key;
UPDATE message_recipients r SET
    status = k.state,
    status_code = k.code,
    status_description = k.description,
    status_at = coalesce(k.occurred_at, now()),
    segments = coalesce(k.segments, r.segments),
    submitted_at = CASE WHEN status_rank(k.state) >= 1 THEN coalesce(r.submitted_at, k.occurred_at, now()) ELSE r.submitted_at END,
    sent_at = CASE WHEN status_rank(k.state) >= 2 AND k.state <> 'failed' THEN coalesce(r.sent_at, k.occurred_at, now()) ELSE r.sent_at END,
    completed_at = CASE WHEN status_rank(k.state) = 4 THEN coalesce(k.occurred_at, now()) ELSE r.completed_at END,
    status_inferred = false,
    updated_at = now()
FROM unnest(:ids::uuid[], :states::text[], :codes::text[], :descriptions::text[], :nulls::int[], :times::timestamptz[])
     AS k(recipient_id, state, code, description, segments, occurred_at)
WHERE r.tenant_id = :tenant::uuid AND r.id = k.recipient_id
  AND (CASE WHEN r.status_inferred THEN 3 ELSE status_rank(r.status) END) < status_rank(k.state);
COMMIT;
