/// A SQL statement whose interpolated values become bind parameters (`$1`, `$2`, …).
///
/// Writing `"SELECT * FROM t WHERE id = \(id)"` can never splice a value into the SQL text; the only
/// way to add raw text is `\(unescaped:)`, meant for identifiers and fragments the code itself owns.
public struct PGQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public var sql: String
    public var binds: [PGData]

    public init(_ sql: String, binds: [PGData] = []) {
        self.sql = sql
        self.binds = binds
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.binds = stringInterpolation.binds
    }

    /// The SQL text only: values are never part of a query's description.
    public var description: String { self.sql }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql: String
        var binds: [PGData]

        public init(literalCapacity: Int, interpolationCount: Int) {
            self.sql = ""
            self.sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            self.binds = []
            self.binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            self.sql += literal
        }

        public mutating func appendInterpolation(_ value: some PGEncodable) {
            self.binds.append(value.pgData)
            self.sql += "$\(self.binds.count)"
        }

        public mutating func appendInterpolation<T: PGEncodable>(_ value: T?) {
            self.binds.append(value.map(\.pgData) ?? .null(T.pgType))
            self.sql += "$\(self.binds.count)"
        }

        public mutating func appendInterpolation(unescaped fragment: String) {
            self.sql += fragment
        }
    }
}
