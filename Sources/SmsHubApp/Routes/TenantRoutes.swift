import Foundation
import Hummingbird
import SmsHubDomain

/// `/v1`: the API tenants' own applications call with their API key.
struct TenantRoutes {
    let tenants: any TenantSelfRepository

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("me", use: self.me)
    }

    struct Me: ResponseEncodable {
        var tenant: TenantRepresentation
        var apiKeyId: String
    }

    @Sendable func me(request: Request, context: TenantRequestContext) async throws -> Me {
        guard let tenant = try await self.tenants.current(tenantID: context.tenant.tenantID) else {
            // The key resolved a moment ago, so the row vanished in between: treat as not authenticated.
            throw Problem.unauthorized("The API key is not valid.")
        }
        return Me(tenant: TenantRepresentation(tenant), apiKeyId: context.tenant.keyID.apiString)
    }
}
