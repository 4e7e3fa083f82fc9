import Foundation

/// The document `GET` and `PUT /v1/send-rules` exchange, stored as is in `tenant_send_rules.rules`:
///
///     {"opt_out": {"verification": false, "opt_in_by_reply": true, "list_blacklisted": true},
///      "caps": {"verification": [{"count": 1, "seconds": 60}, …], "notification": [], "marketing": []},
///      "quotas": {"recipients_per_day": 100000, "segments_per_month": null, …, "time_zone": "Asia/Shanghai"}}
///
/// A `PUT` is read strictly (a misspelt field is a 422, never dropped); a member left out, or null,
/// keeps its default.
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
            object.key("caps")
            object.object { caps in
                for category in TemplateCategory.allCases.sorted(by: { $0.rawValue < $1.rawValue }) {
                    caps.key(category.rawValue)
                    caps.array { list in
                        for window in self.caps.windows(for: category) {
                            list.object { item in
                                item.key("count")
                                item.integer(window.count)
                                item.key("seconds")
                                item.integer(window.seconds)
                            }
                        }
                    }
                }
            }
            object.key("quotas")
            object.object { quotas in
                for (key, value) in [
                    ("recipients_per_day", self.quotas.recipientsPerDay), ("recipients_per_month", self.quotas.recipientsPerMonth),
                    ("segments_per_day", self.quotas.segmentsPerDay), ("segments_per_month", self.quotas.segmentsPerMonth),
                ] {
                    quotas.key(key)
                    if let value { quotas.raw(String(value).utf8) } else { quotas.null() }
                }
                quotas.key("time_zone")
                quotas.string(self.quotas.timeZoneName)
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
        if let caps = reader.object("caps", known: Set(TemplateCategory.allCases.map(\.rawValue))) {
            var section = caps
            for category in TemplateCategory.allCases {
                guard let list = section.array(category.rawValue, max: FrequencyCaps.maxWindows) else { continue }
                var windows: [CapWindow] = []
                for (index, element) in list.enumerated() {
                    var item = StrictObjectReader(element, field: "caps.\(category.rawValue)[\(index)]")
                    item.refuseUnknown(["count", "seconds"])
                    let count = item.integer("count", in: CapWindow.counts)
                    let seconds = item.integer("seconds", in: CapWindow.secondsRange)
                    if let count, let seconds {
                        windows.append(CapWindow(count: count, seconds: seconds))
                    } else if item.problems.isEmpty {
                        item.problems.append(FieldProblem(field: item.path("count"), message: "and seconds are required"))
                    }
                    section.absorb(item)
                }
                rules.caps.windows[category] = windows
            }
            reader.absorb(section)
        }
        let quotaKeys = ["recipients_per_day", "recipients_per_month", "segments_per_day", "segments_per_month"]
        if let quotas = reader.object("quotas", known: Set(quotaKeys + ["time_zone"])) {
            var section = quotas
            let limits = Int(clamping: Quotas.limits.lowerBound)...Int(clamping: Quotas.limits.upperBound)
            let values = quotaKeys.map { section.integer($0, in: limits).map(Int64.init) }
            (rules.quotas.recipientsPerDay, rules.quotas.recipientsPerMonth) = (values[0], values[1])
            (rules.quotas.segmentsPerDay, rules.quotas.segmentsPerMonth) = (values[2], values[3])
            if let name = section.string("time_zone") {
                if name.utf8.count <= 64, TimeZone(identifier: name) != nil {
                    rules.quotas.timeZoneName = name
                } else {
                    section.problems.append(FieldProblem(field: "quotas.time_zone", message: "must be an IANA time zone, such as Asia/Shanghai"))
                }
            }
            reader.absorb(section)
        }
        reader.refuseUnknown(["opt_out", "caps", "quotas"])
        return reader.problems.isEmpty ? .success(rules) : .failure(InvalidFields(reader.problems))
    }

    /// The stored document, read leniently: it was checked when it was put, and a section a later
    /// version no longer knows is ignored.
    package init(stored json: String) {
        self.init()
        guard let value = try? JSONReader.parse(Array(json.utf8), duplicates: .refuse),
            case .success(let rules) = Self.read(value.keeping(["opt_out", "caps", "quotas"]))
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
