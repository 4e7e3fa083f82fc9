-- The deliverer asks which tenants have webhook deliveries due by the time of its own clock, which
-- a test sets (docs/decisions/0013-a-suite-for-a-slow-machine.md). Leases stay on the
-- database's clock: they fence instances against each other. The function of 0016 stays for
-- instances still running the build before this one.
CREATE FUNCTION tenants_with_webhook_work(due_by timestamptz) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT w.tenant_id FROM public.webhook_endpoints w
    WHERE w.enabled AND EXISTS (SELECT 1 FROM public.webhook_deliveries d
                                WHERE d.tenant_id = w.tenant_id AND d.endpoint_id = w.id AND d.state = 'pending'
                                  AND d.next_attempt_at <= due_by AND (d.lease_until IS NULL OR d.lease_until < now()))
    GROUP BY w.tenant_id
$$;
GRANT CREATE ON SCHEMA public TO smshub_admin;
ALTER FUNCTION tenants_with_webhook_work(timestamptz) OWNER TO smshub_admin;
REVOKE CREATE ON SCHEMA public FROM smshub_admin;
REVOKE ALL ON FUNCTION tenants_with_webhook_work(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenants_with_webhook_work(timestamptz) TO smshub_app;
