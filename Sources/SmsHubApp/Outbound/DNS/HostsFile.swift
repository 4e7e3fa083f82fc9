import Foundation
import SmsHubDomain

/// Names the machine itself defines (`/etc/hosts`), read once at start as `getaddrinfo` would read
/// them, so `localhost` and a deployment's fixed entries need no name server.
struct HostsFile: Sendable {
    var entries: [String: [IPAddress]] = [:]

    static let maxBytes = 1024 * 1024

    init(entries: [String: [IPAddress]] = [:]) {
        self.entries = entries
    }

    init(text: String) {
        for line in text.split(whereSeparator: \.isNewline) {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let address = IPAddress(fields[0]) else { continue }
            for name in fields.dropFirst() {
                let key = name.lowercased()
                if !(self.entries[key]?.contains(address) ?? false) { self.entries[key, default: []].append(address) }
            }
        }
    }

    static func load(path: String = "/etc/hosts") -> HostsFile {
        guard let handle = FileHandle(forReadingAtPath: path) else { return HostsFile() }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: maxBytes) else { return HostsFile() }
        return HostsFile(text: String(decoding: data, as: UTF8.self))
    }
}
