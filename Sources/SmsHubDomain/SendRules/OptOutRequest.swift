import Foundation

/// An opt-out the tenant adds or removes through the API, checked: a number the send API would take
/// (stored in E.164, as replies and reports are matched), a scope, and an optional reason.
package struct OptOutRequest: Sendable, Equatable {
    package var number: String
    package var scope: OptOutScope
    package var reason: String?

    package static let maxReasonScalars = 500

    package static func validate(number: String?, scope: String?, reason: String?) -> Result<OptOutRequest, InvalidFields> {
        var problems: [FieldProblem] = []
        let e164 = number.flatMap { PhoneNumber.written($0)?.e164 }
        if e164 == nil {
            problems.append(FieldProblem(field: "number", message: "must be a phone number, such as 13812345678 or +8613812345678"))
        }
        let parsedScope = scope.map(OptOutScope.init(rawValue:)) ?? .all
        if parsedScope == nil { problems.append(FieldProblem(field: "scope", message: "must be all, verification, notification or marketing")) }
        if let reason, reason.unicodeScalars.count > Self.maxReasonScalars || reason.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" })
        {
            problems.append(FieldProblem(field: "reason", message: "must be at most \(Self.maxReasonScalars) characters, without control characters"))
        }
        guard problems.isEmpty, let e164, let parsedScope else { return .failure(InvalidFields(problems)) }
        let trimmed = reason.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        return .success(OptOutRequest(number: e164, scope: parsedScope, reason: trimmed?.isEmpty == true ? nil : trimmed))
    }
}
