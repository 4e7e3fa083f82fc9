import Foundation
import NIOCore
import SmsHubDomain

/// Where the hub sends its DNS queries: `SMSHUB_DNS_SERVERS` (`10.0.0.2`, `127.0.0.1:5353`,
/// `[::1]:53`, comma-separated), else the `nameserver` lines of `/etc/resolv.conf`, else 127.0.0.1.
enum NameServers {
    static let maxServers = 3

    /// The servers a setting lists, or nil when any entry is not an address with an optional port.
    static func parse(_ setting: String) -> [SocketAddress]? {
        var servers: [SocketAddress] = []
        for entry in setting.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            guard let server = self.address(entry) else { return nil }
            servers.append(server)
        }
        return servers.isEmpty || servers.count > maxServers ? nil : servers
    }

    static func address(_ entry: String) -> SocketAddress? {
        var host = Substring(entry)
        var port = 53
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let p = Int(rest.dropFirst()), (1...65535).contains(p) else { return nil }
                port = p
            }
        } else if host.filter({ $0 == ":" }).count == 1, let colon = host.firstIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]), (1...65535).contains(p) else { return nil }
            port = p
            host = host[..<colon]
        }
        guard IPAddress(host) != nil else { return nil }
        return try? SocketAddress(ipAddress: String(host), port: port)
    }

    static func fromResolvConf(_ text: String) -> [SocketAddress] {
        var servers: [SocketAddress] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "nameserver", IPAddress(fields[1]) != nil,
                let server = try? SocketAddress(ipAddress: String(fields[1]), port: 53)
            else { continue }
            servers.append(server)
            if servers.count == maxServers { break }
        }
        return servers
    }

    static func system() -> [SocketAddress] {
        let text = (try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)) ?? ""
        let found = fromResolvConf(String(text.prefix(64 * 1024)))
        guard found.isEmpty else { return found }
        return (try? SocketAddress(ipAddress: "127.0.0.1", port: 53)).map { [$0] } ?? []
    }
}
