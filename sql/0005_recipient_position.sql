-- The recipients of one message share its created_at; their position in the request keeps the order
-- the client sent them in.
ALTER TABLE message_recipients ADD COLUMN position integer;
CREATE INDEX message_recipients_position_idx ON message_recipients (tenant_id, message_id, position);
