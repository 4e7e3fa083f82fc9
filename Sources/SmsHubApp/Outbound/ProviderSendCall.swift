import Cryptography
import Foundation
import SmsHubDomain

/// One send through a SUBMAIL, Huawei or EngageLab account: the adapter builds the request, the caller
/// makes the exchange once, the adapter reads every number's outcome (decision 0019). A call that
/// never left the hub (the egress policy refused it, SUBMAIL's clock could not be read) refuses for
/// the account, since nothing was sent; a call that left and got no readable answer is unknown.
struct ProviderSendCall: Sendable {
    let caller: OutboundCaller
    var now: @Sendable () -> Date = { Date() }

    struct Target: Sendable {
        var tenantID: UUID
        var accountID: UUID
        var account: SendingAccount
    }

    /// One outcome per number of `numbers` (E.164), in their order. `tag` names the call in the
    /// provider's callbacks; `statusCallback` is the account's callback URL (Huawei takes it per call).
    func send(_ target: Target, numbers: [String], content: ProviderContent, tag: String, statusCallback: String?) async -> [NumberOutcome] {
        switch (target.account.credentials, content) {
        case (.submail(let credentials), .submail(let text)):
            return await self.submail(target, credentials, numbers: numbers, content: text, tag: tag)
        case (.huawei(let credentials), .huawei(let template, let parameters)):
            let request = HuaweiSend.send(
                to: numbers,
                template: template,
                parameters: parameters,
                statusCallback: statusCallback,
                tag: tag,
                credentials: credentials,
                nonce: HuaweiSend.nonce(),
                created: self.now()
            )
            return await self.exchange(target, kind: "huawei_send", request, count: numbers.count) {
                HuaweiSend.outcomes(status: $0.status, body: $0.body, numbers: numbers)
            }
        case (.engageLab(let credentials), .engageLab(let templateID, let parameters)):
            // One number per call: the answer does not say which of several it refused.
            var outcomes: [NumberOutcome] = []
            for number in numbers {
                let request = EngageLabSend.send(to: number, templateID: templateID, parameters: parameters, tag: tag, credentials: credentials)
                outcomes += await self.exchange(target, kind: "engagelab_send", request, count: 1) {
                    [EngageLabSend.outcome(status: $0.status, body: $0.body)]
                }
            }
            return outcomes
        default:
            return Self.refused(numbers.count, code: "template_not_mapped", message: "the content is not in this provider's form")
        }
    }

    private func submail(
        _ target: Target,
        _ credentials: SubmailSend.Credentials,
        numbers: [String],
        content: SubmailSend.Content,
        tag: String
    ) async -> [NumberOutcome] {
        // Numbers outside the mainland are refused for this account (another on the route may take
        // them); the call carries the others.
        let destinations = numbers.map(SubmailSend.destination)
        let national = destinations.compactMap { $0 }
        var called = national.isEmpty ? [] : await self.submailMainland(target, credentials, national: national, content: content, tag: tag)
        called.reverse()
        return destinations.map { destination in
            destination == nil
                ? .refusedForAccount(Refusal(code: "unsupported_destination", message: "SUBMAIL's domestic API takes mainland numbers only"))
                : called.popLast() ?? .unknown(reason: "the provider's answer did not cover this number")
        }
    }

    private func submailMainland(
        _ target: Target,
        _ credentials: SubmailSend.Credentials,
        national: [String],
        content: SubmailSend.Content,
        tag: String
    ) async -> [NumberOutcome] {
        let clock: Int64?
        do {
            clock = try await self.caller.submailClock(tenantID: target.tenantID, accountID: target.accountID, baseURL: target.account.baseURL)
        } catch {
            return Self.refused(national.count, code: "timestamp_unavailable", message: error.outbound.description)
        }
        guard let timestamp = clock else {
            return Self.refused(national.count, code: "timestamp_unavailable", message: "SUBMAIL's clock could not be read")
        }
        let request = SubmailSend.send(to: national, content: content, tag: tag, timestamp: timestamp, credentials: credentials)
        return await self.exchange(target, kind: "submail_send", request, count: national.count) {
            SubmailSend.outcomes(status: $0.status, body: $0.body, numbers: national)
        }
    }

    private func exchange(
        _ target: Target,
        kind: String,
        _ request: ProviderRequest,
        count: Int,
        read: (ProviderClient.Response) -> [NumberOutcome]
    ) async -> [NumberOutcome] {
        do {
            let response = try await self.caller.exchange(
                tenantID: target.tenantID,
                accountID: target.accountID,
                baseURL: target.account.baseURL,
                kind: kind,
                request
            )
            return read(response)
        } catch .egress(let refusal) where refusal != .lookupFailed {
            // Refused before any connection: nothing left the hub.
            return Self.refused(count, code: "egress_refused", message: "the provider URL \(refusal)")
        } catch .egress {
            return Self.refused(count, code: "unreachable", message: "the provider's name could not be resolved")
        } catch {
            return NumberOutcome.unknown(count, reason: error.description)
        }
    }

    private static func refused(_ count: Int, code: String, message: String) -> [NumberOutcome] {
        Array(repeating: .refusedForAccount(Refusal(code: code, message: message)), count: count)
    }
}
