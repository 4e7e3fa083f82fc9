package import Logging
import NIOPosix

/// A bounded pool of libpq connections.
///
/// Connections are opened on demand up to `maxConnections`; callers beyond that wait in order until
/// one is released or `acquireTimeout` passes. A connection found broken, or returned mid-transaction,
/// is closed and replaced rather than reused.
package actor PGPool {
    package let configuration: PGConfiguration
    private let logger: Logger
    private let threads: NIOThreadPool
    private var idle: [PGConnection] = []
    /// Connections open or being opened, leased or idle.
    private var openCount = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<PGConnection, any Error>)] = []
    private var nextWaiterID = 0
    private var closed = false

    package init(configuration: PGConfiguration, logger: Logger = Logger(label: "smshub.postgres")) {
        self.configuration = configuration
        self.logger = logger
        // One thread per connection: every leased connection can block at once without starving another.
        self.threads = NIOThreadPool(numberOfThreads: configuration.maxConnections)
        self.threads.start()
    }

    /// Leases a connection for the duration of `body`.
    package nonisolated func withSession<R: Sendable>(_ body: (PGSession) async throws -> R) async throws -> R {
        let connection = try await self.lease()
        let session = PGSession(connection: connection, threads: self.threads, deadline: self.configuration.clientDeadline)
        do {
            let value = try await body(session)
            await self.release(connection)
            return value
        } catch {
            await self.release(connection)
            throw error
        }
    }

    /// Leases a connection and runs `body` in a transaction on it, with `settings` in force (see `PGSession.transaction`).
    package nonisolated func withTransaction<R: Sendable>(
        settings: [(name: String, value: String)] = [],
        _ body: (PGSession) async throws -> R
    ) async throws -> R {
        try await self.withSession { session in try await session.transaction(settings: settings, body) }
    }

    /// One statement on any free connection, outside an explicit transaction.
    @discardableResult
    package nonisolated func query(_ query: PGQuery) async throws -> PGResult {
        try await self.withSession { try await $0.query(query) }
    }

    package struct Statistics: Sendable {
        package var open: Int
        package var idle: Int
        package var waiting: Int
        package var max: Int
    }

    package var statistics: Statistics {
        Statistics(open: self.openCount, idle: self.idle.count, waiting: self.waiters.count, max: self.configuration.maxConnections)
    }

    /// Closes idle connections and refuses further leases. Leased connections close when released.
    package func close() async {
        guard !self.closed else { return }
        self.closed = true
        for connection in self.idle { connection.close() }
        self.openCount -= self.idle.count
        self.idle.removeAll()
        for waiter in self.waiters {
            waiter.continuation.resume(throwing: PGError(kind: .poolClosed, message: "connection pool is closed"))
        }
        self.waiters.removeAll()
        try? await self.threads.shutdownGracefully()
    }

    private func lease() async throws -> PGConnection {
        guard !self.closed else { throw PGError(kind: .poolClosed, message: "connection pool is closed") }
        while let connection = self.idle.popLast() {
            if connection.isReusable() { return connection }
            self.logger.info("discarding a broken idle connection")
            self.discard(connection)
        }
        if self.openCount < self.configuration.maxConnections {
            self.openCount += 1
            do {
                return try await self.openConnection()
            } catch {
                self.openCount -= 1
                throw error
            }
        }
        let id = self.nextWaiterID
        self.nextWaiterID += 1
        let timeout = self.configuration.acquireTimeout
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            await self?.expireWaiter(id)
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            self.waiters.append((id, continuation))
        }
    }

    private func openConnection() async throws -> PGConnection {
        let configuration = self.configuration
        // A connection that completes after its caller gave up is closed: its slot was given back then.
        return try await PGDeadline.run(
            on: self.threads,
            deadline: configuration.clientDeadline,
            what: "connecting",
            onLateResult: { $0.close() }
        ) {
            let connection = try PGConnection.connect(
                url: configuration.url,
                applicationName: configuration.applicationName,
                connectTimeoutSeconds: configuration.connectTimeoutSeconds,
                statementTimeout: configuration.statementTimeout
            )
            do {
                try configuration.checkConnection?(connection)
            } catch {
                connection.close()
                throw error
            }
            return connection
        }
    }

    private func release(_ connection: PGConnection) async {
        if self.closed || !connection.isReusable() {
            self.discard(connection)
            // The freed slot belongs to the longest waiter, on a new connection.
            if !self.closed, !self.waiters.isEmpty { await self.openForWaiter() }
            return
        }
        if !self.waiters.isEmpty {
            self.waiters.removeFirst().continuation.resume(returning: connection)
        } else {
            self.idle.append(connection)
        }
    }

    private func openForWaiter() async {
        guard self.openCount < self.configuration.maxConnections else { return }
        self.openCount += 1
        do {
            let connection = try await self.openConnection()
            if self.waiters.isEmpty {
                self.idle.append(connection)
            } else {
                self.waiters.removeFirst().continuation.resume(returning: connection)
            }
        } catch {
            self.openCount -= 1
            if !self.waiters.isEmpty { self.waiters.removeFirst().continuation.resume(throwing: error) }
        }
    }

    private func discard(_ connection: PGConnection) {
        connection.close()
        self.openCount -= 1
    }

    private func expireWaiter(_ id: Int) {
        guard let index = self.waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = self.waiters.remove(at: index)
        waiter.continuation.resume(
            throwing: PGError(
                kind: .poolTimeout,
                message:
                    "no database connection became free within \(self.configuration.acquireTimeout) (pool size \(self.configuration.maxConnections))"
            )
        )
    }
}

extension PGPool {
    /// Opens a pool for the duration of `body` and closes it afterwards, whether `body` succeeds or throws.
    package static func scoped<R: Sendable>(
        _ configuration: PGConfiguration,
        logger: Logger = Logger(label: "smshub.postgres"),
        _ body: (PGPool) async throws -> R
    ) async throws -> R {
        let pool = PGPool(configuration: configuration, logger: logger)
        do {
            let value = try await body(pool)
            await pool.close()
            return value
        } catch {
            await pool.close()
            throw error
        }
    }
}
