import Testing

@testable import SmsHubDomain

struct ASCIIDigitsTests {
    @Test func appendPadsToTheWidthAndKeepsEveryDigit() {
        func written(_ value: Int, _ width: Int) -> String {
            var out: [UInt8] = []
            ASCIIDigits.append(value, width: width, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
        #expect(written(0, 2) == "00")
        #expect(written(7, 4) == "0007")
        #expect(written(59, 2) == "59")
        #expect(written(2026, 4) == "2026")
        #expect(written(12345, 4) == "12345")
        #expect(written(3, 1) == "3")
        #expect(written(-1, 4) == "-0001")
        #expect(CalendarDay(year: 1, month: 2, day: 3)?.description == "0001-02-03")
        #expect(CalendarDay(daysSinceEpoch: 0).description == "1970-01-01")
    }

    @Test func valueReadsOnlyDigits() {
        #expect(ASCIIDigits.value(Array("0042".utf8)) == 42)
        #expect(ASCIIDigits.value(Array("4a".utf8)) == nil)
    }
}
