/// How a pool connects and how large it may grow.
public struct PGConfiguration: Sendable {
    /// `postgresql://` URL or libpq key=value string. May contain a password: never log it.
    public var url: String
    public var maxConnections: Int
    /// How long a caller waits for a free connection before `PGError.Kind.poolTimeout`.
    public var acquireTimeout: Duration
    public var connectTimeoutSeconds: Int
    public var applicationName: String

    public init(
        url: String,
        maxConnections: Int = 10,
        acquireTimeout: Duration = .seconds(5),
        connectTimeoutSeconds: Int = 5,
        applicationName: String = "smshub"
    ) {
        precondition(maxConnections > 0, "a pool needs at least one connection")
        self.url = url
        self.maxConnections = maxConnections
        self.acquireTimeout = acquireTimeout
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.applicationName = applicationName
    }
}
