import Foundation
import Hummingbird
import Logging
import SmsHubDomain

/// The context of every request before authentication.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `TenantAuthMiddleware` once an API key checks out.
    var authenticatedTenant: AuthenticatedTenant?
    /// The peer's IP address, which keys the limits of requests made before any credential is known.
    public let clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// JSON bodies of the management API are small; anything larger is refused with 413.
    public var maxUploadSize: Int { JSONBody.maxSize }

    public var requestDecoder: JSONDecoder { JSONCoding.decoder }
    public var responseEncoder: JSONEncoder { JSONCoding.encoder }
}

/// The context of tenant API routes: it cannot exist without an authenticated tenant, so handlers
/// never deal with an optional one.
public struct TenantRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let tenant: AuthenticatedTenant

    public init(context: AppRequestContext) throws {
        guard let tenant = context.authenticatedTenant else {
            throw Problem.unauthorized("Send an API key as 'Authorization: Bearer <key>'.")
        }
        self.coreContext = context.coreContext
        self.tenant = tenant
        self.logger[metadataKey: "tenant_id"] = .string(tenant.tenantID.apiString)
    }

    public var maxUploadSize: Int { JSONBody.maxSize }
    public var requestDecoder: JSONDecoder { JSONCoding.decoder }
    public var responseEncoder: JSONEncoder { JSONCoding.encoder }
}

public struct AuthenticatedTenant: Sendable, Equatable {
    public var tenantID: UUID
    public var keyID: UUID
    /// The tenant's own limits, read with its key.
    public var rateLimits = TenantRateLimits()
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
