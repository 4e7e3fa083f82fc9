-- Frequency caps and quotas (issue 34), enforced in the transaction that accepts a message
-- (docs/sending-rules.md). Each row is locked by that transaction before it decides, in one order
-- (cap rows by number, then the day's quota row, then the month's), so concurrent sends, from any
-- number of instances, see each other's admissions and large messages cannot deadlock
-- (docs/decisions/0020-send-rules-in-the-accepting-transaction.md).

-- The recent accepted sends to one number, per tenant and category: the newest stamps any of the
-- category's windows can still count (at most its largest count).
-- No foreign key (decision 0005): its check cost as much as the rest of a 1,000-number upsert.
CREATE TABLE number_caps (
    tenant_id   uuid          NOT NULL,
    category    text          NOT NULL,
    number_e164 text          NOT NULL,
    stamps      timestamptz[] NOT NULL DEFAULT '{}',
    -- The transaction whose send the newest stamp is: the upsert's RETURNING says by it whether this
    -- transaction was admitted.
    admitted_by xid8,
    PRIMARY KEY (tenant_id, category, number_e164)
) WITH (fillfactor = 70);

-- The stamps after admitting one more send at `p_now`, or NULL when a window is full: at most
-- `p_counts[i]` stamps in the last `p_seconds[i]`. Keeps the newest stamps the longest window can count,
-- at most the largest count of them. The same rule as FrequencyCaps.check and .keep.
CREATE FUNCTION cap_admit(p_stamps timestamptz[], p_now timestamptz, p_counts integer[], p_seconds integer[]) RETURNS timestamptz[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN bool_and(w.inside < w.count) THEN
               ARRAY(SELECT s FROM unnest(p_stamps || p_now) AS s
                     WHERE s > p_now - make_interval(secs => (SELECT max(x) FROM unnest(p_seconds) AS x))
                     ORDER BY s DESC LIMIT (SELECT max(x) FROM unnest(p_counts) AS x))
           END
    FROM (SELECT c.count, (SELECT count(*) FROM unnest(p_stamps) AS s WHERE s > p_now - make_interval(secs => c.seconds)) AS inside
          FROM unnest(p_counts, p_seconds) AS c(count, seconds)) AS w
$$;

-- What a tenant's day and month have used, in its quota time zone; rows are written only while the
-- tenant has a quota.
CREATE TABLE quota_usage (
    tenant_id  uuid   NOT NULL,
    period     text   NOT NULL CHECK (period IN ('day', 'month')),
    starts_on  date   NOT NULL,
    recipients bigint NOT NULL DEFAULT 0 CHECK (recipients >= 0),
    segments   bigint NOT NULL DEFAULT 0 CHECK (segments >= 0),
    PRIMARY KEY (tenant_id, period, starts_on)
);

-- The hub's estimate of each recipient's segments at acceptance (SegmentCounter); `segments` stays
-- what a provider's report billed.
ALTER TABLE message_recipients ADD COLUMN segments_estimated smallint;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['number_caps', 'quota_usage'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I TO smshub_app USING (tenant_id = smshub_tenant()) WITH CHECK (tenant_id = smshub_tenant())', t);
        EXECUTE format('CREATE POLICY admin_all ON %I TO smshub_admin USING (true) WITH CHECK (true)', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I TO smshub_app', t);
        EXECUTE format('GRANT SELECT, DELETE ON %I TO smshub_admin', t);
    END LOOP;
END $$;

-- BI: the estimate, as a new last column of bi.message_recipients.
GRANT SELECT (segments_estimated) ON message_recipients TO smshub_bi_owner;
SET LOCAL ROLE smshub_bi_owner;
CREATE OR REPLACE VIEW bi.message_recipients AS
SELECT r.tenant_id, r.message_id, r.id AS recipient_id, r.position, m.provider_account_id, a.provider,
       m.content, m.ext_no, m.client_reference, m.recipient_count, m.created_at AS message_created_at,
       r.number_raw AS number, r.number_e164, r.provider_message_id, r.status, r.status_code, r.status_description,
       r.status_at, r.segments, r.submitted_at, r.sent_at, r.completed_at, m.category, r.segments_estimated
FROM public.message_recipients r
JOIN public.messages m ON m.tenant_id = r.tenant_id AND m.id = r.message_id
JOIN public.provider_accounts a ON a.tenant_id = r.tenant_id AND a.id = r.provider_account_id;
RESET ROLE;

-- Cap rows whose newest stamp no window can count any more (windows are at most 31 days) are removed
-- by the service's pruner, across tenants as smshub_admin; the newest stamp is kept first.
CREATE FUNCTION prune_number_caps(p_limit integer) RETURNS integer
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    WITH gone AS (
        DELETE FROM public.number_caps c
        WHERE c.ctid = ANY (ARRAY(SELECT q.ctid FROM public.number_caps q
                                  WHERE coalesce(q.stamps[1], '-infinity') < now() - interval '32 days'
                                  LIMIT greatest(p_limit, 0)))
        RETURNING 1
    )
    SELECT count(*)::integer FROM gone
$$;
GRANT CREATE ON SCHEMA public TO smshub_admin;
ALTER FUNCTION prune_number_caps(integer) OWNER TO smshub_admin;
REVOKE CREATE ON SCHEMA public FROM smshub_admin;
REVOKE ALL ON FUNCTION prune_number_caps(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION prune_number_caps(integer) TO smshub_app;
