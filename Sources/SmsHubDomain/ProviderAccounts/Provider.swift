/// The SMS providers smshub speaks to (providers.md).
public enum Provider: String, Sendable, Codable, CaseIterable {
    case gateway
    case engagelab
    case submail
    case huawei
}
