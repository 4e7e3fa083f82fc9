import Foundation
import Hummingbird
import SmsHubDomain

/// `GET /v1/review-events`: template and signature review results, newest first.
struct ReviewEventRoutes {
    let queries: any QueryRepository
    let cursors: PageCursorCodec

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("review-events", use: self.list)
    }

    static let parameters: Set<String> = QueryParameters.pagination.union(["from", "to", "provider_account_id", "kind", "subject", "result"])

    @Sendable func list(request: Request, context: TenantRequestContext) async throws -> ListRepresentation<ReviewEventRepresentation> {
        let query = try QueryParameters(request, allowed: Self.parameters)
        let filter = ReviewEventFilter(
            received: try query.timeRange(),
            providerAccountID: try query.uuid("provider_account_id"),
            kind: try query.oneOf("kind", ReviewResult.Kind.self),
            subject: try query.text("subject"),
            result: try query.oneOf("result", ReviewResult.Result.self)
        )
        let pages = try query.pagination(self.cursors, scope: PageCursorCodec.scope(tenant: context.tenant.tenantID, list: "review-events"))
        let page = try await self.queries.reviewEvents(tenantID: context.tenant.tenantID, filter: filter, limit: pages.limit, cursor: pages.cursor)
        return ListRepresentation(page, pages, ReviewEventRepresentation.init)
    }
}
