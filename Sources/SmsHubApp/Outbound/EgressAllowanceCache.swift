import Foundation
package import SmsHubDomain

/// The blocks an administrator allowed per tenant and account, read from the database at most every
/// `ttl` per tenant: every outbound call asks. A change made through this instance applies at once;
/// other instances see it within `ttl`. A failed read keeps what was known, else allows nothing
/// beyond the public Internet.
package actor EgressAllowanceCache {
    let repository: any EgressAllowanceRepository
    let ttl: Duration
    let clock: MonotonicClock
    static let maxTenants = 10_000
    private var entries: [UUID: (allowances: EgressAllowances, fetchedAt: ContinuousClock.Instant)] = [:]

    package init(repository: any EgressAllowanceRepository, ttl: Duration = .seconds(10), clock: MonotonicClock = .system) {
        self.repository = repository
        self.ttl = ttl
        self.clock = clock
    }

    func blocks(tenant: UUID, account: UUID?) async -> [IPNetwork] {
        let now = self.clock.now()
        if let entry = self.entries[tenant], now - entry.fetchedAt < self.ttl { return entry.allowances.blocks(account: account) }
        do {
            let allowances = try await self.repository.allowances(tenantID: tenant) ?? EgressAllowances()
            if self.entries[tenant] == nil, self.entries.count >= Self.maxTenants { self.entries.removeAll(keepingCapacity: true) }
            self.entries[tenant] = (allowances, now)
            return allowances.blocks(account: account)
        } catch {
            return self.entries[tenant]?.allowances.blocks(account: account) ?? []
        }
    }

    func forget(tenant: UUID) {
        self.entries[tenant] = nil
    }
}
