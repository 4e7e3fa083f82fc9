import Hummingbird
import SmsHubDomain

/// Resolves the bearer API key to its tenant. Requests without a usable key are refused here, before
/// any tenant route runs: 401 for a missing, unknown or revoked key, 403 for a disabled tenant. Each
/// refusal counts against the client address's `unauthenticated` limit, and an address past it is
/// answered 429 before its key is looked up; an accepted request counts against its tenant's `api`
/// limit, whose state every answer carries.
struct TenantAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let keys: any APIKeyRepository
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try self.limiter.refuseIfUnauthenticatedExhausted(context.clientAddress)
        let presented = BearerToken.from(request)
        let presentedHash = presented.flatMap { APIKeyMaterial.looksLikeKey($0) ? APIKeyMaterial.hash(of: $0) : nil }
        if let presentedHash, let refusal = self.limiter.refusalBeforeLookup(key: presentedHash) { throw refusal }
        let found: APIKeyLookup
        do {
            found = try await self.authenticate(presented: presented, hash: presentedHash)
        } catch let problem as Problem {
            self.limiter.countRefusedCredentials(context.clientAddress)
            throw problem
        }
        if let presentedHash { self.limiter.remember(key: presentedHash, tenant: found.tenantID, limits: found.rateLimits) }
        let limit = self.limiter.limit(.api, found.rateLimits)
        let decision = self.limiter.take(.api, .tenant(found.tenantID), limit: limit)
        guard decision.allowed else { throw Problem.tooManyRequests(.api, limit: limit, decision: decision) }
        var context = context
        context.authenticatedTenant = AuthenticatedTenant(tenantID: found.tenantID, keyID: found.keyID, rateLimits: found.rateLimits)
        var response = try await next(request, context)
        response.headers.append(contentsOf: RateLimiter.headers(.api, limit: limit, decision: decision))
        return response
    }

    /// `hash` is the presented key's, when it looks like a key at all.
    private func authenticate(presented: String?, hash: [UInt8]?) async throws -> APIKeyLookup {
        guard presented != nil else {
            throw Problem.unauthorized("Send an API key as 'Authorization: Bearer <key>'.")
        }
        guard let hash, let found = try await self.keys.lookup(hash: hash) else {
            throw Problem.unauthorized("The API key is not valid.")
        }
        guard !found.revoked else {
            throw Problem.unauthorized("The API key has been revoked.")
        }
        guard found.tenantStatus == .active else {
            throw Problem.forbidden(code: "tenant_disabled", "The tenant is disabled.")
        }
        return found
    }
}
