import HTTPTypes
import Hummingbird

/// Cross-origin access to the client API routes (`/api`, `/claude`, `/openai`, `/gemini`, `/azure`) for the origins
/// in `CRS_CORS_ORIGINS` (comma-separated, or `*`), e.g. a browser-based chat front-end. Nothing is allowed when it is
/// empty (the default), and the admin API never is: the admin UI is served from the relay's own origin.
struct CORSMiddleware<Context: RequestContext>: RouterMiddleware {
    let origins: [String]

    static var prefixes: [String] { ["/api/", "/claude/", "/openai/", "/gemini/", "/azure/"] }
    static var allowedMethods: String { "GET, POST, OPTIONS" }
    static var exposedHeaders: String { "retry-after, request-id, x-request-id, anthropic-ratelimit-requests-remaining" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !origins.isEmpty, let origin = request.headers[.origin], Self.prefixes.contains(where: request.uri.path.hasPrefix) else {
            return try await next(request, context)
        }
        let allowed = origins.contains("*") || origins.contains(origin)
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            guard allowed else { return Response(status: .forbidden, headers: [.vary: "Origin"]) }
            var headers: HTTPFields = [
                .accessControlAllowOrigin: origins.contains("*") ? "*" : origin, .vary: "Origin",
                .accessControlAllowMethods: Self.allowedMethods, .accessControlMaxAge: "600",
            ]
            // The headers the page wants to send, if they are plain header names.
            if let asked = request.headers[.accessControlRequestHeaders],
               asked.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "," || $0 == " " || $0 == "_" }), asked.count <= 1000 {
                headers[.accessControlAllowHeaders] = asked
            }
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        if allowed {
            response.headers[.accessControlAllowOrigin] = origins.contains("*") ? "*" : origin
            response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
            response.headers[.vary] = "Origin"
        }
        return response
    }
}
