-- The write path of callbacks and sends, measured by bench/run (issue 7).
--
-- Every row of the high-volume tables checked its tenant and provider account with a foreign key:
-- one SPI query per row that also takes a KEY SHARE lock on the parent row. Concurrent ingest
-- transactions all lock the same tenant and account rows, so each lock rewrote the parent's xmax as a
-- growing MultiXact: with four writers the checks took about 40% of PostgreSQL's time on these
-- inserts. Those parents are never deleted (tenants and accounts are disabled, not removed), which
-- the triggers below now enforce, so the per-row checks guard nothing and are dropped. Keys to rows
-- that are themselves per-message (recipients to their message, tasks to theirs) stay.
ALTER TABLE status_events
    DROP CONSTRAINT status_events_tenant_id_fkey,
    DROP CONSTRAINT status_events_tenant_id_provider_account_id_fkey;
ALTER TABLE replies
    DROP CONSTRAINT replies_tenant_id_fkey,
    DROP CONSTRAINT replies_tenant_id_provider_account_id_fkey;
ALTER TABLE review_events
    DROP CONSTRAINT review_events_tenant_id_fkey,
    DROP CONSTRAINT review_events_tenant_id_provider_account_id_fkey;
ALTER TABLE callback_receipts
    DROP CONSTRAINT callback_receipts_tenant_id_fkey,
    DROP CONSTRAINT callback_receipts_tenant_id_provider_account_id_fkey;
ALTER TABLE message_recipients
    DROP CONSTRAINT message_recipients_tenant_id_fkey,
    DROP CONSTRAINT message_recipients_tenant_id_provider_account_id_fkey;

-- Tenants and provider accounts outlive every row that names them.
CREATE FUNCTION refuse_delete() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION '% rows are never deleted: disable them instead', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER tenants_never_deleted BEFORE DELETE OR TRUNCATE ON tenants
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_delete();
CREATE TRIGGER provider_accounts_never_deleted BEFORE DELETE OR TRUNCATE ON provider_accounts
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_delete();

-- Same columns as status_events_provider_id_idx, which serves the attachment lookup as well (a
-- provider message id has a handful of events); one index fewer to write per event.
DROP INDEX status_events_unattached_idx;

-- Its columns lead message_recipients_position_idx (tenant_id, message_id, position), which serves every
-- lookup by message; one index fewer to write per recipient of a send.
DROP INDEX message_recipients_message_idx;
