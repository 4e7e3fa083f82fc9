import Foundation
import Hummingbird
import SmsHubDomain

/// `GET /v1/recipients/{recipient_id}`: one recipient's state, timings and full status history.
struct RecipientRoutes {
    let queries: any QueryRepository

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("recipients/:recipient_id", use: self.get)
    }

    @Sendable func get(request: Request, context: TenantRequestContext) async throws -> RecipientRepresentation {
        _ = try QueryParameters(request, allowed: [])
        let id = try context.parameters.uuid("recipient_id")
        guard let history = try await self.queries.recipient(tenantID: context.tenant.tenantID, id: id) else {
            throw Problem.notFound("No recipient has this id.")
        }
        return RecipientRepresentation(history)
    }
}
