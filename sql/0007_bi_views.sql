-- Reporting for BI tools that connect to PostgreSQL directly: a `bi` schema of views with stable
-- columns (docs/bi.md), and the roles that read them.
--
--   * smshub_bi_owner (NOLOGIN) owns the views. It may read only the columns the views show (never
--     credentials, secrets, callback tokens or API keys), and only through row-level security
--     policies that ask `bi_access` which tenants the querying role may see.
--   * smshub_bi_read (NOLOGIN) holds USAGE on `bi` and SELECT on its views, nothing else.
--   * smshub_bi (LOGIN, no password until one is set; docs/bi.md) is the all-tenants reader.
--   * A one-tenant reader is a login role in smshub_bi_read plus a `bi_access` row naming its tenant.
--
-- The views are not security_invoker: readers need no privilege on any base table. The policies ask
-- about `session_user`, the role that logged in, so SET ROLE changes nothing about what one sees.

DO $$
BEGIN
    BEGIN
        CREATE ROLE smshub_bi_owner NOLOGIN NOINHERIT;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    BEGIN
        CREATE ROLE smshub_bi_read NOLOGIN NOINHERIT;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    BEGIN
        CREATE ROLE smshub_bi LOGIN INHERIT;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
END
$$;
GRANT smshub_bi_read TO smshub_bi;
-- The runner hands the views to smshub_bi_owner, and creates them as it.
GRANT smshub_bi_owner TO CURRENT_USER;

-- Which tenants each BI role sees: a NULL tenant_id means every tenant.
CREATE TABLE bi_access (
    role_name   name        NOT NULL,
    tenant_id   uuid        REFERENCES tenants (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (role_name, tenant_id)
);
INSERT INTO bi_access (role_name, tenant_id) VALUES ('smshub_bi', NULL);

-- Asked by the policies below, each once per query (as InitPlans), never per row. SECURITY DEFINER
-- so that readers need no privilege on bi_access (which would show them other readers' tenants); they
-- answer only for the role that logged in.
CREATE FUNCTION bi_sees_all_tenants() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT 1 FROM public.bi_access a WHERE a.role_name = session_user AND a.tenant_id IS NULL)
$$;
CREATE FUNCTION bi_visible_tenants() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(array_agg(a.tenant_id), '{}') FROM public.bi_access a
    WHERE a.role_name = session_user AND a.tenant_id IS NOT NULL
$$;
GRANT SELECT ON bi_access TO smshub_bi_owner;
GRANT CREATE ON SCHEMA public TO smshub_bi_owner;
ALTER FUNCTION bi_sees_all_tenants() OWNER TO smshub_bi_owner;
ALTER FUNCTION bi_visible_tenants() OWNER TO smshub_bi_owner;
REVOKE CREATE ON SCHEMA public FROM smshub_bi_owner;
REVOKE ALL ON FUNCTION bi_sees_all_tenants(), bi_visible_tenants() FROM PUBLIC;
-- Functions a view calls are checked against the reader, so readers need EXECUTE; they tell them
-- only about themselves.
GRANT EXECUTE ON FUNCTION bi_sees_all_tenants(), bi_visible_tenants() TO smshub_bi_owner, smshub_bi_read;

CREATE POLICY bi_read ON tenants TO smshub_bi_owner
    USING ((SELECT bi_sees_all_tenants()) OR id = ANY ((SELECT bi_visible_tenants())::uuid[]));
GRANT SELECT (id, name, status, created_at, disabled_at) ON tenants TO smshub_bi_owner;
CREATE POLICY bi_read ON provider_accounts TO smshub_bi_owner
    USING ((SELECT bi_sees_all_tenants()) OR tenant_id = ANY ((SELECT bi_visible_tenants())::uuid[]));
GRANT SELECT (tenant_id, id, provider, name, status, is_default, created_at, disabled_at) ON provider_accounts TO smshub_bi_owner;
GRANT SELECT (settings) ON provider_accounts TO smshub_bi_owner;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['messages', 'message_recipients', 'status_events', 'replies', 'review_events', 'balances']
    LOOP
        EXECUTE format('CREATE POLICY bi_read ON %I TO smshub_bi_owner '
                       'USING ((SELECT bi_sees_all_tenants()) OR tenant_id = ANY ((SELECT bi_visible_tenants())::uuid[]))', t);
    END LOOP;
END
$$;
GRANT SELECT (tenant_id, id, provider_account_id, content, ext_no, client_reference, created_at, recipient_count) ON messages TO smshub_bi_owner;
GRANT SELECT (tenant_id, id, message_id, provider_account_id, number_raw, number_e164, provider_message_id, status, status_code,
              status_description, status_at, segments, submitted_at, sent_at, completed_at, created_at, position)
    ON message_recipients TO smshub_bi_owner;
GRANT SELECT (tenant_id, id, provider_account_id, provider, recipient_id, provider_message_id, number_raw, number_e164, state,
              provider_code, description, part_sequence, part_total, segments, occurred_at, received_at, source)
    ON status_events TO smshub_bi_owner;
GRANT SELECT (tenant_id, id, provider_account_id, provider, provider_message_id, recipient_id, message_id, number_raw, number_e164,
              content, ext_no, replied_at, received_at, source)
    ON replies TO smshub_bi_owner;
GRANT SELECT (tenant_id, id, provider_account_id, provider, kind, subject, result, reason, occurred_at, received_at)
    ON review_events TO smshub_bi_owner;
GRANT SELECT (tenant_id, id, provider_account_id, balance, payment, observed_at) ON balances TO smshub_bi_owner;

-- Lets a filter on bi.daily_delivery's day read only those days.
CREATE INDEX message_recipients_utc_day_idx ON message_recipients (tenant_id, ((created_at AT TIME ZONE 'UTC')::date));

CREATE SCHEMA bi AUTHORIZATION smshub_bi_owner;
COMMENT ON SCHEMA bi IS 'Reporting views for BI tools; columns are documented in docs/bi.md and only ever added to.';
SET LOCAL ROLE smshub_bi_owner;

CREATE VIEW bi.tenants AS
SELECT t.id AS tenant_id, t.name AS tenant_name, t.status, t.created_at, t.disabled_at
FROM public.tenants t;

CREATE VIEW bi.provider_accounts AS
SELECT a.tenant_id, a.id AS provider_account_id, a.provider, a.name AS account_name, a.status, a.is_default,
       coalesce(a.settings ->> 'time_zone', 'Asia/Shanghai') AS time_zone, a.created_at, a.disabled_at
FROM public.provider_accounts a;

-- One row per recipient, with its message.
CREATE VIEW bi.message_recipients AS
SELECT r.tenant_id, r.message_id, r.id AS recipient_id, r.position, m.provider_account_id, a.provider,
       m.content, m.ext_no, m.client_reference, m.recipient_count, m.created_at AS message_created_at,
       r.number_raw AS number, r.number_e164, r.provider_message_id, r.status, r.status_code, r.status_description,
       r.status_at, r.segments, r.submitted_at, r.sent_at, r.completed_at
FROM public.message_recipients r
JOIN public.messages m ON m.tenant_id = r.tenant_id AND m.id = r.message_id
JOIN public.provider_accounts a ON a.tenant_id = r.tenant_id AND a.id = r.provider_account_id;

-- Each recipient's outcome and how long each step took, in seconds.
CREATE VIEW bi.recipient_outcomes AS
SELECT r.tenant_id, r.message_id, r.id AS recipient_id, r.provider_account_id, a.provider, r.number_e164,
       r.status,
       r.status IN ('delivered', 'undelivered', 'failed', 'expired') AS is_final,
       CASE WHEN r.status = 'delivered' THEN 'delivered'
            WHEN r.status IN ('undelivered', 'failed', 'expired') THEN 'failed'
            ELSE 'pending' END AS outcome,
       r.status_code, r.status_description,
       r.created_at AS queued_at, r.submitted_at, r.sent_at, r.completed_at,
       extract(epoch FROM r.submitted_at - r.created_at)::double precision AS seconds_to_submit,
       CASE WHEN r.status = 'delivered' THEN extract(epoch FROM r.completed_at - r.submitted_at)::double precision END AS seconds_submit_to_delivered,
       CASE WHEN r.status = 'delivered' THEN extract(epoch FROM r.completed_at - r.created_at)::double precision END AS seconds_to_delivered
FROM public.message_recipients r
JOIN public.provider_accounts a ON a.tenant_id = r.tenant_id AND a.id = r.provider_account_id;

CREATE VIEW bi.status_events AS
SELECT e.tenant_id, e.id AS event_id, e.provider_account_id, e.provider, r.message_id, e.recipient_id, e.provider_message_id,
       e.number_raw AS number, e.number_e164, e.state AS status, e.provider_code AS status_code,
       e.description AS status_description, e.part_sequence, e.part_total, e.segments, e.occurred_at, e.received_at, e.source
FROM public.status_events e
LEFT JOIN public.message_recipients r ON r.tenant_id = e.tenant_id AND r.id = e.recipient_id;

CREATE VIEW bi.replies AS
SELECT p.tenant_id, p.id AS reply_id, p.provider_account_id, p.provider, p.message_id, p.recipient_id, p.provider_message_id,
       p.number_raw AS number, p.number_e164, p.content, p.ext_no, p.replied_at, p.received_at, p.source,
       m.content AS message_content, m.client_reference AS message_client_reference, m.created_at AS message_created_at
FROM public.replies p
LEFT JOIN public.messages m ON m.tenant_id = p.tenant_id AND m.id = p.message_id;

CREATE VIEW bi.balances AS
SELECT b.tenant_id, b.id AS balance_id, b.provider_account_id, a.provider, b.balance, b.payment, b.observed_at
FROM public.balances b
JOIN public.provider_accounts a ON a.tenant_id = b.tenant_id AND a.id = b.provider_account_id;

CREATE VIEW bi.latest_balances AS
SELECT a.tenant_id, a.id AS provider_account_id, a.provider, l.balance, l.payment, l.observed_at
FROM public.provider_accounts a
CROSS JOIN LATERAL (
    SELECT b.balance, b.payment, b.observed_at FROM public.balances b
    WHERE b.tenant_id = a.tenant_id AND b.provider_account_id = a.id
    ORDER BY b.observed_at DESC, b.id DESC LIMIT 1
) l;

CREATE VIEW bi.review_events AS
SELECT v.tenant_id, v.id AS review_event_id, v.provider_account_id, v.provider, v.kind, v.subject, v.result, v.reason,
       v.occurred_at, v.received_at
FROM public.review_events v;

-- Per tenant, UTC day of acceptance, provider and account. Delivery time is acceptance to the
-- delivered report, over delivered recipients only.
CREATE VIEW bi.daily_delivery AS
SELECT r.tenant_id, (r.created_at AT TIME ZONE 'UTC')::date AS day, a.provider, r.provider_account_id,
       count(*) AS sent,
       count(*) FILTER (WHERE r.status = 'delivered') AS delivered,
       count(*) FILTER (WHERE r.status IN ('undelivered', 'failed', 'expired')) AS failed,
       count(*) FILTER (WHERE r.status NOT IN ('delivered', 'undelivered', 'failed', 'expired')) AS pending,
       round(count(*) FILTER (WHERE r.status = 'delivered')::numeric / count(*), 4) AS delivery_rate,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.completed_at - r.created_at)::double precision)
           FILTER (WHERE r.status = 'delivered'))::numeric, 3) AS median_delivery_seconds,
       round((percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM r.completed_at - r.created_at)::double precision)
           FILTER (WHERE r.status = 'delivered'))::numeric, 3) AS p90_delivery_seconds
FROM public.message_recipients r
JOIN public.provider_accounts a ON a.tenant_id = r.tenant_id AND a.id = r.provider_account_id
GROUP BY r.tenant_id, (r.created_at AT TIME ZONE 'UTC')::date, a.provider, r.provider_account_id;

GRANT USAGE ON SCHEMA bi TO smshub_bi_read;
GRANT SELECT ON ALL TABLES IN SCHEMA bi TO smshub_bi_read;
RESET ROLE;
