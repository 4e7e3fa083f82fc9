-- Retention reaches the Gateway copy tallies (issue 31). A tally keeps the full numbers its pushes
-- named and, for a reply, a hash of the reply's text: personal data that outlived the events it
-- counted. Each tally now records when it was first counted; the retention sweep removes tallies
-- past the tenant's removal horizon, and reply tallies past its redaction horizon (a hash of a
-- short reply is a few guesses from its text).
--
-- The column's default is not volatile, so adding it rewrites nothing: rows already there read the
-- time of this migration, and so go one horizon after it. The index is built in this migration's
-- transaction and holds writes to the tallies meanwhile (one row per Gateway report or reply).
-- created_at is never updated, so the copies' updates of a tally stay heap-only.

ALTER TABLE gateway_copy_tallies ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX gateway_copy_tallies_created_idx ON gateway_copy_tallies (tenant_id, created_at);
GRANT DELETE ON gateway_copy_tallies TO smshub_app;
