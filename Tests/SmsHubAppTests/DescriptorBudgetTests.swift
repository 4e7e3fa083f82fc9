import Foundation
import Testing

@testable import SmsHubApp

/// The open-file limit is shared so that no user of descriptors can starve the others
/// (`DescriptorBudget`): the split's arithmetic here, the live service under `ulimit -n 512` in
/// `DescriptorLimitTests`.
@Suite struct DescriptorBudgetTests {
    static let defaults = DescriptorBudget.Wanted(
        database: 10,
        providerCalls: 64,
        lookups: 64,
        webhookWorkers: 32,
        webhookPerEndpoint: 16,
        inbound: nil,
        operationsListener: false
    )

    @Test(arguments: [256, 512, 1024, 4096, 20_000, 1_000_000])
    func everyShareFitsTheLimit(openFiles: Int) throws {
        for operations in [false, true] {
            var wanted = Self.defaults
            wanted.operationsListener = operations
            let budget = try #require(DescriptorBudget.split(openFiles: openFiles, wanted: wanted))
            #expect(budget.total <= openFiles, "\(budget)")
            #expect(budget.inbound >= openFiles / 4 || budget.inbound == DescriptorBudget.inboundCeiling, "inbound keeps a fair share: \(budget)")
            #expect(budget.providerCalls >= 2 && budget.lookups >= 2 && budget.webhookPerEndpoint >= 1 && budget.webhookWorkers >= 1)
            #expect((budget.operationsInbound > 0) == operations)
        }
    }

    /// A high limit changes none of the defaults; a low one scales outbound work down, connections
    /// per webhook endpoint before endpoints at once.
    @Test func aHighLimitKeepsTheDefaultsAndALowOneScalesThem() throws {
        let high = try #require(DescriptorBudget.split(openFiles: 20_000, wanted: Self.defaults))
        #expect(high.providerCalls == 64 && high.lookups == 64 && high.webhookWorkers == 32 && high.webhookPerEndpoint == 16)
        #expect(high.inbound == DescriptorBudget.inboundCeiling)
        let low = try #require(DescriptorBudget.split(openFiles: 512, wanted: Self.defaults))
        #expect(low.providerCalls == 12 && low.lookups == 12 && low.webhookWorkers == 32 && low.webhookPerEndpoint == 3, "\(low)")
        #expect(low.inbound == 222 && low.total == 512, "\(low)")
    }

    @Test func anOperatorsCapIsKeptWhereItFitsAndLoweredWhereNot() throws {
        var wanted = Self.defaults
        wanted.inbound = 100
        let fits = try #require(DescriptorBudget.split(openFiles: 512, wanted: wanted))
        #expect(fits.inbound == 100 && !fits.inboundLowered)
        wanted.inbound = 5000
        let lowered = try #require(DescriptorBudget.split(openFiles: 512, wanted: wanted))
        #expect(lowered.inbound == 222 && lowered.inboundLowered)
    }

    @Test func aLimitThatCannotHoldThePoolsRefusesToStart() throws {
        var wanted = Self.defaults
        wanted.database = 400
        #expect(DescriptorBudget.split(openFiles: 512, wanted: wanted) == nil)
        #expect(DescriptorBudget.split(openFiles: 100, wanted: Self.defaults) == nil)
        let configuration = AppConfiguration(databaseURL: "postgresql://x", adminToken: adminToken, databasePoolSize: 400, keyring: testKeyring)
        #expect(throws: StartupError.self) { try configuration.fitted(openFiles: 512) }
        // A replica's pool counts as much again.
        var replicated = AppConfiguration(databaseURL: "postgresql://x", adminToken: adminToken, databasePoolSize: 100, keyring: testKeyring)
        let single = try replicated.fitted(openFiles: 1024).1
        replicated.readDatabaseURL = "postgresql://y"
        let double = try replicated.fitted(openFiles: 1024).1
        #expect(double.database == 2 * single.database && double.inbound < single.inbound)
    }

    /// The fitted configuration is what the services are built with.
    @Test func theFittedConfigurationCarriesTheBudget() throws {
        let configuration = AppConfiguration(databaseURL: "postgresql://x", adminToken: adminToken, keyring: testKeyring)
        let (fitted, budget) = try configuration.fitted(openFiles: 512)
        #expect(fitted.serverLimits.maxConnections == budget.inbound)
        #expect(fitted.outboundLimits.total == budget.providerCalls && fitted.outboundLimits.perTenant <= budget.providerCalls)
        #expect(fitted.dns.total == budget.lookups && fitted.dns.perTenant <= budget.lookups)
        #expect(fitted.webhookLimits.total == budget.webhookWorkers && fitted.webhookLimits.perEndpoint == budget.webhookPerEndpoint)
    }

    /// Clients kept for reuse are bounded, and a client retired while a batch uses it is shut down
    /// when that batch is done: idle clients hold no connections past the bound.
    @Test func webhookClientsAreBoundedAndRetiredOnceUnused() async throws {
        let client = WebhookClient(egress: testEgress, timeout: .seconds(1), connectionsPerEndpoint: 2, maxClients: 2)
        let tenant = UUID()
        func pin(_ endpoint: UUID, _ url: String = "http://127.0.0.1:9/x") async throws -> WebhookClient.Connection {
            try await client.client(tenantID: tenant, endpointID: endpoint, url: url).get()
        }
        let (a, b, c, d) = (UUID(), UUID(), UUID(), UUID())
        await client.done(try await pin(a))
        await client.done(try await pin(b))
        #expect(await client.clientCount == 2)
        await client.done(try await pin(c))
        #expect(await client.clientCount == 2, "the oldest unused one was shut down")
        let inUse = try await pin(d)
        #expect(await client.clientCount == 2)
        // Re-pinned to another URL mid-batch: the old client waits for its batch.
        await client.done(try await pin(d, "http://127.0.0.1:10/y"))
        #expect(await client.clientCount == 3)
        await client.done(inUse)
        #expect(await client.clientCount == 2)
        await client.shutdown()
    }
}
