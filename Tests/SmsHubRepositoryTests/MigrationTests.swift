import Foundation
import Postgres
import SmsHubDomain
import TestSupport
import Testing

@testable import SmsHubRepository

@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct MigrationTests {
    @Test func bundledMigrationsAreNumberedInOrder() throws {
        let migrations = try Migration.bundled()
        #expect(!migrations.isEmpty)
        #expect(migrations.map(\.version) == Array(1...migrations.count), "versions run 1, 2, 3… with no gaps")
        #expect(Migration(fileName: "0002_x.sql", sql: "")?.name == "x")
        #expect(Migration(fileName: "x.sql", sql: "") == nil)
        #expect(Migration(fileName: "0000_zero.sql", sql: "") == nil)
        #expect(Migration(fileName: "0003_notes.txt", sql: "") == nil)
    }

    @Test func eachMigrationAppliesOnceAndIsRecorded() async throws {
        try await withTestDatabase(empty: true) { database in
            let migrator = Migrator(migrations: try Migration.bundled())
            try await withPool(url: database.ownerURL) { pool in
                let status = try await pool.withSession { try await migrator.status($0) }
                #expect(status.applied.isEmpty)
                #expect(status.pending == migrator.migrations.map(\.version))

                let first = try await pool.withSession { try await migrator.migrate($0) }
                #expect(first.count == migrator.migrations.count)
                let second = try await pool.withSession { try await migrator.migrate($0) }
                #expect(second.isEmpty, "a second run applies nothing")
                let recorded = try await pool.query("SELECT count(*) AS n FROM smshub_migrations").first!.decode("n", as: Int.self)
                #expect(recorded == migrator.migrations.count)
                #expect(try await pool.withSession { try await migrator.status($0) }.isCurrent)
            }
        }
    }

    /// Migration 0019: every id the database makes is a version 7 UUID, ordered by its millisecond.
    /// Migration 0020: autovacuum thresholds on the tables that grow without bound.
    @Test func idsAreTimeOrderedAndLargeTablesVacuumedSooner() async throws {
        try await withTestDatabase { database in
            try await withPool(url: database.ownerURL) { pool in
                let random = try await pool.query(
                    """
                    SELECT table_name FROM information_schema.columns
                    WHERE table_schema = 'public' AND column_name = 'id' AND data_type = 'uuid'
                      AND column_default IS DISTINCT FROM 'uuid_v7()'
                    """
                ).rows.map { try $0.decode("table_name", as: String.self) }
                #expect(random == [], "tables whose ids the database still makes at random")

                // The clock is read on both sides of the id: on a busy machine the statement may pause between them.
                let first = try await pool.query(
                    """
                    SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS before, uuid_v7()::text AS id,
                           floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS after
                    """
                ).first!
                let id: String = try first.decode("id")
                let stamp = UInt64(id.replacingOccurrences(of: "-", with: "").prefix(12), radix: 16) ?? 0
                let before: Int64 = try first.decode("before")
                let after: Int64 = try first.decode("after")
                // An id of a later millisecond: the database's clock, read before the id, is past the first's.
                var second = ""
                for _ in 0..<100_000 where second.isEmpty {
                    let row = try #require(
                        try await pool.query("SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS at, uuid_v7()::text AS id").first
                    )
                    if try row.decode("at", as: Int64.self) > after { second = try row.decode("id") }
                }
                #expect(Array(id)[14] == "7" && "89ab".contains(Array(id)[19]), "version 7, RFC 9562 variant: \(id)")
                #expect(Int64(stamp) >= before && Int64(stamp) <= after, "the first 48 bits are the clock in milliseconds")
                #expect(id < second, "a later id sorts after an earlier one")

                // Migration 0020: the unbounded tables are vacuumed after 2% of their rows changed.
                let late = try await pool.query(
                    """
                    SELECT c.relname FROM pg_class c
                    WHERE c.relnamespace = 'public'::regnamespace AND c.relname IN ('messages', 'message_recipients', 'status_events', 'replies', 'callback_receipts',
                                        'dispatch_tasks', 'webhook_events', 'webhook_deliveries', 'webhook_attempts')
                      AND NOT coalesce(c.reloptions @> ARRAY['autovacuum_vacuum_scale_factor=0.02', 'autovacuum_vacuum_insert_scale_factor=0.02'], false)
                    """
                ).rows.map { try $0.decode("relname", as: String.self) }
                #expect(late == [], "tables still vacuumed at the default 20%")
            }
        }
    }

    @Test func concurrentMigratorsApplyEachMigrationOnce() async throws {
        try await withTestDatabase(empty: true) { database in
            let migrator = Migrator(migrations: try Migration.bundled())
            let applied = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        try await withPool(url: database.ownerURL) { pool in
                            try await pool.withSession { try await migrator.migrate($0) }.count
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(applied == migrator.migrations.count)
        }
    }

    @Test func aFailingMigrationLeavesNoTrace() async throws {
        try await withTestDatabase(empty: true) { database in
            let good = Migration(fileName: "0001_good.sql", sql: "CREATE TABLE good (id int);")!
            let bad = Migration(fileName: "0002_bad.sql", sql: "CREATE TABLE half (id int); SELECT 1/0;")!
            try await withPool(url: database.ownerURL) { pool in
                await #expect(throws: PGError.self) {
                    try await pool.withSession { try await Migrator(migrations: [good, bad]).migrate($0) }
                }
                let tables = try await pool.query("SELECT to_regclass('good') IS NOT NULL AS good, to_regclass('half') IS NOT NULL AS half").first!
                #expect(try tables.decode("good", as: Bool.self))
                #expect(try tables.decode("half", as: Bool.self) == false, "the failed migration rolled back whole")
                let versions = try await pool.query("SELECT array_agg(version) AS v FROM smshub_migrations").first!.decode("v", as: [Int].self)
                #expect(versions == [1])
            }
        }
    }

    @Test func anEditedMigrationIsRefused() async throws {
        try await withTestDatabase(empty: true) { database in
            let original = Migration(fileName: "0001_t.sql", sql: "CREATE TABLE t (id int);")!
            let edited = Migration(fileName: "0001_t.sql", sql: "CREATE TABLE t (id bigint);")!
            try await withPool(url: database.ownerURL) { pool in
                _ = try await pool.withSession { try await Migrator(migrations: [original]).migrate($0) }
                let error = try await #require(throws: MigrationError.self) {
                    try await pool.withSession { try await Migrator(migrations: [edited]).migrate($0) }
                }
                #expect(error == .edited(version: 1, name: "t"))
                // A database ahead of the build is reported, not silently accepted.
                await #expect(throws: MigrationError.unknownApplied(version: 1)) {
                    try await pool.withSession { try await Migrator(migrations: []).status($0) }
                }
            }
        }
    }

    /// 0011 spells the states out in two CHECK constraints: they must be exactly the states the domain
    /// knows, and each must have a rank, or a state would be refused by one and ordered by the other.
    @Test func stateChecksListTheStatesStatusRankOrders() async throws {
        try await withTestDatabase { database in
            let domain = Set(DeliveryState.allCases.map(\.rawValue))
            try await withPool(url: database.ownerURL) { pool in
                for (table, constraint) in [
                    ("status_events", "status_events_state_check"), ("message_recipients", "message_recipients_status_check"),
                ] {
                    let definition: String = try await pool.query(
                        "SELECT pg_get_constraintdef(oid) AS d FROM pg_constraint WHERE conrelid = \(table)::regclass AND conname = \(constraint)"
                    ).first!.decode("d")
                    #expect(!definition.contains("status_rank"), "\(constraint): \(definition)")
                    let listed = Set(definition.matches(of: /'([a-z_]+)'::text/).map { String($0.1) })
                    #expect(listed == domain, "\(constraint) lists \(listed.sorted())")
                    for state in listed {
                        let rank = try await pool.query("SELECT status_rank(\(state)) AS r").first!.decode("r", as: Int?.self)
                        #expect(rank == DeliveryState(rawValue: state)?.rank, "status_rank('\(state)')")
                    }
                }
            }
        }
    }

    /// The recipient triggers run on every moving report; 0023 made their helpers ones PostgreSQL
    /// plans once. A SQL function with a SET clause is neither inlined nor kept planned between
    /// statements, so a later migration that gave either one back its SET clause would slow every report.
    @Test func recipientTriggerHelpersArePlannedOnce() async throws {
        try await withTestDatabase { database in
            try await withPool(url: database.ownerURL) { pool in
                let bucket = try await pool.query(
                    """
                    SELECT p.proconfig IS NULL AS bare, p.prosqlbody IS NOT NULL AS bound,
                           outcome_bucket('2026-11-27 10:14:59.999+00') = '2026-11-27 10:00:00+00' AS floor,
                           outcome_bucket('2026-11-27 10:15:00+00') = '2026-11-27 10:15:00+00' AS edge
                    FROM pg_proc p WHERE p.oid = 'outcome_bucket(timestamptz)'::regprocedure
                    """
                ).first!
                for column in ["bare", "bound", "floor", "edge"] { #expect(try bucket.decode(column, as: Bool.self), "outcome_bucket: \(column)") }
                let plan = try await pool.query("EXPLAIN VERBOSE SELECT outcome_bucket(now())").rows
                    .map { try $0.decode("QUERY PLAN", as: String.self) }.joined(separator: "\n")
                #expect(plan.contains("date_bin"), "outcome_bucket is not inlined: \(plan)")
                let language: String = try await pool.query(
                    "SELECT l.lanname AS l FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE p.oid = 'webhook_wanted(uuid[], text)'::regprocedure"
                ).first!.decode("l")
                #expect(language == "plpgsql")
            }
        }
    }
}
