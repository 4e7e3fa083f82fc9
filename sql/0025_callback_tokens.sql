-- SUBMAIL signs only a token (docs/providers.md §3.1), not the body: anyone who captured one event's
-- token and signature could sign any other event with them, at any later time. Each token is
-- remembered with the events it came with (both as SHA-256 digests): the same token with the same
-- events is a retry, acknowledged as a duplicate; with other events it is refused like a bad
-- signature (docs/decisions/0015-replayed-callbacks.md). Kept as long as the tenant keeps its events,
-- removed by the retention sweep with them. No foreign keys, like the event tables since 0008.
CREATE TABLE callback_tokens (
    tenant_id           uuid        NOT NULL,
    provider_account_id uuid        NOT NULL,
    token_digest        bytea       NOT NULL CHECK (octet_length(token_digest) = 32),
    fingerprint         bytea       NOT NULL CHECK (octet_length(fingerprint) = 32),
    id                  uuid        NOT NULL DEFAULT uuid_v7(),
    received_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_account_id, token_digest)
);
CREATE UNIQUE INDEX callback_tokens_id_idx ON callback_tokens (id);
CREATE INDEX callback_tokens_received_idx ON callback_tokens (tenant_id, received_at);

ALTER TABLE callback_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE callback_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON callback_tokens TO smshub_app
    USING (tenant_id = smshub_tenant()) WITH CHECK (tenant_id = smshub_tenant());
CREATE POLICY admin_all ON callback_tokens TO smshub_admin USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, DELETE ON callback_tokens TO smshub_app;
GRANT SELECT ON callback_tokens TO smshub_admin;
