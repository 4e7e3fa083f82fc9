-- SUBMAIL's and EngageLab's balances on a schedule, as the Gateway's are (issue 33): their active
-- accounts that hold the credentials the balance API needs, due for a balance poll and not leased.
-- The leases and poll times are the Gateway's (poll_leases, kind 'balance'); a paused account waits.
CREATE FUNCTION provider_balances_due(p_every_seconds double precision)
RETURNS TABLE (tenant_id uuid, account_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT a.tenant_id, a.id
    FROM public.provider_accounts a
    JOIN public.tenants t ON t.id = a.tenant_id AND t.status = 'active'
    LEFT JOIN public.poll_leases l ON l.tenant_id = a.tenant_id AND l.provider_account_id = a.id AND l.kind = 'balance'
    LEFT JOIN public.outbound_health h ON h.tenant_id = a.tenant_id AND h.provider_account_id = a.id
    WHERE a.status = 'active'
      AND ((a.provider = 'submail' AND 'app_key' = ANY (a.secret_names))
           OR (a.provider = 'engagelab' AND a.settings ? 'dev_key' AND 'dev_secret' = ANY (a.secret_names)))
      AND (l.leased_until IS NULL OR l.leased_until < now())
      AND (l.last_polled_at IS NULL OR l.last_polled_at < now() - make_interval(secs => p_every_seconds))
      AND (h.paused_until IS NULL OR h.paused_until <= now())
$$;
GRANT CREATE ON SCHEMA public TO smshub_admin;
ALTER FUNCTION provider_balances_due(double precision) OWNER TO smshub_admin;
REVOKE CREATE ON SCHEMA public FROM smshub_admin;
REVOKE ALL ON FUNCTION provider_balances_due(double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION provider_balances_due(double precision) TO smshub_app;
