import Foundation
import FuzzSupport
import SmsHubDomain

/// The date readers: what they accept is a real calendar time, and writing it back reads the same.
let shanghai = TimeZone(identifier: "Asia/Shanghai")!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTimes(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    let text = String(decoding: input.body, as: UTF8.self)
    for date in [ProviderTime.local(text, in: shanghai), ProviderTime.utc(text)] {
        guard let date else { continue }
        Invariants.require((946_684_800 - 86_400...4_102_444_800 + 86_400).contains(date.timeIntervalSince1970), "provider time out of range")
    }
    if let date = RFC3339.parse(text) {
        let written = RFC3339.format(date)
        Invariants.require(RFC3339.parse(written).map { abs($0.timeIntervalSince(date)) < 1 } == true, "RFC 3339 does not read back")
        _ = CalendarDay(date, in: shanghai)
    }
    if let day = CalendarDay(text) {
        Invariants.require(day.description == text, "a day reads back differently")
        _ = day.adding(days: Int(Int16(truncatingIfNeeded: input.selector)))
    }
    // Any instant at all is written without trapping.
    if input.body.count >= 8 {
        var bits: UInt64 = 0
        for byte in input.body.prefix(8) { bits = bits << 8 | UInt64(byte) }
        let date = Date(timeIntervalSince1970: Double(bitPattern: bits))
        _ = RFC3339.format(date)
        _ = CalendarDay(date, in: shanghai)
    }
    return 0
}
