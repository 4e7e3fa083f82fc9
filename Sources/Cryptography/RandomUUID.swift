import Foundation

extension SecureRandom {
    /// Version 4 UUIDs from one draw of the DRBG. `UUID()` reads the kernel's random source once per
    /// id, which a send to thousands of recipients (an id each) paid thousands of times.
    public static func uuids(_ count: Int) -> [UUID] {
        let pool = bytes(count * 16)
        return (0..<count).map { index in
            var b = Array(pool[(index * 16)..<(index * 16 + 16)])
            b[6] = (b[6] & 0x0F) | 0x40  // version 4
            b[8] = (b[8] & 0x3F) | 0x80  // RFC 4122 variant
            return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
        }
    }
}
