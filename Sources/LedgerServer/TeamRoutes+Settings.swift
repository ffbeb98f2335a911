import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Logging
import NIOCore
import Reports
import Sheets
import Workspace
import LedgerTeam

/// Each person's own settings: reminders, and their calendar (the address calendar apps read).
extension TeamRoutes {
    /// `/team/calendar.ics?key=SECRET`: every due date, internal ones too, for calendar apps
    /// (which cannot sign in): the person's secret address is the key. 404 without a valid one.
    func calendar(_ request: Request) async throws -> Response {
        let pages = await pages(request)
        guard let key = request.uri.queryParameters.get("key"), key.count < 200,
              let member = try await ledger.member(withCalendarSecret: String(key)) else {
            return Self.page(.notFound, pages.messagePage(heading: "notFound", text: "notFoundText", person: nil), language: pages.language)
        }
        let language = request.uri.queryParameters.get("lang").flatMap { ReportLanguage(rawValue: String($0)) } ?? ReportLanguage(rawValue: member.language) ?? .en
        let (_, state) = try await state()
        let base = configuration.baseURL
        let text = DueDateCalendar(state: state, language: language, baseURL: base) { commitment in
            commitment.visibility == .public ? base + "/commitments/\(commitment.id)?lang=\(language.rawValue)"
                : base + "/team/commitments?q=\(commitment.id)&lang=\(language.rawValue)"
        }.ics(name: "\(pages.organisation): " + language.text("team.calendarName"))
        var headers = Self.headers
        headers[.contentType] = "text/calendar; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func settings(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let (current, person) = try context.person()
        return Self.page(.ok, await pages(request).settingsPage(member: current.member, mail: try await ledger.accounts.mailDeliveries(member: current.member.name, limit: 20),
                                                                person: person), language: language(request))
    }

    /// `POST /team/settings`: `action=mail` saves the reminders and their language;
    /// `action=calendar` makes a new calendar address, shown once.
    func changeSettings(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let form = try context.postedForm()
        let (current, person) = try context.person()
        let pages = await pages(request)
        var calendarURL: String?
        var notice: String?
        var problem: String?
        do {
            switch form["action"] ?? "" {
            case "mail":
                try await ledger.setNotifications(name: current.member.name, weekly: form["weekly"] != nil, overdue: form["overdue"] != nil,
                                                  language: form["language"] ?? current.member.language)
                notice = "saved"
            case "calendar":
                calendarURL = configuration.baseURL + "/team/calendar.ics?key=" + (try await ledger.resetCalendar(name: current.member.name))
            default:
                throw LedgerError(field: "action", "is not one this page offers")
            }
        } catch let error as LedgerError where error.kind != .storage {
            problem = error.description
        }
        let member = try await ledger.member(named: current.member.name)
        return Self.page(problem == nil ? .ok : .unprocessableContent,
                         pages.settingsPage(member: member, mail: try await ledger.accounts.mailDeliveries(member: member.name, limit: 20), person: person,
                                            calendarURL: calendarURL, notice: notice, error: problem), language: pages.language)
    }
}
