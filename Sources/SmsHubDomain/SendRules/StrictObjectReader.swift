/// Reads one JSON object of a request, collecting every problem rather than stopping at the first:
/// wrong types, and members the object does not have.
struct StrictObjectReader {
    let value: JSONValue
    /// The object's path as the API names fields (`opt_out`), nil at the top.
    let field: String?
    var problems: [FieldProblem] = []

    init(_ value: JSONValue, field: String?) {
        self.value = value
        self.field = field
        if case .object = value { return }
        self.problems.append(FieldProblem(field: field ?? "body", message: "must be an object"))
    }

    func path(_ key: String) -> String {
        let key = String(key.prefix(utf8Bytes: 64))
        return self.field.map { "\($0).\(key)" } ?? key
    }

    mutating func bool(_ key: String) -> Bool? {
        switch self.value[key] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        default:
            self.problems.append(FieldProblem(field: self.path(key), message: "must be true or false"))
            return nil
        }
    }

    /// An integer member within `range`.
    mutating func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
        switch self.value[key] {
        case nil, .null?: return nil
        case .number(let text)?:
            if let number = Int(text), range.contains(number) { return number }
            fallthrough
        default:
            self.problems.append(
                FieldProblem(field: self.path(key), message: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            )
            return nil
        }
    }

    mutating func string(_ key: String) -> String? {
        switch self.value[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default:
            self.problems.append(FieldProblem(field: self.path(key), message: "must be a string"))
            return nil
        }
    }

    mutating func array(_ key: String, max: Int) -> [JSONValue]? {
        switch self.value[key] {
        case nil, .null?: return nil
        case .array(let elements)? where elements.count <= max: return elements
        default:
            self.problems.append(FieldProblem(field: self.path(key), message: "must be an array of at most \(max) elements"))
            return nil
        }
    }

    /// A member object, read by a reader of its own whose problems `absorb` takes back; nil when
    /// absent. `known` are its members, any other being a problem.
    mutating func object(_ key: String, known: Set<String>) -> StrictObjectReader? {
        guard let member = self.value[key], member != .null else { return nil }
        var reader = StrictObjectReader(member, field: self.path(key))
        reader.refuseUnknown(known)
        return reader
    }

    mutating func absorb(_ other: StrictObjectReader) {
        self.problems += other.problems
    }

    mutating func refuseUnknown(_ known: Set<String>) {
        guard case .object(let members) = self.value else { return }
        for member in members where !known.contains(member.key) {
            self.problems.append(FieldProblem(field: self.path(member.key), message: "is not a field of this object"))
        }
    }
}
