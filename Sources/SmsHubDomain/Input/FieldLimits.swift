import Foundation

/// Field limits every parser applies, so absurd values are refused before anything is stored.
package enum FieldLimits {
    package static let idLength = 128
    package static let textLength = 4000
    package static let codeLength = 64

    package static func id(_ value: String?, field: String) throws(CallbackError) -> String {
        guard let value, !value.isEmpty else { throw .missingField(field) }
        guard value.utf8.count <= idLength else { throw .invalidField(field, "is longer than \(idLength) bytes") }
        return value
    }

    package static func text(_ value: String?, field: String, required: Bool = false) throws(CallbackError) -> String? {
        guard let value, !value.isEmpty else {
            if required { throw .missingField(field) }
            return nil
        }
        guard value.utf8.count <= textLength else { throw .invalidField(field, "is longer than \(textLength) bytes") }
        return value
    }

    /// A provider's status or result code: short, and part of dedup keys, whose index entries are bounded.
    package static func code(_ value: String?, field: String) throws(CallbackError) -> String? {
        guard let value, !value.isEmpty else { return nil }
        guard value.utf8.count <= codeLength else { throw .invalidField(field, "is longer than \(codeLength) bytes") }
        return value
    }

    package static func phone(_ value: String?, field: String) throws(CallbackError) -> PhoneNumber {
        guard let value, !value.isEmpty else { throw .missingField(field) }
        guard let number = PhoneNumber.parse(value) else { throw .invalidField(field, "is not a phone number") }
        return number
    }
}
