import Cryptography
package import Foundation

/// Accepting a message for sending: the rules, the accounts it may go through (a route, one account,
/// or the tenant's default), its text (raw, or a hub template rendered), idempotency, and the message
/// stored with one `queued` recipient per distinct number. The dispatcher sends it later.
package struct SendMessage: Sendable {
    let messages: any MessageRepository
    let accounts: any ProviderAccountRepository
    let routes: any RouteRepository
    let templates: any TemplateRepository
    /// Ids for the recipients; random in service, fixed in tests.
    let makeIDs: @Sendable (Int) -> [UUID]

    package init(
        messages: any MessageRepository,
        accounts: any ProviderAccountRepository,
        routes: any RouteRepository,
        templates: any TemplateRepository,
        makeIDs: @escaping @Sendable (Int) -> [UUID] = { SecureRandom.uuids($0) }
    ) {
        self.messages = messages
        self.accounts = accounts
        self.routes = routes
        self.templates = templates
        self.makeIDs = makeIDs
    }

    package struct Accepted: Sendable {
        package var message: Message
        /// Numbers left out because an earlier entry was the same number, as written.
        package var duplicates: [String]
        /// The idempotency key had been used with this same request: this is the first result.
        package var replayed: Bool
    }

    package func callAsFunction(tenantID: UUID, _ input: SendMessageInput, idempotencyKey: String?) async throws -> Accepted {
        let route = try await self.route(input, tenantID: tenantID)
        var content = input.content
        var template: Template?
        if let templateID = input.templateID {
            guard let found = try await self.templates.get(tenantID: tenantID, id: templateID) else {
                throw SendMessageError.invalid([FieldProblem(field: "template_id", message: "names no template of this tenant")])
            }
            switch found.body.render(input.variables ?? [:]) {
            case .success(let text): content = text
            case .failure(let invalid): throw SendMessageError.invalid(invalid.problems)
            }
            template = found
        }
        let category = try Self.category(input.category, template: template)
        let categoryProblems = CategoryRules.problems(content, category: category, field: template == nil ? "content" : "template_id")
        if !categoryProblems.isEmpty { throw SendMessageError.invalid(categoryProblems) }
        try Self.check(route, template: template)
        if let template { try await self.checkReviews(route, template: template, tenantID: tenantID) }
        let validated: SendRequestRules.Validated
        switch SendRequestRules.validate(
            recipients: input.recipients,
            content: content,
            extNo: input.extNo,
            clientReference: input.clientReference
        ) {
        case .success(let value): validated = value
        case .failure(let invalid): throw SendMessageError.invalid(invalid.problems)
        }
        var message = NewMessage(
            id: SecureRandom.uuid(),
            tenantID: tenantID,
            providerAccountID: route[0].id,
            content: validated.content,
            extNo: validated.extNo,
            clientReference: validated.clientReference,
            customJSON: input.customJSON,
            idempotencyKey: idempotencyKey,
            fingerprint: SendRequestRules.fingerprint(
                accountID: input.providerAccountID ?? input.routeID,
                recipients: input.recipients,
                content: (input.templateID.map { "template \($0.uuidString)\u{1f}\(Self.valuesJSON(input.variables ?? [:]))" } ?? input.content)
                    + (input.category.map { "\u{1f}category \($0)" } ?? ""),
                extNo: input.extNo,
                clientReference: input.clientReference,
                customJSON: input.customJSON
            ),
            recipients: zip(self.makeIDs(validated.numbers.count), validated.numbers).map { Recipient(id: $0, number: $1, status: .queued) }
        )
        message.routeAccountIDs = route.map(\.id)
        message.templateID = template?.id
        message.category = category
        message.templateValuesJSON = template.map { _ in Self.valuesJSON(input.variables ?? [:]) }
        switch try await self.messages.create(message) {
        case .created(let stored): return Accepted(message: stored, duplicates: validated.duplicates, replayed: false)
        case .replayed(let stored): return Accepted(message: stored, duplicates: validated.duplicates, replayed: true)
        case .keyConflict: throw SendMessageError.idempotencyConflict
        case .rateLimited(let wait, let reason): throw SendMessageError.rateLimited(retryAfter: wait, reason: reason)
        }
    }

    /// The message's category: its template's, which a `category` in the request must then repeat,
    /// or the one named, or `notification`.
    static func category(_ named: String?, template: Template?) throws -> TemplateCategory {
        var category: TemplateCategory?
        if let named {
            guard let known = TemplateCategory(rawValue: named) else {
                throw SendMessageError.invalid([FieldProblem(field: "category", message: "must be verification, notification or marketing")])
            }
            category = known
        }
        if let template {
            if let category, category != template.category {
                throw SendMessageError.invalid([
                    FieldProblem(field: "category", message: "differs from the template's category (\(template.category.rawValue))")
                ])
            }
            return template.category
        }
        return category ?? .notification
    }

    static func valuesJSON(_ values: [String: String]) -> String {
        var out = JSONWriter()
        out.object { object in
            for (key, value) in values.sorted(by: { $0.key < $1.key }) { object.field(key, value) }
        }
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// Every account of the route must be able to send the message: raw text only through the Gateway
    /// and SUBMAIL; a template only where the account has it mapped (or takes text).
    static func check(_ route: [ProviderAccount], template: Template?) throws {
        var problems: [FieldProblem] = []
        for account in route where !account.provider.takesText && template?.mappings[account.id] == nil {
            let message =
                template == nil
                ? "sends templates only (\(account.provider.rawValue)): name a template_id"
                : "has no mapping of this template: map it with PUT /v1/templates/{id}/mappings/{account_id}"
            problems.append(FieldProblem(field: "accounts[\(account.id.uuidString.lowercased())]", message: message))
        }
        if !problems.isEmpty { throw SendMessageError.invalid(problems) }
    }

    /// A provider template whose latest review on an account of the route is a rejection would be
    /// refused by the provider: the send is refused before any call.
    func checkReviews(_ route: [ProviderAccount], template: Template, tenantID: UUID) async throws {
        let wanted = route.compactMap { account in
            template.mappings[account.id]?.providerTemplateID.map { ProviderTemplate(accountID: account.id, id: $0) }
        }
        let rejected = try await self.templates.rejected(tenantID: tenantID, wanted)
        guard !rejected.isEmpty else { return }
        throw SendMessageError.invalid(
            rejected.map {
                FieldProblem(
                    field: "accounts[\($0.accountID.uuidString.lowercased())]",
                    message: "the provider rejected its template \($0.id.prefix(utf8Bytes: 64)) (its latest review event)"
                )
            }
        )
    }

    /// The active accounts the message may go through, in order: the named route's, the named
    /// account, the tenant's default route, or its default gateway account.
    func route(_ input: SendMessageInput, tenantID: UUID) async throws -> [ProviderAccount] {
        if input.routeID != nil, input.providerAccountID != nil {
            throw SendMessageError.invalid([FieldProblem(field: "route_id", message: "and provider_account_id are exclusive: name one")])
        }
        var route: SendRoute?
        if let routeID = input.routeID {
            guard let found = try await self.routes.get(tenantID: tenantID, id: routeID) else {
                throw SendMessageError.invalid([FieldProblem(field: "route_id", message: "names no route of this tenant")])
            }
            route = found
        } else if input.providerAccountID == nil {
            route = try await self.routes.defaultRoute(tenantID: tenantID)
        }
        guard let route else { return [try await self.account(input.providerAccountID, tenantID: tenantID)] }
        var accounts: [ProviderAccount] = []
        for id in route.accountIDs {
            if let account = try await self.accounts.get(tenantID: tenantID, id: id), account.status == .active { accounts.append(account) }
        }
        guard !accounts.isEmpty else {
            throw SendMessageError.invalid([FieldProblem(field: "route_id", message: "has no active account")])
        }
        return accounts
    }

    /// The account named, or the tenant's default gateway account: it must be active.
    func account(_ id: UUID?, tenantID: UUID) async throws -> ProviderAccount {
        let account: ProviderAccount
        if let id {
            guard let found = try await self.accounts.get(tenantID: tenantID, id: id) else {
                throw SendMessageError.invalid([FieldProblem(field: "provider_account_id", message: "names no provider account of this tenant")])
            }
            account = found
        } else {
            guard let found = try await self.messages.defaultAccount(tenantID: tenantID, provider: .gateway) else {
                throw SendMessageError.invalid([
                    FieldProblem(field: "provider_account_id", message: "is required: the tenant has no default route or gateway account")
                ])
            }
            account = found
        }
        guard account.status == .active else {
            throw SendMessageError.invalid([FieldProblem(field: "provider_account_id", message: "names a disabled account")])
        }
        return account
    }
}
