import Logging
import ServiceLifecycle
import SmsHubDomain

/// Every `interval`, marks the endpoints failing with too many deliveries pending, so that new
/// changes stop being queued for them, and clears the marks of those that recovered (migration
/// 0029). One tenant's dead URL then holds at most the cap of pending rows, not every change for days.
struct WebhookBacklogMonitor: Service {
    let repository: any WebhookDeliveryRepository
    let logger: Logger
    var interval: Duration = .seconds(10)
    var cap = WebhookEndpointRules.maxPendingWhileFailing

    func run() async throws {
        await runPasses(every: self.interval, logger: self.logger, failure: "webhook backlog check failed") {
            _ = try await self.runOnce()
        }
    }

    @discardableResult
    func runOnce() async throws -> [WebhookBacklogChange] {
        let changes = try await self.repository.markBacklogs(cap: self.cap)
        for change in changes {
            let metadata: Logger.Metadata = ["tenant.id": "\(change.tenantID.apiString)", "endpoint.id": "\(change.endpointID.apiString)"]
            if change.backlogged {
                self.logger.warning("webhook endpoint backlogged: new changes are not queued for it until it succeeds", metadata: metadata)
            } else {
                self.logger.notice("webhook endpoint no longer backlogged", metadata: metadata)
            }
        }
        return changes
    }
}
