-- Tenants and their API keys, the roles the service works through, and row-level security.
--
-- Roles (cluster-wide, so created only when missing):
--   * the migration runner (whoever applies this file) owns every table;
--   * smshub_app   is the role the service logs in as; it owns nothing and sees only the rows of the
--                  tenant named by the transaction setting smshub.tenant_id;
--   * smshub_admin is a NOLOGIN role for the narrow cross-tenant paths (admin API, key lookup); the
--                  service reaches it only with SET LOCAL ROLE inside a transaction, or through the
--                  SECURITY DEFINER functions it owns.

-- Roles are cluster-wide, so migrations of two databases on one server may race to create them:
-- whoever loses finds the role made, which is as good.
DO $$
BEGIN
    -- Created without LOGIN when the operator has not made it; give it a password and LOGIN to use it.
    BEGIN
        CREATE ROLE smshub_app NOLOGIN NOINHERIT;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    BEGIN
        CREATE ROLE smshub_admin NOLOGIN NOINHERIT;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
END
$$;

GRANT smshub_admin TO smshub_app;
-- The runner must be able to act as smshub_admin to hand it the SECURITY DEFINER functions below.
GRANT smshub_admin TO CURRENT_USER;

GRANT SELECT ON smshub_migrations TO smshub_app;

CREATE TABLE tenants (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    status      text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    disabled_at timestamptz
);
CREATE INDEX tenants_created_at_idx ON tenants (created_at, id);

CREATE TABLE api_keys (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id),
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    name        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    -- The first characters of the key, kept so people can tell their keys apart; never enough to use one.
    prefix      text        NOT NULL,
    -- SHA-256 of the whole key. The key itself is shown once, at creation, and stored nowhere.
    key_hash    bytea       NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX api_keys_id_idx ON api_keys (id);

-- Row-level security, forced so that not even the owning role reads across tenants by accident.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON tenants TO smshub_app
    USING (id = NULLIF(current_setting('smshub.tenant_id', true), '')::uuid);
CREATE POLICY tenant_isolation ON api_keys TO smshub_app
    USING (tenant_id = NULLIF(current_setting('smshub.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('smshub.tenant_id', true), '')::uuid);
CREATE POLICY admin_all ON tenants TO smshub_admin USING (true) WITH CHECK (true);
CREATE POLICY admin_all ON api_keys TO smshub_admin USING (true) WITH CHECK (true);

GRANT SELECT ON tenants TO smshub_app;
GRANT SELECT ON api_keys TO smshub_app;
GRANT SELECT, INSERT, UPDATE ON tenants TO smshub_admin;
GRANT SELECT, INSERT, UPDATE ON api_keys TO smshub_admin;

-- Key lookup happens before any tenant is known, so it cannot run under the tenant policy. This
-- function is the one way through: given a key's hash it returns that key's tenant and nothing else.
CREATE FUNCTION authenticate_api_key(p_key_hash bytea)
RETURNS TABLE (tenant_id uuid, key_id uuid, tenant_status text, key_revoked boolean)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT k.tenant_id, k.id, t.status, k.revoked_at IS NOT NULL
    FROM public.api_keys k
    JOIN public.tenants t ON t.id = k.tenant_id
    WHERE k.key_hash = p_key_hash
$$;
-- A new owner needs CREATE on the schema at the moment of the change only; it keeps none afterwards.
GRANT CREATE ON SCHEMA public TO smshub_admin;
ALTER FUNCTION authenticate_api_key(bytea) OWNER TO smshub_admin;
REVOKE CREATE ON SCHEMA public FROM smshub_admin;
REVOKE ALL ON FUNCTION authenticate_api_key(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION authenticate_api_key(bytea) TO smshub_app;
