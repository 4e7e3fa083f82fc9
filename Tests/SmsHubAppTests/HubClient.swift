import AsyncHTTPClient
import Cryptography
import Foundation
import Glibc
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import SmsHubDomain
import SmsHubSimulator
import TestSupport
import Testing

/// Plain HTTP calls to the served hub.
struct HubClient {
    let base: String

    func raw(_ method: HTTPMethod, _ url: String, body: String, headers: [String: String] = [:]) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: TimeAmount(TestTimeouts.request))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    func json(_ method: HTTPMethod, _ path: String, bearer: String, _ body: String) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: self.base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(bearer)")
        if !body.isEmpty {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: TimeAmount(TestTimeouts.request))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let object = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))
        guard let dictionary = object as? [String: Any], (200..<300).contains(Int(response.status.code)) else {
            throw UnexpectedAnswer(status: Int(response.status.code), body: String(buffer: bytes))
        }
        return dictionary
    }

    /// A new tenant through the admin API, and an API key of it.
    func tenant(_ name: String, admin: String) async throws -> (id: String, key: String) {
        let tenant = try await self.json(.POST, "/admin/tenants", bearer: admin, #"{"name":"\#(name)"}"#)
        let id = try #require(tenant["id"] as? String)
        let key = try #require(try await self.json(.POST, "/admin/tenants/\(id)/api-keys", bearer: admin, #"{"name":"k"}"#)["key"] as? String)
        return (id, key)
    }

    /// The tenant's default Gateway account at the simulator, as created (with its callback URLs).
    func gatewayAccount(key: String, simBase: String, account: String, password: String, extraSettings: String = "") async throws -> [String: Any] {
        try await self.json(
            .POST,
            "/v1/provider-accounts",
            bearer: key,
            #"""
            {"provider":"gateway","name":"gw","is_default":true,"settings":{"base_url":"\#(simBase)","account":"\#(account)"\#(extraSettings)},"credentials":{"api_password":"\#(password)"}}
            """#
        )
    }

    struct UnexpectedAnswer: Error {
        var status: Int
        var body: String
    }
}
