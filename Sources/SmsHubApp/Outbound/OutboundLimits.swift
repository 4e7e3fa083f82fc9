import Foundation

/// Bounds on concurrent provider calls of one instance. `perAccount` is also enforced across
/// instances for sends (it counts live leases in the database); the others are per instance.
package struct OutboundLimits: Sendable, Equatable {
    /// Calls in flight at once, all tenants together.
    package var total: Int
    /// Calls in flight at once for one tenant, so a tenant with many slow accounts cannot take every slot.
    package var perTenant: Int
    /// Send calls in flight at once for one provider account.
    package var perAccount: Int

    package init(
        total: Int = AppSettings.Outbound.maxCalls.defaultNumber,
        perTenant: Int = AppSettings.Outbound.maxCallsPerTenant.defaultNumber,
        perAccount: Int = AppSettings.Outbound.maxCallsPerAccount.defaultNumber
    ) {
        self.total = total
        self.perTenant = perTenant
        self.perAccount = perAccount
    }
}

/// The slots of `OutboundLimits` held by calls of this instance, and the rotation that makes each
/// pass start with another tenant, so no tenant is always served first.
actor OutboundSlots {
    let limits: OutboundLimits
    private var total = 0
    private var byTenant: [UUID: Int] = [:]
    private var rotation = 0

    init(_ limits: OutboundLimits) {
        self.limits = limits
    }

    /// How many more calls `tenant` may start now.
    func free(for tenant: UUID) -> Int {
        max(0, min(self.limits.total - self.total, self.limits.perTenant - self.byTenant[tenant, default: 0]))
    }

    func take(_ tenant: UUID, _ count: Int = 1) {
        guard count > 0 else { return }
        self.total += count
        self.byTenant[tenant, default: 0] += count
    }

    /// Takes one slot if one is free.
    func tryTake(_ tenant: UUID) -> Bool {
        guard self.free(for: tenant) > 0 else { return false }
        self.take(tenant)
        return true
    }

    func release(_ tenant: UUID) {
        self.total = max(0, self.total - 1)
        let left = self.byTenant[tenant, default: 1] - 1
        self.byTenant[tenant] = left > 0 ? left : nil
    }

    var inFlight: Int { self.total }

    /// `items` rotated by one more place than last time.
    func rotated<T: Sendable>(_ items: [T]) -> [T] {
        guard !items.isEmpty else { return items }
        self.rotation = (self.rotation + 1) % 1_000_003
        let start = self.rotation % items.count
        return Array(items[start...] + items[..<start])
    }
}
