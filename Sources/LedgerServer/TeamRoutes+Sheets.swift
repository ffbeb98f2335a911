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

/// Spreadsheets: downloading them, and uploading one to preview and write.
extension TeamRoutes {
    func sheets(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let (_, person) = try context.person()
        return Self.page(.ok, await pages(request).sheetsPage(person: person), language: language(request))
    }

    /// `/team/sheets/KIND.csv` (everything) and, with `audience: .public`, `/sheets/KIND.csv`.
    static func sheetFile(_ name: String, records: LedgerRecords) -> Response? {
        guard name.hasSuffix("s.csv"), let kind = SubjectKind(rawValue: String(name.dropLast(5))) else { return nil }
        var headers = Self.headers
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        let csv = SheetExport.csv(kind: kind, state: LedgerState(records: records, asOf: .today()), records: records)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: csv)))
    }

    func teamSheetFile(_ request: Request, context: LedgerRequestContext, name: String) async throws -> Response {
        _ = try context.person()
        if let file = Self.sheetFile(name, records: try await ledger.records()) { return file }
        return try await notFound(request, context: context)
    }

    /// `POST /team/sheets`: `action=preview` (the upload) shows what the sheet would write,
    /// or every problem by row and column; `action=confirm` writes it, all or nothing, judged
    /// again against the ledger as it is then (so a second click writes nothing more).
    func uploadSheet(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let form = try context.postedForm()
        let (current, person) = try context.person()
        let pages = await pages(request)
        guard let kind = form["kind"].flatMap(SubjectKind.init(rawValue:)) else { throw APIError(.badRequest, field: "kind", "must be actor, demand or commitment") }
        let csv = form["csv"] ?? "", reason = form["reason"] ?? ""
        let plan = SheetPlan(csv: csv, kind: kind, records: try await ledger.records(), author: current.member.name, reason: reason.isEmpty ? nil : reason)
        guard plan.problems.isEmpty else {
            return Self.page(.unprocessableContent, pages.sheetsPage(person: person, problems: plan.problems, problemCount: plan.problemCount, kind: kind, reason: reason), language: pages.language)
        }
        guard form["action"] == "confirm", !plan.drafts.isEmpty else {
            return Self.page(.ok, pages.sheetReviewPage(plan, kind: kind, csv: csv, reason: reason, person: person), language: pages.language)
        }
        if let refusal = try await writesRefused(request, person: person) { return refusal }
        let written = try await ledger.append(plan.drafts)
        logger.info("sheet imported from the workspace", metadata: ["author": "\(current.member.name)", "kind": "\(kind.rawValue)", "added": "\(written.added)"])
        let head = written.entries.map(\.seq).max() ?? 0
        do { try await view.written(upTo: head) } catch { logger.warning("refresh after write failed", metadata: ["error": "\(error)"]) }
        return Self.redirect(link("/team/entries/\(written.entries.last!.seq)?written=1", request), cookies: [readYourWritesCookie(head)])
    }
}
