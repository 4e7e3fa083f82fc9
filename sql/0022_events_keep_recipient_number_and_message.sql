-- Status events listed by number, and with their message, without a lookup per recipient (issue 20).
-- `GET /v1/status-events?number=` lists the events that name the number and the events attached to
-- recipients with that number (Huawei reports name none; the Gateway masks it). The second kind was
-- found by a probe into the events per recipient of the number: about 50 probes for a number seen
-- over 90 days, 21-23 ms p99 at 20 M events once those pages had left the cache. And every event a
-- list returns looked its recipient up for the message id, a primary-key probe per event.
--
-- An attached event now keeps its recipient's message id, and its recipient's number when the event
-- does not name that number itself (the service writes both with the attachment and clears both
-- with a detachment). An event that names the number is already found by
-- status_events_number_received_idx, so it gets no second entry: providers that repeat the number
-- (EngageLab, SUBMAIL) add no index entry.
--
-- Events attached before this migration are filled in by the service, recipients newest first,
-- one tenant's slice per transaction (backfill_event_recipients); `event_recipient_backfill` holds
-- where each tenant's walk has reached, and the list still probes the recipients below that
-- point, so it is exact throughout. Adding the columns is catalogue-only; building the (empty)
-- index reads the table once: docs/operations.md has the time at 30 M events.
ALTER TABLE status_events ADD COLUMN recipient_number_e164 text, ADD COLUMN message_id uuid;
CREATE INDEX status_events_recipient_number_idx ON status_events (tenant_id, recipient_number_e164, received_at, id)
    WHERE recipient_number_e164 IS NOT NULL;

-- Per tenant, the recipients whose events may still lack their copies: those with ids below
-- `below_id` (the walk goes down the primary key; the maximal uuid starts it). No row: none.
CREATE TABLE event_recipient_backfill (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
    below_id  uuid NOT NULL
);
ALTER TABLE event_recipient_backfill ENABLE ROW LEVEL SECURITY;
ALTER TABLE event_recipient_backfill FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON event_recipient_backfill TO smshub_app USING (tenant_id = smshub_tenant());
CREATE POLICY admin_all ON event_recipient_backfill TO smshub_admin USING (true) WITH CHECK (true);
GRANT SELECT ON event_recipient_backfill TO smshub_app;
-- The walk crosses tenants, as smshub_admin (below).
GRANT SELECT, UPDATE, DELETE ON event_recipient_backfill TO smshub_admin;
GRANT UPDATE (recipient_number_e164, message_id) ON status_events TO smshub_admin;

INSERT INTO event_recipient_backfill (tenant_id, below_id)
SELECT t.id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'
FROM tenants t
WHERE EXISTS (SELECT 1 FROM status_events e WHERE e.tenant_id = t.id AND e.recipient_id IS NOT NULL);

-- Fills in the events of up to `p_limit` recipients of one tenant, the next below its mark (an
-- event attached since 0022 has its message id and is left alone), and
-- moves the mark; a tenant whose walk comes up short is done and its row goes. Returns the
-- recipients walked (0: nothing left, or every waiting tenant is being walked by another caller).
-- An event detached meanwhile is skipped: the UPDATE re-reads `recipient_id` of a row another
-- transaction changed.
CREATE FUNCTION backfill_event_recipients(p_limit integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    walking uuid;
    mark uuid;
    lowest uuid;
    walked integer;
BEGIN
    SELECT b.tenant_id, b.below_id INTO walking, mark
    FROM public.event_recipient_backfill b
    ORDER BY b.tenant_id
    LIMIT 1
    FOR UPDATE SKIP LOCKED;
    IF walking IS NULL THEN
        RETURN 0;
    END IF;
    WITH slice AS (
        SELECT r.id, r.message_id, r.number_e164
        FROM public.message_recipients r
        WHERE r.tenant_id = walking AND r.id < mark
        ORDER BY r.id DESC
        LIMIT greatest(p_limit, 1)
    ), filled AS (
        -- Runs although nothing reads it: a data-modifying WITH always runs to completion.
        UPDATE public.status_events e
        SET message_id = s.message_id,
            recipient_number_e164 = CASE WHEN e.number_e164 IS DISTINCT FROM s.number_e164 THEN s.number_e164 END
        FROM slice s
        WHERE e.tenant_id = walking AND e.recipient_id = s.id AND e.message_id IS NULL
    )
    -- uuid has no min() before PostgreSQL 16.
    SELECT count(*), (SELECT s2.id FROM slice s2 ORDER BY s2.id LIMIT 1) INTO walked, lowest FROM slice s;
    IF walked < greatest(p_limit, 1) THEN
        DELETE FROM public.event_recipient_backfill WHERE tenant_id = walking;
    ELSE
        UPDATE public.event_recipient_backfill SET below_id = lowest WHERE tenant_id = walking;
    END IF;
    RETURN walked;
END
$$;
GRANT CREATE ON SCHEMA public TO smshub_admin;
ALTER FUNCTION backfill_event_recipients(integer) OWNER TO smshub_admin;
REVOKE CREATE ON SCHEMA public FROM smshub_admin;
REVOKE ALL ON FUNCTION backfill_event_recipients(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION backfill_event_recipients(integer) TO smshub_app;
