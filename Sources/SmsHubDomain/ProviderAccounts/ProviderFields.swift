import Foundation

/// What each provider's account holds: settings (shown) and secrets (write-only), required or optional.
public struct ProviderFields: Sendable {
    package var requiredSettings: [String]
    package var optionalSettings: [String]
    package var requiredSecrets: [String]
    package var optionalSecrets: [String]

    package var allSettings: Set<String> { Set(self.requiredSettings + self.optionalSettings + ["time_zone"]) }
    package var allSecrets: Set<String> { Set(self.requiredSecrets + self.optionalSecrets) }

    public static func of(_ provider: Provider) -> ProviderFields {
        switch provider {
        case .gateway:
            ProviderFields(
                requiredSettings: ["base_url", "account"],
                optionalSettings: ["validity_seconds", "balance_alert_below"],
                requiredSecrets: ["api_password"],
                optionalSecrets: []
            )
        case .engagelab:
            // `app_key`/`app_secret` verify SMSHook callbacks; `dev_key`/`dev_secret` (the API key pair) send.
            ProviderFields(
                requiredSettings: ["app_key"],
                optionalSettings: ["dev_key", "base_url", "balance_alert_below", "validity_seconds"],
                requiredSecrets: ["app_secret"],
                optionalSecrets: ["dev_secret"]
            )
        case .submail:
            ProviderFields(
                requiredSettings: ["app_id"],
                optionalSettings: ["base_url", "balance_alert_below", "validity_seconds"],
                requiredSecrets: ["subhook_key"],
                optionalSecrets: ["app_key"]
            )
        case .huawei:
            ProviderFields(
                requiredSettings: [],
                optionalSettings: ["app_key", "base_url", "validity_seconds"],
                requiredSecrets: [],
                optionalSecrets: ["app_secret"]
            )
        }
    }

    /// Checks a complete account (after an update is merged in). Field names in problems are
    /// `settings.x` / `credentials.x`; messages never echo a secret's value.
    public func validate(settings: ProviderSettings, secrets: ProviderSecrets) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        for key in settings.values.keys.sorted() where !self.allSettings.contains(key) {
            problems.append(FieldProblem(field: "settings.\(key)", message: "is not a setting of this provider"))
        }
        for key in secrets.values.keys.sorted() where !self.allSecrets.contains(key) {
            problems.append(FieldProblem(field: "credentials.\(key)", message: "is not a credential of this provider"))
        }
        for key in self.requiredSettings where (settings[key] ?? "").isEmpty {
            problems.append(FieldProblem(field: "settings.\(key)", message: "is required"))
        }
        for key in self.requiredSecrets where (secrets[key] ?? "").isEmpty {
            problems.append(FieldProblem(field: "credentials.\(key)", message: "is required"))
        }
        for (key, value) in settings.values.sorted(by: { $0.key < $1.key }) where value.utf8.count > 512 {
            problems.append(FieldProblem(field: "settings.\(key)", message: "must be at most 512 bytes"))
        }
        for (key, value) in secrets.values.sorted(by: { $0.key < $1.key }) where value.utf8.count > 512 {
            problems.append(FieldProblem(field: "credentials.\(key)", message: "must be at most 512 bytes"))
        }
        if let zone = settings["time_zone"], TimeZone(identifier: zone) == nil {
            problems.append(FieldProblem(field: "settings.time_zone", message: "is not an IANA time zone name"))
        }
        if let window = settings["validity_seconds"], ProviderSettings.validitySeconds(parsing: window) == nil {
            let range = ProviderSettings.validitySecondsRange
            problems.append(
                FieldProblem(
                    field: "settings.validity_seconds",
                    message: "must be a whole number of seconds from \(range.lowerBound) to \(range.upperBound)"
                )
            )
        }
        if let threshold = settings["balance_alert_below"], !Self.isDecimalAmount(threshold) {
            problems.append(FieldProblem(field: "settings.balance_alert_below", message: "must be a decimal amount such as 100 or 99.5"))
        }
        if let url = settings["base_url"], !Self.isHTTPURL(url) {
            problems.append(FieldProblem(field: "settings.base_url", message: "must be an http or https URL"))
        }
        return problems
    }

    /// Up to 15 digits, optionally a point and up to 6 more: what the balance trigger compares (migration 0016).
    static func isDecimalAmount(_ text: String) -> Bool {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, (1...15).contains(whole.utf8.count), whole.utf8.allSatisfy(ASCIIDigits.isDigit) else { return false }
        guard parts.count == 2 else { return true }
        return (1...6).contains(parts[1].utf8.count) && parts[1].utf8.allSatisfy(ASCIIDigits.isDigit)
    }

    static func isHTTPURL(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            components.user == nil, components.password == nil
        else { return false }
        return true
    }
}
