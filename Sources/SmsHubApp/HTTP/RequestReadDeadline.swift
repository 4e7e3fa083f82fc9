import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request does not arrive in time: its head within `headTimeout` of the
/// connection opening (or of the previous response being written), its body within `bodyTimeout` of
/// the head. No clock runs while the server works on a request: its own deadlines bound that. An idle timeout alone is reset by every byte, so a client trickling one byte at a time
/// (slowloris) would hold its connection, and a slot under the connection cap, for ever.
final class RequestReadDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let headTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(headTimeout: TimeAmount, bodyTimeout: TimeAmount) {
        self.headTimeout = headTimeout
        self.bodyTimeout = bodyTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.arm(self.headTimeout, context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.arm(self.headTimeout, context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head: self.arm(self.bodyTimeout, context: context)
        case .end: self.disarm()
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = self.unwrapOutboundIn(data) { self.arm(self.headTimeout, context: context) }
        context.write(data, promise: promise)
    }

    private func disarm() {
        self.timer?.cancel()
        self.timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.disarm()
    }

    private func arm(_ timeout: TimeAmount, context: ChannelHandlerContext) {
        self.timer?.cancel()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        self.timer = context.eventLoop.scheduleTask(in: timeout) {
            loopBound.value.close(promise: nil)
        }
    }
}
