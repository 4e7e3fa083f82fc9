import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SmsHubDomain

/// Calls the Gateway API v1 over HTTP. Requests and responses are built and read by `GatewayAPI`;
/// this type only moves bytes and turns transport trouble into `GatewayClient.Failure`.
struct GatewayClient: Sendable {
    let http: HTTPClient
    var timeout: TimeAmount = .seconds(10)

    enum Failure: Error, Equatable, CustomStringConvertible {
        /// No answer: connection refused or reset, or the timeout passed. The call may or may not have reached the gateway.
        case transport(String)
        /// The gateway answered with an HTTP status other than 2xx.
        case httpStatus(Int)
        /// The gateway answered 2xx with a body that is not its JSON envelope.
        case badResponse(String)

        /// Worth retrying with the same task id: the gateway may not have acted, or may have acted
        /// and failed to say so, and a repeated task id is recognised.
        var isRetryable: Bool {
            switch self {
            case .transport: true
            case .httpStatus(let status): status >= 500 || status == 429
            case .badResponse: false
            }
        }

        var description: String {
            switch self {
            case .transport(let why): "no answer from the gateway: \(why)"
            case .httpStatus(let status): "the gateway answered HTTP \(status)"
            case .badResponse(let why): "the gateway's answer is unreadable: \(why)"
            }
        }
    }

    func call(
        baseURL: String, _ call: GatewayAPI.Call, credentials: GatewayAPI.Credentials, send: GatewayAPI.SendRequest? = nil
    ) async throws(Failure) -> GatewayAPI.Envelope {
        let root = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        var request = HTTPClientRequest(url: root + call.rawValue)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")
        request.body = .bytes(ByteBuffer(bytes: GatewayAPI.form(call, credentials: credentials, send: send)))
        let body: ByteBuffer
        do {
            let response = try await self.http.execute(request, timeout: self.timeout)
            guard (200..<300).contains(Int(response.status.code)) else { throw Failure.httpStatus(Int(response.status.code)) }
            body = try await response.body.collect(upTo: 8 * 1024 * 1024)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .transport(String(describing: type(of: error)))
        }
        do {
            return try GatewayAPI.envelope(Array(body.readableBytesView))
        } catch {
            throw .badResponse(error.description)
        }
    }
}
