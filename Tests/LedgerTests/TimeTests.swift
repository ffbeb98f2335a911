import Foundation
import Testing
@testable import Ledger

@Suite("Dates")
struct TimeTests {
    @Test(arguments: ["2023-02-30", "2023-02-29", "2023-13-01", "2023-00-10", "2023-6-30", "30/06/2023", "2023-06-31", "", "2023-06-3x"])
    func impossibleDatesAreRefused(_ text: String) {
        #expect(CalendarDay(text) == nil)
    }

    @Test(arguments: ["2024-02-29", "2000-02-29", "2023-06-30", "2023-12-31", "1999-01-01"])
    func realDatesAreAccepted(_ text: String) {
        #expect(CalendarDay(text)?.description == text)
    }

    @Test func dayNumbersRoundTripAndCount() {
        let summit = CalendarDay("2023-02-24")!
        #expect(CalendarDay(dayNumber: summit.dayNumber) == summit)
        #expect(CalendarDay("1970-01-01")!.dayNumber == 0)
        #expect(summit.days(until: CalendarDay("2023-06-30")!) == 126)
        #expect(CalendarDay("2024-02-28")!.adding(days: 1).description == "2024-02-29")
        #expect(CalendarDay.lastDay(ofMonth: 2, year: 2024)?.description == "2024-02-29")
    }

    @Test func effectiveTimesParseAndOrder() {
        #expect(EffectiveTime("2023-06-30T17:05:09Z")?.description == "2023-06-30T17:05:09Z")
        #expect(EffectiveTime("2023-06-30T24:00:00Z") == nil)
        #expect(EffectiveTime("2023-06-30T17:00:00+02:00") == nil)
        #expect(EffectiveTime("2023-06-30")! < EffectiveTime("2023-06-30T00:00:00Z")!)
        #expect(EffectiveTime("2023-06-30T23:59:59Z")! < EffectiveTime("2023-07-01")!)
    }

    @Test func recordedAtIsUTCWithMilliseconds() {
        let date = Date(timeIntervalSince1970: 1_688_146_215.25)
        #expect(RecordedAt.string(from: date) == "2023-06-30T17:30:15.250Z")
        #expect(RecordedAt.isValid("2023-06-30T17:30:15.250Z"))
        #expect(!RecordedAt.isValid("2023-06-30T17:30:15Z"))
    }
}
