import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import SmsHubRepository

/// Turns every error that escapes a route into a problem response, so no client ever sees a plain-text
/// or empty error, and no error message from inside (SQL, file paths, secrets) ever reaches a client.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBodySize: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return problem.response(requestID: context.id)
        } catch is NIOTooManyBytesError {
            return Problem.payloadTooLarge(limit: self.maxBodySize).response(requestID: context.id)
        } catch is HTTPParserError {
            // Broken framing met while reading the body (a bad chunk size, a chunked body cut short).
            var problem = Problem.invalidBody("The request's HTTP framing is malformed (chunk sizes, or a body cut short).")
            problem.headers[.connection] = "close"
            return problem.response(requestID: context.id)
        } catch let error as HTTPError {
            return Self.problem(for: error, maxBodySize: self.maxBodySize).response(requestID: context.id)
        } catch  where DatabaseFailure.isUnavailable(error) {
            context.logger.error("database unavailable", metadata: DatabaseFailure.logMetadata(error) ?? [:])
            return Problem.unavailable("The database is unavailable; retry shortly.").response(requestID: context.id)
        } catch {
            // Logged by type and SQLSTATE only: messages can carry values bound into statements.
            if let metadata = DatabaseFailure.logMetadata(error) {
                context.logger.error("database error", metadata: metadata)
            } else {
                context.logger.error("unhandled error", metadata: ["error.type": "\(type(of: error))"])
            }
            return Problem.internalError.response(requestID: context.id)
        }
    }

    static func problem(for error: HTTPError, maxBodySize: Int) -> Problem {
        switch error.status {
        case .notFound: return .notFound()
        case .contentTooLarge: return .payloadTooLarge(limit: maxBodySize)
        case .unsupportedMediaType: return .unsupportedMediaType(expected: "application/json")
        case .badRequest: return .invalidBody(error.body ?? "The request could not be read.")
        case .methodNotAllowed: return Problem(.methodNotAllowed, code: "method_not_allowed", title: "Method not allowed")
        default:
            return Problem(error.status, code: "http_\(error.status.code)", title: error.status.reasonPhrase, detail: error.body)
        }
    }
}
