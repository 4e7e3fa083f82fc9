/// The raw payload kept for each recipient of an EngageLab `target` or `sent` batch
/// (docs/decisions/0014-raw-payloads-bounded-by-the-body.md).
///
/// Each recipient's raw repeats what the envelope says about the batch; left unbounded, one signed
/// body of 1 MiB with a large member the parser does not know becomes gigabytes of copies. So the
/// envelope is repeated only while it is small: a larger one is stored whole once, with the first
/// recipient, and the others keep only the members the hub reads.
struct BatchRawShape {
    /// Bytes of envelope (the body without `sms_ids` and `to`) each recipient may repeat. A genuine
    /// EngageLab envelope is about 400 bytes.
    static let repeatedEnvelopeLimit = 1024

    private let body: JSONObject
    private let repeatsEnvelope: Bool

    init(_ body: JSONObject) {
        self.body = body
        let envelope = Self.cut(body, id: .array([]), number: .array([]))
        self.repeatsEnvelope = envelope.canonicalText.utf8.count <= Self.repeatedEnvelopeLimit
    }

    func raw(of index: Int, whole: String, kind: String, id: JSONValue, number: JSONValue?) -> String {
        let numbers = JSONValue.array(number.map { [$0] } ?? [])
        if self.repeatsEnvelope { return Self.cut(self.body, id: .array([id]), number: numbers).canonicalText }
        if index == 0 { return whole }
        var members: [JSONMember] = []
        if case .string(let batch)? = self.body["message_id"], batch.utf8.count <= FieldLimits.idLength {
            members.append(JSONMember("message_id", .string(batch)))
        }
        if case .number(let itime)? = self.body["itime"], itime.utf8.count <= 20 { members.append(JSONMember("itime", .number(itime))) }
        let data = JSONValue.object([JSONMember("sms_ids", .array([id])), JSONMember("to", numbers)])
        members.append(JSONMember("status", .object([JSONMember("message_status", .string(kind)), JSONMember("status_data", data)])))
        return JSONValue.object(members).canonicalText
    }

    /// The body with `status.status_data.sms_ids` and `to` replaced.
    private static func cut(_ body: JSONObject, id: JSONValue, number: JSONValue) -> JSONValue {
        func replacing(_ members: [JSONMember], _ key: String, _ transform: (JSONValue) -> JSONValue) -> [JSONMember] {
            members.map { $0.key == key ? JSONMember(key, transform($0.value)) : $0 }
        }
        let members = replacing(body.members, "status") { status in
            guard case .object(let statusMembers) = status else { return status }
            return .object(
                replacing(statusMembers, "status_data") { data in
                    guard case .object(let dataMembers) = data else { return data }
                    return .object(replacing(replacing(dataMembers, "sms_ids") { _ in id }, "to") { _ in number })
                }
            )
        }
        return .object(members)
    }
}
