public import Foundation

/// A tenant's account with one provider. Secrets are never part of this value: they live sealed in
/// `SealedSecrets` and are opened only where a signature is checked or a request signed.
package struct ProviderAccount: Sendable, Equatable {
    package var id: UUID
    package var tenantID: UUID
    package var provider: Provider
    package var name: String
    package var status: AccountStatus
    package var settings: ProviderSettings
    /// Names of the secret fields that are set (never their values).
    package var secretNames: [String]
    package var isDefault: Bool
    package var createdAt: Date
    package var updatedAt: Date
    package var disabledAt: Date?

    package init(
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

package enum AccountStatus: String, Sendable, Codable {
    case active
    case disabled
}

/// Non-secret settings. Which keys a provider needs is in `ProviderFields`.
public struct ProviderSettings: Sendable, Equatable, Codable {
    package var values: [String: String]

    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    package subscript(key: String) -> String? {
        get { self.values[key] }
        set { self.values[key] = newValue }
    }

    package static let defaultTimeZone = "Asia/Shanghai"

    /// How long a sent message's recipients wait for a final report before they are `expired`
    /// (`validity_seconds`, counted from acceptance): carriers keep retrying for up to 72 hours.
    package static let defaultValiditySeconds = 259_200
    public static let validitySecondsRange = 5...604_800

    /// The account's validity window in seconds; validated on write (`ProviderFields.validate`).
    public var validitySeconds: Int {
        self.values["validity_seconds"].flatMap(Self.validitySeconds(parsing:)) ?? Self.defaultValiditySeconds
    }

    /// A `validity_seconds` setting's value, or nil when it is not whole seconds within the range. At
    /// most 7 digits are read, so no length of input can overflow.
    package static func validitySeconds(parsing text: String) -> Int? {
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
    package var values: [String: String]

    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    package subscript(key: String) -> String? { self.values[key] }

    /// The account's callback token, sealed with its credentials so a call can name the account's own
    /// callback URL (Huawei's `statusCallback`). Never a credential the tenant sets or sees.
    package static let callbackTokenName = "callback_token"

    /// The secret that is the callback token, taken out of the tenant's credentials.
    package mutating func takeCallbackToken() -> String? {
        self.values.removeValue(forKey: Self.callbackTokenName)
    }

    public var description: String { "ProviderSecrets(\(self.values.keys.sorted().joined(separator: ", ")): redacted)" }
    public var debugDescription: String { self.description }
}
