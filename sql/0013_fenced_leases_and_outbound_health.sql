-- Outbound calls that one instance or one tenant cannot misuse (issue 17).
--
-- Fencing. A dispatch task's `attempts` goes up by one at every claim, so (task id, attempts) names one
-- lease for the task's whole life: every write recording a call's outcome is conditional on it, and a
-- frozen instance that resumes after another took the task over finds its writes matching no row.
-- `lease_owner` names the instance holding the lease, for operators and logs; the fence is `attempts`.
ALTER TABLE dispatch_tasks ADD COLUMN lease_owner uuid;

-- A circuit breaker per provider account: consecutive failed calls (no answer, an HTTP error, an
-- unreadable answer, a refused address) and, past a threshold, a pause during which neither the
-- dispatcher nor the pollers call the account. Kept in the database so every instance backs off
-- together and the account's representation can say why it is paused.
CREATE TABLE outbound_health (
    tenant_id            uuid        NOT NULL,
    provider_account_id  uuid        NOT NULL,
    consecutive_failures integer     NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    paused_until         timestamptz,
    -- One of the documented reasons (docs/outbound.md), never a target's own text.
    last_failure         text,
    last_failure_at      timestamptz,
    PRIMARY KEY (tenant_id, provider_account_id),
    FOREIGN KEY (tenant_id, provider_account_id) REFERENCES provider_accounts (tenant_id, id)
);
ALTER TABLE outbound_health ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbound_health FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON outbound_health TO smshub_app
    USING (tenant_id = smshub_tenant()) WITH CHECK (tenant_id = smshub_tenant());
CREATE POLICY admin_all ON outbound_health TO smshub_admin USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON outbound_health TO smshub_app;
GRANT SELECT ON outbound_health TO smshub_admin;

-- Polls skip paused accounts, as dispatch does.
CREATE OR REPLACE FUNCTION gateway_accounts_due(p_kind text, p_every_seconds double precision)
RETURNS TABLE (tenant_id uuid, account_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT a.tenant_id, a.id
    FROM public.provider_accounts a
    JOIN public.tenants t ON t.id = a.tenant_id AND t.status = 'active'
    LEFT JOIN public.poll_leases l ON l.tenant_id = a.tenant_id AND l.provider_account_id = a.id AND l.kind = p_kind
    LEFT JOIN public.outbound_health h ON h.tenant_id = a.tenant_id AND h.provider_account_id = a.id
    WHERE a.provider = 'gateway' AND a.status = 'active'
      AND (l.leased_until IS NULL OR l.leased_until < now())
      AND (l.last_polled_at IS NULL OR l.last_polled_at < now() - make_interval(secs => p_every_seconds))
      AND (h.paused_until IS NULL OR h.paused_until <= now())
$$;
