import Foundation
import Hummingbird
import Logging
import SmsHubDomain

/// `/admin/tenants/{id}/egress` and `/admin/tenants/{id}/provider-accounts/{account_id}/egress`:
/// non-public blocks one tenant (its provider accounts and webhook endpoints) or one of its provider
/// accounts (its calls only) may reach. `SMSHUB_EGRESS_ALLOW` opens a block for every tenant, and is
/// for development (docs/operations.md, egress).
struct EgressAllowanceRoutes {
    let repository: any EgressAllowanceRepository
    let cache: EgressAllowanceCache

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("tenants/:tenant_id/egress", use: self.get)
        group.put("tenants/:tenant_id/egress", use: self.setTenant)
        group.put("tenants/:tenant_id/provider-accounts/:account_id/egress", use: self.setAccount)
    }

    /// The blocks, as the request gives them and the answer shows them.
    struct Blocks: Decodable, ResponseEncodable {
        var allow: [String]
    }

    struct AllowancesRepresentation: ResponseEncodable {
        var allow: [String]
        var providerAccounts: [String: [String]]
    }

    @Sendable func get(request: Request, context: AppRequestContext) async throws -> AllowancesRepresentation {
        let tenantID = try context.parameters.uuid("tenant_id")
        guard let allowances = try await self.repository.allowances(tenantID: tenantID) else { throw Problem.notFound("No tenant has this id.") }
        return AllowancesRepresentation(
            allow: allowances.tenantText,
            providerAccounts: Dictionary(uniqueKeysWithValues: allowances.accountText.map { ($0.key.apiString, $0.value) })
        )
    }

    @Sendable func setTenant(request: Request, context: AppRequestContext) async throws -> Blocks {
        let tenantID = try context.parameters.uuid("tenant_id")
        let blocks = try await Self.blocks(request, context)
        guard try await self.repository.setTenantBlocks(tenantID: tenantID, blocks) else { throw Problem.notFound("No tenant has this id.") }
        await self.cache.forget(tenant: tenantID)
        context.logger.notice(
            "tenant egress allowed",
            metadata: ["tenant_id": "\(tenantID.apiString)", "blocks": "\(blocks.joined(separator: ","))"]
        )
        return Blocks(allow: blocks)
    }

    @Sendable func setAccount(request: Request, context: AppRequestContext) async throws -> Blocks {
        let tenantID = try context.parameters.uuid("tenant_id")
        let accountID = try context.parameters.uuid("account_id")
        let blocks = try await Self.blocks(request, context)
        guard try await self.repository.setAccountBlocks(tenantID: tenantID, accountID: accountID, blocks) else {
            throw Problem.notFound("The tenant has no provider account with this id.")
        }
        await self.cache.forget(tenant: tenantID)
        context.logger.notice(
            "provider account egress allowed",
            metadata: [
                "tenant_id": "\(tenantID.apiString)", "account_id": "\(accountID.apiString)",
                "blocks": "\(blocks.joined(separator: ","))",
            ]
        )
        return Blocks(allow: blocks)
    }

    /// The blocks of the body, as written, once each is known to parse.
    static func blocks(_ request: Request, _ context: AppRequestContext) async throws -> [String] {
        let body = try await JSONBody.decode(Blocks.self, from: request, context: context)
        guard body.allow.count <= EgressPolicy.maxAllowances else {
            throw Problem.invalidBody(field: "allow", "may list at most \(EgressPolicy.maxAllowances) blocks")
        }
        let parsed = EgressAllowances.parse(body.allow)
        // Well-formed JSON naming something that is not a block: a rule the schema cannot state (422).
        if let index = parsed.invalid {
            throw Problem.validation([
                FieldProblem(field: "allow[\(index)]", message: "must be an address or a CIDR block (10.1.0.0/16, fd00:1::/64)")
            ])
        }
        return body.allow
    }
}
