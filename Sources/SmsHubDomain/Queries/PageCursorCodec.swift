import Cryptography
public import Foundation

/// Page cursors as opaque, authenticated tokens.
///
/// A cursor's time goes into SQL and through date arithmetic, so a forged one could carry any
/// value; sealing it means the only cursors read are ones this service wrote. The MAC covers the
/// scope (the tenant and the list), so a cursor of one tenant or list is refused by another.
/// The key is derived from the master keys, so every instance sharing them reads every cursor;
/// after a key rotation, cursors made under a key still configured keep working.
public struct PageCursorCodec: Sendable {
    private let sealingKey: [UInt8]
    private let openingKeys: [[UInt8]]

    static let version: UInt8 = 1
    static let macLength = 16
    /// version, microseconds (8, big-endian), id (16), MAC.
    static let length = 1 + 8 + 16 + macLength
    /// Cursor times stay inside what PostgreSQL and the API's writers handle: years 1 to 9999.
    static let microsRange: ClosedRange<Int64> = -62_135_596_800_000_000...253_402_300_799_999_999

    package init(keyring: SecretKeyring) {
        self.sealingKey = Self.derive(keyring.active.bytes)
        self.openingKeys = ([keyring.active] + keyring.others).map { Self.derive($0.bytes) }
    }

    /// For tests and fuzzing: a codec under one raw key.
    public init(key: [UInt8]) {
        self.sealingKey = Self.derive(key)
        self.openingKeys = [self.sealingKey]
    }

    private static func derive(_ master: [UInt8]) -> [UInt8] {
        HMAC.sha256(key: master, message: Array("smshub page cursor v1".utf8))
    }

    /// The scope of a tenant's list: a cursor is valid only for the list and tenant it came from.
    public static func scope(tenant: UUID?, list: String) -> String {
        "\(tenant?.uuidString.lowercased() ?? "admin"):\(list)"
    }

    /// nil when the cursor's time is outside what any stored row can have (never for a row read back).
    public func token(_ cursor: PageCursor, scope: String) -> String? {
        guard let micros = Self.micros(cursor.time) else { return nil }
        var bytes: [UInt8] = [Self.version]
        bytes.reserveCapacity(Self.length)
        withUnsafeBytes(of: micros.bigEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: cursor.id.uuid) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: Self.mac(key: self.sealingKey, payload: bytes, scope: scope))
        return Base64URL.encode(bytes)
    }

    /// nil for anything this service did not issue for `scope`, or that was changed.
    public func cursor(_ token: String, scope: String) -> PageCursor? {
        guard token.utf8.count <= 64, let bytes = Base64URL.decode(token.utf8), bytes.count == Self.length,
            bytes[0] == Self.version
        else { return nil }
        let payload = bytes[..<(Self.length - Self.macLength)]
        let mac = bytes[(Self.length - Self.macLength)...]
        guard self.openingKeys.contains(where: { ConstantTime.equals(Self.mac(key: $0, payload: payload, scope: scope), mac) }) else {
            return nil
        }
        var micros: Int64 = 0
        for byte in bytes[1..<9] { micros = micros << 8 | Int64(byte) }
        guard Self.microsRange.contains(micros) else { return nil }
        let id = bytes[9..<25]
        let uuid = UUID(
            uuid: (
                id[9], id[10], id[11], id[12], id[13], id[14], id[15], id[16],
                id[17], id[18], id[19], id[20], id[21], id[22], id[23], id[24]
            )
        )
        // Whole microseconds as a Double are exact within the range above.
        return PageCursor(time: Date(timeIntervalSince1970: Double(micros) / 1_000_000), id: uuid)
    }

    private static func mac(key: [UInt8], payload: some Collection<UInt8>, scope: String) -> ArraySlice<UInt8> {
        HMAC.sha256(key: key, message: Array(scope.utf8) + [0] + Array(payload)).prefix(macLength)
    }

    /// Microseconds since the epoch, when `date` is inside `microsRange`.
    static func micros(_ date: Date) -> Int64? {
        let value = (date.timeIntervalSince1970 * 1_000_000).rounded()
        guard value.isFinite, let micros = Int64(exactly: value), microsRange.contains(micros) else { return nil }
        return micros
    }
}
