/// The stored form of a tenant's overrides (`tenants.rate_limits`):
/// `{"replay": {"burst": 10, "per_minute": 60}}`. Read leniently: an entry that is not a valid limit
/// of a known policy is ignored, and the default applies.
extension TenantRateLimits {
    package var json: String {
        let members = RateLimitPolicy.perTenant.compactMap { policy -> JSONMember? in
            guard let limit = self.overrides[policy] else { return nil }
            return JSONMember(
                policy.rawValue,
                .object([JSONMember("burst", .number(String(limit.burst))), JSONMember("per_minute", .number(String(limit.perMinute)))])
            )
        }
        return JSONValue.object(members).canonicalText
    }

    package init(json: String) {
        self.init()
        guard case .object(let members)? = try? JSONReader.parse(Array(json.utf8), duplicates: .refuse) else { return }
        for member in members {
            guard let policy = RateLimitPolicy(rawValue: member.key), RateLimitPolicy.perTenant.contains(policy),
                case .object(let fields) = member.value
            else { continue }
            let object = JSONObject(fields)
            guard let perMinute = object.integer("per_minute"), let burst = object.integer("burst") else { continue }
            let limit = RateLimit(perMinute: Int(clamping: perMinute), burst: Int(clamping: burst))
            if limit.isValid { self.overrides[policy] = limit }
        }
    }
}
