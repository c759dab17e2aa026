import Logging
import ServiceLifecycle

/// Refreshes OAuth tokens before requests need them: every `interval`, each active OAuth account (Claude,
/// Gemini, OpenAI) whose token expires within `margin` is refreshed through `TokenRefresher` — so the lock
/// keeps it to one refresh however many instances run this loop. Accounts in `error` wait for an admin.
public struct TokenRefreshService: Service {
    let refresher: TokenRefresher
    let accounts: AccountStore
    let intervalSeconds: Int
    let marginSeconds: Int
    let logger: Logger

    public init(refresher: TokenRefresher, accounts: AccountStore, intervalSeconds: Int, marginSeconds: Int, logger: Logger) {
        self.refresher = refresher
        self.accounts = accounts
        self.intervalSeconds = intervalSeconds
        self.marginSeconds = marginSeconds
        self.logger = logger
    }

    public func run() async throws {
        await runPeriodically(every: intervalSeconds) { await self.sweep() }
    }

    /// One pass; returns how many accounts were refreshed.
    @discardableResult
    public func sweep() async -> Int {
        var refreshed = 0
        for kind in [AccountKind.claudeOfficial, .gemini, .openAI, .droid] {
            guard let all = try? await accounts.reload(kind) else { continue }
            for account in all where account.isActive && account.status != "error"
                && refresher.needsRefresh(account, .expiring(margin: marginSeconds)) {
                do {
                    try await refresher.refresh(account, .expiring(margin: marginSeconds))
                    refreshed += 1
                } catch {
                    logger.notice("background token refresh failed", metadata: ["account": "\(account.id)", "error": "\(error)"])
                }
            }
        }
        return refreshed
    }
}
