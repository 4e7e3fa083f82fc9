import AsyncHTTPClient
import Foundation
package import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import SmsHubDomain

/// The simulator's HTTP face: the Gateway API v1 (`/api/v1/...`), the send APIs of SUBMAIL, Huawei
/// and EngageLab at their own paths, and a small control API (`/sim/...`) for tests and demos.
package func buildSimulatorRouter(
    _ simulator: GatewaySimulator,
    senders: SendSimulator = SendSimulator(),
    webhooks: WebhookReceiver = WebhookReceiver()
) -> Router<BasicRequestContext> {
    let router = Router()
    let api = router.group("api/v1")
    api.post("send") { request, _ in
        let fields = try await formFields(request)
        switch await simulator.nextSendFault() {
        case .httpStatus(let status):
            return Response(status: .init(code: status), body: .init(byteBuffer: ByteBuffer(string: "injected failure")))
        case .hang(let seconds):
            // The send is recorded as the real gateway would (it got the request) but the answer comes too late.
            _ = await simulator.send(fields)
            try await Task.sleep(for: .seconds(seconds))
            return json(["code": "00", "message": "late"])
        case .code(let code):
            return json(["code": code, "message": "injected code"])
        case nil:
            let (response, pushes) = await simulator.sendAndPush(fields)
            deliver(pushes)
            return json(response)
        }
    }
    api.post("report") { request, _ in json(await simulator.pullReports(try await formFields(request))) }
    api.post("mo") { request, _ in json(await simulator.pullReplies(try await formFields(request))) }
    api.post("queryBalance") { request, _ in json(await simulator.balance(try await formFields(request))) }

    let control = router.group("sim")
    control.get("tasks") { _, _ in
        let tasks = await simulator.allTasks()
        return json([
            "tasks": tasks.map {
                ["taskId": $0.taskID, "account": $0.account, "mobiles": $0.mobiles, "content": $0.content, "sendCalls": $0.sendCalls]
            }
        ])
    }
    control.post("replies") { request, _ in
        let fields = try await formFields(request)
        deliver(
            await simulator.addReply(
                account: fields["account"] ?? "",
                mobile: fields["mobile"] ?? "",
                content: fields["content"] ?? "",
                extNo: fields["extNo"]
            )
        )
        return json(["ok": true])
    }
    control.post("push-urls") { request, _ in
        let fields = try await formFields(request)
        for name in ["status", "replies"] { if let url = fields[name] { try requireUsableURL(url, field: name) } }
        await simulator.setPushURLs(account: fields["account"] ?? "", status: fields["status"], replies: fields["replies"])
        return json(["ok": true])
    }
    control.post("push") { request, _ in
        // Push one callback in another provider's format to `url`:
        // provider=engagelab&url=…&id=<sms_id>&mobile=…&outcome=delivered|failed&app_key=…&secret=…
        // provider=submail&url=…&id=<send_id>&mobile=…&outcome=delivered|dropped|request|sending|unknown&secret=<subhook key>
        // provider=huawei&url=…&id=<smsMsgId>&outcome=<status code, e.g. DELIVRD>[&sequence=n&total=m]
        let fields = try await formFields(request)
        guard let url = fields["url"], let id = fields["id"], !id.isEmpty else { throw HTTPError(.badRequest, message: "url and id are required") }
        try requireUsableURL(url, field: "url")
        let outcome = fields["outcome"] ?? "delivered"
        let push: ProviderPushes.Push
        switch fields["provider"] {
        case "engagelab":
            push = ProviderPushes.engageLab(
                smsID: id,
                to: fields["mobile"] ?? "",
                delivered: outcome == "delivered",
                appKey: fields["app_key"] ?? "",
                appSecret: fields["secret"] ?? ""
            )
        case "submail":
            push = ProviderPushes.submail(sendID: id, address: fields["mobile"] ?? "", event: outcome, subhookKey: fields["secret"] ?? "")
        case "huawei":
            push = ProviderPushes.huawei(
                smsMsgID: id,
                status: outcome,
                sequence: Int(fields["sequence"] ?? "") ?? 1,
                total: Int(fields["total"] ?? "") ?? 1
            )
        default:
            throw HTTPError(.badRequest, message: "provider must be engagelab, submail or huawei")
        }
        let status = await deliverNow(url: url, push: push)
        guard status != 0 else { throw HTTPError(.badGateway, message: "no answer from \(url)") }
        return json(["status": status])
    }
    control.post("faults") { request, _ in
        // `send=500,hang:3,code:99`: faults for the next sends, in order.
        let fields = try await formFields(request)
        let faults: [GatewaySimulator.Fault] = (fields["send"] ?? "").split(separator: ",").compactMap { item in
            if let status = Int(item) { return .httpStatus(status) }
            if item.hasPrefix("hang:"), let seconds = Double(item.dropFirst(5)) { return .hang(seconds: seconds) }
            if item.hasPrefix("code:") { return .code(String(item.dropFirst(5))) }
            return nil
        }
        await simulator.injectSendFaults(faults)
        if let drop = fields["drop_pushes"].flatMap(Int.init) { await simulator.dropNextPushes(drop) }
        return json(["queued": faults.count])
    }
    registerWebhookReceiver(webhooks, on: control)
    registerSendSimulator(senders, on: router)
    return router
}

/// `/sim/webhooks/{name}`: a tenant's webhook receiver. `POST …/config` takes `secret` (and `secret2`,
/// for a rotation), `status`, `delay_ms` and `body_bytes` for the answers, and `reset=1`; `GET` shows what arrived.
func registerWebhookReceiver(_ webhooks: WebhookReceiver, on control: RouterGroup<BasicRequestContext>) {
    control.post("webhooks/:name") { request, context in
        let name = context.parameters.get("name") ?? ""
        var request = request
        let body = try await request.collectBody(upTo: 1024 * 1024)
        let behaviour = await webhooks.receive(name, headers: headerFields(request), body: Array(body.readableBytesView))
        if behaviour.delay > .zero { try await Task.sleep(for: behaviour.delay) }
        guard behaviour.bodyBytes > 0 else { return Response(status: .init(code: behaviour.status)) }
        return Response(
            status: .init(code: behaviour.status),
            headers: [.contentType: "text/plain"],
            body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "x"), count: behaviour.bodyBytes))
        )
    }
    control.post("webhooks/:name/config") { request, context in
        let name = context.parameters.get("name") ?? ""
        let fields = try await formFields(request)
        var secrets: [WebhookSecret]?
        if let text = fields["secret"] {
            guard let secret = WebhookSecret(text) else { throw HTTPError(.badRequest, message: "secret must be a whsec_ secret") }
            secrets = [secret] + (fields["secret2"].flatMap(WebhookSecret.init).map { [$0] } ?? [])
        }
        var behaviour: WebhookReceiver.Behaviour?
        if fields["status"] != nil || fields["delay_ms"] != nil || fields["body_bytes"] != nil {
            var chosen = WebhookReceiver.Behaviour()
            if let status = fields["status"] {
                guard let code = Int(status), (100...599).contains(code) else { throw HTTPError(.badRequest, message: "status must be 100...599") }
                chosen.status = code
            }
            if let delay = fields["delay_ms"] {
                guard let ms = Int(delay), (0...600_000).contains(ms) else { throw HTTPError(.badRequest, message: "delay_ms must be 0...600000") }
                chosen.delay = .milliseconds(ms)
            }
            if let size = fields["body_bytes"] {
                guard let bytes = Int(size), (0...8 * 1024 * 1024).contains(bytes) else {
                    throw HTTPError(.badRequest, message: "body_bytes must be 0...8388608")
                }
                chosen.bodyBytes = bytes
            }
            behaviour = chosen
        }
        await webhooks.configure(name, secrets: secrets, behaviour: behaviour, reset: fields["reset"] == "1")
        return json(["ok": true])
    }
    control.get("webhooks/:name") { _, context in
        let summary = await webhooks.summary(context.parameters.get("name") ?? "")
        return json([
            "received": summary.total, "verified": summary.verified, "unique_ids": summary.unique,
            "recent": summary.recent.suffix(20).map {
                [
                    "webhook_id": $0.id, "webhook_timestamp": $0.timestamp, "webhook_signature": $0.signature, "type": $0.type ?? "",
                    "verified": $0.verified, "body": $0.body,
                ]
            },
        ])
    }
}

/// A push URL the simulator can call: absolute http(s) with a host. A placeholder pasted from the docs
/// (`<the status URL>`) is a 400 here rather than a push silently lost.
func requireUsableURL(_ text: String, field: String) throws {
    guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
        let host = components.host, !host.isEmpty
    else { throw HTTPError(.badRequest, message: "\(field) must be an absolute http(s) URL, not \(text.debugDescription)") }
}

/// A request's header fields by their lowercase names (the last of a repeated field wins).
func headerFields(_ request: Request) -> [String: String] {
    var headers: [String: String] = [:]
    for field in request.headers { headers[field.name.canonicalName] = field.value }
    return headers
}

func formFields(_ request: Request) async throws -> [String: String] {
    var request = request
    let body = try await request.collectBody(upTo: 4 * 1024 * 1024)
    do {
        return try FormBody.urlEncoded(Array(body.readableBytesView))
    } catch {
        throw HTTPError(.badRequest, message: "\(error)")
    }
}

func json(_ object: [String: Any]) -> Response {
    json(GatewaySimulator.encode(object))
}

func json(_ data: Data) -> Response {
    return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

/// Makes pushes in the background, after the call that caused them has been answered, as a gateway
/// would. Each is tried once: the gateway does not retry (docs/providers.md §1.5).
package func deliver(_ pushes: [GatewaySimulator.Push]) {
    guard !pushes.isEmpty else { return }
    Task {
        for push in pushes {
            var request = HTTPClientRequest(url: push.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: push.body))
            _ = try? await HTTPClient.shared.execute(request, timeout: .seconds(5))
        }
    }
}

/// Makes one provider push and waits for the answer; returns the HTTP status (0 when there was none).
package func deliverNow(url: String, push: ProviderPushes.Push) async -> Int {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    for (name, value) in push.headers { request.headers.add(name: name, value: value) }
    request.body = .bytes(ByteBuffer(bytes: push.body))
    guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)) else { return 0 }
    return Int(response.status.code)
}
