import Foundation
import Postgres
import TestSupport
import Testing

/// Row-level security, checked in SQL as the service role: isolation must not depend on every query
/// remembering its tenant filter.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct TenantIsolationTests {
    /// Two tenants with two keys each, inserted behind the service's back.
    func seed(_ database: TestDatabase) async throws -> (a: UUID, b: UUID) {
        try await withPool(url: database.superuserURL) { pool in
            let a = try await pool.query("INSERT INTO tenants (name) VALUES ('A') RETURNING id").first!.decode("id", as: UUID.self)
            let b = try await pool.query("INSERT INTO tenants (name) VALUES ('B') RETURNING id").first!.decode("id", as: UUID.self)
            for (tenant, name) in [(a, "a1"), (a, "a2"), (b, "b1"), (b, "b2")] {
                try await pool.query(
                    "INSERT INTO api_keys (tenant_id, name, prefix, key_hash) VALUES (\(tenant), \(name), 'smsh_x', sha256(convert_to(\(name), 'UTF8')))"
                )
            }
            return (a, b)
        }
    }

    @Test func queriesWithoutATenantFilterSeeOnlyTheSetTenant() async throws {
        try await withAppPool { pool, database in
            let (a, b) = try await seed(database)
            let names = try await pool.withTransaction { session in
                try await session.query("SELECT set_config('smshub.tenant_id', \(a.uuidString), true)")
                // Deliberately no WHERE tenant_id = …
                let keys = try await session.query("SELECT name FROM api_keys ORDER BY name").rows.map { try $0.decode("name", as: String.self) }
                let tenants = try await session.query("SELECT id FROM tenants").rows.map { try $0.decode("id", as: UUID.self) }
                let asked = try await session.query("SELECT count(*) AS n FROM api_keys WHERE tenant_id = \(b)").first!.decode("n", as: Int.self)
                return (keys, tenants, asked)
            }
            #expect(names.0 == ["a1", "a2"])
            #expect(names.1 == [a])
            #expect(names.2 == 0, "even asking for B's rows by id returns none")
        }
    }

    /// Event tables name their tenant and account, and recipients their message, without a per-row
    /// foreign key check (migrations 0008 and 0009), which is sound only while those rows are not
    /// removed from under them: tenants and accounts never, a message not while it has recipients
    /// (retention removes those first, migration 0018); not even the owner or a superuser may.
    @Test func tenantsProviderAccountsAndMessagesWithRecipientsAreNeverDeleted() async throws {
        try await withTestDatabase { database in
            let (a, _) = try await seed(database)
            try await withPool(url: database.superuserURL) { pool in
                let account = try await pool.query(
                    """
                    INSERT INTO provider_accounts (tenant_id, provider, name, callback_token_hash, secrets, secrets_key_id)
                    VALUES (\(a), 'huawei', 'h', sha256('t'), '\\x00', 'k') RETURNING id
                    """
                ).first!.decode("id", as: UUID.self)
                let message = try await pool.query(
                    "INSERT INTO messages (tenant_id, provider_account_id, content) VALUES (\(a), \(account), 'hi') RETURNING id"
                ).first!.decode("id", as: UUID.self)
                try await pool.query(
                    """
                    INSERT INTO message_recipients (tenant_id, message_id, provider_account_id, number_raw, number_e164)
                    VALUES (\(a), \(message), \(account), '13800000000', '+8613800000000')
                    """
                )
            }
            for url in [database.ownerURL, database.superuserURL] {
                try await withPool(url: url) { pool in
                    for statement in [
                        "DELETE FROM tenants WHERE id = '\(a.uuidString.lowercased())'",
                        "DELETE FROM provider_accounts", "TRUNCATE tenants CASCADE", "TRUNCATE provider_accounts CASCADE",
                        "DELETE FROM messages", "TRUNCATE messages CASCADE",
                    ] {
                        let error = try await #require(throws: PGError.self) { try await pool.query(PGQuery(statement)) }
                        #expect(error.sqlState == "23001", "\(statement): \(error)")
                    }
                }
            }
            let left = try await withPool(url: database.superuserURL) { pool in
                try await pool.query("SELECT count(*) AS n FROM tenants").first!.decode("n", as: Int.self)
            }
            #expect(left == 2)
        }
    }

    @Test func withoutTheSettingNothingIsVisible() async throws {
        try await withAppPool { pool, database in
            _ = try await seed(database)
            #expect(try await pool.query("SELECT count(*) AS n FROM api_keys").first!.decode("n", as: Int.self) == 0)
            #expect(try await pool.query("SELECT count(*) AS n FROM tenants").first!.decode("n", as: Int.self) == 0)
        }
    }

    @Test func theSettingDoesNotOutliveItsTransaction() async throws {
        try await withAppPool(maxConnections: 1) { pool, database in
            let (a, _) = try await seed(database)
            _ = try await pool.withTransaction { session in
                try await session.query("SELECT set_config('smshub.tenant_id', \(a.uuidString), true)")
            }
            // Same (only) pooled connection, next transaction: back to seeing nothing.
            #expect(try await pool.query("SELECT count(*) AS n FROM api_keys").first!.decode("n", as: Int.self) == 0)
        }
    }

    @Test func serviceRoleCannotWriteAnotherTenantsRows() async throws {
        try await withAppPool { pool, database in
            let (a, b) = try await seed(database)
            let error = try await #require(throws: PGError.self) {
                try await pool.withTransaction { session in
                    try await session.query("SELECT set_config('smshub.tenant_id', \(a.uuidString), true)")
                    try await session.query("INSERT INTO api_keys (tenant_id, name, prefix, key_hash) VALUES (\(b), 'evil', 'p', sha256('x'))")
                }
            }
            #expect(error.sqlState == SQLState.insufficientPrivilege)
        }
    }

    @Test func serviceRoleCannotSwitchRowLevelSecurityOff() async throws {
        try await withAppPool { pool, database in
            _ = try await seed(database)
            let attempts: [PGQuery] = [
                "ALTER TABLE api_keys DISABLE ROW LEVEL SECURITY",
                "ALTER TABLE api_keys NO FORCE ROW LEVEL SECURITY",
                "DROP POLICY tenant_isolation ON api_keys",
                "CREATE POLICY open_door ON api_keys USING (true)",
                "SET ROLE smshub_owner",
                "ALTER ROLE smshub_app BYPASSRLS",
            ]
            for attempt in attempts {
                let error = try await #require(throws: PGError.self, "\(attempt.sql)") { try await pool.query(attempt) }
                #expect(error.sqlState == SQLState.insufficientPrivilege || error.sqlState == "42704", "\(attempt.sql): \(error)")
            }
            // With row_security off, PostgreSQL refuses the query instead of bypassing the policies.
            let off = try await #require(throws: PGError.self) {
                try await pool.withSession { session in
                    try await session.query("SET row_security = off")
                    return try await session.query("SELECT count(*) FROM api_keys")
                }
            }
            #expect(off.sqlState == SQLState.insufficientPrivilege)
            let flags = try await pool.query("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user").first!
            #expect(try flags.decode("rolsuper", as: Bool.self) == false)
            #expect(try flags.decode("rolbypassrls", as: Bool.self) == false)
        }
    }

    @Test func everyTenantTableHasForcedRowLevelSecurity() async throws {
        try await withTestDatabase { database in
            try await withPool(url: database.superuserURL) { pool in
                // A tenant table is any table with a tenant_id column, plus tenants itself.
                let rows = try await pool.query(
                    """
                    SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner) AS owner
                    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'bi_access'
                      AND (c.relname = 'tenants' OR EXISTS (
                          SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
                    """
                ).rows
                #expect(rows.count >= 2)
                for row in rows {
                    let name: String = try row.decode("relname")
                    #expect(try row.decode("relrowsecurity", as: Bool.self), "\(name) has RLS enabled")
                    #expect(try row.decode("relforcerowsecurity", as: Bool.self), "\(name) has RLS forced")
                    #expect(try row.decode("owner", as: String.self) != "smshub_app", "\(name) is not owned by the service role")
                }
                // bi_access says which tenants each BI role sees: no tenant's data, and no privilege of the service's on it.
                let serviceSeesAccess = try await pool.query(
                    "SELECT has_table_privilege('smshub_app', 'bi_access', 'SELECT, INSERT, UPDATE, DELETE') AS p"
                ).first!.decode("p", as: Bool.self)
                #expect(!serviceSeesAccess)
                let owned = try await pool.query("SELECT count(*) AS n FROM pg_class WHERE relowner = 'smshub_app'::regrole").first!.decode(
                    "n",
                    as: Int.self
                )
                #expect(owned == 0, "the service role owns nothing")
            }
        }
    }
}
