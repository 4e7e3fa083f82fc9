import Foundation
import HTTPTypes
import Logging
import SmsHubDomain
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// Retiring a master key strands no account: `smshub rekey` re-seals every credential under the active
/// key, once, and says what it could not open.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct CredentialRekeyTests {
    @Test func rekeyResealsEveryAccountOnceAndReportsWhatItCannotOpen() async throws {
        try await withApp { app in
            let first = try await app.makeAccount(
                "gateway",
                settings: ["base_url": "https://gw.example.com", "account": "a"],
                credentials: ["api_password": "p1"]
            )
            let second = try await app.makeAccount("engagelab", settings: ["app_key": "k"], credentials: ["app_secret": "s2"])
            let database = Database(pool: app.pool)
            let accounts = PostgresProviderAccountRepository(database: database)

            // An account sealed under a key nobody configured any more.
            let gone = SecretKeyring(active: try SecretKeyring.Key(id: "gone", bytes: [UInt8](repeating: 9, count: 32)))
            let orphanID = UUID()
            let now = Date()
            _ = try await accounts.insert(
                ProviderAccountRecord(
                    account: ProviderAccount(
                        id: orphanID,
                        tenantID: first.tenantID,
                        provider: .huawei,
                        name: "orphan",
                        status: .active,
                        settings: ProviderSettings([:]),
                        secretNames: ["app_secret"],
                        isDefault: false,
                        createdAt: now,
                        updatedAt: now,
                        disabledAt: nil
                    ),
                    sealed: try gone.seal(ProviderSecrets(["app_secret": "s3"]), tenantID: first.tenantID, accountID: orphanID),
                    newCallbackTokenHash: [UInt8](repeating: 1, count: 32)
                )
            )

            // A webhook endpoint's signing secret, sealed under the key being retired.
            let created = try await app.request(
                .post,
                "/v1/webhook-endpoints",
                bearer: second.key,
                json: #"{"url":"https://hooks.example.com/smshub"}"#
            )
            #expect(created.status == .created)
            let endpointText = try #require(created.json["id"] as? String)
            let endpointID = try #require(UUID(uuidString: endpointText))
            let endpointSecret = try #require(created.json["secret"] as? String)

            let next = SecretKeyring(active: try SecretKeyring.Key(id: "next", bytes: [UInt8](repeating: 8, count: 32)), others: [testKeyring.active])
            let logger = Logger(label: "test.rekey")
            let report = try await CredentialRekey(database: database, keyring: next).run(logger: logger)
            #expect(report == CredentialRekey.Report(resealed: 3, current: 0, unopenable: 1))
            let again = try await CredentialRekey(database: database, keyring: next).run(logger: logger)
            #expect(again == CredentialRekey.Report(resealed: 0, current: 3, unopenable: 1), "idempotent")

            // The old key can go: the new one alone opens both accounts, with their secrets unchanged.
            let only = SecretKeyring(active: next.active)
            for (account, name, value) in [(first, "api_password", "p1"), (second, "app_secret", "s2")] {
                let record = try #require(try await accounts.record(tenantID: account.tenantID, id: account.accountID))
                #expect(record.sealed.keyID == "next")
                #expect(try only.open(record.sealed, tenantID: account.tenantID, accountID: account.accountID)[name] == value)
            }

            let endpoints = PostgresWebhookEndpointRepository(database: database)
            let sealed = try #require(try await endpoints.sealedSecrets(tenantID: second.tenantID, id: endpointID))
            #expect(sealed.keyID == "next")
            #expect(try only.open(sealed, tenantID: second.tenantID, endpointID: endpointID).current.text == endpointSecret)

            let counts = try await PostgresCredentialKeys(database: database).countsByKey()
            #expect(counts == ["next": 3, "gone": 1])
            let startup = CredentialKeyReport.make(counts: counts, keyring: only)
            #expect(startup == CredentialKeyReport(underActive: 3, underPrevious: 0, unopenable: 1, unknownKeyIDs: ["gone"]))
            #expect(CredentialKeyReport.make(counts: ["test1": 3, "next": 1], keyring: next).underPrevious == 3)
        }
    }
}
