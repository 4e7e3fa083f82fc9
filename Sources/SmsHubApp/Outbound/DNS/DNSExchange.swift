import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SmsHubDomain

/// Queries sent to one name server over UDP, on a socket connected to it (so the kernel drops
/// datagrams from anyone else), and the answers read until each query has one or the deadline passes.
enum DNSExchange {
    struct Query: Sendable {
        var id: UInt16
        var bytes: [UInt8]
    }

    /// The answers that came within `timeout`, by query id; missing ones did not come.
    static func ask(_ server: SocketAddress, _ queries: [Query], timeout: Duration) async -> [UInt16: [UInt8]] {
        let answers = NIOLockedValueBox<[UInt16: [UInt8]]>([:])
        let wanted = Set(queries.map(\.id))
        do {
            try await withDeadline(timeout) {
                let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(to: server) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                    }
                }
                try await channel.executeThenClose { inbound, outbound in
                    for query in queries {
                        try await outbound.write(AddressedEnvelope(remoteAddress: server, data: ByteBuffer(bytes: query.bytes)))
                    }
                    for try await envelope in inbound {
                        let bytes = Array(envelope.data.readableBytesView)
                        guard bytes.count >= 12 else { continue }
                        let id = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
                        guard wanted.contains(id) else { continue }
                        let complete = answers.withLockedValue { found -> Bool in
                            if found[id] == nil { found[id] = bytes }
                            return found.count == wanted.count
                        }
                        if complete { break }
                    }
                }
            }
        } catch {
            // The deadline, or a socket that could not be opened: what came is all there is.
        }
        return answers.withLockedValue { $0 }
    }
}
