-- Provider accounts, the messages and recipients whose states callbacks update, and everything
-- providers send back: status events, replies, review results, balances, and an audit of callbacks
-- that were refused or not understood. Every table is tenant-owned, keyed (tenant_id, …), under
-- forced row-level security like 0001.

CREATE FUNCTION smshub_tenant() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT NULLIF(current_setting('smshub.tenant_id', true), '')::uuid $$;

-- Lifecycle order: a recipient's state only ever moves to a higher rank (architecture.md).
-- Terminal states share the top rank, so the first terminal state stays.
CREATE FUNCTION status_rank(state text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE state
        WHEN 'queued' THEN 0
        WHEN 'submitted' THEN 1
        WHEN 'sent' THEN 2
        WHEN 'unknown' THEN 3
        WHEN 'delivered' THEN 4
        WHEN 'undelivered' THEN 4
        WHEN 'failed' THEN 4
        WHEN 'expired' THEN 4
    END
$$;

CREATE TABLE provider_accounts (
    tenant_id           uuid        NOT NULL REFERENCES tenants (id),
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    provider            text        NOT NULL CHECK (provider IN ('gateway', 'engagelab', 'submail', 'huawei')),
    name                text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    status              text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    -- Non-secret settings (base URL, account name, app key or id, time zone).
    settings            jsonb       NOT NULL DEFAULT '{}',
    -- AES-256-GCM sealed JSON object of the secrets, bound to (tenant_id, id); key_id names the master key.
    secrets             bytea       NOT NULL,
    secrets_key_id      text        NOT NULL,
    -- Which secret fields are set, so the API can say so without opening the box.
    secret_names        text[]      NOT NULL DEFAULT '{}',
    -- SHA-256 of the callback URL token; the token itself is shown once.
    callback_token_hash bytea       NOT NULL UNIQUE CHECK (octet_length(callback_token_hash) = 32),
    is_default          boolean     NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    disabled_at         timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX provider_accounts_id_idx ON provider_accounts (id);
CREATE INDEX provider_accounts_list_idx ON provider_accounts (tenant_id, created_at, id);
-- At most one default account per provider and tenant (the one sends use when none is named).
CREATE UNIQUE INDEX provider_accounts_default_idx ON provider_accounts (tenant_id, provider) WHERE is_default;

CREATE TABLE messages (
    tenant_id           uuid        NOT NULL REFERENCES tenants (id),
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    provider_account_id uuid        NOT NULL,
    content             text        NOT NULL,
    ext_no              text,
    client_reference    text,
    custom              jsonb       NOT NULL DEFAULT '{}',
    idempotency_key     text,
    request_hash        bytea,
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, provider_account_id) REFERENCES provider_accounts (tenant_id, id)
);
CREATE INDEX messages_created_idx ON messages (tenant_id, created_at, id);
CREATE UNIQUE INDEX messages_idempotency_idx ON messages (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE message_recipients (
    tenant_id           uuid        NOT NULL REFERENCES tenants (id),
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    message_id          uuid        NOT NULL,
    provider_account_id uuid        NOT NULL,
    number_raw          text        NOT NULL,
    number_e164         text        NOT NULL,
    -- The provider's id for this recipient's message (Gateway: the task id, shared by a task's recipients).
    provider_message_id text,
    status              text        NOT NULL DEFAULT 'queued' CHECK (status_rank(status) IS NOT NULL),
    status_code         text,
    status_description  text,
    status_at           timestamptz NOT NULL DEFAULT now(),
    segments            integer,
    submitted_at        timestamptz,
    sent_at             timestamptz,
    completed_at        timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, message_id) REFERENCES messages (tenant_id, id),
    FOREIGN KEY (tenant_id, provider_account_id) REFERENCES provider_accounts (tenant_id, id)
);
CREATE INDEX message_recipients_message_idx ON message_recipients (tenant_id, message_id);
CREATE INDEX message_recipients_provider_id_idx ON message_recipients (tenant_id, provider_account_id, provider_message_id);
CREATE INDEX message_recipients_number_idx ON message_recipients (tenant_id, number_e164, created_at);

-- Append-only history of every status received (pushed or pulled). recipient_id is NULL while the
-- recipient is not known yet (sent outside the hub, or the report beat the send's commit); such
-- events are attached when the recipient appears.
CREATE TABLE status_events (
    tenant_id           uuid        NOT NULL REFERENCES tenants (id),
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    provider_account_id uuid        NOT NULL,
    provider            text        NOT NULL,
    recipient_id        uuid,
    provider_message_id text        NOT NULL,
    number_raw          text,
    number_e164         text,
    state               text        NOT NULL CHECK (status_rank(state) IS NOT NULL),
    provider_code       text,
    description         text,
    part_sequence       integer,
    part_total          integer,
    segments            integer,
    occurred_at         timestamptz,
    received_at         timestamptz NOT NULL DEFAULT now(),
    source              text        NOT NULL CHECK (source IN ('push', 'pull')),
    -- Identifies the event across redeliveries; a duplicate is acknowledged and not stored again.
    dedup_key           text        NOT NULL,
    raw                 jsonb       NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, provider_account_id) REFERENCES provider_accounts (tenant_id, id)
);
CREATE UNIQUE INDEX status_events_dedup_idx ON status_events (tenant_id, dedup_key);
CREATE INDEX status_events_provider_id_idx ON status_events (tenant_id, provider_account_id, provider_message_id);
CREATE INDEX status_events_recipient_idx ON status_events (tenant_id, recipient_id, received_at);
CREATE INDEX status_events_unattached_idx ON status_events (tenant_id, provider_account_id, provider_message_id) WHERE recipient_id IS NULL;

CREATE TABLE replies (
    tenant_id           uuid        NOT NULL REFERENCES tenants (id),
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    provider_account_id uuid        NOT NULL,
    provider            text        NOT NULL,
    -- The provider's id of the message replied to (EngageLab sms_id, SUBMAIL send_id), or of the reply (Huawei).
    provider_message_id text,
    recipient_id        uuid,
    message_id          uuid,
    number_raw          text        NOT NULL,
    number_e164         text        NOT NULL,
    content             text        NOT NULL,
    ext_no              text,
    replied_at          timestamptz,
    received_at         timestamptz NOT NULL DEFAULT now(),
    source              text        NOT NULL CHECK (source IN ('push', 'pull')),
    dedup_key           text        NOT NULL,
    raw                 jsonb       NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, provider_account_id) REFERENCES provider_accounts (tenant_id, id)
);
CREATE UNIQUE INDEX replies_dedup_idx ON replies (tenant_id, dedup_key);
CREATE INDEX replies_received_idx ON replies (tenant_id, received_at, id);
CREATE INDEX replies_number_idx ON replies (tenant_id, number_e164, received_at);

-- Template and sender-signature review results.
CREATE TABLE review_events (
    tenant_id           uuid        NOT NULL REFERENCES tenants (id),
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    provider_account_id uuid        NOT NULL,
    provider            text        NOT NULL,
    kind                text        NOT NULL CHECK (kind IN ('template', 'signature')),
    subject             text        NOT NULL,
    result              text        NOT NULL CHECK (result IN ('approved', 'rejected', 'unknown')),
    reason              text,
    occurred_at         timestamptz,
    received_at         timestamptz NOT NULL DEFAULT now(),
    dedup_key           text        NOT NULL,
    raw                 jsonb       NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, provider_account_id) REFERENCES provider_accounts (tenant_id, id)
);
CREATE UNIQUE INDEX review_events_dedup_idx ON review_events (tenant_id, dedup_key);
CREATE INDEX review_events_subject_idx ON review_events (tenant_id, provider_account_id, kind, subject, received_at);

CREATE TABLE balances (
    tenant_id           uuid        NOT NULL REFERENCES tenants (id),
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    provider_account_id uuid        NOT NULL,
    balance             numeric     NOT NULL,
    payment             text,
    observed_at         timestamptz NOT NULL DEFAULT now(),
    raw                 jsonb       NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, provider_account_id) REFERENCES provider_accounts (tenant_id, id)
);
CREATE INDEX balances_account_idx ON balances (tenant_id, provider_account_id, observed_at);

-- Callbacks that were refused (bad signature, wrong app key) or not understood (unknown event
-- types, kept raw). Never a secret: refused callbacks keep no body at all.
CREATE TABLE callback_receipts (
    tenant_id           uuid        NOT NULL REFERENCES tenants (id),
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    provider_account_id uuid        NOT NULL,
    provider            text        NOT NULL,
    outcome             text        NOT NULL CHECK (outcome IN ('rejected', 'unrecognised')),
    reason              text        NOT NULL,
    raw                 jsonb,
    received_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, provider_account_id) REFERENCES provider_accounts (tenant_id, id)
);
CREATE INDEX callback_receipts_received_idx ON callback_receipts (tenant_id, received_at);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['provider_accounts', 'messages', 'message_recipients', 'status_events',
                             'replies', 'review_events', 'balances', 'callback_receipts']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I TO smshub_app USING (tenant_id = smshub_tenant()) WITH CHECK (tenant_id = smshub_tenant())', t);
        EXECUTE format('CREATE POLICY admin_all ON %I TO smshub_admin USING (true) WITH CHECK (true)', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I TO smshub_app', t);
        EXECUTE format('GRANT SELECT ON %I TO smshub_admin', t);
    END LOOP;
END
$$;

-- The history tables are append-only for the service.
REVOKE UPDATE ON callback_receipts, balances, review_events FROM smshub_app;

-- A callback names its account only by the token in its URL, before any tenant is known. This is
-- the one way from a token to its account: the hash in, that one account's row out.
CREATE FUNCTION resolve_callback_token(p_token_hash bytea)
RETURNS TABLE (tenant_id uuid, account_id uuid, provider text, account_status text, tenant_status text,
               settings jsonb, secrets bytea, secrets_key_id text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT a.tenant_id, a.id, a.provider, a.status, t.status, a.settings, a.secrets, a.secrets_key_id
    FROM public.provider_accounts a
    JOIN public.tenants t ON t.id = a.tenant_id
    WHERE a.callback_token_hash = p_token_hash
$$;
GRANT CREATE ON SCHEMA public TO smshub_admin;
ALTER FUNCTION resolve_callback_token(bytea) OWNER TO smshub_admin;
REVOKE CREATE ON SCHEMA public FROM smshub_admin;
REVOKE ALL ON FUNCTION resolve_callback_token(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION resolve_callback_token(bytea) TO smshub_app;
