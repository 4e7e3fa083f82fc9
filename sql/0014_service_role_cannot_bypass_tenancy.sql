-- Tenancy that cannot be switched off (issue 17).
--
-- Every table has an `admin_all` policy for smshub_admin, and smshub_app is a member of smshub_admin
-- so that it can `SET LOCAL ROLE smshub_admin` for the narrow cross-tenant paths. Only NOINHERIT keeps
-- those policies from applying to smshub_app's own queries. 0001 creates smshub_app NOINHERIT when it
-- is missing, but a role created beforehand the usual way (CREATE ROLE … LOGIN) inherits: make it not,
-- whoever created it. `smshub serve` also refuses to start on a role that inherits smshub_admin, is
-- superuser, or has BYPASSRLS (docs/operations.md).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'smshub_app' AND rolinherit) THEN
        BEGIN
            ALTER ROLE smshub_app NOINHERIT;
        EXCEPTION WHEN insufficient_privilege OR internal_error THEN
            RAISE WARNING 'smshub_app inherits smshub_admin''s rights and this role may not change that: run ALTER ROLE smshub_app NOINHERIT as a superuser (smshub serve refuses to start until then)';
        END;
    END IF;
END $$;

-- 0007 created smshub_bi with LOGIN and no password, which a server trusting local connections
-- lets anyone use. It logs in once an operator gives it a password and LOGIN (docs/bi.md). Roles are
-- cluster-wide and this runs once per database: the role's comment records that it was done, so a
-- later database on the same server does not take away a login an operator has since granted.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = 'smshub_bi' AND shobj_description(r.oid, 'pg_authid') IS NULL) THEN
        ALTER ROLE smshub_bi NOLOGIN;
        COMMENT ON ROLE smshub_bi IS 'smshub: all-tenant BI reader; NOLOGIN until an operator sets a password and LOGIN (docs/bi.md)';
    END IF;
EXCEPTION WHEN insufficient_privilege OR object_not_in_prerequisite_state OR internal_error THEN
    -- Another database's migration changing the role at the same moment ("tuple concurrently updated").
    RAISE WARNING 'smshub_bi was not changed by this migration: make it NOLOGIN as a superuser until it has a password';
END $$;
