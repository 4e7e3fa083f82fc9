import Foundation
import Hummingbird
import Logging
import SmsHubDomain

/// `/v1/routes`: the orders of accounts a send fails over along (decision 0019).
struct SendRouteRoutes {
    let routes: any RouteRepository
    let service: RouteService

    init(routes: any RouteRepository, accounts: any ProviderAccountRepository) {
        self.routes = routes
        self.service = RouteService(routes: routes, accounts: accounts)
    }

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.post("routes", use: self.create)
        group.get("routes", use: self.list)
        group.get("routes/:route_id", use: self.get)
        group.delete("routes/:route_id", use: self.delete)
    }

    struct CreateRequest: Decodable {
        var name: String
        var accounts: [UUID]
        var isDefault: Bool?
    }

    @Sendable func create(request: Request, context: TenantRequestContext) async throws -> EditedResponse<SendRouteRepresentation> {
        let body = try await JSONBody.decode(CreateRequest.self, from: request, context: context)
        let route: SendRoute
        do {
            route = try await self.service.create(
                tenantID: context.tenant.tenantID,
                name: body.name,
                accountIDs: body.accounts,
                isDefault: body.isDefault ?? false
            )
        } catch let failure as RouteService.Failure {
            switch failure {
            case .invalid(let problems): throw Problem.validation(problems)
            case .nameTaken: throw Problem(.conflict, code: "name_taken", title: "Name taken", detail: "The tenant has a route of this name.")
            case .defaultTaken:
                throw Problem(.conflict, code: "default_taken", title: "Default taken", detail: "Another route is the tenant's default.")
            case .tooManyRoutes:
                throw Problem(
                    .conflict,
                    code: "too_many_routes",
                    title: "Too many routes",
                    detail: "A tenant has at most \(RouteService.maxRoutesPerTenant) routes."
                )
            }
        }
        context.logger.info("route created", metadata: ["route_id": "\(route.id.apiString)"])
        return EditedResponse(
            status: .created,
            headers: [.location: "/v1/routes/\(route.id.apiString)"],
            response: SendRouteRepresentation(route)
        )
    }

    @Sendable func list(request: Request, context: TenantRequestContext) async throws -> ListRepresentation<SendRouteRepresentation> {
        _ = try QueryParameters(request, allowed: [])
        // At most `maxRoutesPerTenant`: one page.
        return ListRepresentation(
            items: try await self.routes.list(tenantID: context.tenant.tenantID).map(SendRouteRepresentation.init),
            nextCursor: nil
        )
    }

    @Sendable func get(request: Request, context: TenantRequestContext) async throws -> SendRouteRepresentation {
        _ = try QueryParameters(request, allowed: [])
        guard let route = try await self.routes.get(tenantID: context.tenant.tenantID, id: try context.parameters.uuid("route_id")) else {
            throw Problem.notFound("No route has this id.")
        }
        return SendRouteRepresentation(route)
    }

    /// Messages already accepted keep the accounts they were accepted with.
    @Sendable func delete(request: Request, context: TenantRequestContext) async throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        let id = try context.parameters.uuid("route_id")
        guard try await self.routes.delete(tenantID: context.tenant.tenantID, id: id) else { throw Problem.notFound("No route has this id.") }
        context.logger.info("route deleted", metadata: ["route_id": "\(id.apiString)"])
        return Response(status: .noContent)
    }
}

struct SendRouteRepresentation: ResponseEncodable {
    var id: String
    var name: String
    var accounts: [String]
    var isDefault: Bool
    var createdAt: Date

    init(_ route: SendRoute) {
        self.id = route.id.apiString
        self.name = route.name
        self.accounts = route.accountIDs.map(\.apiString)
        self.isDefault = route.isDefault
        self.createdAt = route.createdAt
    }
}
