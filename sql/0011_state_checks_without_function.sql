-- State checks as constant lists (issue 7). PostgreSQL prepares a table's CHECK expressions again
-- each time a statement writing to it runs, prepared statements included; `status_rank(...) IS NOT
-- NULL` inlines a SQL function, which means parsing its body every time. That was 5.5% of the
-- database's time in the ingest INSERT (perf, the statement replayed by pgbench: the parser's share
-- went from 1.7% to nothing), and the same check runs on every accepted and dispatched recipient.
-- The lists are the states status_rank (0002) ranks; status_rank itself stays for ordering.
-- Adding each constraint re-checks the table's existing rows once.

ALTER TABLE status_events
    DROP CONSTRAINT status_events_state_check,
    ADD CONSTRAINT status_events_state_check
        CHECK (state IN ('queued', 'submitted', 'sent', 'unknown', 'delivered', 'undelivered', 'failed', 'expired'));

ALTER TABLE message_recipients
    DROP CONSTRAINT message_recipients_status_check,
    ADD CONSTRAINT message_recipients_status_check
        CHECK (status IN ('queued', 'submitted', 'sent', 'unknown', 'delivered', 'undelivered', 'failed', 'expired'));
