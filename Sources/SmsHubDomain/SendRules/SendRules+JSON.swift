/// The document `GET` and `PUT /v1/send-rules` exchange, stored as is in `tenant_send_rules.rules`:
/// `{"opt_out": {"verification": false, "opt_in_by_reply": true, "list_blacklisted": true}}`.
/// A `PUT` is read strictly (a misspelt field is a 422, never dropped); a member left out keeps its
/// default.
extension SendRules {
    package var json: String {
        var out = JSONWriter()
        out.object { object in
            object.key("opt_out")
            object.object { rules in
                rules.key("list_blacklisted")
                rules.bool(self.optOut.listBlacklisted)
                rules.key("opt_in_by_reply")
                rules.bool(self.optOut.optInByReply)
                rules.key("verification")
                rules.bool(self.optOut.verification)
            }
        }
        return String(decoding: out.bytes, as: UTF8.self)
    }

    package static func read(_ value: JSONValue) -> Result<SendRules, InvalidFields> {
        var reader = StrictObjectReader(value, field: nil)
        var rules = SendRules()
        if let optOut = reader.object("opt_out", known: ["verification", "opt_in_by_reply", "list_blacklisted"]) {
            var section = optOut
            rules.optOut.verification = section.bool("verification") ?? rules.optOut.verification
            rules.optOut.optInByReply = section.bool("opt_in_by_reply") ?? rules.optOut.optInByReply
            rules.optOut.listBlacklisted = section.bool("list_blacklisted") ?? rules.optOut.listBlacklisted
            reader.absorb(section)
        }
        reader.refuseUnknown(["opt_out"])
        return reader.problems.isEmpty ? .success(rules) : .failure(InvalidFields(reader.problems))
    }

    /// The stored document, read leniently: it was checked when it was put, and a section a later
    /// version no longer knows is ignored.
    package init(stored json: String) {
        self.init()
        guard let value = try? JSONReader.parse(Array(json.utf8), duplicates: .refuse),
            case .success(let rules) = Self.read(value.keeping(["opt_out"]))
        else { return }
        self = rules
    }
}

extension JSONValue {
    /// This object with only the members named.
    func keeping(_ keys: Set<String>) -> JSONValue {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { keys.contains($0.key) })
    }
}
