import Foundation
import Hummingbird
import SmsHubDomain

/// `GET /v1/status-events`: every status report received, across messages, newest first.
struct StatusEventRoutes {
    let queries: any QueryRepository
    let cursors: PageCursorCodec

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("status-events", use: self.list)
    }

    static let parameters: Set<String> = QueryParameters.pagination.union([
        "from", "to", "status", "provider_account_id", "number", "provider_message_id",
    ])

    @Sendable func list(request: Request, context: TenantRequestContext) async throws -> ListRepresentation<StatusEventRepresentation> {
        let query = try QueryParameters(request, allowed: Self.parameters)
        let filter = StatusEventFilter(
            received: try query.timeRange(),
            status: try query.oneOf("status", DeliveryState.self),
            providerAccountID: try query.uuid("provider_account_id"),
            numberE164: try query.number("number"),
            providerMessageID: try query.text("provider_message_id", maxLength: 128)
        )
        let pages = try query.pagination(self.cursors, scope: PageCursorCodec.scope(tenant: context.tenant.tenantID, list: "status-events"))
        let page = try await self.queries.statusEvents(tenantID: context.tenant.tenantID, filter: filter, limit: pages.limit, cursor: pages.cursor)
        return ListRepresentation(page, pages, StatusEventRepresentation.init)
    }
}
