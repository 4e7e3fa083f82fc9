import Foundation

/// A tenant's account with one provider. Secrets are never part of this value: they live sealed in
/// `SealedSecrets` and are opened only where a signature is checked or a request signed.
public struct ProviderAccount: Sendable, Equatable {
    public var id: UUID
    public var tenantID: UUID
    public var provider: Provider
    public var name: String
    public var status: AccountStatus
    public var settings: ProviderSettings
    /// Names of the secret fields that are set (never their values).
    public var secretNames: [String]
    public var isDefault: Bool
    public var createdAt: Date
    public var updatedAt: Date
    public var disabledAt: Date?

    public init(
        id: UUID,
        tenantID: UUID,
        provider: Provider,
        name: String,
        status: AccountStatus,
        settings: ProviderSettings,
        secretNames: [String],
        isDefault: Bool,
        createdAt: Date,
        updatedAt: Date,
        disabledAt: Date?
    ) {
        self.id = id
        self.tenantID = tenantID
        self.provider = provider
        self.name = name
        self.status = status
        self.settings = settings
        self.secretNames = secretNames
        self.isDefault = isDefault
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.disabledAt = disabledAt
    }
}

public enum AccountStatus: String, Sendable, Codable {
    case active
    case disabled
}

/// Non-secret settings. Which keys a provider needs is in `ProviderFields`.
public struct ProviderSettings: Sendable, Equatable, Codable {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    public subscript(key: String) -> String? {
        get { self.values[key] }
        set { self.values[key] = newValue }
    }

    public static let defaultTimeZone = "Asia/Shanghai"

    /// How long a sent message's recipients wait for a final report before they are `expired`
    /// (`validity_seconds`, counted from acceptance): carriers keep retrying for up to 72 hours.
    public static let defaultValiditySeconds = 259_200
    public static let validitySecondsRange = 5...604_800

    /// The account's validity window in seconds; validated on write (`ProviderFields.validate`).
    public var validitySeconds: Int {
        self.values["validity_seconds"].flatMap(Self.validitySeconds(parsing:)) ?? Self.defaultValiditySeconds
    }

    /// A `validity_seconds` setting's value, or nil when it is not whole seconds within the range. At
    /// most 7 digits are read, so no length of input can overflow.
    public static func validitySeconds(parsing text: String) -> Int? {
        guard (1...7).contains(text.utf8.count), let seconds = ASCIIDigits.value(text.utf8), self.validitySecondsRange.contains(seconds)
        else { return nil }
        return seconds
    }

    /// The provider's local time zone, for the providers that send local times without an offset.
    public var timeZone: TimeZone {
        TimeZone(identifier: self.values["time_zone"] ?? Self.defaultTimeZone) ?? TimeZone(identifier: Self.defaultTimeZone)!
    }

    public init(from decoder: any Decoder) throws {
        self.values = try [String: String](from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try self.values.encode(to: encoder)
    }
}

/// Secret fields of an account, in the clear. Only ever held briefly in memory; `description` is redacted
/// so an accidental log line shows nothing.
public struct ProviderSecrets: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    public subscript(key: String) -> String? { self.values[key] }

    public var description: String { "ProviderSecrets(\(self.values.keys.sorted().joined(separator: ", ")): redacted)" }
    public var debugDescription: String { self.description }
}
