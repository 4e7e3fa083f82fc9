import Hummingbird

/// Counts and times every request, by the route pattern (never the raw path, which holds ids and tokens).
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
        self.metrics.recordRequest(
            method: request.method.rawValue,
            route: route,
            status: Int(response.status.code),
            duration: ContinuousClock.now - start
        )
        return response
    }
}
