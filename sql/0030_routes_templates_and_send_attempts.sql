-- Sending through SUBMAIL, Huawei Cloud and EngageLab (issue 33, decision 0019).
--
-- Routes: a named order of 1 to 5 of the tenant's accounts. A message keeps the order it was accepted
-- with (messages.route_account_ids), so editing a route never moves a message in flight; a recipient's
-- provider_account_id is the step it is on.
CREATE TABLE send_routes (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id),
    id          uuid        NOT NULL DEFAULT uuid_v7(),
    name        text        NOT NULL,
    account_ids uuid[]      NOT NULL CHECK (cardinality(account_ids) BETWEEN 1 AND 5),
    is_default  boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX send_routes_name_idx ON send_routes (tenant_id, name);
CREATE UNIQUE INDEX send_routes_default_idx ON send_routes (tenant_id) WHERE is_default;

-- Hub templates: a body with named variables, and per account the provider's own template for it.
CREATE TABLE templates (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    id         uuid        NOT NULL DEFAULT uuid_v7(),
    name       text        NOT NULL,
    category   text        NOT NULL CHECK (category IN ('verification', 'notification', 'marketing')),
    body       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX templates_name_idx ON templates (tenant_id, name);

CREATE TABLE template_mappings (
    tenant_id           uuid        NOT NULL,
    template_id         uuid        NOT NULL,
    provider_account_id uuid        NOT NULL,
    -- The provider's template, as TemplateMapping writes it (docs/api.md, "Templates").
    mapping             jsonb       NOT NULL,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, template_id, provider_account_id),
    FOREIGN KEY (tenant_id, template_id) REFERENCES templates (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, provider_account_id) REFERENCES provider_accounts (tenant_id, id)
);

ALTER TABLE messages
    ADD COLUMN route_account_ids uuid[],
    ADD COLUMN template_id uuid,
    ADD COLUMN template_values jsonb;

-- One row per recipient per call. A call to a provider without an idempotency key is made at most
-- once per recipient: the claim inserts the rows before the call, and this index allows a second live
-- row for a recipient only after the first was refused for its account (the one outcome that fails
-- over). No foreign keys, like the other high-volume tables; retention removes rows by created_at.
CREATE TABLE send_attempts (
    tenant_id           uuid        NOT NULL,
    id                  uuid        NOT NULL DEFAULT uuid_v7(),
    recipient_id        uuid        NOT NULL,
    message_id          uuid        NOT NULL,
    -- The dispatch task: the call, whose tag (AttemptTag) the provider echoes in its callbacks.
    task_id             uuid        NOT NULL,
    provider_account_id uuid        NOT NULL,
    step                smallint    NOT NULL CHECK (step BETWEEN 0 AND 4),
    outcome             text        NOT NULL DEFAULT 'calling'
                        CHECK (outcome IN ('calling', 'accepted', 'refused_account', 'refused_number', 'unknown')),
    provider_message_id text,
    code                text,
    description         text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    completed_at        timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX send_attempts_one_live_idx ON send_attempts (tenant_id, recipient_id) WHERE outcome <> 'refused_account';
CREATE INDEX send_attempts_task_idx ON send_attempts (tenant_id, task_id);
CREATE INDEX send_attempts_created_idx ON send_attempts (tenant_id, created_at);

ALTER TABLE send_routes ENABLE ROW LEVEL SECURITY;
ALTER TABLE send_routes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON send_routes TO smshub_app
    USING (tenant_id = smshub_tenant()) WITH CHECK (tenant_id = smshub_tenant());
CREATE POLICY admin_all ON send_routes TO smshub_admin USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON send_routes TO smshub_app;
GRANT SELECT ON send_routes TO smshub_admin;

ALTER TABLE templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE templates FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON templates TO smshub_app
    USING (tenant_id = smshub_tenant()) WITH CHECK (tenant_id = smshub_tenant());
CREATE POLICY admin_all ON templates TO smshub_admin USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON templates TO smshub_app;
GRANT SELECT ON templates TO smshub_admin;

ALTER TABLE template_mappings ENABLE ROW LEVEL SECURITY;
ALTER TABLE template_mappings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON template_mappings TO smshub_app
    USING (tenant_id = smshub_tenant()) WITH CHECK (tenant_id = smshub_tenant());
CREATE POLICY admin_all ON template_mappings TO smshub_admin USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON template_mappings TO smshub_app;
GRANT SELECT ON template_mappings TO smshub_admin;

ALTER TABLE send_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE send_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON send_attempts TO smshub_app
    USING (tenant_id = smshub_tenant()) WITH CHECK (tenant_id = smshub_tenant());
CREATE POLICY admin_all ON send_attempts TO smshub_admin USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON send_attempts TO smshub_app;
GRANT SELECT ON send_attempts TO smshub_admin;

-- BI: every call made for a recipient through SUBMAIL, Huawei and EngageLab (docs/bi.md).
CREATE POLICY bi_read ON send_attempts TO smshub_bi_owner
    USING ((SELECT bi_sees_all_tenants()) OR tenant_id = ANY ((SELECT bi_visible_tenants())::uuid[]));
GRANT SELECT (tenant_id, id, recipient_id, message_id, task_id, provider_account_id, step, outcome, provider_message_id, code,
              description, created_at, completed_at)
    ON send_attempts TO smshub_bi_owner;
SET LOCAL ROLE smshub_bi_owner;
CREATE VIEW bi.send_attempts AS
SELECT s.tenant_id, s.message_id, s.recipient_id, s.id AS attempt_id, s.step, s.provider_account_id, a.provider, s.outcome,
       s.provider_message_id, s.code, s.description, s.created_at, s.completed_at
FROM public.send_attempts s
JOIN public.provider_accounts a ON a.tenant_id = s.tenant_id AND a.id = s.provider_account_id;
GRANT SELECT ON bi.send_attempts TO smshub_bi_read;
RESET ROLE;
