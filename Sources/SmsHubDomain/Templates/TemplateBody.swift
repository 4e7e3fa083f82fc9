import Foundation

/// A hub template's text with named variables, `{{name}}`: names are 1 to 32 of `a-z`, `0-9` and `_`,
/// starting with a letter. Braces that do not form a variable are text.
package struct TemplateBody: Sendable, Equatable {
    package let text: String
    /// The variables in order of first use.
    package let variables: [String]

    package static let maxBytes = 1000
    package static let maxVariables = 20
    package static let maxValueBytes = 100

    /// The body, or the problem that keeps it from being a template.
    package static func parse(_ text: String) -> Result<TemplateBody, InvalidFields> {
        let field = "body"
        guard !text.isEmpty else { return .failure(InvalidFields([FieldProblem(field: field, message: "is required")])) }
        guard text.utf8.count <= Self.maxBytes else {
            return .failure(InvalidFields([FieldProblem(field: field, message: "must be at most \(Self.maxBytes) bytes")]))
        }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
            return .failure(InvalidFields([FieldProblem(field: field, message: "must not contain control characters")]))
        }
        var variables: [String] = []
        for piece in Self.pieces(text) {
            if case .variable(let name) = piece, !variables.contains(name) { variables.append(name) }
        }
        guard variables.count <= Self.maxVariables else {
            return .failure(InvalidFields([FieldProblem(field: field, message: "must have at most \(Self.maxVariables) variables")]))
        }
        return .success(TemplateBody(text: text, variables: variables))
    }

    /// The text with every variable filled. Every variable needs a value (1 to 100 bytes, no control
    /// characters, no braces that would read as a variable); a value for no variable is refused too,
    /// since it is most likely a misspelt name.
    package func render(_ values: [String: String], field: String = "variables") -> Result<String, InvalidFields> {
        var problems: [FieldProblem] = []
        for name in self.variables {
            guard let value = values[name], !value.isEmpty else {
                problems.append(FieldProblem(field: "\(field).\(name)", message: "is required by the template"))
                continue
            }
            if value.utf8.count > Self.maxValueBytes {
                problems.append(FieldProblem(field: "\(field).\(name)", message: "must be at most \(Self.maxValueBytes) bytes"))
            } else if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "{" || $0 == "}" }) {
                problems.append(FieldProblem(field: "\(field).\(name)", message: "must not contain control characters or braces"))
            }
        }
        for name in values.keys.sorted() where !self.variables.contains(name) {
            problems.append(FieldProblem(field: "\(field).\(name.prefix(utf8Bytes: 64))", message: "is not a variable of the template"))
        }
        guard problems.isEmpty else { return .failure(InvalidFields(problems)) }
        var out = ""
        out.reserveCapacity(self.text.utf8.count)
        for piece in Self.pieces(self.text) {
            switch piece {
            case .text(let text): out += text
            case .variable(let name): out += values[name] ?? ""
            }
        }
        return .success(out)
    }

    enum Piece: Equatable {
        case text(Substring)
        case variable(String)
    }

    /// The text cut at each `{{name}}`.
    static func pieces(_ text: String) -> [Piece] {
        var pieces: [Piece] = []
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            let name = rest[open.upperBound..<close.lowerBound]
            if Self.isName(name) {
                if open.lowerBound > rest.startIndex { pieces.append(.text(rest[..<open.lowerBound])) }
                pieces.append(.variable(String(name)))
                rest = rest[close.upperBound...]
            } else {
                // Not a variable: keep the first brace as text and look again after it.
                let next = rest.index(after: open.lowerBound)
                pieces.append(.text(rest[..<next]))
                rest = rest[next...]
            }
        }
        if !rest.isEmpty { pieces.append(.text(rest)) }
        return pieces
    }

    static func isName(_ name: Substring) -> Bool {
        guard let first = name.utf8.first, (1...32).contains(name.utf8.count), (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else {
            return false
        }
        return name.utf8.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || ASCIIDigits.isDigit($0) || $0 == UInt8(ascii: "_")
        }
    }
}
