import Foundation
import Hummingbird
import SmsHubDomain

/// `POST /v1/provider-accounts/{id}/balance/refresh`: ask the Gateway for the balance now.
struct BalanceRoutes {
    let poller: GatewayPoller

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.post("provider-accounts/:account_id/balance/refresh", use: self.refresh)
    }

    struct BalanceRepresentation: ResponseEncodable {
        var providerAccountId: String
        var balance: Decimal
        var payment: String?
        var observedAt: Date
    }

    @Sendable func refresh(request: Request, context: TenantRequestContext) async throws -> BalanceRepresentation {
        let id = try context.parameters.uuid("account_id")
        guard let account = try await self.poller.accounts.get(tenantID: context.tenant.tenantID, id: id) else {
            throw Problem.notFound("No provider account has this id.")
        }
        guard account.provider == .gateway else {
            throw Problem.validation([.init(field: "account_id", message: "balances can be polled from gateway accounts only")])
        }
        do {
            let snapshot = try await self.poller.refreshBalance(tenantID: context.tenant.tenantID, accountID: id)
            return BalanceRepresentation(
                providerAccountId: id.uuidString.lowercased(), balance: snapshot.balance, payment: snapshot.payment, observedAt: snapshot.observedAt
            )
        } catch let failure as GatewayClient.Failure {
            throw Problem(.badGateway, code: "gateway_unavailable", title: "Gateway unavailable", detail: failure.description)
        } catch let failure as GatewayPoller.PollError {
            throw Problem(.badGateway, code: "gateway_unavailable", title: "Gateway refused", detail: failure.description)
        }
    }
}
