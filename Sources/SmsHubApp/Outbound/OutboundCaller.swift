import Foundation
import Logging
import SmsHubDomain

/// Every call to a tenant's provider goes through here: the client (egress policy, one deadline), then
/// the account's circuit breaker and the metrics. Shared by the dispatcher, the pollers and the
/// balance refresh, so they agree on when an account is failing.
struct OutboundCaller: Sendable {
    let client: GatewayClient
    let health: any OutboundHealthRepository
    var breaker = CircuitBreaker()
    let metrics: ServiceMetrics
    let logger: Logger

    func call(
        tenantID: UUID,
        accountID: UUID,
        baseURL: String,
        _ call: GatewayAPI.Call,
        credentials: GatewayAPI.Credentials,
        send: GatewayAPI.SendRequest? = nil
    ) async throws(GatewayClient.Failure) -> GatewayAPI.Envelope {
        let kind = Self.kind(call)
        do {
            let envelope = try await self.client.call(
                baseURL: baseURL,
                tenantID: tenantID,
                accountID: accountID,
                call,
                credentials: credentials,
                send: send
            )
            self.metrics.recordOutboundCall(kind: kind, outcome: envelope.isSuccess ? "ok" : "refused")
            await self.recordSuccess(tenantID: tenantID, accountID: accountID)
            return envelope
        } catch {
            self.metrics.recordOutboundCall(kind: kind, outcome: error.outbound.rawValue)
            await self.recordFailure(tenantID: tenantID, accountID: accountID, error.outbound)
            throw error
        }
    }

    /// One exchange with a provider that has no idempotency key (SUBMAIL, Huawei, EngageLab): the
    /// answer's status and body, whatever they are, for its adapter to read. A 5xx counts against the
    /// account's circuit as an unreachable provider does.
    func exchange(
        tenantID: UUID,
        accountID: UUID,
        baseURL: String,
        kind: String,
        _ request: ProviderRequest
    ) async throws(OutboundCallFailure) -> ProviderClient.Response {
        do {
            let response = try await self.client.provider.exchange(baseURL: baseURL, tenantID: tenantID, accountID: accountID, request)
            if response.status >= 500 {
                self.metrics.recordOutboundCall(kind: kind, outcome: OutboundFailure.httpStatus.rawValue)
                await self.recordFailure(tenantID: tenantID, accountID: accountID, .httpStatus)
            } else {
                self.metrics.recordOutboundCall(kind: kind, outcome: "answered")
                await self.recordSuccess(tenantID: tenantID, accountID: accountID)
            }
            return response
        } catch {
            self.metrics.recordOutboundCall(kind: kind, outcome: error.outbound.rawValue)
            await self.recordFailure(tenantID: tenantID, accountID: accountID, error.outbound)
            throw error
        }
    }

    private func recordFailure(tenantID: UUID, accountID: UUID, _ failure: OutboundFailure) async {
        let account = accountID.apiString
        do {
            let health = try await self.health.recordFailure(tenantID: tenantID, accountID: accountID, failure: failure, breaker: self.breaker)
            if health.isPaused() {
                self.metrics.recordCircuit(account: account, paused: true)
                self.logger.warning(
                    "provider account paused after failed calls",
                    metadata: ["account_id": "\(account)", "failures": "\(health.consecutiveFailures)", "reason": "\(failure.rawValue)"]
                )
            }
        } catch {
            self.logger.error(
                "could not record a failed provider call",
                metadata: ["account_id": "\(account)", "error.type": "\(type(of: error))"]
            )
        }
    }

    private func recordSuccess(tenantID: UUID, accountID: UUID) async {
        do {
            try await self.health.recordSuccess(tenantID: tenantID, accountID: accountID)
            self.metrics.recordCircuit(account: accountID.apiString, paused: false)
        } catch {
            self.logger.error(
                "could not record a provider call",
                metadata: ["account_id": "\(accountID.apiString)", "error.type": "\(type(of: error))"]
            )
        }
    }

    static func kind(_ call: GatewayAPI.Call) -> String {
        switch call {
        case .send: "send"
        case .report: "report"
        case .mo: "mo"
        case .balance: "balance"
        }
    }
}
