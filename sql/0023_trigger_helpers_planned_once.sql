-- Two helpers that the recipient triggers call on every report cost more than their work (issue 20,
-- docs/performance.md, "Levers for large tables").
--
-- `webhook_wanted` was a SQL function with a SET clause. PostgreSQL cannot inline such a function, and
-- it parses and plans a SQL function's body again for every statement that calls it. Every trigger
-- that asks it is a new statement, so its question was planned afresh for each moving UPDATE, even
-- when no tenant has an endpoint. As PL/pgSQL, its query is planned once per connection.
--
-- `outcome_bucket` is called per row by the outcome-count triggers. Its SET clause also kept it from
-- being inlined, so every row paid a function call and a setting change. With a body of standard SQL
-- (RETURN), the body is parsed when the function is created and bound to pg_catalog's date_bin then,
-- so no search_path can redirect it and the planner inlines it.
--
-- Both keep their signature and results. Each is a catalogue update, instant at any size.
CREATE OR REPLACE FUNCTION webhook_wanted(p_tenants uuid[], p_type text) RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM webhook_endpoints w
                   WHERE w.tenant_id = ANY (p_tenants) AND w.enabled AND (p_type = ANY (w.event_types) OR '*' = ANY (w.event_types)));
END
$$;

CREATE OR REPLACE FUNCTION outcome_bucket(t timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN date_bin('15 minutes', t, '2000-01-01 00:00:00+00');
