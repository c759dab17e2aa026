import FakeUpstreams
import Foundation
@testable import Relay
import Scenario
import Testing

@Suite("Scheduled account tests")
struct AccountTestSchedulerTests {
    @Test(arguments: [
        ("* * * * *", (0, 0, 1, 1, 0), true), ("0 8 * * *", (0, 8, 3, 12, 4), true), ("0 8 * * *", (1, 8, 3, 12, 4), false),
        ("*/15 9-17 * * 1-5", (45, 17, 4, 12, 5), true), ("*/15 9-17 * * 1-5", (45, 17, 6, 12, 0), false),
        ("0 0 1,15 * 7", (0, 0, 15, 6, 3), true), ("0 0 1,15 * 7", (0, 0, 14, 6, 0), true), ("0 0 1,15 * 7", (0, 0, 14, 6, 1), false),
        ("5-20/5 * * 2 *", (20, 3, 9, 2, 1), true), ("5-20/5 * * 2 *", (21, 3, 9, 2, 1), false),
    ] as [(String, (Int, Int, Int, Int, Int), Bool)])
    func cronMatchesAsCronDoes(expression: String, at: (Int, Int, Int, Int, Int), expected: Bool) throws {
        let schedule = try #require(CronSchedule(expression))
        #expect(schedule.matches(minute: at.0, hour: at.1, day: at.2, month: at.3, weekday: at.4) == expected)
    }

    @Test(arguments: ["", "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8", "*/0 * * * *", "a * * * *", "5-1 * * * *"])
    func badExpressionsAreRefused(expression: String) {
        #expect(CronSchedule(expression) == nil)
    }

    /// Two instances looking at the same minute test the account once.
    @Test func aMinuteIsTestedOnceAcrossInstances() async throws {
        try await RelayHarness.with(instances: 2, overrides: ["CRS_ACCOUNT_TEST_TICK_SECONDS": "0"]) { harness in
            harness.fakes.state.addCredentials(FakeCredentials(oauthTokens: ["sk-ant-oat01-sched"]))
            let admin = try await RelayClient.login(harness)
            let account = try await admin.call("POST", "/admin/claude-accounts", [
                "name": "sched", "claudeAiOauth": ["accessToken": "sk-ant-oat01-sched", "refreshToken": "", "expiresAt": 4_102_444_800_000],
            ])
            let id = try #require(admin.data(account)["id"] as? String)
            _ = try await admin.call("PUT", "/admin/claude-accounts/\(id)/test-config", ["enabled": true, "cronExpression": "* * * * *"])
            let schedulers = harness.relays.map { relay in
                AccountTestScheduler(context: relay.services.relay, run: relay.services.accountTestRun(), store: AccountTestStore(redis: harness.redis),
                                     timezoneOffsetHours: 8, tickSeconds: 0, logger: relay.services.relay.logger)
            }
            let tested = await withTaskGroup(of: [String].self) { group in
                for scheduler in schedulers { group.addTask { await scheduler.tick() } }
                return await group.reduce(into: []) { $0 += $1 }
            }
            #expect(tested == [id])
            #expect(harness.fakes.state.requests.filter { $0.path == "/official/v1/messages" }.count == 1)
        }
    }
}
