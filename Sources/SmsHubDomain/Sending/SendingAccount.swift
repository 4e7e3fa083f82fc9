/// What an account needs to send, read from its settings and secrets, and where its API is.
package struct SendingAccount: Sendable {
    package enum Credentials: Sendable {
        case submail(SubmailSend.Credentials)
        case huawei(HuaweiSend.Credentials)
        case engageLab(EngageLabSend.Credentials)
    }

    package var credentials: Credentials
    package var baseURL: String

    /// The providers' own API addresses, where an account names none (`settings.base_url`).
    /// Huawei's differs per application ("APP接入地址"), so its accounts must name it.
    package static let defaultBaseURLs: [Provider: String] = [
        .submail: "https://api-v4.mysubmail.com",
        .engagelab: "https://smsapi.engagelab.com",
    ]

    /// The account's sending credentials, or the fields it lacks to send (named as the API spells them).
    package static func of(_ provider: Provider, settings: ProviderSettings, secrets: ProviderSecrets) -> Result<SendingAccount, InvalidFields> {
        var problems: [FieldProblem] = []
        func setting(_ key: String) -> String {
            guard let value = settings[key], !value.isEmpty else {
                problems.append(FieldProblem(field: "settings.\(key)", message: "is required to call the provider"))
                return ""
            }
            return value
        }
        func secret(_ key: String) -> String {
            guard let value = secrets[key], !value.isEmpty else {
                problems.append(FieldProblem(field: "credentials.\(key)", message: "is required to call the provider"))
                return ""
            }
            return value
        }
        let credentials: Credentials
        switch provider {
        case .submail: credentials = .submail(SubmailSend.Credentials(appID: setting("app_id"), appKey: secret("app_key")))
        case .huawei: credentials = .huawei(HuaweiSend.Credentials(appKey: setting("app_key"), appSecret: secret("app_secret")))
        case .engagelab: credentials = .engageLab(EngageLabSend.Credentials(devKey: setting("dev_key"), devSecret: secret("dev_secret")))
        case .gateway: return .failure(InvalidFields([FieldProblem(field: "provider", message: "sends through the Gateway client")]))
        }
        let baseURL = settings["base_url"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultBaseURLs[provider] ?? setting("base_url")
        guard problems.isEmpty else { return .failure(InvalidFields(problems)) }
        return .success(SendingAccount(credentials: credentials, baseURL: baseURL))
    }
}
