import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SmsHubDomain

/// A name server on loopback for tests: answers A queries from its table (AAAA with no records),
/// drops every query for a name under a `silent` suffix, answers SERVFAIL under a `failing` one and
/// NXDOMAIN for anything else. Counts the queries it saw per name.
final class DNSStub: Sendable {
    let channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
    let port: Int
    private let seen = NIOLockedValueBox<[String: Int]>([:])
    private let table: NIOLockedValueBox<[String: [UInt8]]>
    let silent: [String]
    let failing: [String]
    private let serving: Task<Void, Never>

    init(table: [String: [UInt8]], silent: [String] = [], failing: [String] = [], ttl: UInt32 = 60) async throws {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
            }
        }
        self.channel = channel
        self.port = channel.channel.localAddress?.port ?? 0
        self.table = NIOLockedValueBox(table)
        self.silent = silent
        self.failing = failing
        let seen = self.seen
        let answers = self.table
        self.serving = Task { [silent, failing] in
            try? await channel.executeThenClose { inbound, outbound in
                for try await envelope in inbound {
                    let query = Array(envelope.data.readableBytesView)
                    guard let (name, type, questionEnd) = Self.question(query) else { continue }
                    seen.withLockedValue { $0[name, default: 0] += 1 }
                    if silent.contains(where: { name.hasSuffix($0) }) { continue }
                    var rcode: UInt8 = 0
                    var records: [[UInt8]] = []
                    if failing.contains(where: { name.hasSuffix($0) }) {
                        rcode = 2
                    } else if let address = answers.withLockedValue({ $0[name] }) {
                        // A pointer to the question's name, type A, class IN, the TTL, four bytes.
                        if type == 1 {
                            records.append([0xc0, 12, 0, 1, 0, 1] + Self.bytes(ttl) + [0, 4] + address)
                        }
                    } else {
                        rcode = 3
                    }
                    var answer = Array(query[0..<questionEnd])
                    answer[2] = 0x81
                    answer[3] = 0x80 | rcode
                    answer[6] = 0
                    answer[7] = UInt8(records.count)
                    for record in records { answer += record }
                    try await outbound.write(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: answer)))
                }
            }
        }
    }

    func queries(for name: String) -> Int { self.seen.withLockedValue { $0[name] ?? 0 } }

    func set(_ name: String, _ address: [UInt8]) { self.table.withLockedValue { $0[name] = address } }

    func stop() async {
        self.serving.cancel()
        try? await self.channel.channel.close()
    }

    static func bytes(_ value: UInt32) -> [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }

    /// The name (dotted, lowercased), type and end offset of a query's one question.
    static func question(_ bytes: [UInt8]) -> (String, UInt16, Int)? {
        guard bytes.count > 12 else { return nil }
        var labels: [String] = []
        var cursor = 12
        while cursor < bytes.count, bytes[cursor] != 0 {
            let length = Int(bytes[cursor])
            guard length < 64, cursor + 1 + length <= bytes.count else { return nil }
            labels.append(String(decoding: bytes[(cursor + 1)..<(cursor + 1 + length)], as: UTF8.self).lowercased())
            cursor += 1 + length
        }
        guard cursor + 5 <= bytes.count else { return nil }
        let type = UInt16(bytes[cursor + 1]) << 8 | UInt16(bytes[cursor + 2])
        return (labels.joined(separator: "."), type, cursor + 5)
    }
}
