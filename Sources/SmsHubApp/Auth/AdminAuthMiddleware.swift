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
        try self.limiter.refuseIfUnauthenticatedExhausted(context.clientAddress)
        guard let token = BearerToken.from(request) else {
            self.limiter.countRefusedCredentials(context.clientAddress)
            throw Problem.unauthorized("Send the admin token as 'Authorization: Bearer <token>'.")
        }
        guard ConstantTime.equals(Digest.sha256.hash(token), self.expectedDigest) else {
            self.limiter.countRefusedCredentials(context.clientAddress)
            throw Problem.unauthorized("The admin token is not valid.")
        }
        return try await next(request, context)
    }
}
