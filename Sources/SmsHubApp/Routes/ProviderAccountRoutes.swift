import Foundation
import Hummingbird
import SmsHubDomain

/// `/v1/provider-accounts`: a tenant's accounts with its SMS providers. Credentials are write-only.
struct ProviderAccountRoutes {
    let accounts: any ProviderAccountRepository
    let keyring: SecretKeyring
    let publicBaseURL: String
    let cursors: PageCursorCodec
    let egress: EgressResolver
    let health: any OutboundHealthRepository

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.post("provider-accounts", use: self.create)
        group.get("provider-accounts", use: self.list)
        group.get("provider-accounts/:account_id", use: self.get)
        group.patch("provider-accounts/:account_id", use: self.update)
        group.post("provider-accounts/:account_id/disable") { request, context in
            try await self.setStatus(.disabled, context: context)
        }
        group.post("provider-accounts/:account_id/enable") { request, context in
            try await self.setStatus(.active, context: context)
        }
        group.post("provider-accounts/:account_id/callback-token/rotate", use: self.rotateToken)
    }

    struct CreateRequest: Decodable {
        var provider: String
        var name: String
        var settings: [String: String]?
        var credentials: [String: String]?
        var isDefault: Bool?
    }

    struct UpdateRequest: Decodable {
        var name: String?
        /// A null value removes the setting.
        var settings: [String: String?]?
        /// A null value removes the credential; absent ones stay as they are.
        var credentials: [String: String?]?
        var isDefault: Bool?
    }

    @Sendable func create(request: Request, context: TenantRequestContext) async throws -> EditedResponse<CreatedProviderAccountRepresentation> {
        let body = try await JSONBody.decode(CreateRequest.self, from: request, context: context)
        guard let provider = Provider(rawValue: body.provider) else {
            throw Problem.validation([
                .init(field: "provider", message: "must be one of \(Provider.allCases.map(\.rawValue).joined(separator: ", "))")
            ])
        }
        let name = try Problem.requireName(body.name)
        let settings = ProviderSettings(body.settings ?? [:])
        let secrets = ProviderSecrets((body.credentials ?? [:]).filter { !$0.value.isEmpty })
        try Self.validate(provider: provider, settings: settings, secrets: secrets)
        try await self.checkEgress(settings["base_url"])

        let tenantID = context.tenant.tenantID
        let id = UUID()
        let token = CallbackToken.generate()
        let sealed = try self.keyring.seal(secrets, tenantID: tenantID, accountID: id)
        let now = Date()
        let account = ProviderAccount(
            id: id,
            tenantID: tenantID,
            provider: provider,
            name: name,
            status: .active,
            settings: settings,
            secretNames: secrets.values.keys.sorted(),
            isDefault: body.isDefault ?? false,
            createdAt: now,
            updatedAt: now,
            disabledAt: nil
        )
        let stored = try await self.withDefaultConflict {
            try await self.accounts.insert(
                ProviderAccountRecord(account: account, sealed: sealed, newCallbackTokenHash: token.hash)
            )
        }
        context.logger.info(
            "provider account created",
            metadata: ["account_id": "\(id.uuidString.lowercased())", "provider": "\(provider.rawValue)"]
        )
        return EditedResponse(
            status: .created,
            headers: [.location: "/v1/provider-accounts/\(id.uuidString.lowercased())"],
            response: CreatedProviderAccountRepresentation(
                account: ProviderAccountRepresentation(stored),
                callbackURLs: CallbackToken.callbackURLs(base: self.publicBaseURL, provider: provider, token: token.secret)
            )
        )
    }

    @Sendable func list(request: Request, context: TenantRequestContext) async throws -> ListRepresentation<ProviderAccountRepresentation> {
        let pages = try QueryParameters(request, allowed: QueryParameters.pagination)
            .pagination(self.cursors, scope: PageCursorCodec.scope(tenant: context.tenant.tenantID, list: "provider-accounts"))
        let page = try await self.accounts.list(tenantID: context.tenant.tenantID, after: pages.cursor, limit: pages.limit)
        return ListRepresentation(page, pages, ProviderAccountRepresentation.init)
    }

    @Sendable func get(request: Request, context: TenantRequestContext) async throws -> ProviderAccountRepresentation {
        let id = try context.parameters.uuid("account_id")
        guard let account = try await self.accounts.get(tenantID: context.tenant.tenantID, id: id) else {
            throw Problem.notFound("No provider account has this id.")
        }
        var representation = ProviderAccountRepresentation(account)
        representation.outbound = OutboundHealthRepresentation(try await self.health.health(tenantID: context.tenant.tenantID, accountID: id))
        return representation
    }

    /// A URL the hub will call must pass the egress policy when saved: its form, and where it resolves
    /// now. A name that does not resolve yet is accepted (DNS may lag a new gateway); every call
    /// checks again.
    func checkEgress(_ url: String?) async throws {
        guard let url, !url.isEmpty else { return }
        if case .failure(let refusal) = await self.egress.check(url), refusal != .unresolvable {
            throw Problem.validation([.init(field: "settings.base_url", message: refusal.description)])
        }
    }

    @Sendable func update(request: Request, context: TenantRequestContext) async throws -> ProviderAccountRepresentation {
        let id = try context.parameters.uuid("account_id")
        let body = try await JSONBody.decode(UpdateRequest.self, from: request, context: context)
        let newName = try body.name.map { try Problem.requireName($0) }
        // Resolved before the update's transaction, which must not wait on DNS.
        if let changed = body.settings?["base_url"] { try await self.checkEgress(changed) }
        let keyring = self.keyring
        let tenantID = context.tenant.tenantID
        let updated = try await self.withDefaultConflict {
            try await self.accounts.update(tenantID: tenantID, id: id) { record in
                var record = record
                var account = record.account
                var secrets = try keyring.open(record.sealed, tenantID: tenantID, accountID: id)
                for (key, value) in body.settings ?? [:] { account.settings[key] = value.flatMap { $0.isEmpty ? nil : $0 } }
                for (key, value) in body.credentials ?? [:] { secrets.values[key] = value.flatMap { $0.isEmpty ? nil : $0 } }
                try Self.validate(provider: account.provider, settings: account.settings, secrets: secrets)
                if let newName { account.name = newName }
                if let isDefault = body.isDefault { account.isDefault = isDefault }
                account.secretNames = secrets.values.keys.sorted()
                // Always re-sealed under the active key, which is how rotation to a new master key proceeds.
                record.sealed = try keyring.seal(secrets, tenantID: tenantID, accountID: id)
                record.account = account
                return record
            }
        }
        guard let updated else { throw Problem.notFound("No provider account has this id.") }
        context.logger.info(
            "provider account updated",
            metadata: ["account_id": "\(id.uuidString.lowercased())", "credentials_changed": "\(body.credentials != nil)"]
        )
        return ProviderAccountRepresentation(updated)
    }

    func setStatus(_ status: AccountStatus, context: TenantRequestContext) async throws -> ProviderAccountRepresentation {
        let id = try context.parameters.uuid("account_id")
        let updated = try await self.accounts.update(tenantID: context.tenant.tenantID, id: id) { record in
            var record = record
            record.account.status = status
            return record
        }
        guard let updated else { throw Problem.notFound("No provider account has this id.") }
        return ProviderAccountRepresentation(updated)
    }

    @Sendable func rotateToken(request: Request, context: TenantRequestContext) async throws -> CreatedProviderAccountRepresentation {
        let id = try context.parameters.uuid("account_id")
        let token = CallbackToken.generate()
        let updated = try await self.accounts.update(tenantID: context.tenant.tenantID, id: id) { record in
            var record = record
            record.newCallbackTokenHash = token.hash
            return record
        }
        guard let updated else { throw Problem.notFound("No provider account has this id.") }
        context.logger.info("callback token rotated", metadata: ["account_id": "\(id.uuidString.lowercased())"])
        return CreatedProviderAccountRepresentation(
            account: ProviderAccountRepresentation(updated),
            callbackURLs: CallbackToken.callbackURLs(base: self.publicBaseURL, provider: updated.provider, token: token.secret)
        )
    }

    static func validate(provider: Provider, settings: ProviderSettings, secrets: ProviderSecrets) throws {
        let problems = ProviderFields.of(provider).validate(settings: settings, secrets: secrets)
        if !problems.isEmpty {
            throw Problem.validation(problems)
        }
    }

    private func withDefaultConflict<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch is DuplicateDefaultAccount {
            throw Problem(.conflict, code: "conflict", title: "Conflict", detail: "Another account of this provider is already the default.")
        }
    }
}

struct ProviderAccountRepresentation: ResponseEncodable {
    var id: String
    var provider: String
    var name: String
    var status: String
    var settings: [String: String]
    /// Which credentials are set. Their values are never returned.
    var credentialsSet: [String]
    var isDefault: Bool
    var createdAt: Date
    var updatedAt: Date
    var disabledAt: Date?
    /// The account's circuit breaker; on the single-account read only.
    var outbound: OutboundHealthRepresentation?

    init(_ account: ProviderAccount) {
        self.id = account.id.uuidString.lowercased()
        self.provider = account.provider.rawValue
        self.name = account.name
        self.status = account.status.rawValue
        var settings = account.settings.values
        if settings["time_zone"] == nil { settings["time_zone"] = ProviderSettings.defaultTimeZone }
        self.settings = settings
        self.credentialsSet = account.secretNames
        self.isDefault = account.isDefault
        self.createdAt = account.createdAt
        self.updatedAt = account.updatedAt
        self.disabledAt = account.disabledAt
    }
}

struct OutboundHealthRepresentation: Encodable {
    var consecutiveFailures: Int
    var pausedUntil: Date?
    var lastFailure: String?
    var lastFailureAt: Date?

    init(_ health: OutboundHealth) {
        self.consecutiveFailures = health.consecutiveFailures
        self.pausedUntil = health.isPaused() ? health.pausedUntil : nil
        self.lastFailure = health.lastFailure?.rawValue
        self.lastFailureAt = health.lastFailureAt
    }
}

/// An account with its callback URLs: returned on creation and token rotation only, since the token
/// in the URLs is stored only as a hash.
struct CreatedProviderAccountRepresentation: ResponseEncodable {
    var account: ProviderAccountRepresentation
    var callbackURLs: [String: String]

    enum CodingKeys: String, CodingKey {
        case account
        case callbackURLs = "callbackUrls"
    }
}
