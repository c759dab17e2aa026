import Hummingbird

/// `/web/auth/*` (and the `/admin/auth/*` spelling): login issues a JWT; logout revokes it; `user` tells who.
struct AuthController {
    let credentials: AdminCredentials
    let sessions: AdminSessions

    func registerPublic(on group: RouterGroup<RelayRequestContext>) {
        group.post("auth/login") { request, _ -> Response in
            let body = try await AdminReply.body(request)
            guard let username = body["username"] as? String, let password = body["password"] as? String,
                  !username.isEmpty, !password.isEmpty else {
                throw AdminError(400, "Missing credentials", "username and password are required")
            }
            guard password.count <= 1024, try await credentials.verify(username: username, password: password) else {
                throw AdminError(401, "Invalid credentials", "Invalid username or password")
            }
            let token = try await sessions.issue(username: username)
            return AdminReply.ok(["token": token, "expiresIn": Int(sessions.lifetime), "username": username])
        }
    }

    func registerProtected(on group: RouterGroup<RelayRequestContext>) {
        group.post("auth/logout") { request, _ -> Response in
            if let token = AdminAuthMiddleware.token(request), let session = try await sessions.verify(token) {
                try await sessions.revoke(session)
            }
            return AdminReply.ok(["message": "Logged out"])
        }
        group.get("auth/user") { _, context -> Response in
            AdminReply.ok(["user": ["username": context.adminUsername ?? "", "role": "admin"]])
        }
    }
}
