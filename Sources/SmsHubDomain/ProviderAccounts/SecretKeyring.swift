import Cryptography
package import Foundation

/// The master keys that seal provider secrets. The first key seals; every key can open, so a new
/// key can be introduced while ciphertexts made under the old one are still read (and re-sealed on update).
package struct SecretKeyring: Sendable {
    package struct Key: Sendable {
        package var id: String
        let bytes: [UInt8]

        package init(id: String, bytes: [UInt8]) throws {
            guard !id.isEmpty, id.utf8.count <= 64, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw KeyringError.invalidKeyID
            }
            guard bytes.count == AESGCM.keyByteCount else { throw KeyringError.invalidKeyLength }
            self.id = id
            self.bytes = bytes
        }

        /// Parses `id:base64` (standard or URL-safe base64 of 32 bytes).
        package init(parsing text: String) throws {
            let parts = text.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { throw KeyringError.malformed }
            var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while base64.utf8.count % 4 != 0 { base64 += "=" }
            guard let data = Data(base64Encoded: base64) else { throw KeyringError.malformed }
            try self.init(id: String(parts[0]), bytes: Array(data))
        }
    }

    package enum KeyringError: Error, Equatable, CustomStringConvertible {
        case malformed
        case invalidKeyID
        case invalidKeyLength
        case unknownKey(String)
        case cannotOpen

        // Never includes key material: these end up in start-up errors and logs.
        package var description: String {
            switch self {
            case .malformed: "a master key must be written id:base64"
            case .invalidKeyID: "a master key id must be 1-64 letters, digits, '-' or '_'"
            case .invalidKeyLength: "a master key must be 32 bytes"
            case .unknownKey(let id): "no configured master key has id \(id)"
            case .cannotOpen: "sealed secrets failed authentication"
            }
        }
    }

    package let active: Key
    let others: [Key]

    /// The ids of the keys that only open (key ids are not secret).
    package var previousKeyIDs: [String] { self.others.map(\.id) }

    package init(active: Key, others: [Key] = []) {
        self.active = active
        self.others = others.filter { $0.id != active.id }
    }

    /// Seals `secrets` for one account; `context` (tenant and account ids) is bound as associated data,
    /// so a ciphertext copied to another row does not open.
    package func seal(_ secrets: ProviderSecrets, context: String) throws -> (keyID: String, box: [UInt8]) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let plaintext = Array(try encoder.encode(secrets.values))
        return (self.active.id, try AESGCM.seal(plaintext, key: self.active.bytes, associatedData: Array(context.utf8)))
    }

    package func open(_ box: [UInt8], keyID: String, context: String) throws -> ProviderSecrets {
        guard let key = ([self.active] + self.others).first(where: { $0.id == keyID }) else {
            throw KeyringError.unknownKey(keyID)
        }
        do {
            let plaintext = try AESGCM.open(box, key: key.bytes, associatedData: Array(context.utf8))
            return ProviderSecrets(try JSONDecoder().decode([String: String].self, from: Data(plaintext)))
        } catch {
            throw KeyringError.cannotOpen
        }
    }

    /// Seals one account's secrets, bound to that account.
    package func seal(_ secrets: ProviderSecrets, tenantID: UUID, accountID: UUID) throws -> SealedSecrets {
        let sealed = try self.seal(secrets, context: Self.context(tenantID: tenantID, accountID: accountID))
        return SealedSecrets(keyID: sealed.keyID, box: sealed.box)
    }

    /// Opens one account's secrets; fails if they were sealed for another account.
    package func open(_ sealed: SealedSecrets, tenantID: UUID, accountID: UUID) throws -> ProviderSecrets {
        try self.open(sealed.box, keyID: sealed.keyID, context: Self.context(tenantID: tenantID, accountID: accountID))
    }

    package static func context(tenantID: UUID, accountID: UUID) -> String {
        "smshub.provider_account:\(tenantID.uuidString.lowercased()):\(accountID.uuidString.lowercased())"
    }
}

// Key material never reaches a log line or an error, however the value is printed: service lifecycle
// logs describe its services at debug level, and a service holding the keyring printed its 32 bytes.
extension SecretKeyring.Key: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    package var description: String { "Key(id: \(self.id), bytes: redacted)" }
    package var debugDescription: String { self.description }
    package var customMirror: Mirror { Mirror(self, children: ["id": self.id], displayStyle: .struct) }
}

extension SecretKeyring: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    package var description: String {
        "SecretKeyring(active: \(self.active.id), others: [\(self.others.map(\.id).joined(separator: ", "))], bytes: redacted)"
    }
    package var debugDescription: String { self.description }
    package var customMirror: Mirror { Mirror(self, children: ["active": self.active.id, "others": self.others.map(\.id)], displayStyle: .struct) }
}
