/// Rules for names that people choose; the same limits the database enforces with CHECK constraints.
package enum NameRules {
    package static let maxLength = 200

    /// Trims surrounding whitespace; nil when the result is empty, too long, or holds control characters.
    package static func normalise(_ name: String) -> String? {
        let trimmed = name.trimmingWhitespace()
        guard !trimmed.isEmpty, trimmed.count <= maxLength else { return nil }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return nil }
        return trimmed
    }

    /// What a name `normalise` refused is told, for the field it came in.
    package static func problem(field: String = "name") -> FieldProblem {
        FieldProblem(field: field, message: "must be 1 to \(maxLength) characters with no control characters")
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
