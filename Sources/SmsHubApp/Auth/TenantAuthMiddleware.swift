import Hummingbird
import SmsHubDomain

/// Resolves the bearer API key to its tenant. Requests without a usable key are refused here, before
/// any tenant route runs: 401 for a missing, unknown or revoked key, 403 for a disabled tenant.
struct TenantAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let keys: any APIKeyRepository

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
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
        var context = context
        context.authenticatedTenant = AuthenticatedTenant(tenantID: found.tenantID, keyID: found.keyID)
        return try await next(request, context)
    }
}
