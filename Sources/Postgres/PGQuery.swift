/// A SQL statement whose interpolated values become bind parameters (`$1`, `$2`, …).
///
/// Writing `"SELECT * FROM t WHERE id = \(id)"` can never splice a value into the SQL text; the only
/// way to add raw text is `\(unescaped:)`, meant for identifiers and fragments the code itself owns.
package struct PGQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    package var sql: String
    package var binds: [PGData]

    package init(_ sql: String, binds: [PGData] = []) {
        self.sql = sql
        self.binds = binds
    }

    package init(stringLiteral value: String) {
        self.init(value)
    }

    package init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.binds = stringInterpolation.binds
    }

    /// The SQL text only: values are never part of a query's description.
    package var description: String { self.sql }

    package struct StringInterpolation: StringInterpolationProtocol {
        var sql: String
        var binds: [PGData]

        package init(literalCapacity: Int, interpolationCount: Int) {
            self.sql = ""
            self.sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            self.binds = []
            self.binds.reserveCapacity(interpolationCount)
        }

        package mutating func appendLiteral(_ literal: String) {
            self.sql += literal
        }

        // Inlinable, like the encoders they call, so each call site gets them specialised for its
        // value's type: unspecialised, encoding a batch's array columns went through the runtime per element.
        package mutating func appendInterpolation(_ value: some PGEncodable) {
            self.binds.append(value.pgData)
            self.sql += "$\(self.binds.count)"
        }

        package mutating func appendInterpolation<T: PGEncodable>(_ value: T?) {
            self.binds.append(value.map(\.pgData) ?? .null(T.pgType))
            self.sql += "$\(self.binds.count)"
        }

        package mutating func appendInterpolation(unescaped fragment: String) {
            self.sql += fragment
        }

        /// Another query's text and binds, its placeholders renumbered after the ones so far. For
        /// composing filters; the fragment's text must use `$` only for its own placeholders.
        package mutating func appendInterpolation(fragment: PGQuery) {
            let offset = self.binds.count
            self.binds += fragment.binds
            guard offset > 0 else {
                self.sql += fragment.sql
                return
            }
            var digits = ""
            var inPlaceholder = false
            for character in fragment.sql {
                if inPlaceholder, character.isASCII, character.isNumber {
                    digits.append(character)
                    continue
                }
                if inPlaceholder {
                    self.sql += digits.isEmpty ? "$" : "$\(Int(digits)! + offset)"
                    inPlaceholder = false
                    digits = ""
                }
                if character == "$" {
                    inPlaceholder = true
                } else {
                    self.sql.append(character)
                }
            }
            if inPlaceholder {
                self.sql += digits.isEmpty ? "$" : "$\(Int(digits)! + offset)"
            }
        }
    }

    /// The queries' texts joined by `separator`, their binds renumbered in order.
    package static func joined(_ parts: [PGQuery], separator: String) -> PGQuery {
        var result = PGQuery("")
        for (index, part) in parts.enumerated() {
            result = index == 0 ? "\(fragment: part)" : "\(fragment: result)\(unescaped: separator)\(fragment: part)"
        }
        return result
    }
}
