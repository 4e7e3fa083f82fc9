import Foundation
import SmsHubDomain
import Synchronization
import Testing

/// Accepting a message, without HTTP or a database: the body's shapes, the account rules, and
/// idempotency, over in-memory repositories.
@Suite struct SendMessageTests {
    let tenant = UUID()

    func body(_ json: String) throws -> JSONValue {
        try JSONReader.parse(Array(json.utf8), duplicates: .refuse)
    }

    func read(_ json: String) throws -> Result<SendMessageInput, SendMessageError> {
        let value = try self.body(json)
        do throws(SendMessageError) {
            return .success(try SendMessageInput.read(value))
        } catch {
            return .failure(error)
        }
    }

    @Test func theBodysShapesAreCheckedFieldByField() throws {
        #expect(try self.read(#"{"content":"x"}"#) == .failure(.malformed(field: "recipients", reason: "is required")))
        #expect(
            try self.read(#"{"recipients":"138","content":"x"}"#) == .failure(.malformed(field: "recipients", reason: "must be an array of strings"))
        )
        #expect(try self.read(#"{"recipients":["1",2],"content":"x"}"#) == .failure(.malformed(field: "recipients[1]", reason: "must be a string")))
        #expect(try self.read(#"{"recipients":[]}"#) == .failure(.malformed(field: "content", reason: "is required")))
        #expect(try self.read(#"{"recipients":[],"content":7}"#) == .failure(.malformed(field: "content", reason: "must be a string")))
        #expect(
            try self.read(#"{"recipients":[],"content":"x","provider_account_id":"nope"}"#)
                == .failure(.malformed(field: "provider_account_id", reason: "must be a UUID"))
        )
        #expect(try self.read(#"[1]"#) == .failure(.malformed(field: "body", reason: "must be a JSON object")))
        if case .failure(.malformed(let field, _)) = try self.read(#"{"recipients":[],"content":"x","custom":{"n":1e3}}"#) {
            #expect(field == "custom.n")
        } else {
            Issue.record("an exponent in custom is refused")
        }
        #expect(
            try self.read(#"{"recipients":[],"content":"x","custom":[1]}"#)
                == .failure(.invalid([FieldProblem(field: "custom", message: "must be a JSON object")]))
        )
        let good = try self.read(#"{"recipients":["13800000001"],"content":"hi","ext_no":"12","client_reference":"r","custom":{"b":1,"a":"x"}}"#)
        #expect(
            good
                == .success(
                    SendMessageInput(recipients: ["13800000001"], content: "hi", extNo: "12", clientReference: "r", customJSON: #"{"a":"x","b":1}"#)
                )
        )
    }

    @Test func theAccountMustBeAnActiveGatewayAccountOfTheTenant() async throws {
        let store = InMemoryMessages()
        let accounts = InMemoryAccounts()
        let send = SendMessage(messages: store, accounts: accounts)
        let input = SendMessageInput(recipients: ["13800000001"], content: "hi")
        await #expect(
            throws: SendMessageError.invalid([
                FieldProblem(field: "provider_account_id", message: "is required: the tenant has no default gateway account")
            ])
        ) {
            try await send(tenantID: self.tenant, input, idempotencyKey: nil)
        }
        let huawei = accounts.add(tenant: self.tenant, provider: .huawei)
        var named = input
        named.providerAccountID = huawei.id
        await #expect(
            throws: SendMessageError.invalid([
                FieldProblem(field: "provider_account_id", message: "must be a gateway account: sending goes through the Gateway API")
            ])
        ) {
            try await send(tenantID: self.tenant, named, idempotencyKey: nil)
        }
        let disabled = accounts.add(tenant: self.tenant, provider: .gateway, status: .disabled)
        named.providerAccountID = disabled.id
        await #expect(throws: SendMessageError.invalid([FieldProblem(field: "provider_account_id", message: "names a disabled account")])) {
            try await send(tenantID: self.tenant, named, idempotencyKey: nil)
        }
        named.providerAccountID = accounts.add(tenant: UUID(), provider: .gateway).id
        await #expect(
            throws: SendMessageError.invalid([FieldProblem(field: "provider_account_id", message: "names no provider account of this tenant")])
        ) {
            try await send(tenantID: self.tenant, named, idempotencyKey: nil)
        }
        #expect(store.created.isEmpty, "nothing stored")
    }

    @Test func acceptedMessagesAreDeduplicatedAndIdempotent() async throws {
        let accounts = InMemoryAccounts()
        let store = InMemoryMessages()
        store.defaultAccount = accounts.add(tenant: self.tenant, provider: .gateway)
        let ids = [UUID(), UUID()]
        let send = SendMessage(messages: store, accounts: accounts, makeIDs: { Array(ids.prefix($0)) })
        let input = SendMessageInput(recipients: ["13800000001", "+8613800000001", "13800000002"], content: "hi", customJSON: #"{"a":1}"#)
        let first = try await send(tenantID: self.tenant, input, idempotencyKey: "k1")
        #expect(!first.replayed)
        #expect(first.duplicates == ["+8613800000001"])
        #expect(first.message.recipients.map(\.id) == ids)
        #expect(first.message.recipients.allSatisfy { $0.status == .queued })
        #expect(first.message.customJSON == #"{"a":1}"#)

        let again = try await send(tenantID: self.tenant, input, idempotencyKey: "k1")
        #expect(again.replayed && again.message.id == first.message.id)
        var changed = input
        changed.content = "other"
        await #expect(throws: SendMessageError.idempotencyConflict) { try await send(tenantID: self.tenant, changed, idempotencyKey: "k1") }
        #expect(store.created.count == 1)
    }
}

/// Messages in memory, with idempotency keys remembered by fingerprint as the database does.
final class InMemoryMessages: MessageRepository, @unchecked Sendable {
    private let state = Mutex<(created: [NewMessage], keys: [String: (fingerprint: [UInt8], message: Message)])>(([], [:]))
    nonisolated(unsafe) var defaultAccount: ProviderAccount?

    var created: [NewMessage] { self.state.withLock { $0.created } }

    func create(_ message: NewMessage) async throws -> CreateMessageOutcome {
        self.state.withLock { state in
            if let key = message.idempotencyKey, let earlier = state.keys[key] {
                return earlier.fingerprint == message.fingerprint ? .replayed(earlier.message) : .keyConflict
            }
            let stored = Message(
                id: message.id,
                tenantID: message.tenantID,
                providerAccountID: message.providerAccountID,
                content: message.content,
                extNo: message.extNo,
                clientReference: message.clientReference,
                customJSON: message.customJSON,
                createdAt: Date(),
                recipients: message.recipients
            )
            state.created.append(message)
            if let key = message.idempotencyKey { state.keys[key] = (message.fingerprint, stored) }
            return .created(stored)
        }
    }

    func get(tenantID: UUID, id: UUID) async throws -> Message? { nil }

    func defaultAccount(tenantID: UUID, provider: Provider) async throws -> ProviderAccount? {
        self.defaultAccount.flatMap { $0.tenantID == tenantID && $0.provider == provider ? $0 : nil }
    }
}

/// Provider accounts in memory: only the reads sending needs.
final class InMemoryAccounts: ProviderAccountRepository, @unchecked Sendable {
    private let accounts = Mutex<[ProviderAccount]>([])

    struct NotHere: Error {}

    func add(tenant: UUID, provider: Provider, status: AccountStatus = .active) -> ProviderAccount {
        let account = ProviderAccount(
            id: UUID(),
            tenantID: tenant,
            provider: provider,
            name: "a",
            status: status,
            settings: ProviderSettings([:]),
            secretNames: [],
            isDefault: false,
            createdAt: Date(),
            updatedAt: Date(),
            disabledAt: nil
        )
        self.accounts.withLock { $0.append(account) }
        return account
    }

    func get(tenantID: UUID, id: UUID) async throws -> ProviderAccount? {
        self.accounts.withLock { $0.first { $0.id == id && $0.tenantID == tenantID } }
    }

    func insert(_ record: ProviderAccountRecord) async throws -> ProviderAccount { throw NotHere() }
    func list(tenantID: UUID, after cursor: PageCursor?, limit: Int) async throws -> Page<ProviderAccount> { throw NotHere() }
    func record(tenantID: UUID, id: UUID) async throws -> ProviderAccountRecord? { throw NotHere() }
    func update(
        tenantID: UUID,
        id: UUID,
        _ change: @Sendable (ProviderAccountRecord) throws -> ProviderAccountRecord
    ) async throws -> ProviderAccount? {
        throw NotHere()
    }
    func resolveCallbackToken(hash: [UInt8]) async throws -> CallbackAccount? { throw NotHere() }
}
