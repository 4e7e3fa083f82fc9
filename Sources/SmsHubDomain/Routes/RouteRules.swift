package import Foundation

/// A tenant's route: an ordered list of its accounts a send moves along only when one refuses the
/// call for the account (decision 0019). Pure rules, checked before anything is stored.
package enum RouteRules {
    package static let maxSteps = 5

    package struct Validated: Sendable, Equatable {
        package var name: String
        package var accountIDs: [UUID]
    }

    /// `accounts` are the tenant's own accounts named by the route (looked up by the caller); an id
    /// that is not among them is reported as unknown, so another tenant's account reads as missing.
    package static func validate(name: String, accountIDs: [UUID], accounts: [ProviderAccount]) -> Result<Validated, InvalidFields> {
        var problems: [FieldProblem] = []
        let normalised = NameRules.normalise(name)
        if normalised == nil { problems.append(NameRules.problem()) }
        if accountIDs.isEmpty || accountIDs.count > Self.maxSteps {
            problems.append(FieldProblem(field: "accounts", message: "must list 1 to \(Self.maxSteps) provider accounts"))
        }
        var seen = Set<UUID>()
        let known = Set(accounts.map(\.id))
        for (index, id) in accountIDs.prefix(Self.maxSteps).enumerated() {
            guard seen.insert(id).inserted else {
                problems.append(FieldProblem(field: "accounts[\(index)]", message: "names an account already on the route"))
                continue
            }
            if !known.contains(id) {
                problems.append(FieldProblem(field: "accounts[\(index)]", message: "is not a provider account of this tenant"))
            }
        }
        guard problems.isEmpty, let normalised else { return .failure(InvalidFields(problems)) }
        return .success(Validated(name: normalised, accountIDs: accountIDs))
    }
}
