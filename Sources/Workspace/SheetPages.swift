import Foundation
import Ledger
import Reports
import Sheets
import LedgerTeam

extension WorkspacePages {
    struct SheetLink { let href: String; let text: String }
    struct SheetRow { let row: Int; let id: String; let changes: String; let unchanged: Bool }
    struct SheetsView {
        let frame: Frame; let csrf: String; let downloads: [SheetLink]; let publicDownloads: [SheetLink]; let kinds: [Option]
        let canWrite: Bool; let problems: [String]; let hasProblems: Bool; let moreProblems: Int; let hasMoreProblems: Bool; let reason: String
    }
    struct SheetReviewView {
        let frame: Frame; let csrf: String; let kind: String; let kindName: String; let csv: String; let reason: String
        let rows: [SheetRow]; let count: Int; let nothing: Bool
    }

    func kindName(_ kind: SubjectKind) -> String { word(kind == .actor ? "actors" : kind == .demand ? "demands" : "commitments") }

    /// `/team/sheets`: the current state as spreadsheets to download, and (for editors) the
    /// upload whose preview comes before anything is written.
    /// `problemCount` counts them all when `problems` holds only the first of them.
    public func sheetsPage(person: Person, problems: [SheetPlan.Problem] = [], problemCount: Int? = nil, kind: SubjectKind = .commitment,
                           reason: String = "") -> String {
        let kinds: [SubjectKind] = [.demand, .commitment, .actor]
        return render("team-sheets", SheetsView(
            frame: frame(word("sheets"), person: person, section: "sheets"), csrf: person.csrfToken,
            downloads: kinds.map { SheetLink(href: "/team/sheets/\($0.rawValue)s.csv", text: kindName($0)) },
            publicDownloads: kinds.map { SheetLink(href: "/sheets/\($0.rawValue)s.csv", text: kindName($0)) },
            kinds: kinds.map { Option(value: $0.rawValue, text: kindName($0), selected: $0 == kind) },
            canWrite: person.role.canWrite, problems: problems.map(\.description), hasProblems: !problems.isEmpty,
            moreProblems: max(0, (problemCount ?? problems.count) - problems.count), hasMoreProblems: (problemCount ?? 0) > problems.count, reason: reason))
    }

    /// The upload's preview: every entry the sheet would write, row by row; recording it
    /// sends the same sheet again, judged again against the ledger as it is then.
    public func sheetReviewPage(_ plan: SheetPlan, kind: SubjectKind, csv: String, reason: String, person: Person) -> String {
        let rows = plan.rows.map { SheetRow(row: $0.row, id: $0.id, changes: $0.changes.isEmpty ? word("unchanged") : $0.changes.joined(separator: "; "),
                                            unchanged: $0.changes.isEmpty) }
        return render("team-sheet-review", SheetReviewView(
            frame: frame(word("review"), person: person, section: "sheets"), csrf: person.csrfToken, kind: kind.rawValue, kindName: kindName(kind),
            csv: csv, reason: reason, rows: rows, count: plan.drafts.count, nothing: plan.drafts.isEmpty))
    }
}
