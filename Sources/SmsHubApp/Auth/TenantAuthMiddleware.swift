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
        let address = RateLimiter.Subject.address(context.clientAddress ?? "unknown")
        let unauthenticated = self.limiter.limit(.unauthenticated)
        if self.limiter.isExhausted(.unauthenticated, address, limit: unauthenticated) {
            throw Problem.tooManyRequests(
                .unauthenticated,
                limit: unauthenticated,
                decision: self.limiter.take(.unauthenticated, address, limit: unauthenticated)
            )
        }
        let found: APIKeyLookup
        do {
            found = try await self.authenticate(request)
        } catch let problem as Problem {
            _ = self.limiter.take(.unauthenticated, address, limit: unauthenticated)
            throw problem
        }
        let limit = self.limiter.limit(.api, found.rateLimits)
        let decision = self.limiter.take(.api, .tenant(found.tenantID), limit: limit)
        guard decision.allowed else { throw Problem.tooManyRequests(.api, limit: limit, decision: decision) }
        var context = context
        context.authenticatedTenant = AuthenticatedTenant(tenantID: found.tenantID, keyID: found.keyID, rateLimits: found.rateLimits)
        var response = try await next(request, context)
        response.headers.append(contentsOf: RateLimiter.headers(.api, limit: limit, decision: decision))
        return response
    }

    private func authenticate(_ request: Request) async throws -> APIKeyLookup {
        guard let presented = BearerToken.from(request) else {
            throw Problem.unauthorized("Send an API key as 'Authorization: Bearer <key>'.")
        }
        guard APIKeyMaterial.looksLikeKey(presented), let found = try await self.keys.lookup(hash: APIKeyMaterial.hash(of: presented)) else {
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
