import Foundation

/// Decodes `Decodable` types from a `JSONValue`, so a body is parsed once (by `JSONReader`, with its
/// strict rules) and typed from that parse. Swift's camelCase names find their snake_case members
/// (`isDefault` ← `is_default`); a member written exactly as the Swift name is found too. Errors are
/// `DecodingError`s with the coding path, never the value.
package struct JSONValueDecoder: Sendable {
    package init() {}

    package func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try T(from: ValueDecoder(value: value, codingPath: []))
    }
}

private struct ValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = self.value else { throw self.mismatch([String: Any].self) }
        return KeyedDecodingContainer(KeyedContainer<Key>(members: members, codingPath: self.codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = self.value else { throw self.mismatch([Any].self) }
        return UnkeyedContainer(elements: elements, codingPath: self.codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValue(value: self.value, codingPath: self.codingPath)
    }

    func mismatch(_ type: Any.Type) -> DecodingError {
        .typeMismatch(type, .init(codingPath: self.codingPath, debugDescription: "expected \(type)"))
    }
}

/// The snake_case form of a Swift name: `providerAccountId` → `provider_account_id`.
package func snakeCase(_ name: String) -> String {
    var out = ""
    for character in name {
        if character.isUppercase {
            out += "_" + character.lowercased()
        } else {
            out.append(character)
        }
    }
    return out
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [JSONMember]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { self.members.compactMap { Key(stringValue: $0.key) } }

    func member(_ key: Key) -> JSONValue? {
        let name = key.stringValue
        if let exact = self.members.first(where: { $0.key == name }) { return exact.value }
        let snake = snakeCase(name)
        return self.members.first { $0.key == snake }?.value
    }

    func contains(_ key: Key) -> Bool { self.member(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let value = self.member(key) else { return true }
        return value == .null
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard let value = self.member(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: self.codingPath, debugDescription: "missing"))
        }
        return try T(from: ValueDecoder(value: value, codingPath: self.codingPath + [key]))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(value: self.member(key) ?? .null, codingPath: self.codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(value: self.member(key) ?? .null, codingPath: self.codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { ValueDecoder(value: .object(self.members), codingPath: self.codingPath) }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueDecoder(value: self.member(key) ?? .null, codingPath: self.codingPath + [key])
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String { "\(self.intValue ?? 0)" }
    var intValue: Int?
    init(_ index: Int) { self.intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    var count: Int? { self.elements.count }
    var isAtEnd: Bool { self.currentIndex >= self.elements.count }

    mutating func next() throws -> (JSONValue, [any CodingKey]) {
        guard !self.isAtEnd else {
            throw DecodingError.valueNotFound(JSONValue.self, .init(codingPath: self.codingPath, debugDescription: "no more elements"))
        }
        defer { self.currentIndex += 1 }
        return (self.elements[self.currentIndex], self.codingPath + [IndexKey(self.currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !self.isAtEnd, self.elements[self.currentIndex] == .null else { return false }
        self.currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try self.next()
        return try T(from: ValueDecoder(value: value, codingPath: path))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, path) = try self.next()
        return try ValueDecoder(value: value, codingPath: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try self.next()
        return try ValueDecoder(value: value, codingPath: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try self.next()
        return ValueDecoder(value: value, codingPath: path)
    }
}

private struct SingleValue: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    func mismatch(_ type: Any.Type) -> DecodingError {
        .typeMismatch(type, .init(codingPath: self.codingPath, debugDescription: "expected \(type)"))
    }

    func decodeNil() -> Bool { self.value == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let flag) = self.value else { throw self.mismatch(type) }
        return flag
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let text) = self.value else { throw self.mismatch(type) }
        return text
    }

    /// A whole number in range, written without fraction or exponent; anything else is a mismatch.
    func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        guard case .number(let text) = self.value, let number = I(text) else { throw self.mismatch(type) }
        return number
    }

    func decode(_ type: Double.Type) throws -> Double {
        guard case .number(let text) = self.value, let number = Double(text), number.isFinite else { throw self.mismatch(type) }
        return number
    }

    func decode(_ type: Float.Type) throws -> Float {
        guard case .number(let text) = self.value, let number = Float(text), number.isFinite else { throw self.mismatch(type) }
        return number
    }

    func decode(_ type: Int.Type) throws -> Int { try self.integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try self.integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try self.integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try self.integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try self.integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try self.integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try self.integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try self.integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try self.integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try self.integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try T(from: ValueDecoder(value: self.value, codingPath: self.codingPath))
    }
}
