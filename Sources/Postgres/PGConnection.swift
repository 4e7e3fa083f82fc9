import CLibPQ
import Foundation

/// One libpq connection. Its calls block, so the pool runs them on its own threads; one task holds a
/// connection at a time (the pool's lease), which is what makes the unchecked `Sendable` sound.
package final class PGConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    /// Guards `broken`, `busy` and `closeRequested`: a caller that gave up on a call (its deadline
    /// passed) marks the connection broken and has the pool close it while the call may still be
    /// running on its thread; the close then waits for the call to return.
    private let lock = NSLock()
    private var broken = false
    private var busy = false
    private var closeRequested = false
    /// Set once a statement sent more than `retireAfterBytes`: libpq keeps its output buffer as large
    /// as the largest message it ever sent, for the connection's life, so the pool replaces it.
    private var outgrown = false
    /// Parameters larger than this in one statement retire the connection after it.
    package static let retireAfterBytes = 1 << 20
    /// Set once a call sees the connection broken, or its caller gave up on it; the pool then
    /// discards it instead of reusing it.
    package var isBroken: Bool { self.lock.withLock { self.broken } }
    let createdAt = ContinuousClock.now
    /// Statements this connection has prepared, by text and parameter types: the server parses and
    /// plans each once per connection, not on every call (decision 0018).
    private var prepared = PreparedStatements()
    /// How many statements one connection prepares; later distinct texts run unprepared.
    package static let preparedStatementLimit = PreparedStatements.limit

    /// Session settings every connection gets, so results decode the same whatever the server's defaults.
    /// JIT is off: the service's statements are short, and an aggregate whose plan is costed
    /// above `jit_above_cost` (the daily summary) spent 114 of its 130 ms compiling expressions.
    static let sessionOptions =
        "-c DateStyle=ISO -c TimeZone=UTC -c IntervalStyle=iso_8601 -c extra_float_digits=3 -c client_encoding=UTF8 -c jit=off"

    /// Opens a connection (blocking). `url` is a `postgresql://` URL or a libpq key=value string.
    ///
    /// TCP keepalives find a peer that went away without closing (a host down, a partition) within
    /// about 20 s instead of the kernel's two hours. `statementTimeout` has the server cancel longer
    /// statements, and end a session left idle inside a transaction (a client frozen mid-way) so its
    /// locks do not hold up everyone else.
    package static func connect(
        url: String,
        applicationName: String = "smshub",
        connectTimeoutSeconds: Int = 5,
        statementTimeout: Duration? = nil
    ) throws -> PGConnection {
        var options = sessionOptions
        if let statementTimeout {
            let millis = max(1, statementTimeout.components.seconds * 1000 + statementTimeout.components.attoseconds / 1_000_000_000_000_000)
            options += " -c statement_timeout=\(millis) -c idle_in_transaction_session_timeout=\(max(10_000, millis * 5))"
        }
        let keywords = [
            "dbname", "options", "application_name", "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
        ]
        let values = [url, options, applicationName, String(connectTimeoutSeconds), "1", "10", "3", "3"]
        let handle = withCStrings(keywords) { keywordPointers in
            withCStrings(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let handle else {
            throw PGError(kind: .connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(handle)
            throw PGError(kind: .connection, message: Self.redact(message, url: url))
        }
        // Server notices (e.g. "relation already exists, skipping") are libpq's to print on stderr by
        // default; they carry nothing the service acts on, so silence them.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        return PGConnection(handle: handle)
    }

    private init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Closes the connection now, or, while a call is running on it, as soon as that call returns.
    package func close() {
        let finish: OpaquePointer? = self.lock.withLock {
            self.broken = true
            if self.busy {
                self.closeRequested = true
                return nil
            }
            defer { self.handle = nil }
            return self.handle
        }
        if let finish { PQfinish(finish) }
    }

    /// The caller stopped waiting for a call on this connection: never use it again.
    func abandon() {
        self.lock.withLock { self.broken = true }
    }

    private func markBroken() {
        self.lock.withLock { self.broken = true }
    }

    /// Starts a call: the handle, unless the connection is closed, broken or (never by design) busy.
    private func enter() throws -> OpaquePointer {
        try self.lock.withLock {
            guard let handle = self.handle, !self.broken, !self.busy else {
                throw PGError(kind: .connection, message: "connection is closed")
            }
            self.busy = true
            return handle
        }
    }

    private func leave() {
        let finish: OpaquePointer? = self.lock.withLock {
            self.busy = false
            guard self.closeRequested else { return nil }
            self.closeRequested = false
            defer { self.handle = nil }
            return self.handle
        }
        if let finish { PQfinish(finish) }
    }

    /// PostgreSQL's largest field value (1 GB - 1).
    package static let maxParameterBytes = (1 << 30) - 1
    /// The wire protocol counts parameters in 16 bits.
    package static let maxParameters = 65_535

    /// Runs one parameterised statement (blocking).
    package func execute(_ query: PGQuery) throws -> PGResult {
        let binds = query.binds
        // libpq passes text parameters as C strings, so a NUL would silently cut the value short.
        if let index = binds.firstIndex(where: { $0.format == .text && ($0.bytes?.contains(0) ?? false) }) {
            throw PGError(kind: .invalidParameter, message: "parameter $\(index + 1) contains a NUL character, which PostgreSQL text cannot store")
        }
        let handle = try self.enter()
        defer { self.leave() }
        let types = binds.map { $0.type.rawValue }
        let formats = binds.map { $0.format.rawValue }
        // A field is at most 1 GB in PostgreSQL; checked here so an oversized value is an error, not a trap.
        var lengths: [Int32] = []
        lengths.reserveCapacity(binds.count)
        var total = 0
        for (index, bind) in binds.enumerated() {
            let count = bind.bytes?.count ?? 0
            total &+= count
            guard count <= Self.maxParameterBytes, let length = Int32(exactly: count) else {
                throw PGError(
                    kind: .invalidParameter,
                    message: "parameter $\(index + 1) is \(count) bytes, over PostgreSQL's limit of \(Self.maxParameterBytes)"
                )
            }
            lengths.append(length)
        }
        if total > Self.retireAfterBytes { self.lock.withLock { self.outgrown = true } }
        guard let parameterCount = Int32(exactly: binds.count), binds.count <= Self.maxParameters else {
            throw PGError(kind: .invalidParameter, message: "\(binds.count) parameters, over the protocol's limit of \(Self.maxParameters)")
        }
        let key = PreparedStatements.Key(sql: query.sql, types: types)
        let name: String
        if let known = self.prepared.name(for: key) {
            name = known
        } else if let fresh = self.prepared.reserveName() {
            _ = try self.check(PQprepare(handle, fresh, query.sql, parameterCount, types), handle)
            self.prepared.remember(key, as: fresh)
            name = fresh
        } else {
            // The cache is full (a stream of distinct texts): run this one unprepared.
            let result: OpaquePointer? = withBindPointers(binds) { values in
                PQexecParams(handle, query.sql, parameterCount, types, values, lengths, formats, 0)
            }
            return try self.check(result, handle)
        }
        let result: OpaquePointer? = withBindPointers(binds) { values in
            PQexecPrepared(handle, name, parameterCount, values, lengths, formats, 0)
        }
        do {
            return try self.check(result, handle)
        } catch let error as PGError where error.sqlState == "0A000" {
            // "cached plan must not change result type": a table changed under the prepared statement.
            // Forget it so the next call prepares it afresh (this transaction has failed either way).
            self.prepared.forget(key)
            throw error
        }
    }

    /// Starts a transaction with `settings` in force for it (`set_config(name, value, true)`), in one
    /// round trip: a simple-protocol query, so the values go in as literals escaped by libpq.
    package func begin(settings: [(name: String, value: String)]) throws {
        let handle = try self.enter()
        defer { self.leave() }
        var sql = "BEGIN"
        if !settings.isEmpty {
            let calls = try settings.map { "set_config(\(try self.literal($0.name, handle)), \(try self.literal($0.value, handle)), true)" }
            sql += "; SELECT " + calls.joined(separator: ", ")
        }
        _ = try self.check(PQexec(handle, sql), handle)
    }

    private func literal(_ text: String, _ handle: OpaquePointer) throws -> String {
        let utf8 = Array(text.utf8)
        guard !utf8.contains(0) else {
            throw PGError(kind: .invalidParameter, message: "a setting contains a NUL character")
        }
        guard
            let escaped = utf8.withUnsafeBufferPointer({ buffer in
                buffer.withMemoryRebound(to: CChar.self) { PQescapeLiteral(handle, $0.baseAddress, $0.count) }
            })
        else {
            throw PGError(kind: .invalidParameter, message: Self.trimmed(PQerrorMessage(handle)))
        }
        defer { PQfreemem(escaped) }
        return String(cString: escaped)
    }

    /// Runs SQL text with no parameters, possibly several statements (blocking). For migrations and set-up only.
    package func executeScript(_ sql: String) throws {
        let handle = try self.enter()
        defer { self.leave() }
        _ = try self.check(PQexec(handle, sql), handle)
    }

    /// True while the connection is usable and idle outside a transaction. Reads whatever the server
    /// sent since the last call, so a connection the server closed (say, on restart) shows up as broken here.
    func isReusable() -> Bool {
        // Checked first and under the lock: a broken connection may still be running an abandoned call.
        guard !self.isBroken, !self.lock.withLock({ self.outgrown }), let handle = self.lock.withLock({ self.handle }) else { return false }
        // Twice: the first read takes what the server sent (on shutdown, a FATAL message), the second
        // sees the end of the stream that follows it. libpq marks the connection bad only on the latter.
        for _ in 0..<2 {
            if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK {
                self.markBroken()
                return false
            }
        }
        // Nothing is in flight on an idle connection, so any result waiting here is the server
        // speaking on its own: a termination notice. Such a connection is not worth keeping.
        var unsolicited = false
        while PQisBusy(handle) == 0, let stray = PQgetResult(handle) {
            unsolicited = true
            PQclear(stray)
        }
        if unsolicited {
            self.markBroken()
            return false
        }
        return PQtransactionStatus(handle) == PQTRANS_IDLE
    }

    private func check(_ result: OpaquePointer?, _ handle: OpaquePointer) throws -> PGResult {
        guard let result else {
            self.markBrokenIfNeeded(handle)
            throw PGError(kind: .connection, message: Self.trimmed(PQerrorMessage(handle)))
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PGResult(handle: result)
        default:
            let error = Self.error(from: result, connection: handle)
            PQclear(result)
            self.markBrokenIfNeeded(handle)
            if self.isBroken, error.sqlState == nil {
                throw PGError(kind: .connection, message: error.message)
            }
            throw error
        }
    }

    private func markBrokenIfNeeded(_ handle: OpaquePointer) {
        if PQstatus(handle) != CONNECTION_OK { self.markBroken() }
    }

    private static func error(from result: OpaquePointer, connection: OpaquePointer) -> PGError {
        func field(_ code: Int32) -> String? {
            guard let value = PQresultErrorField(result, code) else { return nil }
            return String(cString: value)
        }
        // Field codes from postgres_ext.h; they are macros of character constants Swift cannot import.
        let sqlState = field(Int32(UInt8(ascii: "C")))
        let primary = field(Int32(UInt8(ascii: "M"))) ?? trimmed(PQresultErrorMessage(result))
        return PGError(
            kind: sqlState == nil ? .connection : .server,
            sqlState: sqlState,
            message: primary.isEmpty ? trimmed(PQerrorMessage(connection)) : primary,
            detail: field(Int32(UInt8(ascii: "D"))),
            hint: field(Int32(UInt8(ascii: "H"))),
            constraint: field(Int32(UInt8(ascii: "n")))
        )
    }

    private static func trimmed(_ pointer: UnsafePointer<CChar>?) -> String {
        guard let pointer else { return "" }
        return String(cString: pointer).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// libpq's connection errors can echo the connection string; keep the password out of them.
    static func redact(_ message: String, url: String) -> String {
        guard let components = URLComponents(string: url), let password = components.password, !password.isEmpty else {
            return message
        }
        return message.replacingOccurrences(of: password, with: "***")
    }
}

private func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers.map { $0.map { UnsafePointer($0) } })
}

private func withBindPointers<R>(_ binds: [PGData], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    // Copy each value into stable C memory for the duration of the call; nil stays nil (SQL NULL).
    let buffers: [UnsafeMutablePointer<CChar>?] = binds.map { bind in
        guard let bytes = bind.bytes else { return nil }
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
        for (offset, byte) in bytes.enumerated() { buffer[offset] = CChar(bitPattern: byte) }
        buffer[bytes.count] = 0
        return buffer
    }
    defer { for buffer in buffers { buffer?.deallocate() } }
    return body(buffers.map { $0.map { UnsafePointer($0) } })
}
