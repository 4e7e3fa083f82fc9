-- A cap on pending deliveries per endpoint (issue 31). An endpoint whose deliveries keep failing
-- collected a pending delivery for every change for as long as it stayed enabled (days, before the
-- hub disables it): one tenant's dead URL could fill the shared database. Now an endpoint that is
-- failing (no success since `failing_since`) with more than the cap pending is marked
-- `backlogged_since`, and new changes are not queued for it: the events are still written (so a
-- replay finds them), only the deliveries are not. The mark is cleared once the endpoint succeeds
-- again or its pending deliveries fall to half the cap; the tenant replays from `backlogged_since`.
--
-- The deliverer's check (`webhook_backlogs`) counts pending deliveries only for failing or marked
-- endpoints, each count stopping at the cap, through the partial index of pending deliveries. The
-- column has no default and the functions are catalogue updates: instant at any size.

ALTER TABLE webhook_endpoints ADD COLUMN backlogged_since timestamptz;

-- The four outbox triggers of 0016, each skipping marked endpoints.
CREATE OR REPLACE FUNCTION webhook_recipient_changes() RETURNS trigger
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
BEGIN
    IF NOT webhook_wanted(ARRAY(SELECT DISTINCT n.tenant_id FROM new_rows n), 'message.status_changed') THEN
        RETURN NULL;
    END IF;
    WITH events AS (
        INSERT INTO webhook_events (tenant_id, type, occurred_at, data)
        SELECT n.tenant_id, 'message.status_changed', n.status_at, jsonb_build_object(
                   'message_id', n.message_id, 'recipient_id', n.id, 'client_reference', m.client_reference,
                   'provider_account_id', n.provider_account_id, 'provider_message_id', n.provider_message_id,
                   'number', n.number_e164, 'previous_status', o.status, 'status', n.status,
                   'status_code', n.status_code, 'status_description', n.status_description,
                   'inferred', n.status_inferred, 'status_at', smshub_time(n.status_at),
                   'submitted_at', smshub_time(n.submitted_at), 'completed_at', smshub_time(n.completed_at))
        FROM new_rows n
        JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
        LEFT JOIN messages m ON m.tenant_id = n.tenant_id AND m.id = n.message_id
        WHERE o.status IS DISTINCT FROM n.status
        RETURNING tenant_id, id
    )
    INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id)
    SELECT e.tenant_id, w.id, e.id
    FROM events e
    JOIN webhook_endpoints w ON w.tenant_id = e.tenant_id AND w.enabled AND w.backlogged_since IS NULL
                            AND ('message.status_changed' = ANY (w.event_types) OR '*' = ANY (w.event_types));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION webhook_replies() RETURNS trigger
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
BEGIN
    IF NOT webhook_wanted(ARRAY(SELECT DISTINCT n.tenant_id FROM new_rows n), 'message.reply_received') THEN
        RETURN NULL;
    END IF;
    WITH events AS (
        INSERT INTO webhook_events (tenant_id, type, occurred_at, data)
        SELECT n.tenant_id, 'message.reply_received', n.received_at, jsonb_build_object(
                   'reply_id', n.id, 'message_id', n.message_id, 'recipient_id', n.recipient_id,
                   'client_reference', m.client_reference, 'provider_account_id', n.provider_account_id,
                   'number', n.number_e164, 'content', n.content, 'ext_no', n.ext_no,
                   'replied_at', smshub_time(n.replied_at), 'received_at', smshub_time(n.received_at))
        FROM new_rows n
        LEFT JOIN messages m ON m.tenant_id = n.tenant_id AND m.id = n.message_id
        RETURNING tenant_id, id
    )
    INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id)
    SELECT e.tenant_id, w.id, e.id
    FROM events e
    JOIN webhook_endpoints w ON w.tenant_id = e.tenant_id AND w.enabled AND w.backlogged_since IS NULL
                            AND ('message.reply_received' = ANY (w.event_types) OR '*' = ANY (w.event_types));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION webhook_reviews() RETURNS trigger
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
BEGIN
    IF NOT webhook_wanted(ARRAY(SELECT DISTINCT n.tenant_id FROM new_rows n), 'review.completed') THEN
        RETURN NULL;
    END IF;
    WITH events AS (
        INSERT INTO webhook_events (tenant_id, type, occurred_at, data)
        SELECT n.tenant_id, 'review.completed', n.received_at, jsonb_build_object(
                   'review_id', n.id, 'provider_account_id', n.provider_account_id, 'provider', n.provider,
                   'kind', n.kind, 'subject', n.subject, 'result', n.result, 'reason', n.reason,
                   'occurred_at', smshub_time(n.occurred_at), 'received_at', smshub_time(n.received_at))
        FROM new_rows n
        RETURNING tenant_id, id
    )
    INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id)
    SELECT e.tenant_id, w.id, e.id
    FROM events e
    JOIN webhook_endpoints w ON w.tenant_id = e.tenant_id AND w.enabled AND w.backlogged_since IS NULL
                            AND ('review.completed' = ANY (w.event_types) OR '*' = ANY (w.event_types));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION webhook_balances() RETURNS trigger
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
BEGIN
    IF NOT webhook_wanted(ARRAY(SELECT DISTINCT n.tenant_id FROM new_rows n), 'balance.below_threshold') THEN
        RETURN NULL;
    END IF;
    WITH events AS (
        INSERT INTO webhook_events (tenant_id, type, occurred_at, data)
        SELECT n.tenant_id, 'balance.below_threshold', n.observed_at, jsonb_build_object(
                   'provider_account_id', n.provider_account_id, 'balance', n.balance::text,
                   'threshold', (a.settings->>'balance_alert_below'), 'previous_balance', prev.balance::text,
                   'observed_at', smshub_time(n.observed_at))
        FROM new_rows n
        JOIN provider_accounts a ON a.tenant_id = n.tenant_id AND a.id = n.provider_account_id
        LEFT JOIN LATERAL (SELECT b.balance FROM balances b
                           WHERE b.tenant_id = n.tenant_id AND b.provider_account_id = n.provider_account_id
                             AND (b.observed_at, b.id) < (n.observed_at, n.id)
                           ORDER BY b.observed_at DESC, b.id DESC LIMIT 1) prev ON true
        WHERE (a.settings->>'balance_alert_below') ~ '^[0-9]{1,15}(\.[0-9]{1,6})?$'
          AND n.balance < (a.settings->>'balance_alert_below')::numeric
          AND (prev.balance IS NULL OR prev.balance >= (a.settings->>'balance_alert_below')::numeric)
        RETURNING tenant_id, id
    )
    INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id)
    SELECT e.tenant_id, w.id, e.id
    FROM events e
    JOIN webhook_endpoints w ON w.tenant_id = e.tenant_id AND w.enabled AND w.backlogged_since IS NULL
                            AND ('balance.below_threshold' = ANY (w.event_types) OR '*' = ANY (w.event_types));
    RETURN NULL;
END
$$;

-- Marks and clears endpoints across tenants, and says which changed, for the log.
CREATE FUNCTION webhook_backlogs(p_cap integer) RETURNS TABLE (tenant_id uuid, endpoint_id uuid, backlogged boolean)
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    WITH counted AS (
        SELECT w.tenant_id, w.id, w.backlogged_since IS NOT NULL AS was,
               w.failing_since IS NOT NULL
               AND (SELECT count(*) FROM (SELECT 1 FROM public.webhook_deliveries d
                                          WHERE d.tenant_id = w.tenant_id AND d.endpoint_id = w.id AND d.state = 'pending'
                                          LIMIT p_cap + 1) x)
                   > CASE WHEN w.backlogged_since IS NULL THEN p_cap ELSE p_cap / 2 END AS over
        FROM public.webhook_endpoints w
        WHERE w.failing_since IS NOT NULL OR w.backlogged_since IS NOT NULL
    )
    UPDATE public.webhook_endpoints w SET backlogged_since = CASE WHEN c.over THEN now() END
    FROM counted c
    WHERE w.tenant_id = c.tenant_id AND w.id = c.id AND c.was IS DISTINCT FROM c.over
    RETURNING w.tenant_id, w.id, w.backlogged_since IS NOT NULL
$$;
GRANT UPDATE (backlogged_since) ON webhook_endpoints TO smshub_admin;
GRANT CREATE ON SCHEMA public TO smshub_admin;
ALTER FUNCTION webhook_backlogs(integer) OWNER TO smshub_admin;
REVOKE CREATE ON SCHEMA public FROM smshub_admin;
REVOKE ALL ON FUNCTION webhook_backlogs(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_backlogs(integer) TO smshub_app;
