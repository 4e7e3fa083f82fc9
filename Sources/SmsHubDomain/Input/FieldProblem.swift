/// A rule a request field breaks: the field's name as the API spells it, and what is wrong. Never the value.
public struct FieldProblem: Sendable, Equatable, Codable {
    public var field: String
    package var message: String

    package init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}
