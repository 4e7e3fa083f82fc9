-- Indexes for the tenant query API. Every list is ordered newest first by (time, id) and paginated by
-- keyset over one of these, so a page costs an index range scan whatever the table's size.

-- Messages carry their recipient count, so a list shows it without counting recipients per row.
ALTER TABLE messages ADD COLUMN recipient_count integer;
-- The owner is under FORCE ROW LEVEL SECURITY like everyone; lifted for this one backfill, inside the
-- migration's transaction, so no other session ever sees it lifted.
ALTER TABLE messages NO FORCE ROW LEVEL SECURITY;
ALTER TABLE message_recipients NO FORCE ROW LEVEL SECURITY;
UPDATE messages m SET recipient_count = (
    SELECT count(*) FROM message_recipients r WHERE r.tenant_id = m.tenant_id AND r.message_id = m.id
);
ALTER TABLE messages FORCE ROW LEVEL SECURITY;
ALTER TABLE message_recipients FORCE ROW LEVEL SECURITY;
ALTER TABLE messages ALTER COLUMN recipient_count SET NOT NULL;
ALTER TABLE messages ALTER COLUMN recipient_count SET DEFAULT 0;

CREATE INDEX messages_account_created_idx ON messages (tenant_id, provider_account_id, created_at, id);
CREATE INDEX messages_reference_created_idx ON messages (tenant_id, client_reference, created_at, id)
    WHERE client_reference IS NOT NULL;

-- Recipients share their message's created_at, so "messages with a recipient in state X / to number N"
-- is a walk over these in (created_at, message_id) order.
CREATE INDEX message_recipients_status_created_idx ON message_recipients (tenant_id, status, created_at, message_id);
CREATE INDEX message_recipients_number_created_idx ON message_recipients (tenant_id, number_e164, created_at, message_id);
DROP INDEX message_recipients_number_idx;
-- The daily summary reads recipients by creation time.
CREATE INDEX message_recipients_created_idx ON message_recipients (tenant_id, created_at);

CREATE INDEX status_events_received_idx ON status_events (tenant_id, received_at, id);
CREATE INDEX status_events_account_received_idx ON status_events (tenant_id, provider_account_id, received_at, id);
CREATE INDEX status_events_state_received_idx ON status_events (tenant_id, state, received_at, id);
CREATE INDEX status_events_number_received_idx ON status_events (tenant_id, number_e164, received_at, id)
    WHERE number_e164 IS NOT NULL;

CREATE INDEX replies_account_received_idx ON replies (tenant_id, provider_account_id, received_at, id);
CREATE INDEX replies_message_received_idx ON replies (tenant_id, message_id, received_at, id)
    WHERE message_id IS NOT NULL;
CREATE INDEX replies_number_received_idx ON replies (tenant_id, number_e164, received_at, id);
DROP INDEX replies_number_idx;

CREATE INDEX balances_account_observed_idx ON balances (tenant_id, provider_account_id, observed_at, id);
DROP INDEX balances_account_idx;

CREATE INDEX review_events_received_idx ON review_events (tenant_id, received_at, id);
CREATE INDEX review_events_account_received_idx ON review_events (tenant_id, provider_account_id, received_at, id);
CREATE INDEX review_events_subject_received_idx ON review_events (tenant_id, subject, received_at, id);
