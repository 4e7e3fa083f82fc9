import Foundation
import Hummingbird
import Logging
import SmsHubDomain

/// `/v1/opt-outs`: the numbers the hub will not send to for this tenant, and who put them there
/// (docs/sending-rules.md, "Opt-out").
struct OptOutRoutes {
    let optOuts: any OptOutRepository
    let cursors: PageCursorCodec

    static let historyLimit = 100

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("opt-outs", use: self.list)
        group.post("opt-outs", use: self.add)
        group.get("opt-outs/:number", use: self.number)
        group.delete("opt-outs/:number", use: self.remove)
    }

    struct AddRequest: Decodable {
        var number: String
        var scope: String?
        var reason: String?
    }

    @Sendable func list(request: Request, context: TenantRequestContext) async throws -> ListRepresentation<OptOutRepresentation> {
        let query = try QueryParameters(request, allowed: QueryParameters.pagination.union(["number"]))
        let pages = try query.pagination(self.cursors, scope: PageCursorCodec.scope(tenant: context.tenant.tenantID, list: "opt-outs"))
        let page = try await self.optOuts.list(
            tenantID: context.tenant.tenantID,
            number: try query.number("number"),
            after: pages.cursor,
            limit: pages.limit
        )
        return ListRepresentation(page, pages, OptOutRepresentation.init)
    }

    @Sendable func add(request: Request, context: TenantRequestContext) async throws -> EditedResponse<OptOutRepresentation> {
        let body = try await JSONBody.decode(AddRequest.self, from: request, context: context)
        let wanted = try Self.checked(number: body.number, scope: body.scope, reason: body.reason)
        let cause = OptOutCause(source: .api, reason: wanted.reason, apiKeyID: context.tenant.keyID)
        let (entry, added) = try await self.optOuts.add(tenantID: context.tenant.tenantID, number: wanted.number, scope: wanted.scope, cause: cause)
        if added { context.logger.info("opt-out added", metadata: ["scope": "\(wanted.scope.rawValue)"]) }
        return EditedResponse(
            status: added ? .created : .ok,
            headers: [.location: "/v1/opt-outs/\(wanted.number)"],
            response: OptOutRepresentation(entry)
        )
    }

    @Sendable func number(request: Request, context: TenantRequestContext) async throws -> OptOutNumberRepresentation {
        _ = try QueryParameters(request, allowed: [])
        let number = try Self.pathNumber(context)
        let found = try await self.optOuts.number(tenantID: context.tenant.tenantID, number: number, historyLimit: Self.historyLimit)
        return OptOutNumberRepresentation(
            number: number,
            optedOut: !found.entries.isEmpty,
            entries: found.entries.map(OptOutRepresentation.init),
            history: found.history.map(OptOutChangeRepresentation.init)
        )
    }

    /// `?scope=` (default `all`) and an optional `?reason=`, kept in the history.
    @Sendable func remove(request: Request, context: TenantRequestContext) async throws -> Response {
        let query = try QueryParameters(request, allowed: ["scope", "reason"])
        let wanted = try Self.checked(
            number: try Self.pathNumber(context),
            scope: try query.text("scope"),
            reason: try query.text("reason", maxLength: OptOutRequest.maxReasonScalars)
        )
        let cause = OptOutCause(source: .api, reason: wanted.reason, apiKeyID: context.tenant.keyID)
        guard try await self.optOuts.remove(tenantID: context.tenant.tenantID, number: wanted.number, scope: wanted.scope, cause: cause) else {
            throw Problem.notFound("This number has no opt-out of this scope.")
        }
        context.logger.info("opt-out removed", metadata: ["scope": "\(wanted.scope.rawValue)"])
        return Response(status: .noContent)
    }

    static func checked(number: String?, scope: String?, reason: String?) throws -> OptOutRequest {
        switch OptOutRequest.validate(number: number, scope: scope, reason: reason) {
        case .success(let request): return request
        case .failure(let invalid): throw Problem.validation(invalid.problems)
        }
    }

    /// The number in the path, as E.164 (`+8613812345678`, or percent-encoded `%2B86…`).
    static func pathNumber(_ context: TenantRequestContext) throws -> String {
        let raw = context.parameters.get("number") ?? ""
        guard let decoded = raw.removingPercentEncoding, let e164 = PhoneNumber.written(decoded)?.e164 else {
            throw Problem.invalidParameter("number", "The path must name a phone number, such as +8613812345678.")
        }
        return e164
    }
}

/// Who made an entry or a change, and what caused it: the fields an entry and a change share.
struct OptOutCauseFields: Encodable, Sendable {
    var scope: String
    var source: String
    var reason: String?
    var apiKeyId: String?
    var providerAccountId: String?
    var replyId: String?
    var code: String?

    init(scope: OptOutScope, _ cause: OptOutCause) {
        self.scope = scope.rawValue
        self.source = cause.source.rawValue
        self.reason = cause.reason
        self.apiKeyId = cause.apiKeyID?.apiString
        self.providerAccountId = cause.providerAccountID?.apiString
        self.replyId = cause.replyID?.apiString
        self.code = cause.code
    }
}

struct OptOutRepresentation: ResponseEncodable {
    var id: String
    var number: String
    var cause: OptOutCauseFields
    var createdAt: Date

    init(_ entry: OptOutEntry) {
        self.id = entry.id.apiString
        self.number = entry.number
        self.cause = OptOutCauseFields(scope: entry.scope, entry.cause)
        self.createdAt = entry.createdAt
    }

    private enum CodingKeys: String, CodingKey { case id, number, createdAt }

    /// The cause's fields beside the entry's own, in one object.
    func encode(to encoder: any Encoder) throws {
        try self.cause.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.id, forKey: .id)
        try container.encode(self.number, forKey: .number)
        try container.encode(self.createdAt, forKey: .createdAt)
    }
}

struct OptOutChangeRepresentation: Encodable, Sendable {
    var action: String
    var cause: OptOutCauseFields
    var at: Date

    init(_ change: OptOutChange) {
        self.action = change.action.rawValue
        self.cause = OptOutCauseFields(scope: change.scope, change.cause)
        self.at = change.createdAt
    }

    private enum CodingKeys: String, CodingKey { case action, at }

    func encode(to encoder: any Encoder) throws {
        try self.cause.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.action, forKey: .action)
        try container.encode(self.at, forKey: .at)
    }
}

struct OptOutNumberRepresentation: ResponseEncodable {
    var number: String
    var optedOut: Bool
    var entries: [OptOutRepresentation]
    var history: [OptOutChangeRepresentation]
}
