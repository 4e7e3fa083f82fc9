-- Recipients for the Huawei reports that wrk will post in bench/run's known-message step: one message
-- of the bench account, and per wrk thread (1 to :threads) :per_thread recipients whose provider message
-- ids are the ids bench/wrk/common.lua hands out ("bench-<run>-<thread>-<n>"), already submitted.
-- bench/pgbench_known.sql reads the same names, one "thread" per pgbench client.
\set ON_ERROR_STOP 1
WITH m AS (
    INSERT INTO messages (tenant_id, provider_account_id, content)
    VALUES (:'tenant', :'account', '【Bench】known messages') RETURNING tenant_id, id, provider_account_id
)
INSERT INTO message_recipients (tenant_id, message_id, provider_account_id, number_raw, number_e164, provider_message_id,
                                status, submitted_at, position)
SELECT m.tenant_id, m.id, m.provider_account_id, '+86138' || lpad(n::text, 8, '0'), '+86138' || lpad(n::text, 8, '0'),
       format('bench-%s-%s-%s', :'run', t, n), 'submitted', now(), (t - 1) * :per_thread + n
FROM m, generate_series(1, :threads) AS t, generate_series(1, :per_thread) AS n;
-- Statistics now, not when autovacuum gets to it: the recipient lookups are planned against them.
ANALYZE message_recipients;
