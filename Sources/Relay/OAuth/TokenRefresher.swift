import Foundation
import Logging
import NIOConcurrencyHelpers

/// Keeps OAuth accounts' access tokens fresh (docs/oauth.md, done right):
/// - a token that expires within `marginSeconds` is refreshed before the request uses it;
/// - one refresher per account across all instances: `SET token_refresh_lock:{platform}:{id} <owner> NX EX`,
///   released by compare-and-delete; within an instance concurrent callers share one refresh task;
/// - callers that did not get the lock poll the account until its token changes, instead of refreshing again;
/// - the rotated refresh token is stored with the access token in one transaction;
/// - a refused grant (invalid_grant, 4xx) marks the account `error` — an admin must re-authorize it; a failure
///   that may pass (network, 429, 5xx) rests it as `temp_error` only when its token has really expired, and is
///   retried after a back-off. Both publish an alert. Node marked every failure `error`, which is how accounts
///   "never recover" (a common complaint about other gateways).
public final class TokenRefresher: Sendable {
    public struct Settings: Sendable {
        public var marginSeconds = 60
        public var lockSeconds = 60
        public var waitSeconds = 10
        /// A transient failure rests an expired account this long, and keeps others from retrying sooner.
        public var transientBackoffSeconds = 60
        public init() {}
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case noCredential(String)
        case refreshFailed(String, definitive: Bool)

        public var definitive: Bool {
            if case .refreshFailed(_, let definitive) = self { return definitive }
            return true
        }

        public var description: String {
            switch self {
            case .noCredential(let reason): return reason
            case .refreshFailed(let reason, _): return reason
            }
        }
    }

    /// Why a refresh is wanted: the token expires within `margin` seconds, or an admin asked for it.
    public enum Reason: Sendable, Equatable {
        case expiring(margin: Int)
        case forced
    }

    static let failurePrefix = "Token refresh failed: "
    static let releaseScript = RedisScript("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end")

    let accounts: AccountStore
    let redis: RedisClient
    let endpoint: OAuthTokenEndpoint
    let providers: OAuthProviders
    let alerts: AlertPublisher
    let clock: RelayClock
    let settings: Settings
    let logger: Logger
    private let inflight = NIOLockedValueBox<[String: Task<AccountRecord, Error>]>([:])
    private let backoffUntil = NIOLockedValueBox<[String: Date]>([:])

    let metrics: RelayMetrics?

    public init(accounts: AccountStore, redis: RedisClient, endpoint: OAuthTokenEndpoint, providers: OAuthProviders,
                alerts: AlertPublisher, clock: RelayClock, settings: Settings, logger: Logger, metrics: RelayMetrics? = nil) {
        self.metrics = metrics
        self.accounts = accounts
        self.redis = redis
        self.endpoint = endpoint
        self.providers = providers
        self.alerts = alerts
        self.clock = clock
        self.settings = settings
        self.logger = logger
    }

    /// The client an account's tokens belong to: its kind's, or for a Gemini account authorized through
    /// Antigravity, Antigravity's.
    public func provider(for account: AccountRecord) -> OAuthProvider? {
        guard OAuthAccountLayout.of(account) != nil else { return nil }
        return account.isAntigravity ? providers.antigravity : provider(for: account.kind)
    }

    public func provider(for kind: AccountKind) -> OAuthProvider? {
        switch kind {
        case .claudeOfficial: return providers.claude
        case .gemini: return providers.gemini
        case .openAI: return providers.openAI
        case .droid: return providers.droid
        default: return nil
        }
    }

    // MARK: the request path

    /// The access token to send now, refreshed first when it is about to expire.
    public func accessToken(for account: AccountRecord) async throws -> String {
        let current = try? accounts.secret(account, "accessToken")
        guard OAuthAccountLayout.of(account) != nil, needsRefresh(account, .expiring(margin: settings.marginSeconds)), !backingOff(account) else {
            guard let current else { throw Failure.noCredential("no access token stored") }
            return current
        }
        do {
            let refreshed = try await refresh(account, .expiring(margin: settings.marginSeconds))
            guard let token = try? accounts.secret(refreshed, "accessToken") else { throw Failure.noCredential("no access token stored") }
            return token
        } catch let failure as Failure {
            // As Node does: a token that has not actually expired is still worth a try after a failed refresh.
            if let current, !failure.definitive, let expiry = account.date("expiresAt"), expiry > clock.now { return current }
            throw failure
        }
    }

    /// True when the account can be refreshed and `reason` says it should be.
    public func needsRefresh(_ account: AccountRecord, _ reason: Reason) -> Bool {
        guard account.nonEmpty("refreshToken") != nil else { return false }  // nothing to refresh with: use the token as it is
        switch reason {
        case .forced: return true
        case .expiring(let margin):
            guard let expiry = account.date("expiresAt") else { return true }
            return expiry.timeIntervalSince(clock.now) <= TimeInterval(margin)
        }
    }

    private func backingOff(_ account: AccountRecord) -> Bool {
        guard let until = backoffUntil.withLockedValue({ $0[account.id] }), until > clock.now else { return false }
        // Back-off only while the old token still works; an expired one must be refreshed whatever it costs.
        return (account.date("expiresAt") ?? .distantPast) > clock.now
    }

    // MARK: refreshing

    /// Refreshes the account's token (one task per account in this instance, one holder of the lock across
    /// instances) and returns the updated record.
    @discardableResult
    public func refresh(_ account: AccountRecord, _ reason: Reason) async throws -> AccountRecord {
        let key = "\(account.kind.name):\(account.id)"
        let task: Task<AccountRecord, Error> = inflight.withLockedValue { running in
            if let existing = running[key] { return existing }
            let task = Task {
                defer { _ = self.inflight.withLockedValue { $0.removeValue(forKey: key) } }
                return try await self.refreshAcrossInstances(account, reason)
            }
            running[key] = task
            return task
        }
        return try await task.value
    }

    private func refreshAcrossInstances(_ account: AccountRecord, _ reason: Reason) async throws -> AccountRecord {
        guard let provider = provider(for: account) else { throw Failure.noCredential("\(account.kind.name) accounts have no OAuth tokens") }
        let lock = RedisKeys.tokenRefreshLock(provider.platform, account.id)
        let owner = UUID().uuidString
        let firstSeen = account.fields["lastRefreshAt"]
        let deadline = Date().addingTimeInterval(TimeInterval(settings.waitSeconds))
        while true {
            let acquired = try await redis.send("SET", RedisArgument(lock), RedisArgument(owner), RedisArgument("NX"),
                                                RedisArgument("EX"), RedisArgument(settings.lockSeconds)).string == "OK"
            if acquired {
                do {
                    let updated = try await refreshHoldingLock(account, provider: provider, reason: reason, firstSeen: firstSeen)
                    await release(lock, owner: owner)
                    return updated
                } catch {
                    await release(lock, owner: owner)
                    throw error
                }
            }
            // Another instance is refreshing: wait for its result rather than refreshing again.
            try await Task.sleep(nanoseconds: 100_000_000)
            guard let current = try await accounts.fetch(account.kind, account.id) else {
                throw Failure.refreshFailed("the account was deleted", definitive: true)
            }
            if current.fields["lastRefreshAt"] != firstSeen, isSettled(current, reason, firstSeen: firstSeen) {
                return current
            }
            if current.errorMessageText.hasPrefix(Self.failurePrefix), current.status == "error" || current.status == "temp_error" {
                throw Failure.refreshFailed(current.errorMessageText, definitive: current.status == "error")
            }
            if Date() > deadline {
                throw Failure.refreshFailed("Token refresh in progress by another process", definitive: false)
            }
        }
    }

    /// The refresh this caller wanted has happened (or is not needed): for an expiring token, it no longer expires
    /// within the margin; for a forced one, someone refreshed since the caller first looked and the token is valid.
    private func isSettled(_ current: AccountRecord, _ reason: Reason, firstSeen: String?) -> Bool {
        switch reason {
        case .expiring: return !needsRefresh(current, reason)
        case .forced: return current.fields["lastRefreshAt"] != firstSeen && !needsRefresh(current, .expiring(margin: 0))
        }
    }

    private func refreshHoldingLock(_ account: AccountRecord, provider: OAuthProvider, reason: Reason, firstSeen: String?) async throws -> AccountRecord {
        guard let current = try await accounts.fetch(account.kind, account.id), let layout = OAuthAccountLayout.of(current) else {
            throw Failure.refreshFailed("the account was deleted", definitive: true)
        }
        // Someone refreshed between our look and the lock: their token is ours.
        if isSettled(current, reason, firstSeen: firstSeen) { return current }
        guard let refreshToken = (try? accounts.secret(current, "refreshToken")) ?? nil else {
            throw Failure.noCredential("no refresh token stored")
        }
        let grant: OAuthGrant
        do {
            // WorkOS scopes the new token to the account's organisation when it is named.
            let extra = current.kind == .droid ? current.nonEmpty("organizationId").map { [("organization_id", $0)] } ?? [] : []
            grant = try await endpoint.refresh(provider, refreshToken: refreshToken, proxy: current.proxy, extraFields: extra)
        } catch let failure as OAuthFailure {
            await recordFailure(current, failure)
            metrics?.tokenRefresh(platform: provider.platform, outcome: failure.definitive ? "refused" : "failed")
            throw Failure.refreshFailed(Self.failurePrefix + failure.description, definitive: failure.definitive)
        }
        var changes = layout.fields(for: grant, previousRefreshToken: refreshToken, now: clock.now,
                                    defaultLifetime: current.kind == .droid ? 8 * 3600 : 3600)
        changes.merge(["status": "active", "errorMessage": "", "unauthorizedAt": "", "tempErrorEndAt": ""]) { _, new in new }
        let updated = try await store(current, changes)
        backoffUntil.withLockedValue { _ = $0.removeValue(forKey: current.id) }
        metrics?.tokenRefresh(platform: provider.platform, outcome: "refreshed")
        logger.info("oauth token refreshed", metadata: [
            "account": "\(current.id)", "platform": "\(provider.platform)", "expiresAt": "\(updated.fields["expiresAt"] ?? "")",
            "rotated": "\(grant.refreshToken != nil)",
        ])
        return updated
    }

    /// The grant's tokens are the only copy once the old refresh token is spent: the write is retried before
    /// giving up (and the failure logged, without the token).
    private func store(_ account: AccountRecord, _ changes: [String: String]) async throws -> AccountRecord {
        var attempt = 0
        while true {
            do {
                return try await accounts.update(account.kind, account.id, changes: changes)
            } catch {
                attempt += 1
                guard attempt < 5 else {
                    logger.error("a refreshed oauth token could not be stored", metadata: ["account": "\(account.id)", "error": "\(error)"])
                    throw error
                }
                try await Task.sleep(nanoseconds: UInt64(attempt) * 200_000_000)
            }
        }
    }

    private func recordFailure(_ account: AccountRecord, _ failure: OAuthFailure) async {
        let message = Self.failurePrefix + failure.description
        let now = clock.now
        let expired = (account.date("expiresAt") ?? .distantPast) <= now
        if failure.definitive {
            await accounts.mark(account, ["status": "error", "errorMessage": message, "lastRefreshFailureAt": ISOTime.string(now)])
        } else {
            backoffUntil.withLockedValue { $0[account.id] = now.addingTimeInterval(TimeInterval(settings.transientBackoffSeconds)) }
            if expired {
                let until = now.addingTimeInterval(TimeInterval(settings.transientBackoffSeconds))
                await accounts.mark(account, AccountHealth.fields(for: .temporaryError(until: until, message), at: now)
                    .merging(["lastRefreshFailureAt": ISOTime.string(now)]) { _, new in new })
            } else {
                await accounts.mark(account, ["lastRefreshFailureAt": ISOTime.string(now), "lastRefreshError": message])
            }
        }
        await alerts.publish(.init(type: "token_refresh_failed", accountID: account.id, accountName: account.name,
                                   platform: account.kind.platform, message: message))
    }

    private func release(_ lock: String, owner: String) async {
        do {
            _ = try await redis.evaluate(Self.releaseScript, keys: [RedisArgument(lock)], arguments: [RedisArgument(owner)])
        } catch {
            logger.warning("could not release a token refresh lock (it expires by itself)", metadata: ["lock": "\(lock)", "error": "\(error)"])
        }
    }
}

extension AccountRecord {
    var errorMessageText: String { fields["errorMessage"] ?? "" }
}
