import Foundation

/// A calendar date with no time zone: how the world's events are dated in the ledger.
public struct CalendarDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// year × 512 + month × 32 + day: every record carries dates, and one word instead of
    /// three is tens of megabytes at a million entries. Ordered as the dates are.
    private let packed: Int32

    public var year: Int { Int(packed >> 9) }
    public var month: Int { Int(packed >> 5 & 15) }
    public var day: Int { Int(packed & 31) }

    private init(unchecked year: Int, month: Int, day: Int) {
        packed = Int32(year) << 9 | Int32(month << 5 | day)
    }

    /// Parses `YYYY-MM-DD` strictly: 2023-02-30 and 2023-2-3 are refused.
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = Self.digits(bytes[0..<4]), let month = Self.digits(bytes[5..<7]),
              let day = Self.digits(bytes[8..<10])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...Self.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.init(unchecked: year, month: month, day: day)
    }

    /// The UTC calendar day of an instant.
    public init(_ date: Date) {
        let days = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
        self.init(dayNumber: days)
    }

    public static func today(now: Date = Date()) -> CalendarDay { CalendarDay(now) }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The last day of a month: what a monthly report is "as of".
    public static func lastDay(ofMonth month: Int, year: Int) -> CalendarDay? {
        guard (1...12).contains(month) else { return nil }
        return CalendarDay(year: year, month: month, day: daysIn(month: month, year: year))
    }

    /// Days since 1970-01-01 (proleptic Gregorian), for differences between dates.
    public var dayNumber: Int {
        // Howard Hinnant's days_from_civil.
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public init(dayNumber: Int) {
        let shifted = dayNumber + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        self.init(unchecked: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    public func adding(days: Int) -> CalendarDay { CalendarDay(dayNumber: dayNumber + days) }

    /// ISO 8601's day of the week: Monday 1 … Sunday 7 (1970-01-01, day 0, was a Thursday).
    public var isoWeekday: Int { ((dayNumber + 3) % 7 + 7) % 7 + 1 }

    public func days(until other: CalendarDay) -> Int { other.dayNumber - dayNumber }

    public var description: String {
        Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2)
    }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool { lhs.packed < rhs.packed }

    static func pad(_ number: Int, _ width: Int) -> String {
        let text = String(number)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}

/// When something happened in the world: a date (`2023-06-30`) or a UTC date-time
/// (`2023-06-30T17:00:00Z`) when the hour matters.
public struct EffectiveTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let day: CalendarDay
    /// -1 for a date alone: an optional Int would double the size of every record's dates.
    private let second: Int32

    /// Seconds after midnight UTC, when given.
    public var secondOfDay: Int? { second < 0 ? nil : Int(second) }

    public init(day: CalendarDay, secondOfDay: Int? = nil) {
        self.day = day
        second = secondOfDay.map { Int32($0) } ?? -1
    }

    public init?(_ text: some StringProtocol) {
        let text = String(text)
        if text.utf8.count == 10 {
            guard let day = CalendarDay(text) else { return nil }
            self.init(day: day)
            return
        }
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[10] == UInt8(ascii: "T"), bytes[19] == UInt8(ascii: "Z"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let day = CalendarDay(String(decoding: bytes[0..<10], as: UTF8.self)),
              let hour = CalendarDay.digits(bytes[11..<13]), hour < 24,
              let minute = CalendarDay.digits(bytes[14..<16]), minute < 60,
              let second = CalendarDay.digits(bytes[17..<19]), second < 60
        else { return nil }
        self.init(day: day, secondOfDay: hour * 3600 + minute * 60 + second)
    }

    public var description: String {
        guard let seconds = secondOfDay else { return day.description }
        return day.description + "T" + CalendarDay.pad(seconds / 3600, 2) + ":"
            + CalendarDay.pad(seconds / 60 % 60, 2) + ":" + CalendarDay.pad(seconds % 60, 2) + "Z"
    }

    /// A date alone sorts before any time on that day.
    public static func < (lhs: EffectiveTime, rhs: EffectiveTime) -> Bool {
        if lhs.day != rhs.day { return lhs.day < rhs.day }
        return lhs.second < rhs.second
    }
}

/// `recorded_at`: when the ledger learned of an entry, UTC, millisecond precision.
public enum RecordedAt {
    public static func string(from date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let day = CalendarDay(dayNumber: Int(milliseconds.floorDivided(by: 86_400_000)))
        let msOfDay = Int(milliseconds - Int64(day.dayNumber) * 86_400_000)
        let seconds = msOfDay / 1000
        return day.description + "T" + CalendarDay.pad(seconds / 3600, 2) + ":"
            + CalendarDay.pad(seconds / 60 % 60, 2) + ":" + CalendarDay.pad(seconds % 60, 2)
            + "." + CalendarDay.pad(msOfDay % 1000, 3) + "Z"
    }

    /// True for exactly the shape `string(from:)` produces, so imports cannot smuggle odd text in.
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 24, bytes[19] == UInt8(ascii: "."), bytes[23] == UInt8(ascii: "Z"),
              EffectiveTime(String(decoding: bytes[0..<19], as: UTF8.self) + "Z") != nil,
              CalendarDay.digits(bytes[20..<23]) != nil
        else { return false }
        return true
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
