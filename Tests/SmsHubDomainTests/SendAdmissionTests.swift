import Foundation
import SmsHubDomain
import Testing

@Suite struct SendAdmissionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let code = FrequencyCaps.defaults[.verification]!

    func ago(_ seconds: Double) -> Date { self.now.addingTimeInterval(-seconds) }

    @Test func rollingWindowsCountSendsAndSayWhenTheNextFits() {
        #expect(FrequencyCaps.check(stamps: [], now: self.now, windows: self.code) == .allowed)
        #expect(FrequencyCaps.check(stamps: [self.ago(61)], now: self.now, windows: self.code) == .allowed)
        #expect(FrequencyCaps.check(stamps: [self.ago(20)], now: self.now, windows: self.code) == .refused(retryAfter: 40, window: self.code[0]))
        let fiveInAnHour = [100.0, 200, 300, 400, 3_500].map(self.ago)
        #expect(FrequencyCaps.check(stamps: fiveInAnHour, now: self.now, windows: self.code) == .refused(retryAfter: 100, window: self.code[1]))
        let tenInADay = (1...10).map { self.ago(Double($0) * 7_200) }
        #expect(FrequencyCaps.check(stamps: tenInADay, now: self.now, windows: self.code) == .refused(retryAfter: 14_400, window: self.code[2]))
        #expect(FrequencyCaps.check(stamps: [self.ago(0.2)], now: self.now, windows: self.code) == .refused(retryAfter: 60, window: self.code[0]))
        #expect(
            FrequencyCaps.check(stamps: [self.now.addingTimeInterval(1)], now: self.now, windows: self.code) != .allowed,
            "a stamp from a later clock counts"
        )
    }

    @Test func onlyStampsAWindowCanCountAreKept() {
        let kept = FrequencyCaps.keep(stamps: (1...30).map { self.ago(Double($0) * 4_000) }, now: self.now, windows: self.code)
        #expect(kept.count == 10 && kept.first == self.now, "the newest ten: the largest count")
        #expect(FrequencyCaps.keep(stamps: [self.ago(90_000)], now: self.now, windows: self.code) == [self.now], "older than a day")
        #expect(FrequencyCaps.keep(stamps: [self.ago(5)], now: self.now, windows: []).isEmpty)
    }

    @Test func periodsFollowTheTenantsCalendar() throws {
        let shanghai = try #require(TimeZone(identifier: "Asia/Shanghai"))
        // 2026-12-31 23:30 in Shanghai is 15:30 UTC.
        let late = try #require(ISO8601DateFormatter().date(from: "2026-12-31T15:30:00Z"))
        let periods = QuotaPeriod.current(late, in: shanghai)
        #expect(periods.map(\.kind) == [.day, .month])
        #expect(periods.map { "\($0.start)" } == ["2026-12-31", "2026-12-01"])
        #expect(periods[0].end == ISO8601DateFormatter().date(from: "2026-12-31T16:00:00Z"))
        #expect(periods[1].end == periods[0].end, "the month ends with the year's last day")
        let utc = QuotaPeriod.current(late, in: .gmt)
        #expect("\(utc[1].start)" == "2026-12-01" && utc[1].end == ISO8601DateFormatter().date(from: "2027-01-01T00:00:00Z"))
    }

    @Test func capsThenQuotasDecideEachRecipientInOrder() {
        var quotas = Quotas()
        quotas.recipientsPerDay = 10
        quotas.segmentsPerMonth = 100
        let periods = QuotaPeriod.current(self.now, in: .gmt)
        let candidates = ["+8613800000001", "+8613800000002", "+8613800000003", "+8613800000004"].map {
            SendAdmission.Candidate(number: $0, segments: 2)
        }
        let decided = SendAdmission.decide(
            candidates,
            capRefusals: ["+8613800000002": FrequencyCaps.check(stamps: [self.ago(10)], now: self.now, windows: self.code)],
            quotas: quotas,
            periods: periods,
            usage: [.day: QuotaUsage(recipients: 8, segments: 50), .month: QuotaUsage(recipients: 8, segments: 50)],
            now: self.now
        )
        #expect(decided.verdicts[0] == .admitted)
        #expect(decided.verdicts[1] == .rateLimited(retryAfter: 50, reason: "the number's cap of 1 in 60 s"), "capped: costs no quota")
        #expect(decided.verdicts[2] == .admitted)
        guard case .rateLimited(_, let reason) = decided.verdicts[3] else {
            Issue.record("the day's tenth recipient was the last")
            return
        }
        #expect(reason == "the tenant's quota of 10 recipients a day")
        #expect(decided.admittedNumbers == ["+8613800000001", "+8613800000003"])
        #expect(decided.added == QuotaUsage(recipients: 2, segments: 4))

        let segments = SendAdmission.decide(
            [SendAdmission.Candidate(number: "+1", segments: 3), SendAdmission.Candidate(number: "+2", segments: 1)],
            capRefusals: [:],
            quotas: quotas,
            periods: periods,
            usage: [.month: QuotaUsage(recipients: 0, segments: 98)],
            now: self.now
        )
        #expect(segments.verdicts.map { $0 == .admitted } == [false, true], "a smaller one after still fits")
    }

    @Test func capsAndQuotasRoundTripAndAreCheckedWhenPut() throws {
        let json = #"{"caps":{"marketing":[{"count":4,"seconds":3600}],"verification":[]},"quotas":{"recipients_per_day":1000,"time_zone":"UTC"}}"#
        let rules = try SendRules.read(try JSONReader.parse(Array(json.utf8), duplicates: .refuse)).get()
        #expect(rules.caps.windows(for: .marketing) == [CapWindow(count: 4, seconds: 3_600)])
        #expect(rules.caps.windows(for: .verification).isEmpty, "an empty list turns the default off")
        #expect(rules.caps.windows(for: .notification).isEmpty)
        #expect(rules.quotas.recipientsPerDay == 1_000 && rules.quotas.timeZoneName == "UTC")
        #expect(SendRules(stored: rules.json) == rules)
        #expect(SendRules().caps.windows(for: .verification).count == 3, "the defaults")

        let bad =
            #"{"caps":{"verification":[{"count":0,"seconds":60},{"count":1}],"spam":[]},"quotas":{"recipients_per_day":1.5,"time_zone":"Mars/Base"}}"#
        guard case .failure(let invalid) = SendRules.read(try JSONReader.parse(Array(bad.utf8), duplicates: .refuse)) else {
            Issue.record("accepted")
            return
        }
        #expect(
            invalid.problems.map(\.field).sorted() == [
                "caps.spam", "caps.verification[0].count", "caps.verification[1].count", "quotas.recipients_per_day", "quotas.time_zone",
            ]
        )
    }
}
