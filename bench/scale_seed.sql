-- One tenant's worth of history for the query benchmarks (bench/scale): messages over 90 days with
-- their recipients, status events, replies, balances and review events. Run as a superuser with
-- psql variables tenant, gateway, huawei (account ids) and messages (how many).
\set ON_ERROR_STOP on
BEGIN;
SELECT setseed(0.5) AS seed \gset

CREATE TEMP TABLE seed_messages ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, g AS n,
       now() - interval '90 days' + (g::float8 / :messages) * interval '90 days' AS created_at,
       -- Mostly 1 to 4 recipients; one message in 2000 is a 500-recipient campaign.
       CASE WHEN g % 2000 = 0 THEN 500 ELSE 1 + (g::bigint * 7919) % 4 END AS recipients,
       CASE WHEN g % 4 = 0 THEN :'huawei' ELSE :'gateway' END::uuid AS account
FROM generate_series(1, :messages) g;

INSERT INTO messages (tenant_id, id, provider_account_id, content, client_reference, custom, created_at, recipient_count)
SELECT :'tenant', id, account, '【Scale】Your code is ' || (n % 10000), 'order-' || n, jsonb_build_object('n', n), created_at, recipients
FROM seed_messages;

CREATE TEMP TABLE seed_recipients ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, m.id AS message_id, m.account, m.created_at, k AS position,
       '138' || lpad(((m.n * 31 + k * 7907) % 200000)::text, 8, '0') AS number,
       random() AS roll
FROM seed_messages m, generate_series(1, m.recipients) k;

INSERT INTO message_recipients (tenant_id, id, message_id, provider_account_id, number_raw, number_e164, provider_message_id,
                                status, status_code, status_description, status_at, submitted_at, completed_at, created_at, updated_at, position)
SELECT :'tenant', id, message_id, account, number, '+86' || number, message_id::text,
       s.status, s.code, s.description, created_at + interval '6 seconds', created_at + interval '1 second',
       CASE WHEN s.final THEN created_at + interval '6 seconds' END, created_at, created_at, position
FROM seed_recipients,
LATERAL (SELECT * FROM (VALUES
    ('delivered', 'DELIVRD', 'Delivered to the handset.', true, 0.0, 0.86),
    ('failed', 'MBBLACK', 'The number is on the blacklist.', true, 0.86, 0.91),
    ('undelivered', 'UNDELIV', 'Not delivered.', true, 0.91, 0.94),
    ('expired', 'EXPIRED', 'Validity period expired.', true, 0.94, 0.95),
    ('sent', NULL, NULL, false, 0.95, 0.99),
    ('submitted', NULL, NULL, false, 0.99, 0.995),
    ('queued', NULL, NULL, false, 0.995, 1.01)
) AS v(status, code, description, final, low, high) WHERE roll >= low AND roll < high) s;

-- One report per recipient past "submitted"; Huawei's carry no number and the Gateway's are masked,
-- so filtering events by number goes through the recipients.
INSERT INTO status_events (tenant_id, provider_account_id, provider, recipient_id, provider_message_id, number_raw, number_e164,
                           state, provider_code, description, occurred_at, received_at, source, dedup_key, raw)
SELECT r.tenant_id, r.provider_account_id, CASE WHEN r.provider_account_id = :'huawei'::uuid THEN 'huawei' ELSE 'gateway' END,
       r.id, r.provider_message_id, CASE WHEN r.provider_account_id = :'huawei'::uuid THEN NULL ELSE left(r.number_raw, 3) || '****' || right(r.number_raw, 4) END,
       NULL, r.status, coalesce(r.status_code, 'DELIVRD'), r.status_description, r.status_at - interval '1 second', r.status_at,
       'push', 'seed:' || r.id, '{}'::jsonb
FROM message_recipients r
WHERE r.tenant_id = :'tenant' AND r.status NOT IN ('queued', 'submitted');
-- A third also have an earlier "sent" report.
INSERT INTO status_events (tenant_id, provider_account_id, provider, recipient_id, provider_message_id, state, provider_code,
                           occurred_at, received_at, source, dedup_key, raw)
SELECT r.tenant_id, r.provider_account_id, 'gateway', r.id, r.provider_message_id, 'sent', 'SENT', r.created_at + interval '2 seconds',
       r.created_at + interval '3 seconds', 'pull', 'seed-sent:' || r.id, '{}'::jsonb
FROM message_recipients r
WHERE r.tenant_id = :'tenant' AND r.status <> 'queued' AND (hashtext(r.id::text) % 3) = 0;

INSERT INTO replies (tenant_id, provider_account_id, provider, provider_message_id, recipient_id, message_id, number_raw, number_e164,
                     content, replied_at, received_at, source, dedup_key, raw)
SELECT r.tenant_id, r.provider_account_id, 'gateway', r.provider_message_id, r.id, r.message_id, r.number_raw, r.number_e164,
       'OK', r.created_at + interval '1 minute', r.created_at + interval '61 seconds', 'push', 'seed-reply:' || r.id, '{}'::jsonb
FROM message_recipients r
WHERE r.tenant_id = :'tenant' AND (hashtext(r.id::text) % 20) = 0;

INSERT INTO balances (tenant_id, provider_account_id, balance, payment, observed_at, raw)
SELECT :'tenant', a, 100000 - g, 'prepaid', now() - interval '90 days' + g * interval '5 minutes', '{}'::jsonb
FROM unnest(ARRAY[:'gateway', :'huawei']::uuid[]) a, generate_series(1, 25920) g;

INSERT INTO review_events (tenant_id, provider_account_id, provider, kind, subject, result, reason, occurred_at, received_at, dedup_key, raw)
SELECT :'tenant', :'gateway', 'gateway', CASE WHEN g % 5 = 0 THEN 'signature' ELSE 'template' END, 'T' || (g % 400),
       CASE WHEN g % 3 = 0 THEN 'rejected' ELSE 'approved' END, CASE WHEN g % 3 = 0 THEN 'wording' END,
       now() - interval '90 days' + g * interval '1 hour', now() - interval '90 days' + g * interval '1 hour', 'seed-review:' || g, '{}'::jsonb
FROM generate_series(1, 2000) g;
COMMIT;
