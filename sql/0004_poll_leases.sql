-- Which instance polls which Gateway account, and when it last did. A lease row per (account, kind)
-- is taken with one conditional upsert, so two instances never poll one account at once.

CREATE TABLE poll_leases (
    tenant_id           uuid        NOT NULL REFERENCES tenants (id),
    provider_account_id uuid        NOT NULL,
    kind                text        NOT NULL CHECK (kind IN ('report', 'mo', 'balance')),
    leased_until        timestamptz NOT NULL,
    last_polled_at      timestamptz,
    PRIMARY KEY (tenant_id, provider_account_id, kind),
    FOREIGN KEY (tenant_id, provider_account_id) REFERENCES provider_accounts (tenant_id, id)
);

ALTER TABLE poll_leases ENABLE ROW LEVEL SECURITY;
ALTER TABLE poll_leases FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON poll_leases TO smshub_app
    USING (tenant_id = smshub_tenant()) WITH CHECK (tenant_id = smshub_tenant());
CREATE POLICY admin_all ON poll_leases TO smshub_admin USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON poll_leases TO smshub_app;
GRANT SELECT ON poll_leases TO smshub_admin;
-- Balance snapshots are appended by the service (0002 revoked UPDATE only).

-- Active Gateway accounts of active tenants whose `kind` poll is due: not leased, and not polled
-- within the last p_every_seconds.
CREATE FUNCTION gateway_accounts_due(p_kind text, p_every_seconds double precision)
RETURNS TABLE (tenant_id uuid, account_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT a.tenant_id, a.id
    FROM public.provider_accounts a
    JOIN public.tenants t ON t.id = a.tenant_id AND t.status = 'active'
    LEFT JOIN public.poll_leases l ON l.tenant_id = a.tenant_id AND l.provider_account_id = a.id AND l.kind = p_kind
    WHERE a.provider = 'gateway' AND a.status = 'active'
      AND (l.leased_until IS NULL OR l.leased_until < now())
      AND (l.last_polled_at IS NULL OR l.last_polled_at < now() - make_interval(secs => p_every_seconds))
$$;
GRANT CREATE ON SCHEMA public TO smshub_admin;
ALTER FUNCTION gateway_accounts_due(text, double precision) OWNER TO smshub_admin;
REVOKE CREATE ON SCHEMA public FROM smshub_admin;
REVOKE ALL ON FUNCTION gateway_accounts_due(text, double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gateway_accounts_due(text, double precision) TO smshub_app;
