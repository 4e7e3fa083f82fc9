/// The statements one connection has prepared. Names are never reused: a forgotten statement stays
/// on the server until the connection closes, which is cheaper than a DEALLOCATE round trip.
struct PreparedStatements {
    struct Key: Hashable {
        var sql: String
        var types: [UInt32]
    }

    /// Generated SQL (filters composed per request) has a bounded number of shapes; past this many,
    /// something produces unbounded texts, and preparing them would only grow the server's memory.
    static let limit = 512

    private var names: [Key: String] = [:]
    private var issued = 0

    func name(for key: Key) -> String? {
        self.names[key]
    }

    /// A new statement name, or nil when the connection holds as many as it may.
    mutating func reserveName() -> String? {
        guard self.issued < Self.limit else { return nil }
        self.issued += 1
        return "smshub_\(self.issued)"
    }

    mutating func remember(_ key: Key, as name: String) {
        self.names[key] = name
    }

    mutating func forget(_ key: Key) {
        self.names[key] = nil
    }
}
