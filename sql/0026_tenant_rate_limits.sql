-- Limits per tenant (docs/operations.md, "Limits"): an administrator may override the default rate of
-- a tenant's API requests, replays, retries and test sends. The overrides live on the tenant, as JSON
-- the service validates ({"replay": {"per_minute": 60, "burst": 10}}; an absent policy has its
-- default), and are read with the API key, so a request costs no extra lookup.
ALTER TABLE tenants ADD COLUMN rate_limits jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(rate_limits) = 'object');

CREATE FUNCTION authenticate_api_key_with_limits(p_key_hash bytea)
RETURNS TABLE (tenant_id uuid, key_id uuid, tenant_status text, key_revoked boolean, rate_limits text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT k.tenant_id, k.id, t.status, k.revoked_at IS NOT NULL, t.rate_limits::text
    FROM public.api_keys k
    JOIN public.tenants t ON t.id = k.tenant_id
    WHERE k.key_hash = p_key_hash
$$;
GRANT CREATE ON SCHEMA public TO smshub_admin;
ALTER FUNCTION authenticate_api_key_with_limits(bytea) OWNER TO smshub_admin;
REVOKE CREATE ON SCHEMA public FROM smshub_admin;
REVOKE ALL ON FUNCTION authenticate_api_key_with_limits(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION authenticate_api_key_with_limits(bytea) TO smshub_app;
