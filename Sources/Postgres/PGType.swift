/// The PostgreSQL type OIDs the wrapper binds and decodes.
package struct PGType: RawRepresentable, Hashable, Sendable {
    package var rawValue: UInt32
    package init(rawValue: UInt32) { self.rawValue = rawValue }

    package static let bool = PGType(rawValue: 16)
    package static let bytea = PGType(rawValue: 17)
    package static let int8 = PGType(rawValue: 20)
    package static let int2 = PGType(rawValue: 21)
    package static let int4 = PGType(rawValue: 23)
    package static let text = PGType(rawValue: 25)
    package static let jsonb = PGType(rawValue: 3802)
    package static let float8 = PGType(rawValue: 701)
    package static let numeric = PGType(rawValue: 1700)
    package static let timestamptz = PGType(rawValue: 1184)
    package static let uuid = PGType(rawValue: 2950)
    package static let boolArray = PGType(rawValue: 1000)
    package static let byteaArray = PGType(rawValue: 1001)
    package static let int2Array = PGType(rawValue: 1005)
    package static let int4Array = PGType(rawValue: 1007)
    package static let textArray = PGType(rawValue: 1009)
    package static let int8Array = PGType(rawValue: 1016)
    package static let float8Array = PGType(rawValue: 1022)
    package static let timestamptzArray = PGType(rawValue: 1185)
    package static let numericArray = PGType(rawValue: 1231)
    package static let uuidArray = PGType(rawValue: 2951)
    package static let jsonbArray = PGType(rawValue: 3807)
}

/// One bind parameter as libpq takes it: bytes in text or binary format, or SQL NULL.
package struct PGData: Sendable {
    package enum Format: Int32, Sendable {
        case text = 0
        case binary = 1
    }
    package var type: PGType
    package var format: Format
    /// nil is SQL NULL.
    package var bytes: [UInt8]?

    package init(type: PGType, format: Format = .text, bytes: [UInt8]?) {
        self.type = type
        self.format = format
        self.bytes = bytes
    }

    package static func text(_ type: PGType, _ string: String) -> PGData {
        PGData(type: type, format: .text, bytes: Array(string.utf8))
    }

    package static func null(_ type: PGType) -> PGData {
        PGData(type: type, bytes: nil)
    }
}
