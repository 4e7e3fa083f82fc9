import Foundation
import SmsHubDomain

extension SendSimulator {
    /// `POST /v1/messages` (docs/providers.md §9.3), Basic-authenticated, one number per call here as
    /// the hub sends them. Reports go to the account's SMSHook URL, signed with its SMSHook key.
    func engageLab(headers: [String: String], body: [UInt8]) -> SimulatedAnswer {
        guard let key = self.engageLabKey(headers) else { return Self.engageLabError(401, 2001, "invalid key") }
        guard case .object(let members)? = try? JSONReader.parse(body, duplicates: .refuseDiffering) else {
            return Self.engageLabError(400, 3001, "body is not JSON")
        }
        let request = JSONObject(members)
        guard let to = request.array("to"), to.count == 1, let number = JSONObject.text(to[0]), let e164 = PhoneNumber.parse(number)?.e164,
            request.object("template")?.string("id")?.isEmpty == false
        else { return Self.engageLabError(400, 3002, "invalid parameters") }
        let tag = request.object("custom_args")?.string(EngageLabSend.tagMember)
        switch self.decide(.engagelab, defaultRefusal: "2002") {
        case .refuse(.account(let code)), .refuse(.number(let code)):
            let status = code.hasPrefix("20") ? (code == "2004" ? 403 : 401) : 400
            return Self.engageLabError(status, Int(code) ?? 3003, "simulated refusal")
        case .refuse, .error:
            return Self.engageLabError(500, 1000, "internal error")
        case .accept(let delay, let answerError, _):
            let serial = self.accept(.engagelab, key: key, number: e164)
            let messageID = String(1_972_488_990_000_000_000 + serial)
            var answer = SimulatedAnswer.json(
                200,
                ["plan_id": String(1_972_488_980_000_000_000 + serial), "total_count": 1, "accepted_count": 1, "message_id": messageID]
            )
            if answerError { answer = Self.engageLabError(502, 1000, "bad gateway") }
            answer.delay = delay
            if let account = self.account(.engagelab, key), let url = account.statusURL, let (outcome, after) = self.report(for: e164) {
                let push = ProviderPushes.engageLab(
                    smsID: messageID,
                    to: e164,
                    delivered: outcome == .delivered,
                    appKey: account.callbackKey ?? "",
                    appSecret: account.callbackSecret ?? "",
                    tag: tag
                )
                answer.pushes = self.arranged(.engagelab, [ScheduledPush(url: url, push: push, after: after)])
            }
            return answer
        }
    }

    func engageLabBalance(headers: [String: String]) -> SimulatedAnswer {
        guard let key = self.engageLabKey(headers), let account = self.account(.engagelab, key) else {
            return Self.engageLabError(401, 2001, "invalid key")
        }
        let units = account.balance * 10_000
        return .json(200, ["balance10000": units, "gift_balance10000": 0, "total_balance10000": units])
    }

    private func engageLabKey(_ headers: [String: String]) -> String? {
        guard let header = headers["authorization"], header.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) })
        else { return nil }
        let parts = decoded.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let account = self.account(.engagelab, parts[0]), account.secret == parts[1] else { return nil }
        return parts[0]
    }

    static func engageLabError(_ status: Int, _ code: Int, _ message: String) -> SimulatedAnswer {
        .json(status, ["code": code, "message": message])
    }
}
