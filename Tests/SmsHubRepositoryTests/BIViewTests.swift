import Foundation
import Postgres
import TestSupport
import Testing

/// The `bi` schema as BI tools see it: logged in as `smshub_bi`, or as a one-tenant reader.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct BIViewTests {
    static let views = [
        "balances", "daily_delivery", "latest_balances", "message_recipients", "opt_out_changes", "opt_outs", "provider_accounts",
        "recipient_outcomes", "replies", "review_events", "send_attempts", "status_events", "tenant_retention", "tenants",
    ]

    /// A test database with `smshub_bi` given its login, as docs/bi.md has an operator do (migration
    /// 0014 leaves it without one until then). Roles are cluster-wide; every BI test does the same.
    func withBIDatabase(_ body: @Sendable (TestDatabase) async throws -> Void) async throws {
        try await withTestDatabase { database in
            try await BILogin.shared.grant(database.superuserURL)
            try await body(database)
        }
    }

    /// Two tenants with a message, recipients, a status event, a reply, a balance and a review each.
    func seedTwoTenants(_ database: TestDatabase) async throws -> (a: UUID, b: UUID) {
        let a = UUID()
        let b = UUID()
        try await withPool(url: database.superuserURL) { pool in
            for (tenant, provider) in [(a, "gateway"), (b, "huawei")] {
                let account = UUID()
                let message = UUID()
                let recipient = UUID()
                let token = PGBytes(Array(repeating: UInt8.random(in: 0...255), count: 32).map { _ in UInt8.random(in: 0...255) })
                _ = try await pool.query("INSERT INTO tenants (id, name) VALUES (\(tenant), \("Tenant \(provider)"))")
                _ = try await pool.query(
                    """
                    INSERT INTO provider_accounts (tenant_id, id, provider, name, secrets, secrets_key_id, callback_token_hash)
                    VALUES (\(tenant), \(account), \(provider), 'main', '\\x0102', 'k1', \(token))
                    """
                )
                _ = try await pool.query(
                    "INSERT INTO messages (tenant_id, id, provider_account_id, content, recipient_count) VALUES (\(tenant), \(message), \(account), 'hi', 1)"
                )
                _ = try await pool.query(
                    """
                    INSERT INTO message_recipients (tenant_id, id, message_id, provider_account_id, number_raw, number_e164, status, completed_at)
                    VALUES (\(tenant), \(recipient), \(message), \(account), '13800000001', '+8613800000001', 'delivered', now())
                    """
                )
                _ = try await pool.query(
                    """
                    INSERT INTO status_events (tenant_id, provider_account_id, provider, recipient_id, provider_message_id, state, provider_code, description, source, dedup_key, raw)
                    VALUES (\(tenant), \(account), \(provider), \(recipient), 'p1', 'delivered', 'DELIVRD', 'Delivered to the handset.', 'push', 'd1', '{}')
                    """
                )
                _ = try await pool.query(
                    """
                    INSERT INTO replies (tenant_id, provider_account_id, provider, message_id, recipient_id, number_raw, number_e164, content, source, dedup_key, raw)
                    VALUES (\(tenant), \(account), \(provider), \(message), \(recipient), '13800000001', '+8613800000001', 'OK', 'push', 'r1', '{}')
                    """
                )
                _ = try await pool.query(
                    "INSERT INTO balances (tenant_id, provider_account_id, balance, raw) VALUES (\(tenant), \(account), 42, '{}')"
                )
                _ = try await pool.query(
                    """
                    INSERT INTO review_events (tenant_id, provider_account_id, provider, kind, subject, result, dedup_key, raw)
                    VALUES (\(tenant), \(account), \(provider), 'template', 'T1', 'approved', 'v1', '{}')
                    """
                )
                _ = try await pool.query(
                    """
                    INSERT INTO send_attempts (tenant_id, recipient_id, message_id, task_id, provider_account_id, step, outcome)
                    VALUES (\(tenant), \(recipient), \(message), gen_random_uuid(), \(account), 0, 'accepted')
                    """
                )
                _ = try await pool.query(
                    """
                    INSERT INTO opt_outs (tenant_id, number_e164, scope, source, provider_account_id, code)
                    VALUES (\(tenant), '+8613800000001', 'all', 'report', \(account), 'SC:0016')
                    """
                )
                _ = try await pool.query(
                    """
                    INSERT INTO opt_out_changes (tenant_id, number_e164, scope, action, source, provider_account_id, code)
                    VALUES (\(tenant), '+8613800000001', 'all', 'added', 'report', \(account), 'SC:0016')
                    """
                )
            }
        }
        return (a, b)
    }

    /// The SQLSTATE `query` fails with, nil when it succeeds.
    func sqlState(_ pool: PGPool, _ query: PGQuery) async -> String? {
        do {
            _ = try await pool.query(query)
            return nil
        } catch let error as PGError {
            return error.sqlState
        } catch {
            return "?"
        }
    }

    @Test func theBIRoleReadsEveryViewAndNothingElse() async throws {
        try await withBIDatabase { database in
            _ = try await self.seedTwoTenants(database)
            let (views, tables, definers, leaky): ([String], [String], [String], [String]) = try await withPool(url: database.superuserURL) { pool in
                let views = try await pool.query("SELECT table_name::text AS n FROM information_schema.views WHERE table_schema = 'bi' ORDER BY 1")
                    .rows.map { try $0.decode("n", as: String.self) }
                let tables = try await pool.query("SELECT tablename::text AS n FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").rows.map {
                    try $0.decode("n", as: String.self)
                }
                let definers = try await pool.query(
                    """
                    SELECT p.oid::regprocedure::text AS n FROM pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace
                    WHERE s.nspname = 'public' AND p.prosecdef AND has_function_privilege('smshub_bi', p.oid, 'EXECUTE') ORDER BY 1
                    """
                ).rows.map { try $0.decode("n", as: String.self) }
                let leaky = try await pool.query(
                    """
                    SELECT table_name || '.' || column_name AS n FROM information_schema.columns
                    WHERE table_schema = 'bi' AND column_name ~ '(secret|credential|password|token|hash|api_key|settings|raw)'
                    """
                ).rows.map { try $0.decode("n", as: String.self) }
                return (views, tables, definers, leaky)
            }
            #expect(views == Self.views)
            #expect(tables.contains("provider_accounts") && tables.contains("api_keys") && tables.contains("bi_access"))
            #expect(
                definers == ["bi_sees_all_tenants()", "bi_visible_tenants()"],
                "the only definer functions a reader may call answer about itself"
            )
            #expect(leaky.isEmpty, "\(leaky)")

            try await withPool(url: try database.url(as: "smshub_bi")) { pool in
                for view in views {
                    let rows = try await pool.query("SELECT * FROM bi.\(unescaped: view)").rows
                    #expect(!rows.isEmpty, "bi.\(view) shows the seeded rows")
                }
                for table in tables {
                    #expect(
                        await self.sqlState(pool, "SELECT 1 FROM public.\(unescaped: table) LIMIT 1") == SQLState.insufficientPrivilege,
                        "\(table)"
                    )
                }
                #expect(await self.sqlState(pool, "SELECT secrets FROM provider_accounts") == SQLState.insufficientPrivilege)
                #expect(await self.sqlState(pool, "SELECT * FROM authenticate_api_key('\\x00')") == SQLState.insufficientPrivilege)
                #expect(await self.sqlState(pool, "SELECT * FROM resolve_callback_token('\\x00')") == SQLState.insufficientPrivilege)
                #expect(
                    await self.sqlState(pool, "INSERT INTO bi.tenants (tenant_id, tenant_name) VALUES (gen_random_uuid(), 'x')")
                        == SQLState.insufficientPrivilege
                )
                #expect(await self.sqlState(pool, "UPDATE bi.review_events SET result = 'rejected'") == SQLState.insufficientPrivilege)
                #expect(await self.sqlState(pool, "UPDATE bi.message_recipients SET status = 'failed'") != nil)
                #expect(await self.sqlState(pool, "DELETE FROM bi.review_events") == SQLState.insufficientPrivilege)
                #expect(await self.sqlState(pool, "CREATE TABLE bi.mine (x int)") == SQLState.insufficientPrivilege)
                #expect(await self.sqlState(pool, "CREATE TABLE public.mine (x int)") == SQLState.insufficientPrivilege)
                #expect(await self.sqlState(pool, "SET ROLE smshub_bi_owner") == SQLState.insufficientPrivilege)
            }
        }
    }

    @Test func theDailySummaryMatchesCountsMadeByHand() async throws {
        try await withBIDatabase { database in
            let tenant = UUID()
            let gateway = UUID()
            let huawei = UUID()
            let message = UUID()
            try await withPool(url: database.superuserURL) { pool in
                _ = try await pool.query("INSERT INTO tenants (id, name) VALUES (\(tenant), 'Acme')")
                for (account, provider, byte) in [(gateway, "gateway", UInt8(1)), (huawei, "huawei", UInt8(2))] {
                    _ = try await pool.query(
                        """
                        INSERT INTO provider_accounts (tenant_id, id, provider, name, secrets, secrets_key_id, callback_token_hash)
                        VALUES (\(tenant), \(account), \(provider), \(provider), '\\x01', 'k', \(PGBytes(Array(repeating: byte, count: 32))))
                        """
                    )
                }
                _ = try await pool.query(
                    "INSERT INTO messages (tenant_id, id, provider_account_id, content, recipient_count) VALUES (\(tenant), \(message), \(gateway), 'x', 11)"
                )
                // (account, accepted at, status, seconds from acceptance to the final report)
                let rows: [(UUID, String, String, Int?)] = [
                    (gateway, "2026-11-01T08:00:00Z", "delivered", 10), (gateway, "2026-11-01T09:00:00Z", "delivered", 20),
                    (gateway, "2026-11-01T10:00:00Z", "delivered", 30), (gateway, "2026-11-01T23:59:59Z", "delivered", 100),
                    (gateway, "2026-11-01T11:00:00Z", "failed", 3), (gateway, "2026-11-01T12:00:00Z", "expired", 86400),
                    (gateway, "2026-11-01T13:00:00Z", "sent", nil), (gateway, "2026-11-01T14:00:00Z", "queued", nil),
                    (huawei, "2026-11-01T08:00:00Z", "delivered", 5),
                    (gateway, "2026-11-02T00:30:00Z", "undelivered", 7),
                ]
                for (index, row) in rows.enumerated() {
                    _ = try await pool.query(
                        """
                        INSERT INTO message_recipients (tenant_id, message_id, provider_account_id, number_raw, number_e164, status, created_at,
                                                        submitted_at, completed_at, position)
                        VALUES (\(tenant), \(message), \(row.0), '1380000000' || \(index), '+861380000000' || \(index), \(row.2), \(row.1)::timestamptz,
                                \(row.1)::timestamptz + interval '1 second', \(row.1)::timestamptz + make_interval(secs => \(row.3 ?? 0)), \(index))
                        """
                    )
                }
                _ = try await pool.query("UPDATE message_recipients SET completed_at = NULL WHERE status IN ('sent', 'queued')")
            }
            let summary = try await withPool(url: try database.url(as: "smshub_bi")) { pool in
                try await pool.query(
                    """
                    SELECT day::text || ' ' || provider || ' sent=' || sent || ' delivered=' || delivered || ' failed=' || failed
                           || ' pending=' || pending || ' rate=' || delivery_rate || ' median=' || coalesce(median_delivery_seconds::text, '-')
                           || ' p90=' || coalesce(p90_delivery_seconds::text, '-') AS line
                    FROM bi.daily_delivery WHERE tenant_id = \(tenant) ORDER BY day, provider
                    """
                ).rows.map { try $0.decode("line", as: String.self) }
            }
            // Gateway on the 1st: delivered in 10, 20, 30 and 100 s → median 25, p90 30 + 0.7 × 70 = 79.
            #expect(
                summary == [
                    "2026-11-01 gateway sent=8 delivered=4 failed=2 pending=2 rate=0.5000 median=25.000 p90=79.000",
                    "2026-11-01 huawei sent=1 delivered=1 failed=0 pending=0 rate=1.0000 median=5.000 p90=5.000",
                    "2026-11-02 gateway sent=1 delivered=0 failed=1 pending=0 rate=0.0000 median=- p90=-",
                ]
            )
            let outcome = try await withPool(url: try database.url(as: "smshub_bi")) { pool in
                try await pool.query(
                    "SELECT outcome, seconds_to_submit, seconds_submit_to_delivered, seconds_to_delivered FROM bi.recipient_outcomes WHERE number_e164 = '+8613800000003'"
                ).first!
            }
            #expect(try outcome.decode("outcome", as: String.self) == "delivered")
            #expect(try outcome.decode("seconds_to_submit", as: Double.self) == 1)
            #expect(try outcome.decode("seconds_submit_to_delivered", as: Double.self) == 99)
            #expect(try outcome.decode("seconds_to_delivered", as: Double.self) == 100)
        }
    }

    @Test func aOneTenantReaderSeesOnlyThatTenant() async throws {
        try await withBIDatabase { database in
            let (a, b) = try await self.seedTwoTenants(database)
            let reader = "bi_test_\(UUID().uuidString.prefix(8).lowercased())"
            let stranger = reader + "_none"
            try await withPool(url: database.superuserURL) { pool in
                // As docs/bi.md says to, with the owner's connection.
                _ = try await pool.query("CREATE ROLE \(unescaped: reader) LOGIN IN ROLE smshub_bi_read")
                _ = try await pool.query("CREATE ROLE \(unescaped: stranger) LOGIN IN ROLE smshub_bi_read")
            }
            do {
                try await withPool(url: database.ownerURL) { pool in
                    _ = try await pool.query("INSERT INTO bi_access (role_name, tenant_id) VALUES (\(reader), \(a))")
                }
                try await withPool(url: try database.url(as: reader)) { pool in
                    for view in Self.views {
                        let tenants = try await pool.query("SELECT DISTINCT tenant_id FROM bi.\(unescaped: view)").rows.map {
                            try $0.decode("tenant_id", as: UUID.self)
                        }
                        #expect(tenants == [a], "bi.\(view)")
                    }
                    // SET ROLE to the group changes nothing: visibility follows the login.
                    _ = try await pool.withSession { session in
                        try await session.query("SET ROLE smshub_bi_read")
                        let count = try await session.query("SELECT count(DISTINCT tenant_id) AS n FROM bi.message_recipients").first!.decode(
                            "n",
                            as: Int.self
                        )
                        #expect(count == 1)
                        try await session.query("RESET ROLE")
                    }
                    #expect(await self.sqlState(pool, "SET ROLE smshub_bi") == SQLState.insufficientPrivilege)
                    #expect(
                        await self.sqlState(pool, "INSERT INTO bi_access (role_name, tenant_id) VALUES (current_user, \(b))")
                            == SQLState.insufficientPrivilege
                    )
                    #expect(await self.sqlState(pool, "SELECT * FROM bi_access") == SQLState.insufficientPrivilege)
                }
                try await withPool(url: try database.url(as: stranger)) { pool in
                    for view in Self.views {
                        let rows = try await pool.query("SELECT 1 FROM bi.\(unescaped: view)").rows
                        #expect(rows.isEmpty, "a reader with no bi_access row sees nothing in bi.\(view)")
                    }
                }
                try await withPool(url: try database.url(as: "smshub_bi")) { pool in
                    let tenants = try await pool.query("SELECT DISTINCT tenant_id FROM bi.message_recipients").rows.map {
                        try $0.decode("tenant_id", as: UUID.self)
                    }
                    #expect(Set(tenants) == [a, b])
                }
            } catch {
                try? await self.dropRoles([reader, stranger], database)
                throw error
            }
            try await self.dropRoles([reader, stranger], database)
        }
    }

    func dropRoles(_ roles: [String], _ database: TestDatabase) async throws {
        try await withPool(url: database.superuserURL) { pool in
            for role in roles { _ = try await pool.query("DROP ROLE IF EXISTS \(unescaped: role)") }
        }
    }

    /// docs/bi.md's example queries run, as written, for the BI role.
    @Test func theDocumentedExamplesRun() async throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/bi.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let examples = try #require(text.components(separatedBy: "## Example queries").last)
        let queries = examples.components(separatedBy: "```sql\n").dropFirst().compactMap { $0.components(separatedBy: "```").first }
        #expect(queries.count == 3)
        try await withBIDatabase { database in
            _ = try await self.seedTwoTenants(database)
            try await withPool(url: try database.url(as: "smshub_bi")) { pool in
                for query in queries {
                    let sql = query.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: ";"))
                    let rows = try await pool.query(PGQuery(sql)).rows
                    #expect(!rows.isEmpty || sql.contains("outcome = 'failed'"), "\(sql.prefix(60))")
                }
            }
        }
    }
}

/// `ALTER ROLE smshub_bi LOGIN` once per test process: the tests run in parallel, and concurrent
/// changes of one role fail with "tuple concurrently updated".
actor BILogin {
    static let shared = BILogin()
    private var done: Task<Void, any Error>?

    func grant(_ superuserURL: String) async throws {
        // One task for every caller: the actor may be re-entered while the first one waits.
        let task =
            self.done
            ?? Task {
                try await withPool(url: superuserURL) { pool in
                    _ = try await pool.query("ALTER ROLE smshub_bi LOGIN")
                }
            }
        self.done = task
        try await task.value
    }
}
