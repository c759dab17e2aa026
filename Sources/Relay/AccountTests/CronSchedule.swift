/// A five-field cron expression — `minute hour day-of-month month day-of-week` — as Node's account tests take it:
/// `*`, numbers, lists (`1,15`), ranges (`9-17`) and steps (`*/15`, `0-30/10`); day of week 0–7 (0 and 7 are Sunday).
/// As in cron, when both day fields are restricted a day matching either runs.
struct CronSchedule: Sendable, Equatable {
    let minutes: Set<Int>
    let hours: Set<Int>
    let days: Set<Int>
    let months: Set<Int>
    let weekdays: Set<Int>
    let daysRestricted: Bool
    let weekdaysRestricted: Bool

    init?(_ expression: String) {
        let fields = expression.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 5, expression.count <= 100,
              let minutes = Self.field(fields[0], 0...59), let hours = Self.field(fields[1], 0...23),
              let days = Self.field(fields[2], 1...31), let months = Self.field(fields[3], 1...12),
              let weekdays = Self.field(fields[4], 0...7) else { return nil }
        self.minutes = minutes
        self.hours = hours
        self.days = days
        self.months = months
        self.weekdays = Set(weekdays.map { $0 % 7 })
        daysRestricted = fields[2] != "*"
        weekdaysRestricted = fields[4] != "*"
    }

    /// Whether the schedule fires in this minute (`weekday` 0 = Sunday).
    func matches(minute: Int, hour: Int, day: Int, month: Int, weekday: Int) -> Bool {
        guard minutes.contains(minute), hours.contains(hour), months.contains(month) else { return false }
        switch (daysRestricted, weekdaysRestricted) {
        case (true, true): return days.contains(day) || weekdays.contains(weekday)
        case (true, false): return days.contains(day)
        case (false, true): return weekdays.contains(weekday)
        case (false, false): return true
        }
    }

    private static func field(_ text: Substring, _ bounds: ClosedRange<Int>) -> Set<Int>? {
        var values = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard (1...2).contains(pieces.count) else { return nil }
            let step = pieces.count == 2 ? Int(pieces[1]) : 1
            guard let step, step > 0 else { return nil }
            let range: ClosedRange<Int>
            if pieces[0] == "*" {
                range = bounds
            } else if let dash = pieces[0].firstIndex(of: "-") {
                guard let low = Int(pieces[0][..<dash]), let high = Int(pieces[0][pieces[0].index(after: dash)...]),
                      low <= high, bounds.contains(low), bounds.contains(high) else { return nil }
                range = low...high
            } else {
                guard let value = Int(pieces[0]), bounds.contains(value) else { return nil }
                range = pieces.count == 2 ? value...bounds.upperBound : value...value
            }
            values.formUnion(stride(from: range.lowerBound, through: range.upperBound, by: step))
        }
        return values.isEmpty ? nil : values
    }
}
