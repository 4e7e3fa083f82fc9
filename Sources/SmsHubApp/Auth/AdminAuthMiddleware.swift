import Cryptography
import Hummingbird

/// Guards `/admin`: the bearer token must equal the configured admin token.
struct AdminAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Compared as digests so the comparison's time depends on neither the token's contents nor its length.
    private let expectedDigest: [UInt8]

    init(adminToken: String) {
        self.expectedDigest = Digest.sha256.hash(adminToken)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = BearerToken.from(request) else {
            throw Problem.unauthorized("Send the admin token as 'Authorization: Bearer <token>'.")
        }
        guard ConstantTime.equals(Digest.sha256.hash(token), self.expectedDigest) else {
            throw Problem.unauthorized("The admin token is not valid.")
        }
        return try await next(request, context)
    }
}
