import Foundation
import Hummingbird
import Logging
import SmsHubDomain

/// `GET` and `PUT /v1/send-rules`: the tenant's rules for sending (docs/sending-rules.md). A `PUT`
/// replaces the whole document; members left out take their defaults.
struct SendRulesRoutes {
    let rules: any SendRulesRepository

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("send-rules", use: self.get)
        group.put("send-rules", use: self.put)
    }

    @Sendable func get(request: Request, context: TenantRequestContext) async throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        return Self.response(try await self.rules.get(tenantID: context.tenant.tenantID))
    }

    @Sendable func put(request: Request, context: TenantRequestContext) async throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        let value = try JSONBody.value(try await JSONBody.read(request))
        let rules: SendRules
        switch SendRules.read(value) {
        case .success(let read): rules = read
        case .failure(let invalid): throw Problem.validation(invalid.problems)
        }
        try await self.rules.put(tenantID: context.tenant.tenantID, rules)
        context.logger.info("send rules replaced")
        return Self.response(rules)
    }

    static func response(_ rules: SendRules) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: rules.json))
        )
    }
}
