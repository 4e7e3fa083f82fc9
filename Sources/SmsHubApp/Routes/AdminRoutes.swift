import Foundation
import Hummingbird
import Logging
import SmsHubDomain

/// `/admin`: tenants and their API keys, behind the admin token.
struct AdminRoutes {
    let tenants: any TenantRepository
    let keys: any APIKeyRepository
    let cursors: PageCursorCodec

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("tenants", use: self.createTenant)
        group.get("tenants", use: self.listTenants)
        group.get("tenants/:tenant_id", use: self.getTenant)
        group.post("tenants/:tenant_id/disable") { request, context in
            try await self.setStatus(.disabled, request: request, context: context)
        }
        group.post("tenants/:tenant_id/enable") { request, context in
            try await self.setStatus(.active, request: request, context: context)
        }
        group.put("tenants/:tenant_id/retention", use: self.setRetention)
        group.put("tenants/:tenant_id/rate-limits", use: self.setRateLimits)
        group.post("tenants/:tenant_id/api-keys", use: self.createKey)
        group.get("tenants/:tenant_id/api-keys", use: self.listKeys)
        group.post("tenants/:tenant_id/api-keys/:key_id/revoke", use: self.revokeKey)
    }

    @Sendable func createTenant(request: Request, context: AppRequestContext) async throws -> EditedResponse<TenantRepresentation> {
        let body = try await JSONBody.decode(NameRequest.self, from: request, context: context)
        let name = try Problem.requireName(body.name)
        let tenant = try await self.tenants.create(name: name)
        context.logger.info("tenant created", metadata: ["tenant_id": "\(tenant.id.apiString)"])
        return EditedResponse(
            status: .created,
            headers: [.location: "/admin/tenants/\(tenant.id.apiString)"],
            response: TenantRepresentation(tenant)
        )
    }

    @Sendable func listTenants(request: Request, context: AppRequestContext) async throws -> ListRepresentation<TenantRepresentation> {
        let pages = try QueryParameters(request, allowed: QueryParameters.pagination)
            .pagination(self.cursors, scope: PageCursorCodec.scope(tenant: nil, list: "tenants"))
        let page = try await self.tenants.list(after: pages.cursor, limit: pages.limit)
        return ListRepresentation(page, pages, TenantRepresentation.init)
    }

    @Sendable func getTenant(request: Request, context: AppRequestContext) async throws -> TenantRepresentation {
        let id = try context.parameters.uuid("tenant_id")
        guard let tenant = try await self.tenants.get(id: id) else { throw Problem.notFound("No tenant has this id.") }
        return TenantRepresentation(tenant)
    }

    func setStatus(_ status: TenantStatus, request: Request, context: AppRequestContext) async throws -> TenantRepresentation {
        let id = try context.parameters.uuid("tenant_id")
        guard let tenant = try await self.tenants.setStatus(id: id, status: status) else {
            throw Problem.notFound("No tenant has this id.")
        }
        context.logger.info("tenant status set", metadata: ["tenant_id": "\(id.apiString)", "status": "\(status.rawValue)"])
        return TenantRepresentation(tenant)
    }

    /// Numbers as JSON has them: `181.0` is the integer 181 to JSON Schema (and to a client that
    /// wrote it), so days are read as numbers and must be whole.
    struct RetentionRequest: Decodable {
        var redactAfterDays: Double?
        var deleteAfterDays: Double?
    }

    /// A fraction of a day is out of range like 0 or 3651 is.
    static func days(_ value: Double?, field: String) throws(TenantRetention.Invalid) -> Int? {
        guard let value else { return nil }
        guard let days = Int(exactly: value) else { throw .outOfRange(field: field) }
        return days
    }

    /// Replaces the tenant's retention: both fields, each absent or null to keep that data forever.
    @Sendable func setRetention(request: Request, context: AppRequestContext) async throws -> TenantRepresentation {
        let id = try context.parameters.uuid("tenant_id")
        let body = try await JSONBody.decode(RetentionRequest.self, from: request, context: context)
        let setting: (redact: Int?, delete: Int?)
        do {
            setting = try TenantRetention.validated(
                redactAfterDays: try Self.days(body.redactAfterDays, field: "redact_after_days"),
                deleteAfterDays: try Self.days(body.deleteAfterDays, field: "delete_after_days")
            )
        } catch .outOfRange(let field) {
            throw Problem.invalidBody(field: field, "must be a whole number of days from 1 to \(TenantRetention.maxDays), or null")
        } catch .redactAfterDelete {
            // Each field is valid alone (the schema's ranges), the pair is not: 422, as for other rules across fields.
            throw Problem.validation([
                Problem.FieldError(field: "redact_after_days", message: "must not be later than delete_after_days: removed data cannot be redacted")
            ])
        }
        guard let tenant = try await self.tenants.setRetention(id: id, redactAfterDays: setting.redact, deleteAfterDays: setting.delete) else {
            throw Problem.notFound("No tenant has this id.")
        }
        context.logger.info(
            "tenant retention set",
            metadata: [
                "tenant_id": "\(id.apiString)", "redact_after_days": "\(setting.redact.map(String.init) ?? "-")",
                "delete_after_days": "\(setting.delete.map(String.init) ?? "-")",
            ]
        )
        return TenantRepresentation(tenant)
    }

    /// Replaces the tenant's limit overrides: each of `api`, `replay`, `retry`, `test` given as
    /// `{"per_minute": n, "burst": n}`, or absent or null for its default.
    @Sendable func setRateLimits(request: Request, context: AppRequestContext) async throws -> TenantRepresentation {
        let id = try context.parameters.uuid("tenant_id")
        guard case .object(let members) = try JSONBody.value(try await JSONBody.read(request)) else {
            throw Problem.invalidBody("The body must be a JSON object.")
        }
        var limits = TenantRateLimits()
        for member in members {
            guard let policy = RateLimitPolicy(rawValue: member.key), RateLimitPolicy.perTenant.contains(policy) else {
                throw Problem.invalidBody(field: member.key, "is not a limit; the limits are api, replay, retry and test")
            }
            if case .null = member.value { continue }
            guard case .object(let fields) = member.value else {
                throw Problem.invalidBody(field: member.key, "must be an object with per_minute and burst, or null")
            }
            let object = JSONObject(fields)
            func whole(_ name: String, _ range: ClosedRange<Int>) throws -> Int {
                guard case .number? = object[name], let value = object.integer(name), let n = Int(exactly: value), range.contains(n) else {
                    throw Problem.invalidBody(
                        field: "\(member.key).\(name)",
                        "must be a whole number from \(range.lowerBound) to \(range.upperBound)"
                    )
                }
                return n
            }
            limits.overrides[policy] = RateLimit(
                perMinute: try whole("per_minute", 1...RateLimit.maxPerMinute),
                burst: try whole("burst", 1...RateLimit.maxBurst)
            )
        }
        guard let tenant = try await self.tenants.setRateLimits(id: id, limits) else { throw Problem.notFound("No tenant has this id.") }
        context.logger.info("tenant rate limits set", metadata: ["tenant_id": "\(id.apiString)", "limits": "\(limits.json)"])
        return TenantRepresentation(tenant)
    }

    @Sendable func createKey(request: Request, context: AppRequestContext) async throws -> EditedResponse<CreatedAPIKeyRepresentation> {
        let tenantID = try context.parameters.uuid("tenant_id")
        let body = try await JSONBody.decode(NameRequest.self, from: request, context: context)
        let name = try Problem.requireName(body.name)
        guard try await self.tenants.get(id: tenantID) != nil else { throw Problem.notFound("No tenant has this id.") }
        let material = APIKeyMaterial.generate()
        let key = try await self.keys.create(tenantID: tenantID, name: name, material: material)
        context.logger.info(
            "api key issued",
            metadata: ["tenant_id": "\(tenantID.apiString)", "key_id": "\(key.id.apiString)", "prefix": "\(key.prefix)"]
        )
        return EditedResponse(
            status: .created,
            headers: [.location: "/admin/tenants/\(tenantID.apiString)/api-keys"],
            response: CreatedAPIKeyRepresentation(
                id: key.id.apiString,
                tenantId: tenantID.apiString,
                name: key.name,
                prefix: key.prefix,
                key: material.secret,
                createdAt: key.createdAt
            )
        )
    }

    @Sendable func listKeys(request: Request, context: AppRequestContext) async throws -> ListRepresentation<APIKeyRepresentation> {
        let tenantID = try context.parameters.uuid("tenant_id")
        guard try await self.tenants.get(id: tenantID) != nil else { throw Problem.notFound("No tenant has this id.") }
        let keys = try await self.keys.list(tenantID: tenantID)
        return ListRepresentation(items: keys.map(APIKeyRepresentation.init), nextCursor: nil)
    }

    @Sendable func revokeKey(request: Request, context: AppRequestContext) async throws -> APIKeyRepresentation {
        let tenantID = try context.parameters.uuid("tenant_id")
        let keyID = try context.parameters.uuid("key_id")
        guard let key = try await self.keys.revoke(tenantID: tenantID, keyID: keyID) else {
            throw Problem.notFound("This tenant has no API key with this id.")
        }
        context.logger.info(
            "api key revoked",
            metadata: ["tenant_id": "\(tenantID.apiString)", "key_id": "\(keyID.apiString)"]
        )
        return APIKeyRepresentation(key)
    }
}
