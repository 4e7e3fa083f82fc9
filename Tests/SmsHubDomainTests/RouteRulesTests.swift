import Foundation
import SmsHubDomain
import Testing

@Suite struct RouteRulesTests {
    let store = InMemoryAccounts()
    let tenant = UUID()

    func account(_ provider: Provider) -> ProviderAccount {
        self.store.add(tenant: self.tenant, provider: provider)
    }

    @Test func aRouteIsANamedOrderOfTheTenantsOwnAccounts() throws {
        let accounts = [self.account(.submail), self.account(.huawei), self.account(.engagelab)]
        let route = try RouteRules.validate(name: "  codes  ", accountIDs: accounts.map(\.id), accounts: accounts).get()
        #expect(route.name == "codes" && route.accountIDs == accounts.map(\.id), "the order is kept")
    }

    @Test func repeatsStrangersEmptyAndLongRoutesAreNamed() {
        let accounts = [self.account(.submail), self.account(.huawei)]
        func fields(_ name: String, _ ids: [UUID]) -> [String] {
            guard case .failure(let invalid) = RouteRules.validate(name: name, accountIDs: ids, accounts: accounts) else { return [] }
            return invalid.problems.map(\.field)
        }
        #expect(fields("r", [accounts[0].id, accounts[0].id]) == ["accounts[1]"])
        #expect(fields("r", [accounts[0].id, UUID()]) == ["accounts[1]"], "another tenant's account reads as missing")
        #expect(fields(" ", []) == ["name", "accounts"])
        #expect(fields("r", (0..<6).map { _ in accounts[0].id }).first == "accounts")
    }
}
