-- Sending by the rules (issue 34), first part: a message's category, each tenant's rules, and the
-- opt-out list applied when a message is accepted and again when its recipients are planned into a
-- provider call (docs/sending-rules.md).

-- What a message is for: its template's category, or the one the request names (default notification).
-- The constraint is NOT VALID so that adding it never scans years of messages; every row has the
-- default, which it allows, and new rows are checked.
ALTER TABLE messages ADD COLUMN category text NOT NULL DEFAULT 'notification';
ALTER TABLE messages ADD CONSTRAINT messages_category_check
    CHECK (category IN ('verification', 'notification', 'marketing')) NOT VALID;

-- A tenant's rules, as the document `PUT /v1/send-rules` takes (SendRules+JSON.swift); absent means
-- the defaults.
CREATE TABLE tenant_send_rules (
    tenant_id  uuid        PRIMARY KEY REFERENCES tenants (id),
    rules      jsonb       NOT NULL CHECK (jsonb_typeof(rules) = 'object'),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The numbers a tenant must not send to: one row per number and scope ('all' or one category).
CREATE TABLE opt_outs (
    tenant_id           uuid        NOT NULL REFERENCES tenants (id),
    id                  uuid        NOT NULL DEFAULT uuid_v7(),
    number_e164         text        NOT NULL,
    scope               text        NOT NULL CHECK (scope IN ('all', 'verification', 'notification', 'marketing')),
    source              text        NOT NULL CHECK (source IN ('reply', 'report', 'api')),
    reason              text,
    api_key_id          uuid,
    provider_account_id uuid,
    reply_id            uuid,
    code                text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, number_e164, scope)
);
CREATE UNIQUE INDEX opt_outs_id_idx ON opt_outs (tenant_id, id);
CREATE INDEX opt_outs_created_idx ON opt_outs (tenant_id, created_at, id);

-- Every change to the list, entries removed included: who, why, and what caused it.
CREATE TABLE opt_out_changes (
    tenant_id           uuid        NOT NULL REFERENCES tenants (id),
    id                  uuid        NOT NULL DEFAULT uuid_v7(),
    number_e164         text        NOT NULL,
    scope               text        NOT NULL,
    action              text        NOT NULL CHECK (action IN ('added', 'removed')),
    source              text        NOT NULL CHECK (source IN ('reply', 'report', 'api')),
    reason              text,
    api_key_id          uuid,
    provider_account_id uuid,
    reply_id            uuid,
    code                text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX opt_out_changes_number_idx ON opt_out_changes (tenant_id, number_e164, created_at);
CREATE INDEX opt_out_changes_created_idx ON opt_out_changes (tenant_id, created_at);

-- The scopes that stop a message of `p_category`: its own, and 'all' unless it is a verification code
-- and the tenant exempts those (the default).
CREATE FUNCTION opt_out_scopes(p_category text, p_verification boolean) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN p_category = 'verification' AND NOT coalesce(p_verification, false)
                THEN ARRAY[p_category] ELSE ARRAY['all', p_category] END
$$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tenant_send_rules', 'opt_outs', 'opt_out_changes'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I TO smshub_app USING (tenant_id = smshub_tenant()) WITH CHECK (tenant_id = smshub_tenant())', t);
        EXECUTE format('CREATE POLICY admin_all ON %I TO smshub_admin USING (true) WITH CHECK (true)', t);
        EXECUTE format('GRANT SELECT ON %I TO smshub_admin', t);
    END LOOP;
END $$;
GRANT SELECT, INSERT, UPDATE ON tenant_send_rules TO smshub_app;
GRANT SELECT, INSERT, DELETE ON opt_outs TO smshub_app;
-- The history is append-only.
GRANT SELECT, INSERT ON opt_out_changes TO smshub_app;

-- recipient.opted_out and recipient.opted_in: a number joined or left the list.
CREATE FUNCTION webhook_opt_out_changes() RETURNS trigger
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
BEGIN
    IF NOT webhook_wanted(ARRAY(SELECT DISTINCT n.tenant_id FROM new_rows n), 'recipient.opted_out')
       AND NOT webhook_wanted(ARRAY(SELECT DISTINCT n.tenant_id FROM new_rows n), 'recipient.opted_in') THEN
        RETURN NULL;
    END IF;
    WITH events AS (
        INSERT INTO webhook_events (tenant_id, type, occurred_at, data)
        SELECT n.tenant_id, CASE n.action WHEN 'added' THEN 'recipient.opted_out' ELSE 'recipient.opted_in' END, n.created_at,
               jsonb_build_object(
                   'number', n.number_e164, 'scope', n.scope, 'source', n.source, 'reason', n.reason,
                   'provider_account_id', n.provider_account_id, 'reply_id', n.reply_id, 'code', n.code,
                   'at', smshub_time(n.created_at))
        FROM new_rows n
        RETURNING tenant_id, id, type
    )
    INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id)
    SELECT e.tenant_id, w.id, e.id
    FROM events e
    JOIN webhook_endpoints w ON w.tenant_id = e.tenant_id AND w.enabled AND w.backlogged_since IS NULL
                            AND (e.type = ANY (w.event_types) OR '*' = ANY (w.event_types));
    RETURN NULL;
END
$$;
CREATE TRIGGER opt_out_changes_webhooks AFTER INSERT ON opt_out_changes
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhook_opt_out_changes();

-- BI: the list as it stands, and its history (docs/bi.md); which API key made a change stays in the API.
CREATE POLICY bi_read ON opt_outs TO smshub_bi_owner
    USING ((SELECT bi_sees_all_tenants()) OR tenant_id = ANY ((SELECT bi_visible_tenants())::uuid[]));
GRANT SELECT (tenant_id, id, number_e164, scope, source, reason, provider_account_id, reply_id, code, created_at)
    ON opt_outs TO smshub_bi_owner;
CREATE POLICY bi_read ON opt_out_changes TO smshub_bi_owner
    USING ((SELECT bi_sees_all_tenants()) OR tenant_id = ANY ((SELECT bi_visible_tenants())::uuid[]));
GRANT SELECT (tenant_id, id, number_e164, scope, action, source, reason, provider_account_id, reply_id, code, created_at)
    ON opt_out_changes TO smshub_bi_owner;
GRANT SELECT (category) ON messages TO smshub_bi_owner;
SET LOCAL ROLE smshub_bi_owner;
CREATE VIEW bi.opt_outs AS
SELECT tenant_id, number_e164, scope, source, reason, provider_account_id, reply_id, code, created_at
FROM public.opt_outs;
CREATE VIEW bi.opt_out_changes AS
SELECT tenant_id, id AS change_id, number_e164, scope, action, source, reason, provider_account_id, reply_id, code, created_at
FROM public.opt_out_changes;
GRANT SELECT ON bi.opt_outs, bi.opt_out_changes TO smshub_bi_read;
-- The message's category, as a new last column (BI columns are only ever added).
CREATE OR REPLACE VIEW bi.message_recipients AS
SELECT r.tenant_id, r.message_id, r.id AS recipient_id, r.position, m.provider_account_id, a.provider,
       m.content, m.ext_no, m.client_reference, m.recipient_count, m.created_at AS message_created_at,
       r.number_raw AS number, r.number_e164, r.provider_message_id, r.status, r.status_code, r.status_description,
       r.status_at, r.segments, r.submitted_at, r.sent_at, r.completed_at, m.category
FROM public.message_recipients r
JOIN public.messages m ON m.tenant_id = r.tenant_id AND m.id = r.message_id
JOIN public.provider_accounts a ON a.tenant_id = r.tenant_id AND a.id = r.provider_account_id;
RESET ROLE;
