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

    /// A value a caller chose cannot end the line and forge another.
    @Test func controlCharactersAndLineSeparatorsAreEscaped() throws {
        let lines = Lines()
        let logger = Logger(label: "smshub.test") { label in LogLineHandler(label: label, level: .info, write: { lines.append($0) }) }
        let forged = "x\n2026-12-07T00:00:00Z error smshub.admin: forged=1 [SmsHubApp] tenant deleted"
        logger.warning("refused \r\u{2028}done", metadata: ["reason": "\(forged)", "path": "a\\b\u{1b}[31m\u{85}"])
        let line = try #require(lines.all.first)
        #expect(lines.all.count == 1 && line.filter { $0 == "\n" }.count == 1 && line.last == "\n")
        #expect(line.contains(#"reason=x\n2026-12-07T00:00:00Z error"#), "\(line)")
        #expect(line.contains(#"path=a\\b\u{1b}[31m\u{85}"#), "\(line)")
        #expect(line.hasSuffix(#"refused \r\u{2028}done"# + "\n"), "\(line)")
        #expect(!line.contains("\r") && !line.unicodeScalars.contains("\u{2028}"))
    }
}
