import CLibPQ

/// The rows of one statement's result. Owns the libpq result and frees it when released.
///
/// Immutable once made, so reading it from any thread is safe.
package final class PGResult: @unchecked Sendable {
    private let handle: OpaquePointer?
    package let rowCount: Int
    package let columnCount: Int
    /// Rows affected by INSERT/UPDATE/DELETE, when the statement reports it.
    package let affectedRows: Int
    private let columnIndex: [String: Int]

    init(handle: OpaquePointer?) {
        self.handle = handle
        self.rowCount = handle.map { Int(PQntuples($0)) } ?? 0
        self.columnCount = handle.map { Int(PQnfields($0)) } ?? 0
        self.affectedRows = handle.flatMap { Int(String(cString: PQcmdTuples($0))) } ?? 0
        var index: [String: Int] = [:]
        if let handle {
            for column in 0..<Int(PQnfields(handle)) {
                index[String(cString: PQfname(handle, Int32(column)))] = column
            }
        }
        self.columnIndex = index
    }

    deinit {
        if let handle { PQclear(handle) }
    }

    package var columnNames: [String] {
        self.columnIndex.sorted { $0.value < $1.value }.map(\.key)
    }

    package var rows: [PGRow] {
        (0..<self.rowCount).map { PGRow(result: self, row: $0) }
    }

    package var first: PGRow? {
        self.rowCount > 0 ? PGRow(result: self, row: 0) : nil
    }

    func column(named name: String) throws -> Int {
        guard let column = self.columnIndex[name] else {
            throw PGError(kind: .decoding, message: "result has no column \"\(name)\"")
        }
        return column
    }

    /// The cell's text, or nil for SQL NULL.
    func text(row: Int, column: Int) throws -> Substring? {
        guard let handle, row < self.rowCount, column < self.columnCount else {
            throw PGError(kind: .decoding, message: "cell (\(row), \(column)) is out of range")
        }
        if PQgetisnull(handle, Int32(row), Int32(column)) == 1 { return nil }
        let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
        let pointer = PQgetvalue(handle, Int32(row), Int32(column))!
        let buffer = UnsafeRawBufferPointer(start: pointer, count: length)
        return Substring(String(decoding: buffer, as: UTF8.self))
    }
}

/// One row of a `PGResult`, read by column name or position.
package struct PGRow: Sendable {
    let result: PGResult
    let row: Int

    package func decode<T: PGDecodable>(column: Int, as type: T.Type = T.self) throws -> T {
        guard let text = try result.text(row: self.row, column: column) else {
            if let optional = T.self as? any ExpressibleByNilLiteral.Type {
                return optional.init(nilLiteral: ()) as! T
            }
            throw PGError(kind: .decoding, message: "column \(column) is NULL but \(T.self) is not optional")
        }
        return try T.pgDecode(text: text)
    }

    package func decode<T: PGDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        let column = try self.result.column(named: name)
        do {
            return try self.decode(column: column, as: T.self)
        } catch var error as PGError {
            error.message += " (column \"\(name)\")"
            throw error
        }
    }

    package func isNull(_ name: String) throws -> Bool {
        try self.result.text(row: self.row, column: self.result.column(named: name)) == nil
    }
}
