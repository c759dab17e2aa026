import Foundation
import Logging
import ServiceLifecycle

/// Runs the scheduled account tests (Node's account test scheduler): every `tickSeconds` it looks at the enabled
/// schedules, and each whose cron expression matches the current minute (in the relay's timezone,
/// `CRS_TIMEZONE_OFFSET_HOURS`) is tested once for that minute — across all instances (`SET … NX` per account and
/// minute) — and the result kept in the account's test history.
struct AccountTestScheduler: Service {
    static let platform = "claude"

    let context: RelayContext
    let run: AccountTestRun
    let store: AccountTestStore
    let timezoneOffsetHours: Int
    let tickSeconds: Int
    let logger: Logger

    func run() async throws {
        await runPeriodically(every: tickSeconds) { await self.tick() }
    }

    /// One look at the schedules; returns the ids tested.
    @discardableResult
    func tick() async -> [String] {
        let now = context.clock.now
        let minute = Self.minute(now, offsetHours: timezoneOffsetHours)
        guard let due = try? await store.enabled(Self.platform) else { return [] }
        var tested: [String] = []
        for (id, config) in due {
            guard let schedule = CronSchedule(config.cronExpression),
                  schedule.matches(minute: minute.minute, hour: minute.hour, day: minute.day, month: minute.month, weekday: minute.weekday) else { continue }
            let lock = "account:test_lock:\(Self.platform):\(id):\(minute.stamp)"
            guard (try? await context.redis.send("SET", RedisArgument(lock), "1", "NX", "EX", "120"))?.string == "OK" else { continue }
            guard let account = try? await context.accounts.fetch(.claudeOfficial, id), account.isActive else { continue }
            let result = await run.run(account, model: config.model)
            try? await store.record(Self.platform, id, result, at: context.clock.now)
            logger.info("scheduled account test", metadata: ["account": "\(id)", "success": "\(result["success"] as? Bool ?? false)"])
            tested.append(id)
        }
        return tested
    }

    struct Minute: Equatable {
        let minute, hour, day, month, weekday: Int
        /// `yyyymmddhhmm`, naming the minute for the run-once lock.
        let stamp: String
    }

    static func minute(_ instant: Date, offsetHours: Int) -> Minute {
        var seconds = time_t(instant.timeIntervalSince1970.rounded(.down)) + time_t(offsetHours * 3600)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let year = Int(parts.tm_year) + 1900, month = Int(parts.tm_mon) + 1, day = Int(parts.tm_mday)
        let hour = Int(parts.tm_hour), minute = Int(parts.tm_min)
        let stamp = [DecimalText.padded(year, 4), DecimalText.padded(month, 2), DecimalText.padded(day, 2), DecimalText.padded(hour, 2),
                     DecimalText.padded(minute, 2)].joined()
        return Minute(minute: minute, hour: hour, day: day, month: month, weekday: Int(parts.tm_wday), stamp: stamp)
    }
}
