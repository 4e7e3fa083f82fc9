-- Retention per tenant (issue 20): after `redact_after_days` the contents of messages and replies
-- are redacted; after `delete_after_days` the tenant's messages, recipients, events, replies,
-- balances, raw payloads and webhook records are removed. The sweep (RetentionSweeper) works in
-- small batches and records how far it has got, so what a report can no longer cover is known.
--
-- The columns (no defaults), the view and the function change only the catalogue: instant at any
-- size. The two indexes let removal find a message's dispatch tasks and a tenant's oldest balances
-- without reading the whole table; they are built in this migration's transaction, which holds
-- writes to those two tables meanwhile (a few seconds per ten million dispatch tasks; balances are
-- one row per account per poll).

ALTER TABLE tenants
    ADD COLUMN redact_after_days integer CHECK (redact_after_days BETWEEN 1 AND 3650),
    ADD COLUMN delete_after_days integer CHECK (delete_after_days BETWEEN 1 AND 3650),
    -- Contents of everything created before this time are redacted (NULL: nothing yet).
    ADD COLUMN redacted_before timestamptz,
    -- Nothing of the tenant's from before this time remains (NULL: nothing removed yet).
    ADD COLUMN deleted_before timestamptz,
    ADD CONSTRAINT tenants_retention_order CHECK (redact_after_days <= delete_after_days);

ALTER TABLE messages ADD COLUMN redacted_at timestamptz;
ALTER TABLE replies ADD COLUMN redacted_at timestamptz;

CREATE INDEX dispatch_tasks_message_idx ON dispatch_tasks (tenant_id, message_id);
CREATE INDEX balances_observed_idx ON balances (tenant_id, observed_at);

-- Messages may now be removed, by retention, after their recipients: recipients keep no foreign key
-- to their message (0009), so the rule that refused every delete becomes "no message goes while it
-- has recipients". TRUNCATE stays refused.
DROP TRIGGER messages_never_deleted ON messages;
CREATE TRIGGER messages_never_truncated BEFORE TRUNCATE ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_delete();
CREATE FUNCTION refuse_orphaned_recipients() RETURNS trigger
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM gone g JOIN message_recipients r ON r.tenant_id = g.tenant_id AND r.message_id = g.id) THEN
        RAISE EXCEPTION 'a message is not deleted while it has recipients: remove them first' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER messages_keep_their_recipients AFTER DELETE ON messages
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_orphaned_recipients();

-- The sweep's way to the tenants it has work for, across tenants like the other lookups.
CREATE FUNCTION tenants_with_retention() RETURNS TABLE (tenant_id uuid, redact_after_days integer, delete_after_days integer,
                                                       redacted_before timestamptz, deleted_before timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT t.id, t.redact_after_days, t.delete_after_days, t.redacted_before, t.deleted_before FROM public.tenants t
    WHERE t.redact_after_days IS NOT NULL OR t.delete_after_days IS NOT NULL
$$;
GRANT CREATE ON SCHEMA public TO smshub_admin;
ALTER FUNCTION tenants_with_retention() OWNER TO smshub_admin;
REVOKE CREATE ON SCHEMA public FROM smshub_admin;
REVOKE ALL ON FUNCTION tenants_with_retention() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenants_with_retention() TO smshub_app;

-- The sweep runs as the service, tenant by tenant under row-level security, so the service may now
-- delete: only the rows retention removes, of the tenant its transaction is scoped to.
GRANT DELETE ON messages, message_recipients, dispatch_tasks, status_events, replies, review_events, callback_receipts, balances,
                webhook_events, webhook_deliveries, webhook_attempts TO smshub_app;
GRANT SELECT (tenant_id, id, received_at, raw), UPDATE (raw) ON callback_receipts TO smshub_app;
-- It records its progress on the tenant's own row.
GRANT UPDATE (redacted_before, deleted_before, updated_at) ON tenants TO smshub_app;

-- What BI can no longer see, per tenant.
GRANT SELECT (redact_after_days, delete_after_days, redacted_before, deleted_before) ON tenants TO smshub_bi_owner;
SET LOCAL ROLE smshub_bi_owner;
CREATE VIEW bi.tenant_retention AS
SELECT t.id AS tenant_id, t.redact_after_days, t.delete_after_days,
       t.redacted_before AS contents_redacted_before, t.deleted_before AS data_removed_before
FROM public.tenants t;
GRANT SELECT ON bi.tenant_retention TO smshub_bi_read;
RESET ROLE;
