import HTTPTypes
import Hummingbird

/// Guards `/admin/*`: a valid, unrevoked admin JWT in `Authorization: Bearer` (or `x-admin-token`), else 401.
struct AdminAuthMiddleware: RouterMiddleware {
    typealias Context = RelayRequestContext
    let sessions: AdminSessions

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = Self.token(request) else {
            return AdminReply.failure(401, "Missing admin token", "Log in at /web/auth/login and send Authorization: Bearer <token>")
        }
        guard let session = try await sessions.verify(token) else {
            return AdminReply.failure(401, "Invalid admin token", "The admin token is invalid, expired or revoked")
        }
        var context = context
        context.adminUsername = session.username
        return try await next(request, context)
    }

    static func token(_ request: Request) -> String? {
        if let header = request.headers[.authorization] {
            let value = ClientKey.stripBearer(header)
            if !value.isEmpty { return value }
        }
        if let header = request.headers[HTTPField.Name("x-admin-token")!], !header.isEmpty { return header }
        return nil
    }
}
