import Foundation
import SmsHubDomain

extension OutboundCaller {
    /// SUBMAIL's own clock, which every signed call must carry within 6 s of it: read before each
    /// send or balance call. nil when SUBMAIL answered without a readable time.
    func submailClock(tenantID: UUID, accountID: UUID, baseURL: String) async throws(OutboundCallFailure) -> Int64? {
        let answer = try await self.exchange(
            tenantID: tenantID,
            accountID: accountID,
            baseURL: baseURL,
            kind: "submail_timestamp",
            SubmailSend.timestampRequest
        )
        guard answer.status == 200 else { return nil }
        return SubmailSend.timestamp(answer.body)
    }
}
