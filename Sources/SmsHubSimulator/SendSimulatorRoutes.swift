import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import SmsHubDomain

/// The three send APIs on the simulator's router, at the paths the providers use, and their control
/// API under `/sim/send-…`.
func registerSendSimulator(_ senders: SendSimulator, on router: Router<BasicRequestContext>) {
    router.get("service/timestamp") { _, _ in json(["timestamp": Int64(Date().timeIntervalSince1970)]) }
    for path in ["send", "xsend", "multisend", "multixsend"] {
        router.post("sms/\(path)") { request, _ in
            try await answer(await senders.submail(path: "/sms/\(path)", fields: try await formFields(request), now: Date()))
        }
    }
    router.post("balance/sms") { request, _ in try await answer(await senders.submailBalance(fields: try await formFields(request), now: Date())) }
    router.post("sms/batchSendSms/v1") { request, _ in
        let headers = headerFields(request)
        return try await answer(await senders.huawei(headers: headers, fields: try await formFields(request), now: Date()))
    }
    router.post("v1/messages") { request, _ in
        let headers = headerFields(request)
        var request = request
        let body = try await request.collectBody(upTo: 1024 * 1024)
        return try await answer(await senders.engageLab(headers: headers, body: Array(body.readableBytesView)))
    }
    router.get("v1/balance") { request, _ in try await answer(await senders.engageLabBalance(headers: headerFields(request))) }

    let control = router.group("sim")
    control.post("send-accounts") { request, _ in
        // provider=submail|huawei|engagelab&key=<appid, app_key or dev_key>&secret=…[&balance=N]
        let fields = try await formFields(request)
        let provider = try sendingProvider(fields)
        guard let key = fields["key"], !key.isEmpty, let secret = fields["secret"], !secret.isEmpty else {
            throw HTTPError(.badRequest, message: "key and secret are required")
        }
        let balance = try fields["balance"].map { text in
            guard let value = Int(text), (0...1_000_000_000).contains(value) else {
                throw HTTPError(.badRequest, message: "balance must be 0...1000000000")
            }
            return value
        }
        await senders.addAccount(provider, key: key, secret: secret, balance: balance ?? 100_000)
        return json(["ok": true])
    }
    control.post("send-callbacks") { request, _ in
        // provider=submail|engagelab&key=…&status_url=…&callback_key=…&callback_secret=…
        let fields = try await formFields(request)
        let provider = try sendingProvider(fields)
        if let url = fields["status_url"] { try requireUsableURL(url, field: "status_url") }
        let known = await senders.setCallbacks(
            provider,
            key: fields["key"] ?? "",
            statusURL: fields["status_url"],
            callbackKey: fields["callback_key"],
            callbackSecret: fields["callback_secret"]
        )
        guard known else { throw HTTPError(.notFound, message: "no such account") }
        return json(["ok": true])
    }
    control.post("send-faults") { request, _ in
        // provider=…&queue=account:903,number:115,500,hang:3,accept500,partial,duplicate,reorder
        // [&refuse_pct=30&hang_pct=10&error_pct=10&accept_error_pct=10&hang_s=3&refusal_code=903]
        let fields = try await formFields(request)
        let provider = try sendingProvider(fields)
        var faults: [SendSimulator.Fault] = []
        for item in (fields["queue"] ?? "").split(separator: ",") {
            guard let fault = SendSimulator.Fault(item) else { throw HTTPError(.badRequest, message: "unknown fault \(item.prefix(40))") }
            faults.append(fault)
        }
        await senders.queue(provider, faults: faults)
        if fields.keys.contains(where: { $0.hasSuffix("_pct") }) {
            var rates = SendSimulator.Rates()
            rates.refusePercent = try percent(fields["refuse_pct"], "refuse_pct")
            rates.hangPercent = try percent(fields["hang_pct"], "hang_pct")
            rates.errorPercent = try percent(fields["error_pct"], "error_pct")
            rates.acceptErrorPercent = try percent(fields["accept_error_pct"], "accept_error_pct")
            guard rates.refusePercent + rates.hangPercent + rates.errorPercent + rates.acceptErrorPercent <= 100 else {
                throw HTTPError(.badRequest, message: "the percentages add up to more than 100")
            }
            if let seconds = fields["hang_s"] {
                guard let value = Double(seconds), (0...600).contains(value) else { throw HTTPError(.badRequest, message: "hang_s must be 0...600") }
                rates.hang = .milliseconds(Int64(value * 1000))
            }
            rates.refusalCode = fields["refusal_code"]
            await senders.setRates(provider, rates)
        }
        return json(["queued": faults.count])
    }
    control.get("sends") { _, _ in
        let sends = await senders.sends
        var object: [String: Any] = [:]
        for (provider, numbers) in sends { object[provider.rawValue] = numbers }
        return json(["sends": object])
    }
    control.post("send-reset") { _, _ in
        await senders.reset()
        return json(["ok": true])
    }
}

private func sendingProvider(_ fields: [String: String]) throws -> Provider {
    guard let provider = Provider(rawValue: fields["provider"] ?? ""), provider != .gateway else {
        throw HTTPError(.badRequest, message: "provider must be submail, huawei or engagelab")
    }
    return provider
}

private func percent(_ text: String?, _ field: String) throws -> Int {
    guard let text else { return 0 }
    guard let value = Int(text), (0...100).contains(value) else { throw HTTPError(.badRequest, message: "\(field) must be 0...100") }
    return value
}

/// Pushes that found the hub down or overloaded are tried again once a second this many times.
let pushRetries = 60

/// The answer, after its delay; its pushes start once it is on its way, each call's in order.
private func answer(_ simulated: SimulatedAnswer) async throws -> Response {
    if !simulated.pushes.isEmpty {
        let pushes = simulated.pushes
        Task {
            var waited: Duration = .zero
            for scheduled in pushes {
                if scheduled.after > waited {
                    try? await Task.sleep(for: scheduled.after - waited)
                    waited = scheduled.after
                }
                // Providers push again when the hub is down or overloaded (no answer, or a 5xx).
                var status = await deliverNow(url: scheduled.url, push: scheduled.push)
                var retries = 0
                while status == 0 || status >= 500, retries < pushRetries {
                    try? await Task.sleep(for: .seconds(1))
                    retries += 1
                    status = await deliverNow(url: scheduled.url, push: scheduled.push)
                }
            }
        }
    }
    if let delay = simulated.delay { try await Task.sleep(for: delay) }
    return Response(
        status: .init(code: simulated.status),
        headers: [.contentType: "application/json; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(bytes: simulated.body))
    )
}
