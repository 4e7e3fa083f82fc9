import Foundation
import SmsHubDomain
import Testing

@Suite struct RFC3339Tests {
    @Test func parsesTimesWithOffsets() throws {
        let utc = try #require(RFC3339.parse("2026-11-23T08:00:00Z"))
        #expect(utc.timeIntervalSince1970 == 1_795_420_800)
        #expect(RFC3339.parse("2026-11-23T16:00:00+08:00") == utc)
        #expect(RFC3339.parse("2026-11-23t03:00:00-05:00") == utc)
        #expect(RFC3339.parse("2026-11-23T08:00:00z") == utc)
        let fraction = try #require(RFC3339.parse("2026-11-23T08:00:00.250Z"))
        #expect(abs(fraction.timeIntervalSince(utc) - 0.25) < 1e-6)
        #expect(RFC3339.parse("0041-05-21T13:57:15+05:54") != nil, "any year of the calendar")
        #expect(RFC3339.format(utc) == "2026-11-23T08:00:00Z")
    }

    @Test func formatsAsFoundationDoes() {
        // Whole seconds in UTC, rounded down; across leap days, year ends and times before 1970.
        var generator = SystemRandomNumberGenerator()
        var instants: [Double] = [0, -0.5, -1, 951_782_400, 951_868_799.999, 1_795_420_800.75, 253_402_300_799]
        for _ in 0..<2000 { instants.append(Double.random(in: -2_000_000_000...4_000_000_000, using: &generator)) }
        for seconds in instants {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(RFC3339.format(date) == date.formatted(.iso8601), "\(seconds)")
            #expect(RFC3339.parse(RFC3339.format(date))?.timeIntervalSince1970 == seconds.rounded(.down), "\(seconds)")
        }
        // Before 1582 Foundation's calendar is Julian; RFC 3339 (and parse, and PostgreSQL) count Gregorian days.
        #expect(RFC3339.format(Date(timeIntervalSince1970: -62_135_596_800)) == "0001-01-01T00:00:00Z")
    }

    @Test(arguments: [
        "", "2026-11-23", "2026-11-23T08:00:00", "2026-11-23 08:00:00Z", "2026-11-23T08:00Z", "2026-11-23T24:00:00Z",
        "2026-02-30T08:00:00Z", "2026-11-23T08:00:00.Z", "2026-11-23T08:00:00+0800", "2026-11-23T08:00:00+08:00x",
        "2026-11-23T08:00:60Z", "yesterday", "2026-11-23T08:00:00.123456789012345678901234Z",
    ])
    func refusesEverythingElse(text: String) {
        #expect(RFC3339.parse(text) == nil, "\(text)")
    }
}
