import Foundation
import Hummingbird
import SmsHubDomain

/// `GET /v1/messages`: the tenant's messages, newest first.
struct MessageQueryRoutes {
    let queries: any QueryRepository
    let cursors: PageCursorCodec

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("messages", use: self.list)
    }

    static let parameters: Set<String> = QueryParameters.pagination.union([
        "from", "to", "status", "provider_account_id", "number", "client_reference",
    ])

    @Sendable func list(request: Request, context: TenantRequestContext) async throws -> MessageListRepresentation {
        let query = try QueryParameters(request, allowed: Self.parameters)
        let filter = MessageFilter(
            created: try query.timeRange(),
            status: try query.oneOf("status", DeliveryState.self),
            providerAccountID: try query.uuid("provider_account_id"),
            numberE164: try query.number("number"),
            clientReference: try query.text("client_reference", maxLength: 128)
        )
        let pages = try query.pagination(self.cursors, scope: PageCursorCodec.scope(tenant: context.tenant.tenantID, list: "messages"))
        let page = try await self.queries.messages(tenantID: context.tenant.tenantID, filter: filter, limit: pages.limit, cursor: pages.cursor)
        return MessageListRepresentation(page: page, nextCursor: pages.nextToken(page))
    }
}

/// A page of messages, written like `MessageRepresentation` (see `MessageJSON`).
struct MessageListRepresentation: ResponseGenerator {
    let page: Page<MessageSummary>
    let nextCursor: String?

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var json = JSONWriter(capacity: 256 + self.page.items.count * 400)
        json.object { json in
            json.key("items")
            json.array { json in
                for message in self.page.items {
                    json.object { json in
                        MessageJSON.fields(
                            id: message.id,
                            providerAccountID: message.providerAccountID,
                            content: message.content,
                            extNo: message.extNo,
                            clientReference: message.clientReference,
                            customJSON: message.customJSON,
                            category: message.category,
                            createdAt: message.createdAt,
                            redactedAt: message.redactedAt,
                            into: &json
                        )
                        json.key("recipient_count")
                        json.integer(message.recipientCount)
                    }
                }
            }
            json.field("next_cursor", self.nextCursor)
        }
        return MessageJSON.response(json)
    }
}
