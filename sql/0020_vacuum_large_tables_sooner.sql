-- Autovacuum on the tables that grow without bound, after 2% of their rows changed instead of 20%
-- (issue 20). Retention removes a tenant's oldest rows in slices (docs/retention.md); at the default
-- threshold, removing 30 days of one tenant from 27 M status events (2.2 M rows, 8%) left every
-- removed row dead until four million more had gone, so the freed pages could not be reused and
-- index scans stepped over the dead entries. The insert threshold matters too: list queries read
-- recipients through index-only scans, which need pages marked all-visible, and only a vacuum marks
-- them. The thresholds are storage parameters: changing them is a catalogue update, instant at any size.
ALTER TABLE messages SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);
ALTER TABLE message_recipients SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);
ALTER TABLE status_events SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);
ALTER TABLE replies SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);
ALTER TABLE callback_receipts SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);
ALTER TABLE dispatch_tasks SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);
ALTER TABLE webhook_events SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);
ALTER TABLE webhook_deliveries SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);
ALTER TABLE webhook_attempts SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);
