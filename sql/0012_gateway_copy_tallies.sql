-- The Gateway hands out each status report and each reply twice: pushed once with the full number,
-- and queued once for the pulls with the number masked (first 3 and last 4 digits, providers.md
-- §1.2, §1.5). Until now a copy's dedup key was its masked identity (task, mask, code, time) with a
-- push always "#0", so two numbers of one task masked alike and reported with the same code in the
-- same second collided: the second push was dropped as a duplicate. Pushed replies were keyed by
-- the full number, so every reply that was also pulled was stored twice.
--
-- A tally per masked identity fixes both: which full numbers have been pushed, and how many masked
-- copies pulled. Since every report comes once each way, a pull that finds more pushes than pulls
-- is the copy of one of them, and a push that finds more pulls than pushes is the copy of a pulled
-- one; otherwise the copy is a new report, stored under the identity and its slot (`#<n>`). The row
-- is locked by each transaction that counts a copy, so concurrent pushes of one identity count in turn.
-- No foreign keys, like the event tables since 0008: tenants and accounts are never deleted.
CREATE TABLE gateway_copy_tallies (
    tenant_id           uuid   NOT NULL,
    provider_account_id uuid   NOT NULL,
    identity            text   NOT NULL,
    pushed_numbers      text[] NOT NULL DEFAULT '{}',
    pulled              int    NOT NULL DEFAULT 0 CHECK (pulled >= 0),
    PRIMARY KEY (tenant_id, provider_account_id, identity)
);

ALTER TABLE gateway_copy_tallies ENABLE ROW LEVEL SECURITY;
ALTER TABLE gateway_copy_tallies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON gateway_copy_tallies TO smshub_app
    USING (tenant_id = smshub_tenant()) WITH CHECK (tenant_id = smshub_tenant());
CREATE POLICY admin_all ON gateway_copy_tallies TO smshub_admin USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON gateway_copy_tallies TO smshub_app;
GRANT SELECT ON gateway_copy_tallies TO smshub_admin;
