import NIOPosix

/// A leased connection, usable from async code: each call hops to the pool's blocking threads, so no
/// libpq call ever runs on a NIO event loop or the Swift cooperative pool.
package struct PGSession: Sendable {
    let connection: PGConnection
    let threads: NIOThreadPool
    /// How long a caller waits for one call (see `PGConfiguration.statementTimeout`).
    let deadline: Duration?

    @discardableResult
    package func query(_ query: PGQuery) async throws -> PGResult {
        try await self.run("a statement") { connection in try connection.execute(query) }
    }

    /// Runs several statements of plain SQL text (no parameters). Migrations and set-up only.
    package func executeScript(_ sql: String) async throws {
        try await self.run("a script") { connection in try connection.executeScript(sql) }
    }

    private func run<R: Sendable>(_ what: String, _ body: @escaping @Sendable (PGConnection) throws -> R) async throws -> R {
        let connection = self.connection
        return try await PGDeadline.run(on: self.threads, deadline: self.deadline, what: what, onAbandon: { connection.abandon() }) {
            try body(connection)
        }
    }

    /// Runs `body` inside `BEGIN … COMMIT`; any thrown error rolls the transaction back and is rethrown.
    /// `settings` (custom parameters such as `smshub.tenant_id`) hold for this transaction only and are
    /// set with the BEGIN, in the same round trip.
    package func transaction<R: Sendable>(settings: [(name: String, value: String)] = [], _ body: (PGSession) async throws -> R) async throws -> R {
        try await self.run("BEGIN") { connection in try connection.begin(settings: settings) }
        let value: R
        do {
            value = try await body(self)
        } catch {
            // A failed rollback on a broken connection is moot: the pool discards broken connections.
            _ = try? await self.query("ROLLBACK")
            throw error
        }
        try await self.query("COMMIT")
        return value
    }
}
