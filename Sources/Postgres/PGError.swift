/// An error from PostgreSQL or from the client library, with the server's SQLSTATE when there is one.
///
/// `description` never includes bound parameter values, so an error can be logged without leaking
/// the secrets or personal data a statement carried.
public struct PGError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The server rejected a statement; `sqlState` says why.
        case server
        /// No connection could be made, or it broke during a call.
        case connection
        /// The pool had no connection free within its wait timeout.
        case poolTimeout
        /// The pool has been shut down.
        case poolClosed
        /// A value could not be decoded into the requested Swift type.
        case decoding
        /// A bind parameter cannot be sent as given (a NUL inside text, or over the size limit).
        case invalidParameter
        /// The database did not answer within the pool's statement deadline.
        case timeout
    }

    public var kind: Kind
    /// Five-character SQLSTATE code, e.g. `23505` for a unique violation.
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraint: String?

    public init(
        kind: Kind,
        sqlState: String? = nil,
        message: String,
        detail: String? = nil,
        hint: String? = nil,
        constraint: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
    }

    public var description: String {
        var text = "PostgreSQL \(self.kind)"
        if let sqlState { text += " [\(sqlState)]" }
        text += ": \(self.message)"
        if let detail { text += " (\(detail))" }
        return text
    }

    /// True when the database is there but did not answer in time: its statement timeout cancelled
    /// the statement (57014), or the client's deadline passed. Callers answer 503 and retry later.
    public var isTimeout: Bool {
        self.kind == .timeout || self.sqlState == "57014"
    }

    /// True when the transaction lost a race with another (a deadlock, or a serialization failure) and
    /// was rolled back: running it again from the start may succeed.
    public var isConflict: Bool {
        self.sqlState == SQLState.deadlockDetected || self.sqlState == SQLState.serializationFailure
    }

    /// True when retrying on a fresh connection may succeed: the connection broke, or the server is
    /// shutting down or not yet accepting connections.
    public var isConnectionFailure: Bool {
        if self.kind == .connection { return true }
        guard let sqlState else { return false }
        return sqlState.hasPrefix("08") || sqlState == "57P01" || sqlState == "57P02" || sqlState == "57P03"
    }
}

/// SQLSTATE codes the project branches on.
public enum SQLState {
    public static let uniqueViolation = "23505"
    public static let foreignKeyViolation = "23503"
    public static let checkViolation = "23514"
    public static let notNullViolation = "23502"
    public static let insufficientPrivilege = "42501"
    public static let invalidTextRepresentation = "22P02"
    public static let serializationFailure = "40001"
    public static let deadlockDetected = "40P01"
    public static let undefinedTable = "42P01"
    public static let invalidParameterValue = "22023"
}
