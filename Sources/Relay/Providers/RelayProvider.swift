import Hummingbird

/// One upstream provider, declared once in its own folder: the account kinds it owns (with their validation,
/// storage and pools), the upstream base URLs it reads from the environment, and the client and admin routes of
/// the API families it serves. `ProviderRegistry.all` lists the providers; the shared layer only iterates it.
protocol RelayProvider: Sendable {
    /// Its name in logs and docs (`anthropic`, `bedrock`, …).
    var name: String { get }
    /// The account kinds it owns, in the order its pools prefer them.
    var accountKinds: [AccountKind] { get }
    /// Upstream base URLs it needs from the environment (accounts that carry their own endpoint need none).
    var upstreamURLs: [UpstreamURLSetting] { get }
    /// Registers its families' client routes (and any admin routes of its own).
    func register(_ routes: ProviderRoutes)
}

extension RelayProvider {
    var upstreamURLs: [UpstreamURLSetting] { [] }
}

/// An upstream base URL read from the environment (`CRS_CLAUDE_API_URL`), checked at start-up to be http(s).
struct UpstreamURLSetting: Sendable, Hashable {
    let environment: String
    let defaultValue: String
    /// What it is, for docs and error messages.
    let summary: String
}

/// What a provider registers its routes with: the router, the JWT-protected `/admin` group, and the relay's
/// services (one `RelayHandler` per family, over the scheduler of the family's pool).
struct ProviderRoutes {
    let client: Router<RelayRequestContext>
    let admin: RouterGroup<RelayRequestContext>
    let services: RelayServices

    /// The shared relay pipeline for `family`, scheduling over `pool`.
    func handler<Family: APIFamily>(_ family: Family, pool: AccountPool) -> RelayHandler<Family> {
        RelayHandler(context: services.relay, family: family, scheduler: services.scheduler(for: pool))
    }

    /// The endpoints where a key reads its own usage, for a family's permission and error shape.
    func keyUsage(permission: String, errorResponse: @escaping @Sendable (RelayError) -> Response) -> KeyUsageEndpoints {
        KeyUsageEndpoints(admission: services.relay.admission, redis: services.redis, clock: services.clock,
                          offsetHours: services.configuration.timezoneOffsetHours, permission: permission, errorResponse: errorResponse)
    }

    /// `POST` on each of `paths`, relayed by `handler` as `operation`.
    func post<Family: APIFamily>(_ paths: [String], to handler: RelayHandler<Family>, operation: String) {
        for path in paths {
            client.post(RouterPath(path)) { request, context in await handler.handle(request, operation: operation, channel: context.channel) }
        }
    }
}
