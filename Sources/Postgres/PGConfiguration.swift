/// How a pool connects and how large it may grow.
package struct PGConfiguration: Sendable {
    /// `postgresql://` URL or libpq key=value string. May contain a password: never log it.
    package var url: String
    package var maxConnections: Int
    /// How long a caller waits for a free connection before `PGError.Kind.poolTimeout`.
    package var acquireTimeout: Duration
    package var connectTimeoutSeconds: Int
    package var applicationName: String
    /// The longest one statement (or connection attempt) may take. The server cancels a statement at
    /// this time (`statement_timeout`); a server that does not answer at all (frozen, its host gone
    /// quiet) is given up on one second later, and the connection is not used again. nil: no limit
    /// (migrations, tests that seed).
    package var statementTimeout: Duration?
    /// Runs on every new connection before its first use, on the pool's thread and inside the
    /// connect deadline; what it throws closes the connection and fails the lease with that error.
    /// A server a URL names can change under it (a failover, an altered role), so a property the
    /// service relies on is checked each time a connection is made, not once at start.
    package var checkConnection: (@Sendable (PGConnection) throws -> Void)?

    package init(
        url: String,
        maxConnections: Int = 10,
        acquireTimeout: Duration = .seconds(5),
        connectTimeoutSeconds: Int = 5,
        applicationName: String = "smshub",
        statementTimeout: Duration? = nil,
        checkConnection: (@Sendable (PGConnection) throws -> Void)? = nil
    ) {
        precondition(maxConnections > 0, "a pool needs at least one connection")
        self.url = url
        self.maxConnections = maxConnections
        self.acquireTimeout = acquireTimeout
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.applicationName = applicationName
        self.statementTimeout = statementTimeout
        self.checkConnection = checkConnection
    }

    /// When the caller stops waiting for a statement: the server's own timeout plus a second for its answer.
    var clientDeadline: Duration? {
        self.statementTimeout.map { $0 + .seconds(1) }
    }
}
