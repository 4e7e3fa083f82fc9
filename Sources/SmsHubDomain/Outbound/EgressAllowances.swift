package import Foundation

/// Non-public blocks an administrator allows for one tenant (its provider accounts and webhook
/// endpoints) and for single provider accounts of it (their calls only).
package struct EgressAllowances: Sendable, Equatable {
    /// Parsed once from the text, which is what is stored and shown back.
    package let tenant: [IPNetwork]
    package let accounts: [UUID: [IPNetwork]]
    package let tenantText: [String]
    package let accountText: [UUID: [String]]

    package init(tenant: [String] = [], accounts: [UUID: [String]] = [:]) {
        self.tenantText = tenant
        self.accountText = accounts
        // Stored text the service wrote; one that no longer parses is skipped, never widened.
        self.tenant = tenant.compactMap { IPNetwork($0) }
        self.accounts = accounts.mapValues { $0.compactMap { IPNetwork($0) } }
    }

    /// What a call for `account` (nil: a webhook endpoint) may reach beyond the public Internet.
    package func blocks(account: UUID?) -> [IPNetwork] {
        self.tenant + (account.flatMap { self.accounts[$0] } ?? [])
    }

    /// Blocks as an administrator writes them (`10.1.0.0/16`, `fd00:1::/64`); nil names the first
    /// that is not one by its index.
    package static func parse(_ texts: [String]) -> (blocks: [IPNetwork], invalid: Int?) {
        var blocks: [IPNetwork] = []
        for (index, text) in texts.enumerated() {
            guard let block = IPNetwork(text) else { return (blocks, index) }
            blocks.append(block)
        }
        return (blocks, nil)
    }
}

package protocol EgressAllowanceRepository: Sendable {
    /// nil when no such tenant exists.
    func allowances(tenantID: UUID) async throws -> EgressAllowances?
    /// Replaces the tenant's blocks (as written, each checked by `parse`); false when no such tenant exists.
    func setTenantBlocks(tenantID: UUID, _ blocks: [String]) async throws -> Bool
    /// Replaces one account's blocks; false when the tenant has no such account.
    func setAccountBlocks(tenantID: UUID, accountID: UUID, _ blocks: [String]) async throws -> Bool
}
