import Foundation
import Hummingbird
import SmsHubDomain

/// Balances: the latest of each account, one account's history, and a balance read on demand.
struct BalanceRoutes {
    let refresh: RefreshBalance
    let queries: any QueryRepository
    let cursors: PageCursorCodec

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("balances", use: self.latest)
        group.get("provider-accounts/:account_id/balances", use: self.history)
        group.post("provider-accounts/:account_id/balance/refresh", use: self.refreshNow)
    }

    struct LatestBalances: ResponseEncodable {
        var items: [BalanceRecordRepresentation]
    }

    @Sendable func latest(request: Request, context: TenantRequestContext) async throws -> LatestBalances {
        _ = try QueryParameters(request, allowed: [])
        let balances = try await self.queries.latestBalances(tenantID: context.tenant.tenantID)
        return LatestBalances(items: balances.map(BalanceRecordRepresentation.init))
    }

    static let historyParameters: Set<String> = QueryParameters.pagination.union(["from", "to"])

    @Sendable func history(request: Request, context: TenantRequestContext) async throws -> ListRepresentation<BalanceRecordRepresentation> {
        let query = try QueryParameters(request, allowed: Self.historyParameters)
        let id = try context.parameters.uuid("account_id")
        let range = try query.timeRange()
        let pages = try query.pagination(self.cursors, scope: PageCursorCodec.scope(tenant: context.tenant.tenantID, list: "balances"))
        guard
            let page = try await self.queries.balances(
                tenantID: context.tenant.tenantID,
                accountID: id,
                observed: range,
                limit: pages.limit,
                cursor: pages.cursor
            )
        else {
            throw Problem.notFound("No provider account has this id.")
        }
        return ListRepresentation(page, pages, BalanceRecordRepresentation.init)
    }

    struct BalanceRepresentation: ResponseEncodable {
        var providerAccountId: String
        var balance: Decimal
        var payment: String?
        var observedAt: Date
    }

    @Sendable func refreshNow(request: Request, context: TenantRequestContext) async throws -> BalanceRepresentation {
        let id = try context.parameters.uuid("account_id")
        let snapshot: BalanceSnapshot
        do {
            snapshot = try await self.refresh(tenantID: context.tenant.tenantID, accountID: id)
        } catch let failure as RefreshBalance.Failure {
            switch failure {
            case .notFound: throw Problem.notFound("No provider account has this id.")
            case .incomplete(let problems): throw Problem.validation(problems)
            case .noBalanceAPI:
                throw Problem.validation([.init(field: "account_id", message: "the account's provider has no balance API (Huawei MSGSMS)")])
            case .disabled:
                throw Problem(
                    .conflict,
                    code: "account_disabled",
                    title: "Account disabled",
                    detail: "A disabled account calls no provider; enable it to refresh its balance."
                )
            case .unreachable(let why): throw Problem(.badGateway, code: "gateway_unavailable", title: "Gateway unavailable", detail: why)
            case .refused(let why): throw Problem(.badGateway, code: "gateway_unavailable", title: "Gateway refused", detail: why)
            }
        }
        return BalanceRepresentation(
            providerAccountId: id.apiString,
            balance: snapshot.balance,
            payment: snapshot.payment,
            observedAt: snapshot.observedAt
        )
    }
}
