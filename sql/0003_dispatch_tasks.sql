-- Gateway send tasks. A task id is chosen and committed, with its recipients, before the gateway is
-- ever called, so a retry after a timeout or a crash reuses the same id and the gateway recognises
-- the repeat instead of sending twice.

CREATE TABLE dispatch_tasks (
    tenant_id           uuid        NOT NULL REFERENCES tenants (id),
    -- Sent to the gateway as taskId; its reports come back with sendId = this id.
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    message_id          uuid        NOT NULL,
    provider_account_id uuid        NOT NULL,
    recipient_ids       uuid[]      NOT NULL,
    state               text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts            integer     NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    -- Set while an instance is calling the gateway for this task; others skip it until it passes.
    lease_until         timestamptz,
    last_error          text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, message_id) REFERENCES messages (tenant_id, id),
    FOREIGN KEY (tenant_id, provider_account_id) REFERENCES provider_accounts (tenant_id, id)
);
CREATE INDEX dispatch_tasks_due_idx ON dispatch_tasks (tenant_id, next_attempt_at) WHERE state = 'pending';

-- Recipients waiting for a task: queued and not yet given a provider message id.
CREATE INDEX message_recipients_unplanned_idx ON message_recipients (tenant_id, created_at) WHERE status = 'queued' AND provider_message_id IS NULL;

ALTER TABLE dispatch_tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE dispatch_tasks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON dispatch_tasks TO smshub_app
    USING (tenant_id = smshub_tenant()) WITH CHECK (tenant_id = smshub_tenant());
CREATE POLICY admin_all ON dispatch_tasks TO smshub_admin USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON dispatch_tasks TO smshub_app;
GRANT SELECT ON dispatch_tasks TO smshub_admin;

-- The dispatcher works tenant by tenant under row-level security; this names the tenants that have
-- work, and nothing else about them.
CREATE FUNCTION tenants_with_dispatch_work() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT DISTINCT r.tenant_id FROM public.message_recipients r
    JOIN public.tenants t ON t.id = r.tenant_id AND t.status = 'active'
    WHERE r.status = 'queued' AND r.provider_message_id IS NULL
    UNION
    SELECT DISTINCT d.tenant_id FROM public.dispatch_tasks d
    JOIN public.tenants t ON t.id = d.tenant_id AND t.status = 'active'
    WHERE d.state = 'pending' AND d.next_attempt_at <= now() AND (d.lease_until IS NULL OR d.lease_until < now())
$$;
GRANT CREATE ON SCHEMA public TO smshub_admin;
ALTER FUNCTION tenants_with_dispatch_work() OWNER TO smshub_admin;
REVOKE CREATE ON SCHEMA public FROM smshub_admin;
REVOKE ALL ON FUNCTION tenants_with_dispatch_work() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenants_with_dispatch_work() TO smshub_app;
