import Ledger

/// A calendar month, `YYYY-MM`.
public struct ReportMonth: Sendable, Hashable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init(year: Int, month: Int) {
        precondition((1...12).contains(month), "month \(month)")
        self.year = year
        self.month = month
    }

    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month), year >= 1 else { return nil }
        self.year = year
        self.month = month
    }

    public var firstDay: CalendarDay { CalendarDay(year: year, month: month, day: 1)! }
    public var lastDay: CalendarDay { CalendarDay.lastDay(ofMonth: month, year: year)! }
    public func contains(_ day: CalendarDay) -> Bool { day.year == year && day.month == month }
    public var description: String { String(year) + "-" + (month < 10 ? "0" : "") + String(month) }
}
