-- Time-ordered row ids (issue 20). Random (version 4) ids put every insert on a random leaf of each
-- index that holds an id: the primary keys, and status_events by recipient. Once those indexes
-- outgrow memory, each insert waits on reads. Version 7 ids (RFC 9562) begin with the Unix time in
-- milliseconds, so new rows go to the growing end of those indexes, which stays in memory.
--
-- The service makes most ids itself (SecureRandom.uuids). This function is for the rows the database
-- makes: the column defaults and the expiry sweep's inferred events. PostgreSQL 15 has no uuidv7(),
-- so it is built from a random UUID: the first 48 bits are replaced with the millisecond clock, and
-- the version nibble goes from 4 (0100) to 7 (0111).
--
-- Existing ids stay as they are; both kinds are valid UUIDs and nothing orders by id alone. Changing
-- a default only updates the catalogue, so this migration takes milliseconds at any table size.
CREATE FUNCTION uuid_v7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                    PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                    FROM 1 FOR 6),
            52, 1), 53, 1),
        'hex')::uuid
$$;

ALTER TABLE tenants ALTER COLUMN id SET DEFAULT uuid_v7();
ALTER TABLE api_keys ALTER COLUMN id SET DEFAULT uuid_v7();
ALTER TABLE provider_accounts ALTER COLUMN id SET DEFAULT uuid_v7();
ALTER TABLE messages ALTER COLUMN id SET DEFAULT uuid_v7();
ALTER TABLE message_recipients ALTER COLUMN id SET DEFAULT uuid_v7();
ALTER TABLE status_events ALTER COLUMN id SET DEFAULT uuid_v7();
ALTER TABLE replies ALTER COLUMN id SET DEFAULT uuid_v7();
ALTER TABLE review_events ALTER COLUMN id SET DEFAULT uuid_v7();
ALTER TABLE balances ALTER COLUMN id SET DEFAULT uuid_v7();
ALTER TABLE callback_receipts ALTER COLUMN id SET DEFAULT uuid_v7();
ALTER TABLE dispatch_tasks ALTER COLUMN id SET DEFAULT uuid_v7();
ALTER TABLE webhook_endpoints ALTER COLUMN id SET DEFAULT uuid_v7();
ALTER TABLE webhook_events ALTER COLUMN id SET DEFAULT uuid_v7();
ALTER TABLE webhook_deliveries ALTER COLUMN id SET DEFAULT uuid_v7();
ALTER TABLE webhook_attempts ALTER COLUMN id SET DEFAULT uuid_v7();
