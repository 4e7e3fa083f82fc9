-- Counts of recipients by outcome, per tenant, provider account and quarter hour of creation, for
-- the daily summary (issue 20). Counted from the recipients themselves, a week's summary read every
-- recipient of the week: at a million recipients a week it took 1.75-2 s and met its deadline.
--
-- Statement triggers write what each statement changed to `recipient_outcome_changes`, an
-- append-only queue with no index, so concurrent writers never wait on one counter row; the
-- service folds the queue into `recipient_outcome_counts` every second (OutcomeCountFolder). The
-- summary reads both in one snapshot, so it stays exact between folds. Late reports move past
-- quarter hours, which is why the counts are kept by the time a recipient was created and moved
-- by deltas, not closed per day.
--
-- Quarter hours (UTC) because every time zone in use today is offset from UTC by a multiple of
-- 15 minutes, so any zone's day is a whole number of them; a range that does not start and end on
-- one is counted from the recipients as before.
--
-- The backfill reads every recipient once, under a lock that holds recipient writes until the
-- migration commits (so no change falls between the backfill and the triggers): 36.6 s at
-- 19.6 M recipients on the bench machine (docs/operations.md, migration timings).

CREATE TABLE recipient_outcome_counts (
    tenant_id           uuid        NOT NULL REFERENCES tenants (id),
    bucket              timestamptz NOT NULL,
    provider_account_id uuid        NOT NULL,
    delivered           bigint      NOT NULL,
    failed              bigint      NOT NULL,
    pending             bigint      NOT NULL,
    PRIMARY KEY (tenant_id, bucket, provider_account_id)
);
-- Counts that retention has brought to zero are removed by the fold.
CREATE INDEX recipient_outcome_counts_empty_idx ON recipient_outcome_counts (tenant_id)
    WHERE delivered = 0 AND failed = 0 AND pending = 0;

CREATE TABLE recipient_outcome_changes (
    tenant_id           uuid        NOT NULL,
    bucket              timestamptz NOT NULL,
    provider_account_id uuid        NOT NULL,
    delivered           bigint      NOT NULL,
    failed              bigint      NOT NULL,
    pending             bigint      NOT NULL
);
-- A queue: every row is deleted within seconds of its insert.
ALTER TABLE recipient_outcome_changes SET (autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 1000,
                                           autovacuum_vacuum_insert_scale_factor = 0.0, autovacuum_vacuum_insert_threshold = 1000);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['recipient_outcome_counts', 'recipient_outcome_changes'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I TO smshub_app USING (tenant_id = smshub_tenant()) WITH CHECK (tenant_id = smshub_tenant())', t);
        EXECUTE format('CREATE POLICY admin_all ON %I TO smshub_admin USING (true) WITH CHECK (true)', t);
    END LOOP;
END
$$;
GRANT SELECT ON recipient_outcome_counts TO smshub_app;
GRANT SELECT, INSERT ON recipient_outcome_changes TO smshub_app;
-- The fold crosses tenants, as smshub_admin (below).
GRANT SELECT, INSERT, UPDATE, DELETE ON recipient_outcome_counts TO smshub_admin;
GRANT SELECT, DELETE ON recipient_outcome_changes TO smshub_admin;

-- The quarter hour a recipient is counted in.
CREATE FUNCTION outcome_bucket(t timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT date_bin('15 minutes', t, '2000-01-01 00:00:00+00') $$;

-- Each statement's net change per (tenant, quarter hour, account): new rows count +1 in their
-- outcome, old rows -1 in theirs, and a statement that moved no outcome writes nothing. The three
-- outcomes are the daily summary's; `sent` there is their sum.
CREATE FUNCTION recipient_outcome_delta() RETURNS trigger
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
BEGIN
    INSERT INTO recipient_outcome_changes (tenant_id, bucket, provider_account_id, delivered, failed, pending)
    SELECT c.tenant_id, c.bucket, c.provider_account_id, sum(c.delivered), sum(c.failed), sum(c.pending)
    FROM (
        SELECT n.tenant_id, outcome_bucket(n.created_at) AS bucket, n.provider_account_id,
               (n.status = 'delivered')::int AS delivered,
               (n.status IN ('failed', 'undelivered', 'expired'))::int AS failed,
               (n.status IN ('queued', 'submitted', 'sent', 'unknown'))::int AS pending
        FROM new_rows n
        UNION ALL
        SELECT o.tenant_id, outcome_bucket(o.created_at), o.provider_account_id,
               -(o.status = 'delivered')::int,
               -(o.status IN ('failed', 'undelivered', 'expired'))::int,
               -(o.status IN ('queued', 'submitted', 'sent', 'unknown'))::int
        FROM old_rows o
    ) c
    GROUP BY c.tenant_id, c.bucket, c.provider_account_id
    HAVING sum(c.delivered) <> 0 OR sum(c.failed) <> 0 OR sum(c.pending) <> 0;
    RETURN NULL;
END
$$;
-- INSERT and DELETE statements have one transition table each, named `changed_rows` by both
-- triggers; the argument says whether its rows arrived (1) or went (-1).
CREATE FUNCTION recipient_outcome_counted() RETURNS trigger
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
DECLARE
    sign constant integer := TG_ARGV[0]::integer;
BEGIN
    INSERT INTO recipient_outcome_changes (tenant_id, bucket, provider_account_id, delivered, failed, pending)
    SELECT c.tenant_id, outcome_bucket(c.created_at), c.provider_account_id,
           sign * count(*) FILTER (WHERE c.status = 'delivered'),
           sign * count(*) FILTER (WHERE c.status IN ('failed', 'undelivered', 'expired')),
           sign * count(*) FILTER (WHERE c.status IN ('queued', 'submitted', 'sent', 'unknown'))
    FROM changed_rows c
    GROUP BY 1, 2, 3;
    RETURN NULL;
END
$$;

-- Fold up to `p_limit` queued changes into the counts; returns how many were folded. One fold at a
-- time (a transaction-scoped advisory lock; a second caller folds nothing and returns at once), so
-- two instances never update the same counters in different orders.
CREATE FUNCTION fold_recipient_outcomes(p_limit integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    folded integer;
BEGIN
    IF NOT pg_try_advisory_xact_lock(7246515021) THEN
        RETURN 0;
    END IF;
    WITH taken AS (
        DELETE FROM public.recipient_outcome_changes c
        WHERE c.ctid = ANY (ARRAY(SELECT q.ctid FROM public.recipient_outcome_changes q LIMIT greatest(p_limit, 0)))
        RETURNING c.tenant_id, c.bucket, c.provider_account_id, c.delivered, c.failed, c.pending
    ), summed AS (
        SELECT t.tenant_id, t.bucket, t.provider_account_id, sum(t.delivered) AS delivered, sum(t.failed) AS failed,
               sum(t.pending) AS pending, count(*) AS changes
        FROM taken t
        GROUP BY 1, 2, 3
    ), upserted AS (
        -- Runs although nothing reads it: a data-modifying WITH always runs to completion.
        INSERT INTO public.recipient_outcome_counts AS k (tenant_id, bucket, provider_account_id, delivered, failed, pending)
        SELECT s.tenant_id, s.bucket, s.provider_account_id, s.delivered, s.failed, s.pending FROM summed s
        ORDER BY 1, 2, 3
        ON CONFLICT (tenant_id, bucket, provider_account_id) DO UPDATE
            SET delivered = k.delivered + excluded.delivered, failed = k.failed + excluded.failed, pending = k.pending + excluded.pending
    )
    SELECT coalesce(sum(s.changes), 0) INTO folded FROM summed s;
    DELETE FROM public.recipient_outcome_counts k WHERE k.delivered = 0 AND k.failed = 0 AND k.pending = 0;
    RETURN folded;
END
$$;
GRANT CREATE ON SCHEMA public TO smshub_admin;
ALTER FUNCTION fold_recipient_outcomes(integer) OWNER TO smshub_admin;
REVOKE CREATE ON SCHEMA public FROM smshub_admin;
REVOKE ALL ON FUNCTION fold_recipient_outcomes(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fold_recipient_outcomes(integer) TO smshub_app;

-- The backfill and the triggers, with recipient writes held in between.
LOCK TABLE message_recipients IN SHARE ROW EXCLUSIVE MODE;
INSERT INTO recipient_outcome_counts (tenant_id, bucket, provider_account_id, delivered, failed, pending)
SELECT r.tenant_id, outcome_bucket(r.created_at), r.provider_account_id,
       count(*) FILTER (WHERE r.status = 'delivered'),
       count(*) FILTER (WHERE r.status IN ('failed', 'undelivered', 'expired')),
       count(*) FILTER (WHERE r.status IN ('queued', 'submitted', 'sent', 'unknown'))
FROM message_recipients r
GROUP BY 1, 2, 3;
CREATE TRIGGER message_recipients_outcomes_inserted AFTER INSERT ON message_recipients
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION recipient_outcome_counted('1');
CREATE TRIGGER message_recipients_outcomes_updated AFTER UPDATE ON message_recipients
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION recipient_outcome_delta();
CREATE TRIGGER message_recipients_outcomes_deleted AFTER DELETE ON message_recipients
    REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION recipient_outcome_counted('-1');
