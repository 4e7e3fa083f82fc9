import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

#if canImport(Glibc)
import Glibc
#endif

/// The whole PostgreSQL server stopped (SIGSTOP on the postmaster and every backend) while the service
/// runs: connections stay open and nothing answers. Callers get 503 within about the statement
/// deadline instead of waiting for as long as the freeze lasts, readiness says so, liveness still
/// answers, and once the server resumes the service stores callbacks again.
@Suite(.serialized, .runsAlone, .tags(.slow), .timeLimit(.minutes(10))) struct FrozenDatabaseTests {
    @Test func aFrozenServerGives503sFastAndTheServiceRecovers() async throws {
        let cluster = try ScratchCluster.start()
        defer { cluster.stop() }
        let (database, migrator) = try await cluster.serviceDatabase()
        let appURL = database.appURL
        let timeout = Duration.milliseconds(800)
        let poolConfiguration = PGConfiguration(
            url: appURL,
            maxConnections: 4,
            acquireTimeout: timeout + .seconds(1),
            connectTimeoutSeconds: 2,
            statementTimeout: timeout
        )
        try await PGPool.scoped(poolConfiguration) { pool in
            let dependencies = Repositories(database: Database(pool: pool), migrator: migrator)
            try await withLiveRoutes(dependencies, database: database, pool: pool, configure: { $0.databaseStatementTimeout = timeout }) { harness in
                let huawei = try await harness.makeAccount("huawei")
                func report(_ id: String) async throws -> AppHarness.Reply {
                    try await harness.post(
                        huawei.path("status"),
                        body: "smsMsgId=\(id)&status=DELIVRD",
                        contentType: "application/x-www-form-urlencoded"
                    )
                }
                #expect(try await report("before").status == .ok)

                try cluster.signalAll(SIGSTOP)
                defer { try? cluster.signalAll(SIGCONT) }
                let started = ContinuousClock.now
                let frozen = try await report("during")
                let callbackWait = ContinuousClock.now - started
                expectProblem(frozen, .serviceUnavailable, code: "service_unavailable")
                #expect(frozen.headers[.retryAfter] != nil)
                // Without the deadlines these would wait as long as the freeze; the bounds leave room for a loaded machine.
                #expect(callbackWait < .seconds(10), "a callback waited \(callbackWait)")
                let readyStarted = ContinuousClock.now
                #expect(try await harness.request(.get, "/readyz").status == .serviceUnavailable)
                #expect(ContinuousClock.now - readyStarted < .seconds(10))
                #expect(try await harness.request(.get, "/healthz").status == .ok, "liveness needs no database")

                try cluster.signalAll(SIGCONT)
                // Connections abandoned during the freeze are discarded; the next callbacks get fresh ones.
                var attempt = 0
                let recovered = try await eventually(every: .milliseconds(250)) {
                    attempt += 1
                    return try await report("after-\(attempt)").status == .ok
                }
                #expect(recovered)
                #expect(try await harness.request(.get, "/readyz").status == .ok)
            }
        }
    }
}
