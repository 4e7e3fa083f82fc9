import Cryptography
package import Foundation

/// Validation of `POST /v1/messages`: pure, so every rule is tested without a database.
package enum SendRequestRules {
    package static let maxRecipients = 10_000
    /// The Gateway asks to keep content under 500 characters, signature included.
    package static let maxContentLength = 500
    package static let maxClientReferenceLength = 128
    package static let maxExtNoLength = 20

    package struct Validated: Sendable, Equatable {
        package var numbers: [PhoneNumber]
        /// Numbers dropped because an earlier entry has the same E.164 form, as written.
        package var duplicates: [String]
        package var content: String
        package var extNo: String?
        package var clientReference: String?
    }

    package struct Invalid: Error, Sendable, Equatable {
        package var problems: [FieldProblem]
    }

    package static func validate(recipients: [String], content: String, extNo: String?, clientReference: String?) -> Result<Validated, Invalid> {
        var problems: [FieldProblem] = []
        if recipients.isEmpty { problems.append(FieldProblem(field: "recipients", message: "must list at least one number")) }
        if recipients.count > maxRecipients {
            problems.append(FieldProblem(field: "recipients", message: "may list at most \(maxRecipients) numbers"))
        }
        var numbers: [PhoneNumber] = []
        var seen = Set<String>()
        var duplicates: [String] = []
        for (index, text) in recipients.prefix(maxRecipients).enumerated() {
            guard let number = PhoneNumber.written(text), let e164 = number.e164 else {
                if problems.count < 50 { problems.append(FieldProblem(field: "recipients[\(index)]", message: "is not a phone number")) }
                continue
            }
            if seen.insert(e164).inserted { numbers.append(number) } else { duplicates.append(number.raw) }
        }
        let trimmed = content.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { problems.append(FieldProblem(field: "content", message: "is required")) }
        if content.unicodeScalars.count > maxContentLength {
            problems.append(FieldProblem(field: "content", message: "may be at most \(maxContentLength) characters"))
        }
        if content.unicodeScalars.contains(where: { $0 == "\u{0}" }) {
            problems.append(FieldProblem(field: "content", message: "may not contain NUL"))
        }
        if let extNo,
            !(1...maxExtNoLength).contains(extNo.count) || !extNo.allSatisfy({ $0.isASCII && $0.isNumber }) || extNo.allSatisfy({ $0 == "0" })
        {
            problems.append(FieldProblem(field: "ext_no", message: "must be a positive integer of at most \(maxExtNoLength) digits"))
        }
        if let clientReference, clientReference.isEmpty || clientReference.unicodeScalars.count > maxClientReferenceLength {
            problems.append(FieldProblem(field: "client_reference", message: "must be 1 to \(maxClientReferenceLength) characters"))
        }
        guard problems.isEmpty else { return .failure(Invalid(problems: problems)) }
        return .success(Validated(numbers: numbers, duplicates: duplicates, content: content, extNo: extNo, clientReference: clientReference))
    }

    /// Fingerprint of a request for idempotency: the same key with a different fingerprint is a conflict.
    package static func fingerprint(
        accountID: UUID?,
        recipients: [String],
        content: String,
        extNo: String?,
        clientReference: String?,
        customJSON: String
    ) -> [UInt8] {
        var text =
            "v1\u{1f}\(accountID?.uuidString.lowercased() ?? "-")\u{1f}\(content)\u{1f}\(extNo ?? "")\u{1f}\(clientReference ?? "")\u{1f}\(customJSON)"
        for recipient in recipients { text += "\u{1e}" + recipient }
        return Digest.sha256.hash(text)
    }
}
