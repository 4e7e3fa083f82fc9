import Foundation
import Hummingbird
import Logging
import SmsHubDomain

/// `/v1/provider-accounts`: a tenant's accounts with its SMS providers. Credentials are write-only.
struct ProviderAccountRoutes {
    let accounts: any ProviderAccountRepository
    let service: ProviderAccountService
    let publicBaseURL: String
    let cursors: PageCursorCodec
    let health: any OutboundHealthRepository

    init(
        accounts: any ProviderAccountRepository,
        keyring: SecretKeyring,
        publicBaseURL: String,
        cursors: PageCursorCodec,
        egress: EgressResolver,
        health: any OutboundHealthRepository
    ) {
        self.accounts = accounts
        // A URL that fails the egress policy is refused when saved (`EgressResolver.refusalOnSave`).
        self.service = ProviderAccountService(accounts: accounts, keyring: keyring) { url, tenantID, accountID in
            await egress.refusalOnSave(url, tenant: tenantID, account: accountID)?.description
        }
        self.publicBaseURL = publicBaseURL
        self.cursors = cursors
        self.health = health
    }

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
        var settings: [String: String?]?
        var credentials: [String: String?]?
        var isDefault: Bool?
    }

    @Sendable func create(request: Request, context: TenantRequestContext) async throws -> EditedResponse<CreatedProviderAccountRepresentation> {
        let body = try await JSONBody.decode(CreateRequest.self, from: request, context: context)
        let created = try await Self.problems {
            try await self.service.create(
                tenantID: context.tenant.tenantID,
                .init(
                    provider: body.provider,
                    name: body.name,
                    settings: body.settings ?? [:],
                    credentials: body.credentials ?? [:],
                    isDefault: body.isDefault ?? false
                )
            )
        }
        let id = created.account.id.apiString
        context.logger.info("provider account created", metadata: ["account_id": "\(id)", "provider": "\(created.account.provider.rawValue)"])
        return EditedResponse(
            status: .created,
            headers: [.location: "/v1/provider-accounts/\(id)"],
            response: self.withCallbacks(created)
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

    @Sendable func update(request: Request, context: TenantRequestContext) async throws -> ProviderAccountRepresentation {
        let id = try context.parameters.uuid("account_id")
        let body = try await JSONBody.decode(UpdateRequest.self, from: request, context: context)
        let change = ProviderAccountService.Change(name: body.name, settings: body.settings, credentials: body.credentials, isDefault: body.isDefault)
        guard let updated = try await Self.problems({ try await self.service.update(tenantID: context.tenant.tenantID, id: id, change) }) else {
            throw Problem.notFound("No provider account has this id.")
        }
        context.logger.info(
            "provider account updated",
            metadata: ["account_id": "\(id.apiString)", "credentials_changed": "\(body.credentials != nil)"]
        )
        return ProviderAccountRepresentation(updated)
    }

    func setStatus(_ status: AccountStatus, context: TenantRequestContext) async throws -> ProviderAccountRepresentation {
        let id = try context.parameters.uuid("account_id")
        guard let updated = try await self.service.setStatus(tenantID: context.tenant.tenantID, id: id, status) else {
            throw Problem.notFound("No provider account has this id.")
        }
        return ProviderAccountRepresentation(updated)
    }

    @Sendable func rotateToken(request: Request, context: TenantRequestContext) async throws -> CreatedProviderAccountRepresentation {
        let id = try context.parameters.uuid("account_id")
        guard let rotated = try await self.service.rotateToken(tenantID: context.tenant.tenantID, id: id) else {
            throw Problem.notFound("No provider account has this id.")
        }
        context.logger.info("callback token rotated", metadata: ["account_id": "\(id.apiString)"])
        return self.withCallbacks(rotated)
    }

    func withCallbacks(_ account: ProviderAccountService.WithToken) -> CreatedProviderAccountRepresentation {
        CreatedProviderAccountRepresentation(
            account: ProviderAccountRepresentation(account.account),
            callbackURLs: CallbackToken.callbackURLs(base: self.publicBaseURL, provider: account.account.provider, token: account.token)
        )
    }

    /// The service's failures as problem responses.
    static func problems<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let failure as ProviderAccountService.Failure {
            switch failure {
            case .invalid(let problems):
                throw Problem.validation(problems)
            case .defaultTaken:
                throw Problem(.conflict, code: "conflict", title: "Conflict", detail: "Another account of this provider is already the default.")
            case .tooManyAccounts:
                throw Problem(
                    .conflict,
                    code: "too_many_accounts",
                    title: "Too many provider accounts",
                    detail: "A tenant has at most \(ProviderAccountService.maxAccountsPerTenant) provider accounts."
                )
            }
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
        self.id = account.id.apiString
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
