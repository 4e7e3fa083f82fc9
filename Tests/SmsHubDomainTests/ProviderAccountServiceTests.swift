import Foundation
import SmsHubDomain
import Synchronization
import Testing

/// Provider-account management without HTTP or a database: the fields, sealing, the default rule,
/// the URL check, and tokens.
@Suite struct ProviderAccountServiceTests {
    let tenant = UUID()
    let keyring = SecretKeyring(active: try! SecretKeyring.Key(id: "k1", bytes: [UInt8](repeating: 3, count: 32)))

    func service(_ store: RecordStore, refusing refused: String? = nil) -> ProviderAccountService {
        ProviderAccountService(accounts: store, keyring: self.keyring) { url, _, _ in
            url == refused ? "resolves to an address the hub does not call" : nil
        }
    }

    @Test func creationChecksFieldsSealsSecretsAndKeepsOnlyTheTokensHash() async throws {
        let store = RecordStore()
        let service = self.service(store, refusing: "https://internal.example")
        await #expect(throws: ProviderAccountService.Failure.self) {
            try await service.create(tenantID: self.tenant, .init(provider: "sms-r-us", name: "x"))
        }
        await #expect(
            throws: ProviderAccountService.Failure.invalid([
                FieldProblem(field: "name", message: "must be 1 to 200 characters with no control characters")
            ])
        ) {
            try await service.create(tenantID: self.tenant, .init(provider: "engagelab", name: "  "))
        }
        await #expect(throws: ProviderAccountService.Failure.invalid([FieldProblem(field: "credentials.app_secret", message: "is required")])) {
            try await service.create(tenantID: self.tenant, .init(provider: "engagelab", name: "el", settings: ["app_key": "k"]))
        }
        await #expect(
            throws: ProviderAccountService.Failure.invalid([
                FieldProblem(field: "settings.base_url", message: "resolves to an address the hub does not call")
            ])
        ) {
            try await service.create(
                tenantID: self.tenant,
                .init(
                    provider: "gateway",
                    name: "gw",
                    settings: ["base_url": "https://internal.example", "account": "a"],
                    credentials: ["api_password": "p"]
                )
            )
        }
        #expect(store.records.isEmpty, "nothing stored")

        let created = try await service.create(
            tenantID: self.tenant,
            .init(provider: "engagelab", name: " EL ", settings: ["app_key": "k"], credentials: ["app_secret": "s3cret"])
        )
        #expect(created.account.name == "EL")
        #expect(created.account.secretNames == ["app_secret"])
        let record = try #require(store.records.first)
        #expect(record.sealed.keyID == "k1")
        #expect(!record.sealed.box.isEmpty && !String(decoding: record.sealed.box, as: UTF8.self).contains("s3cret"))
        #expect(try self.keyring.open(record.sealed, tenantID: self.tenant, accountID: created.account.id)["app_secret"] == "s3cret")
        #expect(record.newCallbackTokenHash == CallbackToken.hash(of: created.token), "the token is looked up by its hash")
        // Sealed with the credentials too, for the callback URL a send names; never a credential shown.
        #expect(try self.keyring.open(record.sealed, tenantID: self.tenant, accountID: created.account.id)["callback_token"] == created.token)
        await #expect(
            throws: ProviderAccountService.Failure.invalid([
                FieldProblem(field: "credentials.callback_token", message: "is not a credential of this provider")
            ])
        ) {
            try await service.create(
                tenantID: self.tenant,
                .init(provider: "engagelab", name: "el2", settings: ["app_key": "k"], credentials: ["app_secret": "s", "callback_token": "mine"])
            )
        }
    }

    @Test func updatesMergeRevalidateAndReseal() async throws {
        let store = RecordStore()
        let service = self.service(store)
        let created = try await service.create(
            tenantID: self.tenant,
            .init(provider: "submail", name: "sm", settings: ["app_id": "1"], credentials: ["subhook_key": "a", "app_key": "b"])
        )
        let updated = try #require(
            try await service.update(tenantID: self.tenant, id: created.account.id, .init(credentials: ["app_key": nil, "subhook_key": "c"]))
        )
        #expect(updated.secretNames == ["subhook_key"])
        let sealed = try #require(store.records.first).sealed
        #expect(
            try self.keyring.open(sealed, tenantID: self.tenant, accountID: created.account.id).values
                == ["subhook_key": "c", "callback_token": created.token]
        )
        await #expect(throws: ProviderAccountService.Failure.invalid([FieldProblem(field: "settings.app_id", message: "is required")])) {
            try await service.update(tenantID: self.tenant, id: created.account.id, .init(settings: ["app_id": nil]))
        }
        #expect(try await service.update(tenantID: self.tenant, id: UUID(), .init(name: "x")) == nil)

        store.refuseDefaults = true
        await #expect(throws: ProviderAccountService.Failure.defaultTaken) {
            try await service.update(tenantID: self.tenant, id: created.account.id, .init(isDefault: true))
        }
        let rotated = try #require(try await service.rotateToken(tenantID: self.tenant, id: created.account.id))
        #expect(store.records.first?.newCallbackTokenHash == CallbackToken.hash(of: rotated.token))
        let resealed = try #require(store.records.first).sealed
        #expect(try self.keyring.open(resealed, tenantID: self.tenant, accountID: created.account.id)["callback_token"] == rotated.token)
    }
}

/// Account records in memory, with the repository's one-default rule available on request.
final class RecordStore: ProviderAccountRepository, @unchecked Sendable {
    private let state = Mutex<[ProviderAccountRecord]>([])
    nonisolated(unsafe) var refuseDefaults = false
    var records: [ProviderAccountRecord] { self.state.withLock { $0 } }

    struct NotHere: Error {}

    func insert(_ record: ProviderAccountRecord) async throws -> ProviderAccount {
        if self.refuseDefaults, record.account.isDefault { throw DuplicateDefaultAccount() }
        self.state.withLock { $0.append(record) }
        return record.account
    }

    func update(
        tenantID: UUID,
        id: UUID,
        _ change: @Sendable (ProviderAccountRecord) throws -> ProviderAccountRecord
    ) async throws -> ProviderAccount? {
        guard let index = self.state.withLock({ $0.firstIndex { $0.account.id == id && $0.account.tenantID == tenantID } }) else { return nil }
        let changed = try change(self.state.withLock { $0[index] })
        if self.refuseDefaults, changed.account.isDefault { throw DuplicateDefaultAccount() }
        self.state.withLock { $0[index] = changed }
        return changed.account
    }

    func get(tenantID: UUID, id: UUID) async throws -> ProviderAccount? {
        self.state.withLock { $0.first { $0.account.id == id && $0.account.tenantID == tenantID }?.account }
    }

    func record(tenantID: UUID, id: UUID) async throws -> ProviderAccountRecord? { throw NotHere() }
    func list(tenantID: UUID, after cursor: PageCursor?, limit: Int) async throws -> Page<ProviderAccount> { throw NotHere() }
    func resolveCallbackToken(hash: [UInt8]) async throws -> CallbackAccount? { throw NotHere() }
}
