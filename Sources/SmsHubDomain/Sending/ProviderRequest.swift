/// One HTTP request to a provider, whole: the transport sends exactly these bytes, once. Nothing may
/// resend it (no client retries): none of the three providers that send without the Gateway has an
/// idempotency key, so a resent request may be a second message (decision 0019).
///
/// `headers` may carry credentials (`Authorization`, `X-WSSE`): never log them.
package struct ProviderRequest: Sendable, Equatable {
    package enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    package var method: Method
    /// Path and query, after the account's base URL.
    package var path: String
    package var headers: [HeaderField]
    package var body: [UInt8]

    package init(method: Method, path: String, headers: [HeaderField], body: [UInt8]) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }

    package func header(_ name: String) -> String? {
        self.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

package struct HeaderField: Sendable, Equatable {
    package var name: String
    package var value: String

    package init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
