import Foundation
import Postgres
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A database that stops answering costs a caller at most the statement deadline, never longer:
/// faults injected for real (a stopped backend, a peer that accepts and never speaks, a lock held).
@Suite(.runsAlone, .tags(.slow), .timeLimit(.minutes(10))) struct DeadlineTests {
    static let timeout = Duration.milliseconds(500)

    func pool(_ url: String, connectTimeoutSeconds: Int = 5) -> PGPool {
        PGPool(
            configuration: PGConfiguration(
                url: url,
                maxConnections: 2,
                acquireTimeout: .seconds(2),
                connectTimeoutSeconds: connectTimeoutSeconds,
                statementTimeout: Self.timeout
            )
        )
    }

    /// SIGSTOP on the backend serving the pool's connection: the kernel keeps its socket open, so only
    /// the client's deadline ends the wait. The connection is then never used again.
    @Test func aFrozenBackendGivesATimeoutAndTheConnectionIsReplaced() async throws {
        try await withTestDatabase { database in
            let pool = self.pool(database.superuserURL)
            let pid = try await pool.query("SELECT pg_backend_pid() AS pid").first!.decode("pid", as: Int32.self)
            #expect(kill(pid, SIGSTOP) == 0)
            let started = ContinuousClock.now
            let error = try await #require(throws: PGError.self) { try await pool.query("SELECT 1") }
            let waited = ContinuousClock.now - started
            #expect(kill(pid, SIGCONT) == 0)
            #expect(error.isTimeout, "\(error)")
            #expect(waited < .seconds(10), "waited \(waited)")  // unbounded without the deadline; room for a loaded machine
            // A fresh connection serves the next call; the frozen one was discarded.
            let next = try await pool.query("SELECT pg_backend_pid() AS pid").first!.decode("pid", as: Int32.self)
            #expect(next != pid)
            await pool.close()
        }
    }

    /// The server is alive but the statement runs long (or waits on a lock): the server cancels it.
    @Test func aSlowStatementIsCancelledByTheServer() async throws {
        try await withTestDatabase { database in
            let pool = self.pool(database.superuserURL)
            let error = try await #require(throws: PGError.self) { try await pool.query("SELECT pg_sleep(5)") }
            #expect(error.isTimeout && error.sqlState == "57014", "\(error)")
            #expect(try await pool.query("SELECT 2 AS n").first?.decode("n", as: Int.self) == 2)
            await pool.close()
        }
    }

    /// A peer that accepts the TCP connection and never says a word (libpq's own connect timeout is
    /// whole seconds, and waits for each address): the connection attempt is given up at the deadline.
    @Test func aSilentServerGivesATimeoutWhenConnecting() async throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0)
        #expect(listen(listener, 16) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))

        // libpq alone would wait 10 s; the client deadline (1.5 s) ends it long before, with room for a busy machine.
        let pool = self.pool("postgresql://postgres@127.0.0.1:\(port)/postgres", connectTimeoutSeconds: 10)
        let started = ContinuousClock.now
        let error = try await #require(throws: PGError.self) { try await pool.query("SELECT 1") }
        #expect(error.isTimeout, "\(error)")
        #expect(ContinuousClock.now - started < .seconds(7))
        #expect(await pool.statistics.open == 0, "the abandoned attempt gave its slot back")
        await pool.close()
    }
}
