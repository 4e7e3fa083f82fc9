/// An error from PostgreSQL or from the client library, with the server's SQLSTATE when there is one.
///
/// `description` never includes bound parameter values, so an error can be logged without leaking
/// the secrets or personal data a statement carried.
package struct PGError: Error, Sendable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
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

    package var kind: Kind
    /// Five-character SQLSTATE code, e.g. `23505` for a unique violation.
    package var sqlState: String?
    package var message: String
    package var detail: String?
    package var hint: String?
    package var constraint: String?

    package init(
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

    package var description: String {
        var text = "PostgreSQL \(self.kind)"
        if let sqlState { text += " [\(sqlState)]" }
        text += ": \(self.message)"
        if let detail { text += " (\(detail))" }
        return text
    }

    /// True when the database is there but did not answer in time: its statement timeout cancelled
    /// the statement (57014), or the client's deadline passed. Callers answer 503 and retry later.
    package var isTimeout: Bool {
        self.kind == .timeout || self.sqlState == "57014"
    }

    /// True when the transaction lost a race with another (a deadlock, or a serialization failure) and
    /// was rolled back: running it again from the start may succeed.
    package var isConflict: Bool {
        self.sqlState == SQLState.deadlockDetected || self.sqlState == SQLState.serializationFailure
    }

    /// True when retrying on a fresh connection may succeed: the connection broke, or the server is
    /// shutting down or not yet accepting connections.
    package var isConnectionFailure: Bool {
        if self.kind == .connection { return true }
        guard let sqlState else { return false }
        return sqlState.hasPrefix("08") || sqlState == "57P01" || sqlState == "57P02" || sqlState == "57P03"
    }
}

/// SQLSTATE codes the project branches on.
package enum SQLState {
    package static let uniqueViolation = "23505"
    package static let insufficientPrivilege = "42501"
    package static let serializationFailure = "40001"
    package static let deadlockDetected = "40P01"
    package static let invalidParameterValue = "22023"
}
