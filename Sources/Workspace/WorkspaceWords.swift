import Ledger
import Reports
import LedgerTeam

/// The workspace's words: the catalog's `team` section (`Words`), which the templates read
/// as `{{w.key}}`; and the core's form problems worded by their code.
enum WorkspaceWords {
    static func table(_ language: ReportLanguage) -> [String: String] {
        language == .es ? spanish : english
    }

    static let english = Words.section("team", .en)
    static let spanish = Words.section("team", .es)

    /// The core's form problems in the page's language, by their code; an error without one
    /// (rare ones naming ids and seqs) is shown as the core wrote it.
    static func message(_ error: LedgerError, _ language: ReportLanguage) -> String {
        // English is the core's own message; another language words the code.
        guard language != .en, let code = error.code else { return error.message }
        switch code {
        case .required: return language.text("problem.required")
        case .empty: return language.text("problem.empty")
        case .needsAnItem: return language.text("problem.needsAnItem")
        case .mustBeText: return language.text("problem.mustBeText")
        case .chooseVisibility: return language.text("problem.chooseVisibility")
        case .mustBeVisibility: return language.text("problem.mustBeVisibility")
        case .chooseOne: return language.text("problem.chooseOne")
        case .chooseEntry: return language.text("problem.chooseEntry")
        case .nothingChanged: return language.text("problem.nothingChanged")
        case .notADate(let value): return language.text("problem.notADate", ["value": value])
        case .notACountryCode(let value): return language.text("problem.notACountryCode", ["value": value])
        case .notAnID(let value): return language.text("problem.notAnID", ["value": value])
        case .inTheFuture(let value): return language.text("problem.inTheFuture", ["value": value])
        case .listedTwice(let value): return language.text("problem.listedTwice", ["value": value])
        case .notAURL(let value): return language.text("problem.notAURL", ["value": value])
        // The English names what clashes and the limit; kept beside the words.
        case .idTaken: return language.text("problem.idTaken", ["message": error.message])
        case .tooLong: return language.text("problem.tooLong", ["message": error.message])
        }
    }
}
