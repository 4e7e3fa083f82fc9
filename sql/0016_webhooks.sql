-- Signed webhooks to the tenants' own endpoints (issue 19), Standard Webhooks style.
--
-- A transactional outbox. Triggers on the tables whose changes tenants hear about write each change as
-- a `webhook_events` row, and one `webhook_deliveries` row per enabled endpoint subscribed to its
-- type, in the statement (and so the transaction) that makes the change: a change that commits has
-- its deliveries, one that rolls back has none, whatever crashes when. Tenants without an endpoint
-- subscribed write nothing. The triggers are per statement over transition tables, so a batch of
-- moved recipients costs one INSERT of events and deliveries, not two per row. Each trigger is the
-- same statement around its own payload: the events, then a delivery per subscribed endpoint.

CREATE TABLE webhook_endpoints (
    tenant_id           uuid        NOT NULL REFERENCES tenants (id),
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    url                 text        NOT NULL CHECK (char_length(url) BETWEEN 1 AND 512),
    description         text        NOT NULL DEFAULT '' CHECK (char_length(description) <= 500),
    -- Event types delivered; '*' is every type, including types added later.
    event_types         text[]      NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 16),
    enabled             boolean     NOT NULL DEFAULT true,
    -- Why the hub disabled it (every delivery failing for days); NULL when a tenant did, or it is enabled.
    disabled_reason     text,
    -- AES-256-GCM sealed JSON of the signing secret and, during a rotation, the previous one; bound to
    -- (tenant_id, id) like provider credentials. `secrets_key_id` names the master key.
    secrets             bytea       NOT NULL,
    secrets_key_id      text        NOT NULL,
    -- Until then deliveries are signed with the previous secret too.
    previous_secret_until timestamptz,
    -- The first failed attempt since the last success; an endpoint failing for long is disabled.
    failing_since       timestamptz,
    last_success_at     timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX webhook_endpoints_list_idx ON webhook_endpoints (tenant_id, created_at, id);

-- One row per change reported; its id is the `webhook-id` of every delivery and retry of it.
CREATE TABLE webhook_events (
    tenant_id           uuid        NOT NULL,
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    type                text        NOT NULL,
    occurred_at         timestamptz NOT NULL DEFAULT now(),
    data                jsonb       NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX webhook_events_time_idx ON webhook_events (tenant_id, occurred_at, id);

CREATE TABLE webhook_deliveries (
    tenant_id           uuid        NOT NULL,
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    endpoint_id         uuid        NOT NULL,
    event_id            uuid        NOT NULL,
    state               text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    -- Raised at every claim: with lease_owner, the fence for the claim's outcome (as for dispatch tasks).
    attempts            integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    lease_until         timestamptz,
    lease_owner         uuid,
    last_status         integer,
    last_error          text,
    delivered_at        timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
-- Due work per endpoint, oldest first; only pending rows are indexed.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (tenant_id, endpoint_id, next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_list_idx ON webhook_deliveries (tenant_id, endpoint_id, created_at, id);

-- Every attempt's result, for the tenant to see (status, latency, a short excerpt of the answer).
CREATE TABLE webhook_attempts (
    tenant_id           uuid        NOT NULL,
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    delivery_id         uuid        NOT NULL,
    attempt             integer     NOT NULL,
    attempted_at        timestamptz NOT NULL DEFAULT now(),
    status_code         integer,
    latency_ms          integer     NOT NULL CHECK (latency_ms >= 0),
    response_excerpt    text        CHECK (octet_length(response_excerpt) <= 1024),
    error               text,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (tenant_id, delivery_id, attempted_at);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['webhook_endpoints', 'webhook_events', 'webhook_deliveries', 'webhook_attempts'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I TO smshub_app USING (tenant_id = smshub_tenant()) WITH CHECK (tenant_id = smshub_tenant())', t);
        EXECUTE format('CREATE POLICY admin_all ON %I TO smshub_admin USING (true) WITH CHECK (true)', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I TO smshub_app', t);
        EXECUTE format('GRANT SELECT ON %I TO smshub_admin', t);
    END LOOP;
END $$;

-- Times in payloads as the API writes them (RFC 3339, UTC, whole seconds).
CREATE FUNCTION smshub_time(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- The triggers first ask whether any tenant among the rows has an endpoint for the type; most
-- statements stop there.
CREATE FUNCTION webhook_wanted(p_tenants uuid[], p_type text) RETURNS boolean
LANGUAGE sql STABLE
SET search_path = public, pg_temp
AS $$
    SELECT EXISTS (SELECT 1 FROM webhook_endpoints w
                   WHERE w.tenant_id = ANY (p_tenants) AND w.enabled AND (p_type = ANY (w.event_types) OR '*' = ANY (w.event_types)))
$$;

-- message.status_changed: a recipient's state moved (accepted, failed, reported, expired).
CREATE FUNCTION webhook_recipient_changes() RETURNS trigger
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
    JOIN webhook_endpoints w ON w.tenant_id = e.tenant_id AND w.enabled
                            AND ('message.status_changed' = ANY (w.event_types) OR '*' = ANY (w.event_types));
    RETURN NULL;
END
$$;
CREATE TRIGGER message_recipients_webhooks AFTER UPDATE ON message_recipients
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_recipient_changes();

-- message.reply_received: a reply stored (the message it answers, when linked).
CREATE FUNCTION webhook_replies() RETURNS trigger
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
    JOIN webhook_endpoints w ON w.tenant_id = e.tenant_id AND w.enabled
                            AND ('message.reply_received' = ANY (w.event_types) OR '*' = ANY (w.event_types));
    RETURN NULL;
END
$$;
CREATE TRIGGER replies_webhooks AFTER INSERT ON replies
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_replies();

-- review.completed: a template or signature review result.
CREATE FUNCTION webhook_reviews() RETURNS trigger
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
    JOIN webhook_endpoints w ON w.tenant_id = e.tenant_id AND w.enabled
                            AND ('review.completed' = ANY (w.event_types) OR '*' = ANY (w.event_types));
    RETURN NULL;
END
$$;
CREATE TRIGGER review_events_webhooks AFTER INSERT ON review_events
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_reviews();

-- balance.below_threshold: a balance snapshot under the account's `balance_alert_below`, when the
-- one before it was not (once per crossing, not at every poll).
CREATE FUNCTION webhook_balances() RETURNS trigger
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
    JOIN webhook_endpoints w ON w.tenant_id = e.tenant_id AND w.enabled
                            AND ('balance.below_threshold' = ANY (w.event_types) OR '*' = ANY (w.event_types));
    RETURN NULL;
END
$$;
CREATE TRIGGER balances_webhooks AFTER INSERT ON balances
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_balances();

-- The deliverer works tenant by tenant under row-level security; this names the tenants with due
-- deliveries to enabled endpoints, and nothing else about them. One index probe per tenant.
CREATE FUNCTION tenants_with_webhook_work() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT w.tenant_id FROM public.webhook_endpoints w
    WHERE w.enabled AND EXISTS (SELECT 1 FROM public.webhook_deliveries d
                                WHERE d.tenant_id = w.tenant_id AND d.endpoint_id = w.id AND d.state = 'pending'
                                  AND d.next_attempt_at <= now() AND (d.lease_until IS NULL OR d.lease_until < now()))
    GROUP BY w.tenant_id
$$;
GRANT CREATE ON SCHEMA public TO smshub_admin;
ALTER FUNCTION tenants_with_webhook_work() OWNER TO smshub_admin;
REVOKE CREATE ON SCHEMA public FROM smshub_admin;
REVOKE ALL ON FUNCTION tenants_with_webhook_work() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenants_with_webhook_work() TO smshub_app;
