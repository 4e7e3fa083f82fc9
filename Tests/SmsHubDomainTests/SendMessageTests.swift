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
        #expect(try self.read(#"{"recipients":[]}"#) == .failure(.malformed(field: "content", reason: "is required unless template_id is given")))
        let template = "01a25206-879a-73f0-a508-16ca6f2f27c2"
        #expect(
            try self.read(#"{"recipients":[],"content":"x","template_id":"\#(template)"}"#)
                == .failure(.malformed(field: "content", reason: "must be absent when template_id is given"))
        )
        #expect(
            try self.read(#"{"recipients":[],"content":"x","variables":{}}"#) == .failure(.malformed(field: "variables", reason: "needs template_id"))
        )
        #expect(
            try self.read(#"{"recipients":[],"template_id":"\#(template)","variables":{"a":1}}"#)
                == .failure(.malformed(field: "variables.a", reason: "must be a string"))
        )
        #expect(
            try self.read(#"{"recipients":[],"template_id":"\#(template)","variables":[]}"#)
                == .failure(.malformed(field: "variables", reason: "must be an object of strings"))
        )
        #expect(
            try self.read(#"{"recipients":[],"content":"x","route_id":"r"}"#) == .failure(.malformed(field: "route_id", reason: "must be a UUID"))
        )
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

    @Test func theAccountMustBeAnActiveAccountOfTheTenantThatTakesTheContent() async throws {
        let store = InMemoryMessages()
        let accounts = InMemoryAccounts()
        let send = SendMessage(messages: store, accounts: accounts, routes: InMemoryRoutes(), templates: InMemoryTemplates())
        let input = SendMessageInput(recipients: ["13800000001"], content: "hi")
        await #expect(
            throws: SendMessageError.invalid([
                FieldProblem(field: "provider_account_id", message: "is required: the tenant has no default route or gateway account")
            ])
        ) {
            try await send(tenantID: self.tenant, input, idempotencyKey: nil)
        }
        let huawei = accounts.add(tenant: self.tenant, provider: .huawei)
        var named = input
        named.providerAccountID = huawei.id
        await #expect(
            throws: SendMessageError.invalid([
                FieldProblem(field: "accounts[\(huawei.id.uuidString.lowercased())]", message: "sends templates only (huawei): name a template_id")
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
        let send = SendMessage(
            messages: store,
            accounts: accounts,
            routes: InMemoryRoutes(),
            templates: InMemoryTemplates(),
            makeIDs: { Array(ids.prefix($0)) }
        )
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

/// Routes and templates: every account of the route must take the message, raw text only where
/// the provider takes text, a template only where it is mapped; the route is kept with the message.
@Suite struct SendThroughRoutesTests {
    let tenant = UUID()

    @Test func aRouteTakesRawTextOnlyWhereEveryAccountTakesText() async throws {
        let accounts = InMemoryAccounts()
        let routes = InMemoryRoutes()
        let store = InMemoryMessages()
        let send = SendMessage(messages: store, accounts: accounts, routes: routes, templates: InMemoryTemplates())
        let submail = accounts.add(tenant: self.tenant, provider: .submail)
        let gateway = accounts.add(tenant: self.tenant, provider: .gateway)
        let huawei = accounts.add(tenant: self.tenant, provider: .huawei)
        let textRoute = routes.add(tenant: self.tenant, [submail.id, gateway.id], isDefault: true)
        let mixed = routes.add(tenant: self.tenant, [submail.id, huawei.id])

        // No route named: the tenant's default route.
        let accepted = try await send(tenantID: self.tenant, SendMessageInput(recipients: ["13800000001"], content: "hi"), idempotencyKey: nil)
        #expect(accepted.message.providerAccountID == submail.id)
        #expect(store.created.last?.routeAccountIDs == textRoute.accountIDs)

        var input = SendMessageInput(recipients: ["13800000001"], content: "hi")
        input.routeID = mixed.id
        await #expect(
            throws: SendMessageError.invalid([
                FieldProblem(field: "accounts[\(huawei.id.uuidString.lowercased())]", message: "sends templates only (huawei): name a template_id")
            ])
        ) { try await send(tenantID: self.tenant, input, idempotencyKey: nil) }
        input.providerAccountID = submail.id
        await #expect(
            throws: SendMessageError.invalid([FieldProblem(field: "route_id", message: "and provider_account_id are exclusive: name one")])
        ) { try await send(tenantID: self.tenant, input, idempotencyKey: nil) }
        input.providerAccountID = nil
        input.routeID = UUID()
        await #expect(throws: SendMessageError.invalid([FieldProblem(field: "route_id", message: "names no route of this tenant")])) {
            try await send(tenantID: self.tenant, input, idempotencyKey: nil)
        }
        #expect(store.created.count == 1)
    }

    @Test func aTemplateIsRenderedAndMustBeMappedWhereTheProviderTakesNoText() async throws {
        let accounts = InMemoryAccounts()
        let routes = InMemoryRoutes()
        let templates = InMemoryTemplates()
        let store = InMemoryMessages()
        let send = SendMessage(messages: store, accounts: accounts, routes: routes, templates: templates)
        let submail = accounts.add(tenant: self.tenant, provider: .submail)
        let huawei = accounts.add(tenant: self.tenant, provider: .huawei)
        let engageLab = accounts.add(tenant: self.tenant, provider: .engagelab)
        guard case .success(let body) = TemplateBody.parse("Your code is {{code}}.") else { throw CancellationError() }
        var template = Template(id: UUID(), name: "code", category: .verification, body: body, mappings: [:], createdAt: Date())
        template.mappings[huawei.id] = .huawei(templateID: "t1", channel: "c1", signature: nil, parameters: ["code"])
        templates.add(tenant: self.tenant, template)
        let route = routes.add(tenant: self.tenant, [submail.id, huawei.id, engageLab.id])

        var input = SendMessageInput(recipients: ["13800000001"], content: "")
        input.routeID = route.id
        input.templateID = template.id
        input.variables = ["code": "123456"]
        await #expect(
            throws: SendMessageError.invalid([
                FieldProblem(
                    field: "accounts[\(engageLab.id.uuidString.lowercased())]",
                    message: "has no mapping of this template: map it with PUT /v1/templates/{id}/mappings/{account_id}"
                )
            ])
        ) { try await send(tenantID: self.tenant, input, idempotencyKey: nil) }
        templates.map(tenant: self.tenant, template.id, engageLab.id, .engageLab(templateID: "e1", parameters: ["c": "code"]))
        input.variables = [:]
        await #expect(throws: SendMessageError.invalid([FieldProblem(field: "variables.code", message: "is required by the template")])) {
            try await send(tenantID: self.tenant, input, idempotencyKey: nil)
        }
        input.variables = ["code": "123456"]
        templates.rejections = [ProviderTemplate(accountID: huawei.id, id: "t1")]
        await #expect(
            throws: SendMessageError.invalid([
                FieldProblem(
                    field: "accounts[\(huawei.id.uuidString.lowercased())]",
                    message: "the provider rejected its template t1 (its latest review event)"
                )
            ])
        ) { try await send(tenantID: self.tenant, input, idempotencyKey: nil) }
        templates.rejections = []
        let accepted = try await send(tenantID: self.tenant, input, idempotencyKey: nil)
        #expect(accepted.message.content == "Your code is 123456.")
        let stored = try #require(store.created.last)
        #expect(stored.routeAccountIDs == [submail.id, huawei.id, engageLab.id])
        #expect(stored.templateID == template.id)
        #expect(stored.templateValuesJSON == #"{"code":"123456"}"#)
    }
}

final class InMemoryRoutes: RouteRepository, @unchecked Sendable {
    private let state = Mutex<[(tenant: UUID, route: SendRoute)]>([])

    @discardableResult
    func add(tenant: UUID, _ accountIDs: [UUID], isDefault: Bool = false) -> SendRoute {
        let route = SendRoute(id: UUID(), name: "r\(accountIDs.count)", accountIDs: accountIDs, isDefault: isDefault, createdAt: Date())
        self.state.withLock { $0.append((tenant, route)) }
        return route
    }

    func create(tenantID: UUID, _ route: RouteRules.Validated, isDefault: Bool) async throws -> SendRoute {
        self.add(tenant: tenantID, route.accountIDs, isDefault: isDefault)
    }

    func list(tenantID: UUID) async throws -> [SendRoute] {
        self.state.withLock { $0.filter { $0.tenant == tenantID }.map(\.route) }
    }

    func get(tenantID: UUID, id: UUID) async throws -> SendRoute? {
        try await self.list(tenantID: tenantID).first { $0.id == id }
    }

    func defaultRoute(tenantID: UUID) async throws -> SendRoute? {
        try await self.list(tenantID: tenantID).first { $0.isDefault }
    }

    func delete(tenantID: UUID, id: UUID) async throws -> Bool {
        self.state.withLock { state in
            let before = state.count
            state.removeAll { $0.tenant == tenantID && $0.route.id == id }
            return state.count < before
        }
    }
}

final class InMemoryTemplates: TemplateRepository, @unchecked Sendable {
    private let state = Mutex<[(tenant: UUID, template: Template)]>([])

    func add(tenant: UUID, _ template: Template) {
        self.state.withLock { $0.append((tenant, template)) }
    }

    @discardableResult
    func map(tenant: UUID, _ templateID: UUID, _ accountID: UUID, _ mapping: TemplateMapping) -> Bool {
        self.state.withLock { state in
            guard let index = state.firstIndex(where: { $0.tenant == tenant && $0.template.id == templateID }) else { return false }
            state[index].template.mappings[accountID] = mapping
            return true
        }
    }

    func create(tenantID: UUID, name: String, category: TemplateCategory, body: TemplateBody) async throws -> Template {
        let template = Template(id: UUID(), name: name, category: category, body: body, mappings: [:], createdAt: Date())
        self.add(tenant: tenantID, template)
        return template
    }

    func list(tenantID: UUID) async throws -> [Template] {
        self.state.withLock { $0.filter { $0.tenant == tenantID }.map(\.template) }
    }

    func get(tenantID: UUID, id: UUID) async throws -> Template? {
        try await self.list(tenantID: tenantID).first { $0.id == id }
    }

    func delete(tenantID: UUID, id: UUID) async throws -> Bool {
        self.state.withLock { state in
            let before = state.count
            state.removeAll { $0.tenant == tenantID && $0.template.id == id }
            return state.count < before
        }
    }

    func setMapping(tenantID: UUID, templateID: UUID, accountID: UUID, _ mapping: TemplateMapping) async throws -> Bool {
        self.map(tenant: tenantID, templateID, accountID, mapping)
    }

    nonisolated(unsafe) var rejections: Set<ProviderTemplate> = []

    func rejected(tenantID: UUID, _ templates: [ProviderTemplate]) async throws -> [ProviderTemplate] {
        templates.filter { self.rejections.contains($0) }
    }

    func removeMapping(tenantID: UUID, templateID: UUID, accountID: UUID) async throws -> Bool {
        self.state.withLock { state in
            guard let index = state.firstIndex(where: { $0.tenant == tenantID && $0.template.id == templateID }) else { return false }
            return state[index].template.mappings.removeValue(forKey: accountID) != nil
        }
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
