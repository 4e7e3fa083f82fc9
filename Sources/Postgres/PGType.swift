/// The PostgreSQL type OIDs the wrapper binds and decodes.
public struct PGType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Lets the server infer the type from context.
    public static let unspecified = PGType(rawValue: 0)
    public static let bool = PGType(rawValue: 16)
    public static let bytea = PGType(rawValue: 17)
    public static let int8 = PGType(rawValue: 20)
    public static let int2 = PGType(rawValue: 21)
    public static let int4 = PGType(rawValue: 23)
    public static let text = PGType(rawValue: 25)
    public static let jsonb = PGType(rawValue: 3802)
    public static let float8 = PGType(rawValue: 701)
    public static let numeric = PGType(rawValue: 1700)
    public static let timestamptz = PGType(rawValue: 1184)
    public static let uuid = PGType(rawValue: 2950)
    public static let boolArray = PGType(rawValue: 1000)
    public static let byteaArray = PGType(rawValue: 1001)
    public static let int2Array = PGType(rawValue: 1005)
    public static let int4Array = PGType(rawValue: 1007)
    public static let textArray = PGType(rawValue: 1009)
    public static let int8Array = PGType(rawValue: 1016)
    public static let float8Array = PGType(rawValue: 1022)
    public static let timestamptzArray = PGType(rawValue: 1185)
    public static let numericArray = PGType(rawValue: 1231)
    public static let uuidArray = PGType(rawValue: 2951)
    public static let jsonbArray = PGType(rawValue: 3807)
}

/// One bind parameter as libpq takes it: bytes in text or binary format, or SQL NULL.
public struct PGData: Sendable {
    public enum Format: Int32, Sendable {
        case text = 0
        case binary = 1
    }
    public var type: PGType
    public var format: Format
    /// nil is SQL NULL.
    public var bytes: [UInt8]?

    public init(type: PGType, format: Format = .text, bytes: [UInt8]?) {
        self.type = type
        self.format = format
        self.bytes = bytes
    }

    public static func text(_ type: PGType, _ string: String) -> PGData {
        PGData(type: type, format: .text, bytes: Array(string.utf8))
    }

    public static func null(_ type: PGType) -> PGData {
        PGData(type: type, bytes: nil)
    }
}
