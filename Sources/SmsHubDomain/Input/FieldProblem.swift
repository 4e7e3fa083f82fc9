/// A rule a request field breaks: the field's name as the API spells it, and what is wrong. Never the value.
public struct FieldProblem: Sendable, Equatable, Codable {
    public var field: String
    package var message: String

    package init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// Fields of one request that break their rules, all of them: the API answers 422 naming each.
package struct InvalidFields: Error, Sendable, Equatable {
    package var problems: [FieldProblem]

    package init(_ problems: [FieldProblem]) {
        self.problems = problems
    }
}
