package import Foundation
package import Hummingbird
import Logging
package import SmsHubDomain

/// The context of every request before authentication.
package struct AppRequestContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    /// Set by `TenantAuthMiddleware` once an API key checks out.
    var authenticatedTenant: AuthenticatedTenant?
    /// The peer's IP address, which keys the limits of requests made before any credential is known.
    package let clientAddress: String?

    package init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// JSON bodies of the management API are small; anything larger is refused with 413.
    package var maxUploadSize: Int { JSONBody.maxSize }

    package var requestDecoder: JSONDecoder { JSONCoding.decoder }
    package var responseEncoder: JSONEncoder { JSONCoding.encoder }
}

/// The context of tenant API routes: it cannot exist without an authenticated tenant, so handlers
/// never deal with an optional one.
package struct TenantRequestContext: ChildRequestContext {
    package var coreContext: CoreRequestContextStorage
    package let tenant: AuthenticatedTenant

    package init(context: AppRequestContext) throws {
        guard let tenant = context.authenticatedTenant else {
            throw Problem.unauthorized("Send an API key as 'Authorization: Bearer <key>'.")
        }
        self.coreContext = context.coreContext
        self.tenant = tenant
        self.logger[metadataKey: "tenant_id"] = .string(tenant.tenantID.apiString)
    }

    package var maxUploadSize: Int { JSONBody.maxSize }
    package var requestDecoder: JSONDecoder { JSONCoding.decoder }
    package var responseEncoder: JSONEncoder { JSONCoding.encoder }
}

package struct AuthenticatedTenant: Sendable, Equatable {
    package var tenantID: UUID
    package var keyID: UUID
    /// The tenant's own limits, read with its key.
    package var rateLimits = TenantRateLimits()
}

enum JSONCoding {
    /// snake_case keys and RFC 3339 times throughout the API.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
