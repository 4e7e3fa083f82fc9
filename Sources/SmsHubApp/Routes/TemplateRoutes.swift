import Foundation
import Hummingbird
import Logging
import NIOCore
import SmsHubDomain

/// `/v1/templates`: hub templates a send names instead of raw content, and each account's own
/// template for them.
struct TemplateRoutes {
    let templates: any TemplateRepository
    let service: TemplateService

    init(templates: any TemplateRepository, accounts: any ProviderAccountRepository) {
        self.templates = templates
        self.service = TemplateService(templates: templates, accounts: accounts)
    }

    static let maxMappingSize = 16 * 1024

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.post("templates", use: self.create)
        group.get("templates", use: self.list)
        group.get("templates/:template_id", use: self.get)
        group.delete("templates/:template_id", use: self.delete)
        group.put("templates/:template_id/mappings/:account_id", use: self.map)
        group.delete("templates/:template_id/mappings/:account_id", use: self.unmap)
    }

    struct CreateRequest: Decodable {
        var name: String
        var category: String
        var body: String
    }

    @Sendable func create(request: Request, context: TenantRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(CreateRequest.self, from: request, context: context)
        let template = try await Self.answering {
            try await self.service.create(tenantID: context.tenant.tenantID, name: body.name, category: body.category, body: body.body)
        }
        context.logger.info("template created", metadata: ["template_id": "\(template.id.apiString)"])
        var response = MessageJSON.response(TemplateJSON.write(template))
        response.status = .created
        response.headers[.location] = "/v1/templates/\(template.id.apiString)"
        return response
    }

    @Sendable func list(request: Request, context: TenantRequestContext) async throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        let all = try await self.templates.list(tenantID: context.tenant.tenantID)
        var json = JSONWriter(capacity: 256 * max(1, all.count))
        json.object { json in
            json.key("items")
            json.array { json in
                for template in all { TemplateJSON.write(template, into: &json) }
            }
            json.key("next_cursor")
            json.null()
        }
        return MessageJSON.response(json)
    }

    @Sendable func get(request: Request, context: TenantRequestContext) async throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        return MessageJSON.response(TemplateJSON.write(try await self.template(context)))
    }

    /// Messages already accepted keep their text; those not yet sent through a provider that needs the
    /// template fail over as if the account had no mapping.
    @Sendable func delete(request: Request, context: TenantRequestContext) async throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        let id = try context.parameters.uuid("template_id")
        guard try await self.templates.delete(tenantID: context.tenant.tenantID, id: id) else { throw Problem.notFound("No template has this id.") }
        context.logger.info("template deleted", metadata: ["template_id": "\(id.apiString)"])
        return Response(status: .noContent)
    }

    @Sendable func map(request: Request, context: TenantRequestContext) async throws -> Response {
        let templateID = try context.parameters.uuid("template_id")
        let accountID = try context.parameters.uuid("account_id")
        let value = try JSONBody.value(try await JSONBody.read(request, limit: Self.maxMappingSize))
        let template = try await Self.answering {
            try await self.service.map(tenantID: context.tenant.tenantID, templateID: templateID, accountID: accountID, value)
        }
        context.logger.info("template mapped", metadata: ["template_id": "\(templateID.apiString)", "account_id": "\(accountID.apiString)"])
        return MessageJSON.response(TemplateJSON.write(template))
    }

    @Sendable func unmap(request: Request, context: TenantRequestContext) async throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        let templateID = try context.parameters.uuid("template_id")
        let accountID = try context.parameters.uuid("account_id")
        guard try await self.templates.removeMapping(tenantID: context.tenant.tenantID, templateID: templateID, accountID: accountID) else {
            throw Problem.notFound("This template has no mapping for this account.")
        }
        return Response(status: .noContent)
    }

    func template(_ context: TenantRequestContext) async throws -> Template {
        guard let template = try await self.templates.get(tenantID: context.tenant.tenantID, id: try context.parameters.uuid("template_id")) else {
            throw Problem.notFound("No template has this id.")
        }
        return template
    }

    static func answering<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let failure as TemplateService.Failure {
            switch failure {
            case .invalid(let problems): throw Problem.validation(problems)
            case .nameTaken: throw Problem(.conflict, code: "name_taken", title: "Name taken", detail: "The tenant has a template of this name.")
            case .tooManyTemplates:
                throw Problem(
                    .conflict,
                    code: "too_many_templates",
                    title: "Too many templates",
                    detail: "A tenant has at most \(TemplateService.maxTemplatesPerTenant) templates."
                )
            case .notFound: throw Problem.notFound("No template or provider account has this id.")
            }
        }
    }
}

/// A template as the API shows it: its mappings keyed by account id.
enum TemplateJSON {
    static func write(_ template: Template) -> JSONWriter {
        var json = JSONWriter(capacity: 512)
        self.write(template, into: &json)
        return json
    }

    static func write(_ template: Template, into json: inout JSONWriter) {
        json.object { json in
            json.key("id")
            json.uuid(template.id)
            json.field("name", template.name)
            json.field("category", template.category.rawValue)
            json.field("body", template.body.text)
            json.key("variables")
            json.array { json in
                for name in template.body.variables { json.string(name) }
            }
            json.key("mappings")
            json.object { json in
                for (accountID, mapping) in template.mappings.sorted(by: { $0.key.apiString < $1.key.apiString }) {
                    json.key(accountID.apiString)
                    mapping.write(into: &json)
                }
            }
            json.key("created_at")
            json.time(template.createdAt)
        }
    }
}
