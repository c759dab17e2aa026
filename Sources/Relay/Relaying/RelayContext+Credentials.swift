import Foundation

extension RelayContext {
    /// The account's credential: an OAuth access token (refreshed first when it is about to expire; a failed
    /// refresh has already marked the account) or a Console key. Nothing usable stored → marked unauthorized.
    /// Key-list accounts: the session's key (`AccountStore.listedKey`).
    func credential(for account: AccountRecord, session: String? = nil) async throws -> String {
        if OAuthAccountLayout.of(account) != nil {
            do {
                return try await tokens.accessToken(for: account)
            } catch let failure as TokenRefresher.Failure {
                logger.warning("no usable oauth token", metadata: ["account": "\(account.id)", "reason": "\(failure)"])
                if case .noCredential(let reason) = failure {
                    await accounts.mark(account, AccountHealth.fields(for: .unauthorized(reason), at: clock.now))
                }
                throw failure
            }
        }
        if account.kind.keyListField != nil {
            guard let key = accounts.listedKey(account, session: session) else {
                await accounts.mark(account, AccountHealth.fields(for: .unauthorized("no usable API key in the account's list"), at: clock.now))
                throw TokenRefresher.Failure.noCredential("no usable API key")
            }
            return key
        }
        guard let key = try? accounts.secret(account, account.kind.credentialField) else {
            await accounts.mark(account, AccountHealth.fields(for: .unauthorized("no usable credential stored"), at: clock.now))
            throw TokenRefresher.Failure.noCredential("no credential stored")
        }
        return key
    }
}
