import Foundation
package import Logging
import SmsHubDomain

/// One line per message on standard error: `time level label: key=value … [source] message`.
///
/// Metadata is formatted when a line is written, and a line below the level is never built: every
/// request sets its id on its logger, and most never log (decision 0018).
package struct LogLineHandler: LogHandler {
    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (String) -> Void

    package init(
        label: String,
        level: Logger.Level,
        metadataProvider: Logger.MetadataProvider? = nil,
        write: @escaping @Sendable (String) -> Void = LogLineHandler.standardError
    ) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.write = write
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var merged = self.metadata
        if let provided = self.metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error { merged["error.message"] = "\(error)" }
        var line = RFC3339.format(Date()) + " \(event.level) \(self.label):"
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) { line += " \(Self.escaped(key))=\(Self.escaped("\(value)"))" }
        line += " [\(Self.escaped(event.source))] \(Self.escaped("\(event.message)"))\n"
        self.write(line)
    }

    /// Text as it may appear inside one line: a value carries what a caller sent (a header, a field),
    /// and a CR or LF in it would end the line and start a forged one. Control characters and the
    /// backslash are written as escapes, so the line reads back unambiguously.
    static func escaped(_ text: String) -> String {
        func breaks(_ value: UInt32) -> Bool { value < 0x20 || value == 0x7f || value == 0x85 || value == 0x2028 || value == 0x2029 }
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7f || $0 == UInt8(ascii: "\\") || $0 >= 0xc2 }),
            text.unicodeScalars.contains(where: { breaks($0.value) || $0 == "\\" })
        else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\\": out += "\\\\"
            case _ where breaks(scalar.value): out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// One `write(2)` per line, so lines from concurrent threads do not interleave.
    package static let standardError: @Sendable (String) -> Void = { line in
        var line = line
        line.withUTF8 { bytes in _ = Foundation.write(2, bytes.baseAddress, bytes.count) }
    }
}
