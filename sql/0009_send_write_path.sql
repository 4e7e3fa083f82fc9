-- The write path of sends, measured by bench/run (issue 7).
--
-- Every recipient row checked its message with a foreign key: one SPI query and a KEY SHARE lock on
-- the message row per recipient, 16% of the machine's CPU while accepting sends of 1,000 recipients
-- (pgbench replay of the two statements: 20% more sends per second without it). Recipients are written
-- in the same transaction as their message, by the one statement that writes them, and messages are
-- never deleted (which the trigger below now enforces, as 0008 does for tenants and accounts), so the
-- per-row check guards nothing. Dispatch tasks keep theirs: one per 3,000 recipients.
ALTER TABLE message_recipients DROP CONSTRAINT message_recipients_tenant_id_message_id_fkey;

CREATE TRIGGER messages_never_deleted BEFORE DELETE OR TRUNCATE ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_delete();

-- The dispatcher asks this before each round. DISTINCT over every waiting recipient read the whole
-- backlog (a parallel sequential scan of message_recipients, 1.4 s with 100,000 queued) and slowed
-- the sends it was waiting to dispatch; one probe per active tenant into the partial indexes that
-- hold exactly the waiting rows costs the same whatever the backlog.
CREATE OR REPLACE FUNCTION tenants_with_dispatch_work() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT t.id FROM public.tenants t
    WHERE t.status = 'active' AND (
        EXISTS (SELECT 1 FROM public.message_recipients r
                WHERE r.tenant_id = t.id AND r.status = 'queued' AND r.provider_message_id IS NULL)
        OR EXISTS (SELECT 1 FROM public.dispatch_tasks d
                   WHERE d.tenant_id = t.id AND d.state = 'pending' AND d.next_attempt_at <= now()
                     AND (d.lease_until IS NULL OR d.lease_until < now())))
$$;
