import Hummingbird

/// `/web/auth/*` (and the `/admin/auth/*` spelling): login issues a JWT (throttled per client address); logout
/// and refresh revoke the token they are called with; change-password ends every session.
struct AuthController {
    let credentials: AdminCredentials
    let sessions: AdminSessions
    let throttle: LoginThrottle
    let trustedProxies: [IPRange]

    static let minimumPasswordLength = 8

    func registerPublic(on group: RouterGroup<RelayRequestContext>) {
        group.post("auth/login") { request, context -> Response in
            let address = ClientAddress.of(request, channel: context.channel, trustedProxies: trustedProxies)
            if let wait = try await throttle.claim(address) {
                var response = AdminReply.failure(429, "Too many failed logins", "Too many failed login attempts; try again in \(wait) seconds")
                response.headers[.retryAfter] = String(wait)
                return response
            }
            let body = try await AdminReply.body(request, limit: 64 << 10)
            guard let username = body["username"] as? String, let password = body["password"] as? String,
                  !username.isEmpty, !password.isEmpty else {
                throw AdminError(400, "Missing credentials", "username and password are required")
            }
            // The attempt was counted as a failure when it was claimed; only a success takes it back.
            guard password.count <= 1024, try await credentials.verify(username: username, password: password) else {
                context.logger.warning("admin login failed", metadata: ["client": "\(address)"])
                throw AdminError(401, "Invalid credentials", "Invalid username or password")
            }
            try await throttle.succeeded(address)
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
        group.post("auth/refresh") { request, _ -> Response in
            guard let token = AdminAuthMiddleware.token(request), let session = try await sessions.verify(token) else {
                throw AdminError(401, "Invalid admin token", "The admin token is invalid, expired or revoked")
            }
            guard sessions.mayRefresh(session) else {
                try await sessions.revoke(session)
                throw AdminError(401, "Session too old", "This session began more than \(Int(sessions.maxSessionAge / 86400)) days ago; log in again")
            }
            let fresh = try await sessions.issue(username: session.username, loggedInAt: session.loggedInAt)
            try await sessions.revoke(session)
            return AdminReply.ok(["token": fresh, "expiresIn": Int(sessions.lifetime), "username": session.username])
        }
        group.post("auth/change-password") { request, context -> Response in
            let body = try await AdminReply.body(request, limit: 64 << 10)
            guard let current = body["currentPassword"] as? String, let new = body["newPassword"] as? String, !current.isEmpty else {
                throw AdminError(400, "Invalid request", "currentPassword and newPassword are required")
            }
            guard new.count >= Self.minimumPasswordLength, new.count <= 1024 else {
                throw AdminError(400, "Invalid request", "newPassword: \(Self.minimumPasswordLength) to 1024 characters")
            }
            var newUsername: String?
            if let name = (body["newUsername"] as? String)?.trimmingCharacters(in: .whitespaces), !name.isEmpty {
                guard name.count <= 100 else { throw AdminError(400, "Invalid request", "newUsername: at most 100 characters") }
                newUsername = name
            }
            let username = context.adminUsername ?? ""
            guard try await credentials.change(username: username, currentPassword: current, newPassword: new, newUsername: newUsername) else {
                throw AdminError(400, "Wrong password", "The current password is wrong")
            }
            context.logger.notice("admin credentials changed; every session ended", metadata: ["username": "\(newUsername ?? username)"])
            return AdminReply.ok(["message": "Password changed; log in again", "username": newUsername ?? username])
        }
    }
}
