import NIOCore
import NIOHTTPTypes
import Synchronization

/// Open connections per client address, shared by every connection of one listener: past `limit`
/// a new connection is closed as soon as it is accepted, before it can hold a slot under the
/// connection cap until its head deadline. Without it one address could hold every slot.
final class ConnectionsPerAddress: Sendable {
    let limit: Int
    private let open = Mutex<[String: Int]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts a connection from `address`; false (and not counted) when the address is at its limit.
    func admit(_ address: String) -> Bool {
        self.open.withLock { open in
            let count = open[address, default: 0]
            guard count < self.limit else { return false }
            open[address] = count + 1
            return true
        }
    }

    func release(_ address: String) {
        self.open.withLock { open in
            let left = open[address, default: 1] - 1
            open[address] = left > 0 ? left : nil
        }
    }

    /// Addresses with a connection open (tests).
    var addresses: Int { self.open.withLock { $0.count } }

    /// The handler each connection of the listener gets.
    func handler() -> Handler { Handler(shared: self) }

    final class Handler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPRequestPart
        typealias InboundOut = HTTPRequestPart

        let shared: ConnectionsPerAddress
        private var counted: String?

        init(shared: ConnectionsPerAddress) {
            self.shared = shared
        }

        func handlerAdded(context: ChannelHandlerContext) {
            if context.channel.isActive { self.check(context) }
        }

        func channelActive(context: ChannelHandlerContext) {
            self.check(context)
            context.fireChannelActive()
        }

        func channelInactive(context: ChannelHandlerContext) {
            self.uncount()
            context.fireChannelInactive()
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            self.uncount()
        }

        private func check(_ context: ChannelHandlerContext) {
            guard self.counted == nil, let address = context.channel.remoteAddress?.ipAddress else { return }
            if self.shared.admit(address) {
                self.counted = address
            } else {
                context.close(promise: nil)
            }
        }

        private func uncount() {
            guard let address = self.counted else { return }
            self.counted = nil
            self.shared.release(address)
        }
    }
}
