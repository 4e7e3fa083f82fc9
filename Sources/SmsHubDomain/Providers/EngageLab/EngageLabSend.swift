import Foundation

/// Sending through EngageLab (docs/providers.md, "Sending through EngageLab"): `/v1/messages` with a
/// template, Basic authentication, one number per call, since an answer for several numbers does not
/// say which it refused and failover needs to know.
public enum EngageLabSend {
    package struct Credentials: Sendable {
        package var devKey: String
        package var devSecret: String

        package init(devKey: String, devSecret: String) {
            self.devKey = devKey
            self.devSecret = devSecret
        }
    }

    /// The member of `custom_args` that carries the attempt's tag back in status reports and replies.
    package static let tagMember = "smshub_attempt"

    /// A send to one number (E.164, with its plus) of the approved template `templateID`.
    package static func send(
        to number: String,
        templateID: String,
        parameters: [String: String],
        tag: String,
        credentials: Credentials
    ) -> ProviderRequest {
        var body = JSONWriter()
        body.object { object in
            object.key("to")
            object.array { $0.string(number) }
            object.key("template")
            object.object { template in
                template.key("id")
                template.string(templateID)
                template.key("params")
                template.object { list in
                    for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
                        list.key(name)
                        list.string(value)
                    }
                }
            }
            object.key("custom_args")
            object.object { arguments in
                arguments.key(Self.tagMember)
                arguments.string(tag)
            }
        }
        return ProviderRequest(
            method: .post,
            path: "/v1/messages",
            headers: [HeaderField("Content-Type", "application/json"), Self.authorization(credentials)],
            body: body.bytes
        )
    }

    package static func balanceRequest(_ credentials: Credentials) -> ProviderRequest {
        ProviderRequest(method: .get, path: "/v1/balance", headers: [Self.authorization(credentials)], body: [])
    }

    /// `Basic base64(dev_key:dev_secret)`: the API key pair, not the SMSHook secret.
    package static func authorization(_ credentials: Credentials) -> HeaderField {
        HeaderField("Authorization", "Basic " + Data((credentials.devKey + ":" + credentials.devSecret).utf8).base64EncodedString())
    }

    public static func outcome(status: Int, body: [UInt8]) -> NumberOutcome {
        if let lost = ProviderAnswer.lost(status: status) { return .unknown(reason: lost) }
        guard case .object(let members)? = try? JSONReader.parse(body, duplicates: .refuseDiffering) else {
            return ProviderAnswer.unreadable(status: status, count: 1)[0]
        }
        let answer = JSONObject(members)
        // A non-zero code is an error in a 200 too.
        if let code = answer.string("code"), code != "0" {
            return Self.codes.outcome(code: code, message: answer.string("message"))
        }
        guard (200...299).contains(status) else { return ProviderAnswer.unreadable(status: status, count: 1)[0] }
        switch answer.integer("accepted_count") {
        case 0?:
            // Refused without a code; the reason comes, if at all, as a delivered_failed callback.
            return .refusedForNumber(Refusal(code: "not_accepted", message: nil))
        case nil where answer.string("plan_id") == nil:
            return .unknown(reason: "the answer neither counts nor names the message")
        default:
            return .accepted(providerID: ProviderMessageID.bounded(answer.string("message_id")), segments: nil)
        }
    }

    /// `/v1/balance`: money × 10,000 as integers (the float twins would round).
    package static func balance(_ body: [UInt8]) -> ProviderBalance? {
        guard case .object(let members)? = try? JSONReader.parse(body, duplicates: .refuseDiffering) else { return nil }
        let answer = JSONObject(members)
        guard let units = answer.integer("total_balance10000") ?? answer.integer("balance10000") else { return nil }
        return ProviderBalance(amount: Decimal(units) / 10_000, raw: answer.canonicalText)
    }

    /// docs/providers.md, EngageLab's classes; 1000 is its own failure (the message may be out).
    package static let codes = RefusalCodes(
        account: ["2001", "2002", "2004", "3001", "3002", "3003", "4001", "5001"],
        number: ["3004"],
        lost: ["1000"]
    )
}
