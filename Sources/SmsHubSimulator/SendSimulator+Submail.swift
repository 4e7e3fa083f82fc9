import Cryptography
import Foundation
import SmsHubDomain

extension SendSimulator {
    /// `/sms/send`, `/sms/xsend`, `/sms/multisend`, `/sms/multixsend` (docs/providers.md §9.1),
    /// signed in digest mode and within 6 s of the simulator's clock.
    func submail(path: String, fields: [String: String], now: Date) -> SimulatedAnswer {
        if let refusal = self.submailAuthentication(fields, now: now) { return refusal }
        let appID = fields["appid"] ?? ""
        var numbers: [String] = []
        switch path {
        case "/sms/send", "/sms/xsend":
            guard let to = fields["to"], !to.isEmpty else { return Self.submailError("202", "to is missing") }
            numbers = [to]
        default:
            guard let multi = fields["multi"], case .array(let entries)? = try? JSONReader.parse(Array(multi.utf8), duplicates: .refuseDiffering),
                !entries.isEmpty, entries.count <= 200
            else { return Self.submailError("413", "multi is malformed") }
            for case .object(let members) in entries {
                numbers.append(JSONObject(members).string("to") ?? "")
            }
        }
        guard (fields["tag"] ?? "").utf8.count <= 32 else { return Self.submailError("310", "tag is longer than 32 characters") }
        let isList = path.hasPrefix("/sms/multi")
        switch self.decide(.submail, defaultRefusal: "903") {
        case .refuse(.number(let code)) where isList:
            return .json(200, numbers.map { _ in ["status": "error", "code": code, "msg": "simulated refusal"] })
        case .refuse(.account(let code)), .refuse(.number(let code)):
            return Self.submailError(code, "simulated refusal")
        case .refuse, .error:
            return SimulatedAnswer(status: 500, body: Array("simulated failure".utf8))
        case .accept(let delay, let answerError, let partial):
            var elements: [[String: Any]] = []
            var pushes: [ScheduledPush] = []
            for (index, national) in numbers.enumerated() {
                guard let e164 = PhoneNumber.parse(national)?.e164, SubmailSend.destination(e164) == national, !(partial && index > 0) else {
                    elements.append(["status": "error", "code": index > 0 && partial ? "115" : "202", "msg": "simulated"])
                    continue
                }
                let sendID = Self.hexID(self.accept(.submail, key: appID, number: e164))
                elements.append(["status": "success", "send_id": sendID, "fee": 1, "to": national])
                pushes += self.submailReports(appID: appID, sendID: sendID, national: national, e164: e164, tag: fields["tag"])
            }
            var answer: SimulatedAnswer = isList ? .json(200, elements) : .json(200, elements[0])
            if answerError { answer = SimulatedAnswer(status: 502, body: Array("bad gateway".utf8)) }
            answer.delay = delay
            answer.pushes = pushes
            return answer
        }
    }

    func submailBalance(fields: [String: String], now: Date) -> SimulatedAnswer {
        if let refusal = self.submailAuthentication(fields, now: now) { return refusal }
        let balance = self.account(.submail, fields["appid"] ?? "")?.balance ?? 0
        return .json(200, ["status": "success", "balance": String(balance), "transactional_balance": "0"])
    }

    private func submailAuthentication(_ fields: [String: String], now: Date) -> SimulatedAnswer? {
        guard let appID = fields["appid"], let account = self.account(.submail, appID) else { return Self.submailError("101", "unknown appid") }
        guard let text = fields["timestamp"], let stamp = Int64(text) else { return Self.submailError("151", "timestamp is malformed") }
        guard abs(Int64(now.timeIntervalSince1970) - stamp) <= 6 else { return Self.submailError("152", "timestamp is stale") }
        guard let signType = SubmailSend.SignType(rawValue: fields["sign_type"] ?? "") else { return Self.submailError("104", "sign_type") }
        let expected = SubmailSend.signature(
            fields.map { ($0.key, $0.value) },
            credentials: SubmailSend.Credentials(appID: appID, appKey: account.secret),
            signType: signType
        )
        guard fields["signature"] == expected else { return Self.submailError("106", "signature does not verify") }
        return nil
    }

    private func submailReports(appID: String, sendID: String, national: String, e164: String, tag: String?) -> [ScheduledPush] {
        guard let account = self.account(.submail, appID), let url = account.statusURL, let (outcome, after) = self.report(for: e164) else {
            return []
        }
        let key = account.callbackSecret ?? ""
        let final = ProviderPushes.submail(
            sendID: sendID,
            address: national,
            event: outcome == .delivered ? "delivered" : "dropped",
            subhookKey: key,
            tag: tag
        )
        let sending = ProviderPushes.submail(sendID: sendID, address: national, event: "sending", subhookKey: key, tag: tag)
        return self.arranged(.submail, [ScheduledPush(url: url, push: sending, after: after), ScheduledPush(url: url, push: final, after: after)])
    }

    static func submailError(_ code: String, _ message: String) -> SimulatedAnswer {
        .json(200, ["status": "error", "code": code, "msg": message])
    }

    static func hexID(_ serial: Int) -> String {
        Hex.encode(withUnsafeBytes(of: UInt64(serial).bigEndian) { Array($0) }) + Hex.encode(SecureRandom.bytes(8))
    }

    /// Reports as a queued push fault wants them: twice each, or final first.
    func arranged(_ provider: Provider, _ pushes: [ScheduledPush]) -> [ScheduledPush] {
        switch self.takePushFault(provider) {
        case .duplicate?: pushes.flatMap { [$0, $0] }
        case .reorder?: pushes.reversed()
        default: pushes
        }
    }
}
