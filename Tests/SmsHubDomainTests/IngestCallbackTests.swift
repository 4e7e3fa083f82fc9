import Foundation
import SmsHubDomain
import Synchronization
import Testing

/// Taking in a callback without HTTP or a database: which account, what is refused and recorded,
/// and that nothing is stored unless every check passed.
@Suite struct IngestCallbackTests {
    let tenant = UUID()
    let accountID = UUID()
    let token = String(repeating: "a", count: 43)
    let keyring: SecretKeyring

    init() throws {
        self.keyring = SecretKeyring(active: try SecretKeyring.Key(id: "k1", bytes: Array(repeating: 1, count: 32)))
    }

    final class Accounts: CallbackAccountSource {
        let account: CallbackAccount
        let token: String
        init(_ account: CallbackAccount, token: String) {
            self.account = account
            self.token = token
        }
        func resolve(token: String) async throws -> CallbackAccount? { token == self.token ? self.account : nil }
        func secrets(token: String, of account: CallbackAccount, open: (SealedSecrets) throws -> ProviderSecrets) throws -> ProviderSecrets {
            try open(account.sealed)
        }
    }

    final class Store: EventStore {
        let rejections = Mutex<[String]>([])
        let claims = Mutex(0)
        func store(_ batch: [IncomingEvents]) async throws -> [StoreOutcome] { [] }
        func recordRejection(tenantID: UUID, accountID: UUID, provider: Provider, reason: String) async throws {
            self.rejections.withLock { $0.append(reason) }
        }
        func claim(_ token: OneUseToken, tenantID: UUID, accountID: UUID) async throws -> Bool {
            self.claims.withLock { $0 += 1 }
            return true
        }
    }

    final class Intake: EventIntake {
        let submitted = Mutex<[IncomingEvents]>([])
        let full: Bool
        init(full: Bool = false) { self.full = full }
        func submit(_ events: IncomingEvents) async throws -> StoreOutcome {
            if self.full { throw EventIntakeFull() }
            self.submitted.withLock { $0.append(events) }
            return StoreOutcome(stored: events.events.count)
        }
    }

    func account(_ provider: Provider, sealedWith keyring: SecretKeyring) throws -> CallbackAccount {
        CallbackAccount(
            tenantID: self.tenant,
            accountID: self.accountID,
            provider: provider,
            accountStatus: .active,
            tenantStatus: .active,
            settings: ProviderSettings(),
            sealed: try keyring.seal(ProviderSecrets(["app_secret": "s"]), tenantID: self.tenant, accountID: self.accountID)
        )
    }

    func request(_ body: String, type: String = "application/json") -> CallbackRequest {
        CallbackRequest(headers: ["content-type": type], body: Array(body.utf8), receivedAt: Date())
    }

    let status = #"{"sendId":"t1","mobile":"13800000001","status":"DELIVRD","times":"2024-01-02 03:04:05"}"#

    @Test func theURLNamesAnAccountOfItsProviderOnly() async throws {
        let accounts = Accounts(try self.account(.gateway, sealedWith: self.keyring), token: self.token)
        let ingest = IngestCallback(accounts: accounts, events: Store(), intake: Intake(), keyring: self.keyring)
        #expect(try await ingest.account(.gatewayStatus, token: self.token)?.accountID == self.accountID)
        #expect(try await ingest.account(.huaweiStatus, token: self.token) == nil)
        #expect(try await ingest.account(.gatewayStatus, token: String(repeating: "b", count: 43)) == nil)
        #expect(try await ingest.account(.gatewayStatus, token: "short") == nil)
        #expect(try await ingest.account(.gatewayStatus, token: nil) == nil)
    }

    @Test func aGoodPushIsStoredForItsAccount() async throws {
        let intake = Intake()
        let account = try self.account(.gateway, sealedWith: self.keyring)
        let ingest = IngestCallback(accounts: Accounts(account, token: self.token), events: Store(), intake: intake, keyring: self.keyring)
        guard
            case .stored(let outcome, let unrecognised) = try await ingest(
                .gatewayStatus,
                token: self.token,
                account: account,
                request: self.request(self.status)
            )
        else {
            Issue.record("not stored")
            return
        }
        #expect(outcome.stored == 1 && unrecognised == 0)
        let submitted = intake.submitted.withLock { $0 }
        #expect(submitted.count == 1 && submitted.first?.tenantID == self.tenant && submitted.first?.source == .push)
    }

    @Test func refusalsStoreNothingAndOnlySignaturesAreRecorded() async throws {
        let store = Store()
        let intake = Intake()
        let gateway = try self.account(.gateway, sealedWith: self.keyring)
        let ingest = IngestCallback(accounts: Accounts(gateway, token: self.token), events: store, intake: intake, keyring: self.keyring)
        for body in ["{", #"{"sendId":"t1"}"#, String(self.status.dropLast(9))] {
            guard case .refused(let error) = try await ingest(.gatewayStatus, token: self.token, account: gateway, request: self.request(body)) else {
                Issue.record("\(body) was not refused")
                continue
            }
            #expect(!error.isSignature, "\(error)")
        }
        #expect(store.rejections.withLock { $0 }.isEmpty)

        let engagelab = try self.account(.engagelab, sealedWith: self.keyring)
        let signed = IngestCallback(accounts: Accounts(engagelab, token: self.token), events: store, intake: intake, keyring: self.keyring)
        guard case .refused(let error) = try await signed(.engagelab, token: self.token, account: engagelab, request: self.request(#"{"status":{}}"#))
        else {
            Issue.record("an unsigned EngageLab push was not refused")
            return
        }
        #expect(error.isSignature)
        #expect(store.rejections.withLock { $0.count } == 1)
        #expect(intake.submitted.withLock { $0 }.isEmpty)
    }

    @Test func secretsTheKeysCannotOpenAreTheHubsFault() async throws {
        let other = SecretKeyring(active: try SecretKeyring.Key(id: "k9", bytes: Array(repeating: 9, count: 32)))
        let account = try self.account(.engagelab, sealedWith: other)
        let intake = Intake()
        let ingest = IngestCallback(accounts: Accounts(account, token: self.token), events: Store(), intake: intake, keyring: self.keyring)
        guard case .secretsUnavailable = try await ingest(.engagelab, token: self.token, account: account, request: self.request(#"{"status":{}}"#))
        else {
            Issue.record("secrets under an unknown key were opened")
            return
        }
        #expect(intake.submitted.withLock { $0 }.isEmpty)
    }

    @Test func aFullQueueIsAskedToRetry() async throws {
        let account = try self.account(.gateway, sealedWith: self.keyring)
        let ingest = IngestCallback(
            accounts: Accounts(account, token: self.token),
            events: Store(),
            intake: Intake(full: true),
            keyring: self.keyring
        )
        guard case .queueFull = try await ingest(.gatewayStatus, token: self.token, account: account, request: self.request(self.status)) else {
            Issue.record("a full queue did not say so")
            return
        }
    }
}

extension CallbackError {
    var isSignature: Bool {
        if case .signature = self { true } else { false }
    }
}
