-- Every recipient ends in its true state (issue 19).
--
-- Validity windows. A recipient the provider never reports on stayed `submitted` for ever. Each
-- Gateway task now carries the end of its recipients' window (`open_until`: acceptance plus the
-- account's `validity_seconds`, default 72 h, at most 7 days); once it passes, the expiry sweep marks
-- every recipient of the task without a final report `expired`, as the hub's inference
-- (`status_inferred`), writes that into the history as an event of source `inferred`, and clears
-- `open_until`. A final report that comes later still replaces an inferred expiry.
-- ADD COLUMN with a constant default rewrites nothing, whatever the table holds.
ALTER TABLE message_recipients ADD COLUMN status_inferred boolean NOT NULL DEFAULT false;
ALTER TABLE dispatch_tasks ADD COLUMN open_until timestamptz;
-- Tasks already in the database get the default window from their creation: their silent
-- recipients expire at the first sweep. One pass over dispatch_tasks (one row per 3,000 recipients).
UPDATE dispatch_tasks SET open_until = created_at + interval '72 hours';
-- Only tasks still open are indexed, so the sweep's index stays as small as the work waiting.
CREATE INDEX dispatch_tasks_open_idx ON dispatch_tasks (tenant_id, open_until) WHERE open_until IS NOT NULL;

-- History rows the hub writes itself. NOT VALID then VALIDATE: the check of existing rows takes a
-- lock that lets writes go on (the DROP above it is brief).
ALTER TABLE status_events DROP CONSTRAINT status_events_source_check;
ALTER TABLE status_events ADD CONSTRAINT status_events_source_check CHECK (source IN ('push', 'pull', 'inferred')) NOT VALID;
ALTER TABLE status_events VALIDATE CONSTRAINT status_events_source_check;

-- Masked Gateway copies that cannot be attributed yet are held unattached (recipient_id NULL), and
-- every later report of their task looks for them. 0008 dropped this index because every event was
-- inserted unattached and attached by an UPDATE; events are now planned before the INSERT, so only
-- the few inserted unattached (held copies, reports that beat their send) have an entry here.
CREATE INDEX status_events_unattached_idx ON status_events (tenant_id, provider_account_id, provider_message_id) WHERE recipient_id IS NULL;

-- The sweep works tenant by tenant under row-level security; this names the tenants with tasks
-- whose window has ended, and nothing else about them.
CREATE FUNCTION tenants_with_expiry_work() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT DISTINCT d.tenant_id FROM public.dispatch_tasks d
    WHERE d.open_until IS NOT NULL AND d.open_until <= now()
$$;
GRANT CREATE ON SCHEMA public TO smshub_admin;
ALTER FUNCTION tenants_with_expiry_work() OWNER TO smshub_admin;
REVOKE CREATE ON SCHEMA public FROM smshub_admin;
REVOKE ALL ON FUNCTION tenants_with_expiry_work() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenants_with_expiry_work() TO smshub_app;
