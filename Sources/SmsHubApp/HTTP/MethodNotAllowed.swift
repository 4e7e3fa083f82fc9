import Hummingbird

/// Hummingbird answers a known path with an unsupported method as "not found". Registering a 405
/// responder for every other method of each known path gives clients the right status and an `Allow` header.
enum MethodNotAllowed {
    static let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .head, .options, .trace, HTTPRequest.Method("QUERY")!]

    static func register(on router: Router<AppRequestContext>) {
        var allowedByPath: [String: (path: RouterPath, methods: Set<HTTPRequest.Method>)] = [:]
        for route in router.routes {
            allowedByPath[route.path.description, default: (route.path, [])].methods.insert(route.method)
        }
        for (_, entry) in allowedByPath {
            var allowed = entry.methods
            // HEAD is generated for every GET route when the responder is built.
            if allowed.contains(.get) { allowed.insert(.head) }
            let problem = Problem.methodNotAllowed(allowed: Array(allowed))
            for method in methods where !allowed.contains(method) {
                router.on(entry.path, method: method) { _, _ -> Response in throw problem }
            }
        }
    }
}
