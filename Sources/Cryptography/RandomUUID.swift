package import Foundation

extension SecureRandom {
    /// Version 7 UUIDs (RFC 9562): 48 bits of Unix milliseconds, the version and variant, then 74
    /// bits from one draw of the DRBG. Rows keyed by them are inserted at the growing end of their
    /// B-tree indexes instead of on a random leaf of each, so an insert touches pages that are in
    /// memory however large the table has grown. One draw because `UUID()` reads the kernel's
    /// random source once per id, which a send to thousands of recipients paid thousands of times.
    package static func uuids(_ count: Int, now: Date = Date()) -> [UUID] {
        guard count > 0 else { return [] }
        let pool = bytes(count * 10)
        let stamp = unixMilliseconds(now)
        return (0..<count).map { index in
            let r = pool[(index * 10)..<(index * 10 + 10)]
            let b = r.startIndex
            return UUID(
                uuid: (
                    UInt8(truncatingIfNeeded: stamp >> 40), UInt8(truncatingIfNeeded: stamp >> 32),
                    UInt8(truncatingIfNeeded: stamp >> 24), UInt8(truncatingIfNeeded: stamp >> 16),
                    UInt8(truncatingIfNeeded: stamp >> 8), UInt8(truncatingIfNeeded: stamp),
                    (r[b] & 0x0F) | 0x70,  // version 7
                    r[b + 1],
                    (r[b + 2] & 0x3F) | 0x80,  // RFC 9562 variant
                    r[b + 3], r[b + 4], r[b + 5], r[b + 6], r[b + 7], r[b + 8], r[b + 9]
                )
            )
        }
    }

    /// One time-ordered id.
    package static func uuid(now: Date = Date()) -> UUID {
        uuids(1, now: now)[0]
    }

    /// The 48-bit millisecond field. A clock before 1970 or past the year 10889 cannot be written in
    /// it: such a time is clamped rather than trapping on the conversion.
    static func unixMilliseconds(_ date: Date) -> UInt64 {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        let limit: UInt64 = (1 << 48) - 1
        guard milliseconds.isFinite, milliseconds > 0 else { return 0 }
        guard milliseconds < Double(limit) else { return limit }
        return UInt64(milliseconds)
    }
}
