-- Private addresses per tenant (issue 31). `SMSHUB_EGRESS_ALLOW` opened a block for every tenant at
-- once, webhook endpoints included: allowing one tenant's private gateway let every tenant POST into
-- that network. An administrator now allows blocks for one tenant (its provider accounts and webhook
-- endpoints) or for one provider account (its calls only); the operator setting stays for
-- development. Blocks are kept as the text the service parsed and wrote (a host part is allowed, as
-- in `SMSHUB_EGRESS_ALLOW`). Read by the service with the tenant's other rows, written only by the admin API.
ALTER TABLE tenants ADD COLUMN egress_allow text[] NOT NULL DEFAULT '{}'
    CHECK (cardinality(egress_allow) <= 16);
ALTER TABLE provider_accounts ADD COLUMN egress_allow text[] NOT NULL DEFAULT '{}'
    CHECK (cardinality(egress_allow) <= 16);
GRANT UPDATE (egress_allow, updated_at) ON provider_accounts TO smshub_admin;
