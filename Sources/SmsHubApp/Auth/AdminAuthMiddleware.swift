import Cryptography
import Hummingbird
import SmsHubDomain

/// Guards `/admin`: the bearer token must equal the configured admin token. A refused token counts
/// against the client address's `unauthenticated` limit, past which the address gets 429.
struct AdminAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    /// Compared as digests so the comparison's time depends on neither the token's contents nor its length.
    private let expectedDigest: [UInt8]
    let limiter: RateLimiter

    init(adminToken: String, limiter: RateLimiter) {
        self.expectedDigest = Digest.sha256.hash(adminToken)
        self.limiter = limiter
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let address = RateLimiter.Subject.address(context.clientAddress ?? "unknown")
        let limit = self.limiter.limit(.unauthenticated)
        if self.limiter.isExhausted(.unauthenticated, address, limit: limit) {
            throw Problem.tooManyRequests(.unauthenticated, limit: limit, decision: self.limiter.take(.unauthenticated, address, limit: limit))
        }
        guard let token = BearerToken.from(request) else {
            _ = self.limiter.take(.unauthenticated, address, limit: limit)
            throw Problem.unauthorized("Send the admin token as 'Authorization: Bearer <token>'.")
        }
        guard ConstantTime.equals(Digest.sha256.hash(token), self.expectedDigest) else {
            _ = self.limiter.take(.unauthenticated, address, limit: limit)
            throw Problem.unauthorized("The admin token is not valid.")
        }
        return try await next(request, context)
    }
}
