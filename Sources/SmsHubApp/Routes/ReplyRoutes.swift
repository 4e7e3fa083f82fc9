import Foundation
import Hummingbird
import SmsHubDomain

/// `GET /v1/replies` and `GET /v1/replies/{reply_id}`: SMS replies, newest first.
struct ReplyRoutes {
    /// The list (may lag, from a replica).
    let lists: any QueryRepository
    /// One reply by id (the primary).
    let queries: any QueryRepository
    let cursors: PageCursorCodec

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("replies", use: self.list)
        group.get("replies/:reply_id", use: self.get)
    }

    static let parameters: Set<String> = QueryParameters.pagination.union(["from", "to", "provider_account_id", "number", "message_id"])

    @Sendable func list(request: Request, context: TenantRequestContext) async throws -> ListRepresentation<ReplyRepresentation> {
        let query = try QueryParameters(request, allowed: Self.parameters)
        let filter = ReplyFilter(
            received: try query.timeRange(),
            providerAccountID: try query.uuid("provider_account_id"),
            numberE164: try query.number("number"),
            messageID: try query.uuid("message_id")
        )
        let pages = try query.pagination(self.cursors, scope: PageCursorCodec.scope(tenant: context.tenant.tenantID, list: "replies"))
        let page = try await self.lists.replies(tenantID: context.tenant.tenantID, filter: filter, limit: pages.limit, cursor: pages.cursor)
        return ListRepresentation(page, pages, ReplyRepresentation.init)
    }

    @Sendable func get(request: Request, context: TenantRequestContext) async throws -> ReplyRepresentation {
        _ = try QueryParameters(request, allowed: [])
        let id = try context.parameters.uuid("reply_id")
        guard let reply = try await self.queries.reply(tenantID: context.tenant.tenantID, id: id) else {
            throw Problem.notFound("No reply has this id.")
        }
        return ReplyRepresentation(reply)
    }
}
