import Foundation
import SmsHubDomain
import Testing

@Suite struct QueryRulesTests {
    @Test(arguments: [
        ("13812345678", "+8613812345678"), ("+8613812345678", "+8613812345678"), ("008613812345678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"), ("+1 (415) 555-0100", "+14155550100"), (" 13812345678 ", "+8613812345678"),
    ])
    func writtenNumbers(text: String, e164: String) {
        #expect(PhoneNumber.written(text)?.e164 == e164)
    }

    @Test(arguments: [
        "", "0", "138****5678", "+86  -138", "call me", "+0861381234567", "0138123456", "1234567890123456", "１３８１２３４５６７８", "\t13812345678",
        "+8613812345678x",
    ])
    func notWrittenNumbers(text: String) {
        #expect(PhoneNumber.written(text) == nil)
    }

    @Test func calendarDays() throws {
        #expect(CalendarDay("2024-02-29")?.description == "2024-02-29")
        for bad in ["2023-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "2026-01-01T", "0000-01-01", "２０２６-01-01"] {
            #expect(CalendarDay(bad) == nil, "\(bad)")
        }
        let day = try #require(CalendarDay("2026-11-23"))
        #expect(day.adding(days: 9).description == "2026-12-02")
        #expect(day.adding(days: -365).description == "2025-11-23")
        #expect(CalendarDay(daysSinceEpoch: day.daysSinceEpoch) == day)
        #expect(CalendarDay(daysSinceEpoch: 0).description == "1970-01-01")
        // 2026-11-22 23:30 UTC is already the 23rd in Shanghai.
        let instant = Date(timeIntervalSince1970: Double(day.daysSinceEpoch) * 86_400 - 1800)
        #expect(CalendarDay(instant, in: TimeZone(identifier: "Asia/Shanghai")!) == day)
        #expect(CalendarDay(instant, in: TimeZone(identifier: "UTC")!).description == "2026-11-22")
    }
}
