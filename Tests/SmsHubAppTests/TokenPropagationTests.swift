import Foundation
import SmsHubDomain
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// A rotated callback token or changed secret, written by one instance, is what every other instance
/// uses within a second: each keeps accounts in memory for a second at most.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct TokenPropagationTests {
    @Test func aRotationOnOneInstanceReachesAnotherWithinASecond() async throws {
        try await withAppPool { pool, _ in
            let repository = PostgresProviderAccountRepository(database: Database(pool: pool))
            // Each instance's cache keeps an account a second; the test moves that second.
            let clock = ManualClock()
            let writer = CallbackAccountCache(repository, clock: clock.monotonic)
            let reader = CallbackAccountCache(repository, clock: clock.monotonic)
            let tenant = try await PostgresTenantRepository(database: Database(pool: pool)).create(name: "T")
            let old = CallbackToken.generate()
            let id = UUID()
            let now = Date()
            _ = try await writer.insert(
                ProviderAccountRecord(
                    account: ProviderAccount(
                        id: id,
                        tenantID: tenant.id,
                        provider: .engagelab,
                        name: "el",
                        status: .active,
                        settings: ProviderSettings(["app_key": "k"]),
                        secretNames: ["app_secret"],
                        isDefault: false,
                        createdAt: now,
                        updatedAt: now,
                        disabledAt: nil
                    ),
                    sealed: try testKeyring.seal(ProviderSecrets(["app_secret": "s1"]), tenantID: tenant.id, accountID: id),
                    newCallbackTokenHash: old.hash
                )
            )
            #expect(try await reader.resolve(token: old.secret)?.accountID == id)

            let new = CallbackToken.generate()
            _ = try await writer.update(tenantID: tenant.id, id: id) { record in
                var record = record
                record.newCallbackTokenHash = new.hash
                record.sealed = try testKeyring.seal(ProviderSecrets(["app_secret": "s2"]), tenantID: tenant.id, accountID: id)
                return record
            }
            #expect(try await writer.resolve(token: old.secret) == nil, "the writing instance forgets the old token at once")
            #expect(try await reader.resolve(token: new.secret)?.accountID == id, "a new token is never a remembered miss")
            clock.advance(by: .milliseconds(1001))
            #expect(try await reader.resolve(token: old.secret) == nil, "the other instance forgot it within a second")
            let account = try #require(try await reader.resolve(token: new.secret))
            let secrets = try reader.secrets(token: new.secret, of: account) { try testKeyring.open($0, tenantID: tenant.id, accountID: id) }
            #expect(secrets["app_secret"] == "s2")
        }
    }
}
