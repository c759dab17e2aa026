import Hummingbird

/// A path no route serves gets a JSON 404 in the error shape of the API family its prefix belongs to (Anthropic
/// under `/api` and `/claude`, OpenAI under `/openai` and `/azure`, Google under `/gemini`), instead of an empty
/// body an SDK cannot parse. Admin paths have their own JSON 404 (`AdminReply`).
struct UnknownRouteMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = request.uri.path
            let relayError = RelayError(404, "not_found_error", "No route for \(request.method) \(path)")
            if path.hasPrefix("/gemini") { return GeminiErrors.response(relayError) }
            if path.hasPrefix("/openai") || path.hasPrefix("/azure") { return OpenAIErrors.response(relayError) }
            if path.hasPrefix("/api") || path.hasPrefix("/claude") { return relayError.anthropicResponse }
            throw error
        }
    }
}
