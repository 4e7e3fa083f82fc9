import Foundation
import SmsHubDomain

extension SendSimulator {
    /// `POST /sms/batchSendSms/v1` (docs/providers.md §9.2), authenticated by X-WSSE with a Created
    /// time within a day of the simulator's clock. Reports go to the call's `statusCallback`.
    func huawei(headers: [String: String], fields: [String: String], now: Date) -> SimulatedAnswer {
        guard let wsse = Self.wsse(headers["x-wsse"] ?? ""), let account = self.account(.huawei, wsse["Username"] ?? "") else {
            return Self.huaweiError(401, "E000102", "Invalid app_key.")
        }
        guard let nonce = wsse["Nonce"], let created = wsse["Created"], let digest = wsse["PasswordDigest"],
            digest == HuaweiSend.passwordDigest(nonce: nonce, created: created, secret: account.secret)
        else { return Self.huaweiError(401, "E000101", "Authentication failed.") }
        guard let at = RFC3339.parse(created), abs(at.timeIntervalSince(now)) <= 24 * 3600 else {
            return Self.huaweiError(401, "E000110", "Created is out of range.")
        }
        let numbers = (fields["to"] ?? "").split(separator: ",").map(String.init)
        guard !numbers.isEmpty, numbers.count <= HuaweiSend.maxNumbersPerCall,
            numbers.allSatisfy({ $0.utf8.count <= 21 && $0.utf8.allSatisfy { ASCIIDigits.isDigit($0) || $0 == UInt8(ascii: "+") } })
        else { return Self.huaweiError(400, "E000503", "Parameter format error.") }
        guard let from = fields["from"], !from.isEmpty, fields["templateId"]?.isEmpty == false else {
            return Self.huaweiError(400, "E000503", "Parameter format error.")
        }
        let appKey = wsse["Username"] ?? ""
        switch self.decide(.huawei, defaultRefusal: "E000112") {
        case .refuse(.account(let code)) where !code.hasPrefix("E2"):
            return Self.huaweiError(400, code, "simulated refusal")
        case .refuse(.account(let code)), .refuse(.number(let code)):
            return .json(
                200,
                ["code": "000000", "description": "Success", "result": numbers.map { ["originTo": $0, "from": from, "status": code] }]
            )
        case .refuse, .error:
            return Self.huaweiError(500, "E000500", "System error.")
        case .accept(let delay, let answerError, let partial):
            var result: [[String: Any]] = []
            var pushes: [ScheduledPush] = []
            for (index, number) in numbers.enumerated() {
                guard let e164 = PhoneNumber.parse(number)?.e164, !(partial && index > 0) else {
                    result.append(["originTo": number, "from": from, "status": "E200099"])
                    continue
                }
                let id = "\(UUID().uuidString.lowercased())_\(self.accept(.huawei, key: appKey, number: e164))"
                result.append(["originTo": number, "from": from, "smsMsgId": id, "status": "000000", "createTime": RFC3339.format(now)])
                if let url = fields["statusCallback"], let (outcome, after) = self.report(for: e164) {
                    let status = outcome == .delivered ? "DELIVRD" : outcome == .refused ? "MBBLACK" : "UNDELIV"
                    let extend = fields["extend"].map { (tag: $0, to: number) }
                    pushes.append(ScheduledPush(url: url, push: ProviderPushes.huawei(smsMsgID: id, status: status, extend: extend), after: after))
                }
            }
            var answer = SimulatedAnswer.json(200, ["code": "000000", "description": "Success", "result": result])
            if answerError { answer = Self.huaweiError(502, "E000500", "Bad gateway.") }
            answer.delay = delay
            answer.pushes = self.arranged(.huawei, pushes)
            return answer
        }
    }

    static func huaweiError(_ status: Int, _ code: String, _ description: String) -> SimulatedAnswer {
        .json(status, ["code": code, "description": description])
    }

    /// `UsernameToken Username="…",PasswordDigest="…",Nonce="…",Created="…"`.
    static func wsse(_ header: String) -> [String: String]? {
        guard header.hasPrefix("UsernameToken ") else { return nil }
        var values: [String: String] = [:]
        for pair in header.dropFirst("UsernameToken ".count).split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[1].hasPrefix("\""), parts[1].hasSuffix("\""), parts[1].count >= 2 else { return nil }
            values[String(parts[0])] = String(parts[1].dropFirst().dropLast())
        }
        return values
    }
}
