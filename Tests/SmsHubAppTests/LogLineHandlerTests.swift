import Logging
import SmsHubDomain
import Synchronization
import Testing

@testable import SmsHubApp

@Suite struct LogLineHandlerTests {
    final class Lines: Sendable {
        let stored = Mutex<[String]>([])
        var all: [String] { self.stored.withLock { $0 } }
        func append(_ line: String) { self.stored.withLock { $0.append(line) } }
    }

    @Test func writesOneLineWithSortedMetadataAndNothingBelowTheLevel() throws {
        let lines = Lines()
        var logger = Logger(label: "smshub.test") { label in
            LogLineHandler(label: label, level: .notice, write: { lines.append($0) })
        }
        logger[metadataKey: "request_id"] = "r-1"
        logger[metadataKey: "account_id"] = "a-1"
        logger.info("not written")
        #expect(lines.all.isEmpty)
        logger.notice("callback refused", metadata: ["reason": "bad signature", "request_id": "r-2"])
        let line = try #require(lines.all.first)
        #expect(lines.all.count == 1)
        #expect(
            line.hasSuffix(" notice smshub.test: account_id=a-1 reason=bad signature request_id=r-2 [SmsHubAppTests] callback refused\n"),
            "\(line)"
        )
        // The line starts with the time, in UTC.
        #expect(RFC3339.parse(String(line.prefix(20))) != nil, "\(line)")
        // Metadata set on one copy of a logger stays on that copy.
        var copy = logger
        copy[metadataKey: "request_id"] = nil
        copy.error("x")
        #expect(lines.all.last?.contains("request_id") == false)
        logger.error("y")
        #expect(lines.all.last?.contains("request_id=r-1") == true)
    }
}
