import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SmsHubDomain

/// Sends a batch's attempts to one endpoint from its client's event loop, at most `window` at once:
/// each answer starts the next attempt in the loop's own callback, so an attempt costs no task and
/// no thread switch of its own, and the deliverer waits once per batch (decision 0018).
/// State is touched only on `loop`.
final class WebhookAttemptWindow: @unchecked Sendable {
    typealias Attempt = WebhookClient.Attempt
    /// The body and the signed headers of attempt `index`, made when it is sent (its timestamp too).
    typealias Prepare = @Sendable (_ index: Int, _ sentAt: Date) -> (body: [UInt8], headers: [(String, String)])
    typealias Sent = (at: Date, attempt: Attempt)

    private let client: HTTPClient
    private let loop: any EventLoop
    private let url: String
    private let timeout: TimeAmount
    private let count: Int
    private let window: Int
    private let clock: WallClock
    private let prepare: Prepare
    private let promise: EventLoopPromise<[Sent]>
    private var results: [Sent]
    private var next = 0
    private var done = 0

    private init(client: HTTPClient, url: String, timeout: TimeAmount, count: Int, window: Int, clock: WallClock, prepare: @escaping Prepare) {
        self.client = client
        self.loop = client.eventLoopGroup.next()
        self.url = url
        self.timeout = timeout
        self.count = count
        self.window = max(1, window)
        self.clock = clock
        self.prepare = prepare
        self.promise = self.loop.makePromise()
        self.results = Array(repeating: (clock.now(), Attempt(latencyMilliseconds: 0, error: WebhookFailure.unreachable.description)), count: count)
    }

    /// Every attempt's time and result, in the order of the batch.
    static func send(
        _ count: Int,
        with client: HTTPClient,
        to url: String,
        timeout: TimeAmount,
        window: Int,
        clock: WallClock,
        prepare: @escaping Prepare
    ) async -> [Sent] {
        guard count > 0 else { return [] }
        let sender = WebhookAttemptWindow(client: client, url: url, timeout: timeout, count: count, window: window, clock: clock, prepare: prepare)
        sender.loop.execute {
            for _ in 0..<sender.window { sender.startNext() }
        }
        // Never fails: every attempt ends by its deadline, with an answer or a reason.
        return (try? await sender.promise.futureResult.get()) ?? sender.results
    }

    private func startNext() {
        self.loop.preconditionInEventLoop()
        guard self.next < self.count else { return }
        let index = self.next
        self.next += 1
        let started = NIODeadline.now()
        let sentAt = self.clock.now()
        self.results[index].at = sentAt
        let (body, extra) = self.prepare(index, sentAt)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "User-Agent", value: "smshub-webhooks/1")
        for (name, value) in extra { headers.add(name: name, value: value) }
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(url: self.url, method: .POST, headers: headers, body: .bytes(body))
        } catch {
            self.finish(index, Attempt(latencyMilliseconds: 0, error: WebhookFailure.unreachable.description))
            return
        }
        let collector = ExcerptCollector()
        self.client.execute(request: request, delegate: collector, eventLoop: .delegate(on: self.loop), deadline: started + self.timeout)
            .futureResult.hop(to: self.loop).whenComplete { result in
                var attempt = collector.attempt(result)
                let elapsed = NIODeadline.now() - started
                attempt.latencyMilliseconds = Int(clamping: elapsed.nanoseconds / 1_000_000)
                self.finish(index, attempt)
            }
    }

    private func finish(_ index: Int, _ attempt: Attempt) {
        self.results[index].attempt = attempt
        self.done += 1
        if self.done == self.count {
            self.promise.succeed(self.results)
        } else {
            self.startNext()
        }
    }
}

/// Reads an answer's status and at most an excerpt of its body; an answer longer than
/// `WebhookClient.maxResponseBytes` is cut off (the connection is dropped) and keeps its status.
private final class ExcerptCollector: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = Void
    struct TooLong: Error {}

    private var status: Int?
    private var kept: [UInt8] = []
    private var read = 0

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        self.status = Int(head.status.code)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        self.read += buffer.readableBytes
        if self.kept.count < WebhookClient.excerptBytes {
            self.kept += buffer.readableBytesView.prefix(WebhookClient.excerptBytes - self.kept.count)
        }
        if self.read > WebhookClient.maxResponseBytes { return task.eventLoop.makeFailedFuture(TooLong()) }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {}

    func attempt(_ result: Result<Void, any Error>) -> WebhookClient.Attempt {
        switch result {
        case .success:
            return WebhookClient.Attempt(statusCode: self.status, latencyMilliseconds: 0, responseExcerpt: WebhookClient.excerpt(self.kept))
        case .failure(let error as HTTPClientError) where error == .deadlineExceeded || error == .readTimeout:
            return WebhookClient.Attempt(latencyMilliseconds: 0, error: WebhookFailure.timeout.description)
        case .failure(is TooLong):
            return WebhookClient.Attempt(statusCode: self.status, latencyMilliseconds: 0, responseExcerpt: WebhookClient.excerpt(self.kept))
        case .failure:
            return WebhookClient.Attempt(latencyMilliseconds: 0, error: WebhookFailure.unreachable.description)
        }
    }
}
