import Foundation
import Hummingbird

/// Node's account test endpoints for Claude subscription accounts, on its paths and in its shapes:
/// `POST /admin/claude-accounts/:id/test-sync` (test now, `{data: {accountId, platform, result}}`),
/// `GET|PUT /admin/claude-accounts/:id/test-config` (the schedule: enabled, cron expression, model),
/// `GET /admin/claude-accounts/:id/test-history` and `POST /admin/claude-accounts/batch-test-history` (`{accountIds}`).
struct AccountTestsController {
    let run: AccountTestRun
    let store: AccountTestStore
    let accounts: AccountStore
    let clock: RelayClock
    static let platform = AccountTestScheduler.platform

    func register(on admin: RouterGroup<RelayRequestContext>) {
        let path = AccountKind.claudeOfficial.adminPath
        admin.post(RouterPath("\(path)/:id/test-sync")) { _, context -> Response in
            let account = try await existing(context)
            let result = await run.run(account, model: (try await store.config(Self.platform, account.id))?.model ?? AccountTestRun.defaultModel)
            try await store.record(Self.platform, account.id, result, at: clock.now)
            return AdminReply.data(["accountId": account.id, "platform": Self.platform, "result": result])
        }
        admin.get(RouterPath("\(path)/:id/test-config")) { _, context -> Response in
            let account = try await existing(context)
            let config = try await store.config(Self.platform, account.id) ?? AccountTestStore.Config()
            return AdminReply.data(["accountId": account.id, "platform": Self.platform, "config": config.json])
        }
        admin.put(RouterPath("\(path)/:id/test-config")) { request, context -> Response in
            let account = try await existing(context)
            let body = try await AdminReply.body(request)
            guard let enabled = body["enabled"] as? Bool else { throw AdminError(400, "Invalid parameter", "enabled must be a boolean") }
            guard let cron = body["cronExpression"] as? String, !cron.isEmpty else {
                throw AdminError(400, "Invalid parameter", "cronExpression is required and must be a string")
            }
            guard cron.count <= 100 else { throw AdminError(400, "Invalid parameter", "cronExpression too long (max 100 characters)") }
            guard CronSchedule(cron) != nil else {
                throw AdminError(400, "Invalid parameter",
                                 "Invalid cron expression: \(cron). Format: \"minute hour day month weekday\" (e.g., \"0 8 * * *\" for daily at 8:00)")
            }
            let model = (body["model"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? AccountTestRun.defaultModel
            guard model.count <= 256 else { throw AdminError(400, "Invalid parameter", "model must be a valid string (max 256 characters)") }
            let config = AccountTestStore.Config(enabled: enabled, cronExpression: cron, model: model)
            try await store.save(Self.platform, account.id, config, at: clock.now)
            return AdminReply.data(["accountId": account.id, "platform": Self.platform, "config": config.json],
                                   ["message": "Test config updated successfully"])
        }
        admin.get(RouterPath("\(path)/:id/test-history")) { _, context -> Response in
            let account = try await existing(context)
            let history = try await store.history(Self.platform, [account.id])[account.id] ?? []
            return AdminReply.data(["accountId": account.id, "platform": Self.platform, "history": history])
        }
        admin.post(RouterPath("\(path)/batch-test-history")) { request, _ -> Response in
            let body = try await AdminReply.body(request)
            guard let ids = body["accountIds"] as? [Any], !ids.isEmpty else {
                throw AdminError(400, "Invalid parameter", "accountIds must be a non-empty array")
            }
            let history = try await store.history(Self.platform, Array(ids.compactMap { $0 as? String }.prefix(100)))
            return AdminReply.data(history)
        }
    }

    private func existing(_ context: RelayRequestContext) async throws -> AccountRecord {
        guard let account = try await accounts.fetch(.claudeOfficial, try context.parameters.require("id")) else {
            throw AdminError(404, "Account not found", "Claude account not found")
        }
        return account
    }
}
