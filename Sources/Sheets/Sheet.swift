import Foundation
import Ledger

/// A spreadsheet of actors, demands or commitments: one row per item, one column per field.
/// The columns are the payload's fields (from its `FieldSpec`s) plus the item's `id`, its
/// date (`effective`) and `visibility`, and for commitments the latest rating (`status`,
/// `basis`, `rationale`, `rationale_es`, `status_sources`, and `status_effective`: the day
/// that rating was given). Headers are the JSON field names,
/// or their Spanish labels; lists (ids, links) are written one per line in a cell.
public struct SheetColumn: Sendable, Equatable {
    public enum Role: Sendable, Hashable {
        case id, effective, visibility
        /// A field of the item's defining entry.
        case field(String)
        /// The latest rating of a commitment.
        case status, basis, rationale, rationaleES, statusSources, statusEffective
    }

    public let name: String
    public let spanish: String
    public let role: Role
    public let isList: Bool

    /// Every column of a kind of item, in the order `export` writes them.
    public static func columns(for kind: SubjectKind) -> [SheetColumn] {
        var columns = [SheetColumn(name: "id", spanish: "id", role: .id, isList: false)]
        let type: EntryType = kind == .actor ? .actorRegistered : kind == .demand ? .demandRecorded : .commitmentRecorded
        columns += type.fields.map { SheetColumn(name: $0.name, spanish: $0.label.spanish, role: .field($0.name), isList: $0.isList) }
        columns += [SheetColumn(name: "effective", spanish: "fecha", role: .effective, isList: false),
                    SheetColumn(name: "visibility", spanish: "visibilidad", role: .visibility, isList: false)]
        if kind == .commitment {
            columns += [SheetColumn(name: "status", spanish: "estado", role: .status, isList: false),
                        SheetColumn(name: "basis", spanish: "base", role: .basis, isList: false),
                        SheetColumn(name: "rationale", spanish: "justificación", role: .rationale, isList: false),
                        SheetColumn(name: "rationale_es", spanish: "justificación en español", role: .rationaleES, isList: false),
                        SheetColumn(name: "status_sources", spanish: "fuentes del estado", role: .statusSources, isList: true),
                        SheetColumn(name: "status_effective", spanish: "fecha del estado", role: .statusEffective, isList: false)]
        }
        return columns
    }

    /// The column a header names (English or Spanish, any case, accents ignored), or nil.
    static func named(_ header: String, in columns: [SheetColumn]) -> SheetColumn? {
        let wanted = folded(header)
        return columns.first { folded($0.name) == wanted || folded($0.spanish) == wanted }
    }

    static func folded(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespaces).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .replacingOccurrences(of: " ", with: "_")
    }
}

/// What importing a sheet would do: the entries it would write, row by row, or every
/// problem found, each naming its row and column.
public struct SheetPlan: Sendable {
    public struct Row: Sendable {
        /// As a spreadsheet numbers it: the header is row 1.
        public let row: Int
        public let id: String
        /// What the row writes, one line per entry; empty when the row changes nothing.
        public var changes: [String]
    }

    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public let row: Int?
        public let column: String?
        public let message: String

        public var description: String {
            [row.map { "row \($0)" }, column.map { "column \($0)" }].compactMap { $0 }.joined(separator: ", ")
                + (row == nil && column == nil ? "" : ": ") + message
        }
    }

    public var rows: [Row] = []
    /// The first `problemLimit` problems, in the order of the sheet; `problemCount` counts
    /// them all (a sheet of thousands of bad cells is answered with a page, not megabytes).
    public var problems: [Problem] = []
    public var problemCount = 0
    public static let problemLimit = 100
    public var drafts: [EntryDraft] = []
    public var separator: Character = ","

    public var isEmpty: Bool { drafts.isEmpty }

    /// Reads the sheet and compares it with the ledger: a new id records the item, a
    /// different status records a status change, a changed field records a correction
    /// (with `reason`), an unchanged row writes nothing. Nothing is written here; the drafts
    /// are checked in order against the ledger and the rows before them.
    public init(csv text: String, kind: SubjectKind, records: LedgerRecords, author: String, reason: String?,
                today: CalendarDay = .today()) {
        defer {
            problemCount = problems.count
            if problems.count > Self.problemLimit { problems.removeSubrange(Self.problemLimit...) }
        }
        let table: [[String]]
        do {
            (table, separator) = try CSV.parse(text)
        } catch {
            problems.append(Problem(row: error.row, column: nil, message: error.message))
            return
        }
        guard let header = table.first else {
            problems.append(Problem(row: nil, column: nil, message: "the sheet is empty: it needs a header row naming the columns"))
            return
        }
        let known = SheetColumn.columns(for: kind)
        var columns: [SheetColumn?] = []
        for (index, name) in header.enumerated() {
            let column = SheetColumn.named(name, in: known)
            if column == nil && !name.trimmingCharacters(in: .whitespaces).isEmpty {
                problems.append(Problem(row: 1, column: name, message: "is not a column of a \(kind.rawValue) sheet (columns: \(known.map(\.name).joined(separator: ", ")))"))
            }
            if let column, columns.contains(column) {
                problems.append(Problem(row: 1, column: name, message: "is given twice (column \(index + 1))"))
            }
            columns.append(column)
        }
        guard columns.contains(where: { $0?.role == .id }) else {
            problems.append(Problem(row: 1, column: "id", message: "is missing: every row needs its item's id"))
            return
        }
        guard problems.isEmpty else { return }

        var validator = EntryValidator(records: records, today: today)
        // Each existing commitment's latest rating; the rows cannot change them for one another.
        let state = LedgerState(records: records, asOf: today.adding(days: 1))
        var seen: [String: Int] = [:]
        for (index, cells) in table.dropFirst().enumerated() {
            let rowNumber = index + 2
            var values: [SheetColumn.Role: String] = [:]
            if cells.count > columns.count, cells[columns.count...].contains(where: { !$0.isEmpty }) {
                problems.append(Problem(row: rowNumber, column: nil, message: "has \(cells.count) cells; the header names \(columns.count) columns"))
                continue
            }
            for (position, cell) in cells.enumerated() {
                guard position < columns.count, let column = columns[position] else { continue }
                values[column.role] = CSV.restored(cell)
            }
            let reader = RowReader(row: rowNumber, values: values, columns: columns.compactMap { $0 }, kind: kind)
            let id = (values[.id] ?? "").trimmingCharacters(in: .whitespaces)
            if let earlier = seen[id] {
                problems.append(Problem(row: rowNumber, column: "id", message: "'\(id)' is also row \(earlier)"))
                continue
            }
            seen[id] = rowNumber
            var plan = Row(row: rowNumber, id: id, changes: [])
            let rowDrafts: [EntryDraft]
            do throws(Problem) {
                rowDrafts = try reader.drafts(records: validator.records, state: state, author: author, reason: reason, today: today, changes: &plan.changes)
                for draft in rowDrafts {
                    // A new item: every column's problem at once, as a form shows each beside its field.
                    if draft.type.definesSubject != nil, case .object(let payload) = draft.payload {
                        let found = validator.fieldProblems(payload, of: draft.type, visibility: draft.visibility)
                        if let last = found.last {
                            problems += found.dropLast().map { reader.problem(for: $0, of: draft) }
                            throw reader.problem(for: last, of: draft)
                        }
                    }
                    do throws(LedgerError) {
                        try validator.accept(draft)
                    } catch {
                        throw reader.problem(for: error, of: draft)
                    }
                }
            } catch {
                problems.append(error)
                continue
            }
            drafts += rowDrafts
            rows.append(plan)
        }
        if table.count == 1 { problems.append(Problem(row: nil, column: nil, message: "the sheet has a header but no rows")) }
    }
}

/// One row's cells, read as the item they describe.
struct RowReader {
    let row: Int
    let values: [SheetColumn.Role: String]
    let columns: [SheetColumn]
    let kind: SubjectKind

    var type: EntryType { kind == .actor ? .actorRegistered : kind == .demand ? .demandRecorded : .commitmentRecorded }

    func problem(_ column: String?, _ message: String) -> SheetPlan.Problem {
        SheetPlan.Problem(row: row, column: column, message: message)
    }

    /// A validation error as the sheet names it: the column of the field at fault.
    func problem(for error: LedgerError, of draft: EntryDraft) -> SheetPlan.Problem {
        guard var field = error.field else { return problem(nil, error.message) }
        for prefix in ["fields.", "payload."] where field.hasPrefix(prefix) { field.removeFirst(prefix.count) }
        if let bracket = field.firstIndex(of: "[") { field = String(field[..<bracket]) }
        switch field {
        case "subject": return problem("id", error.message)
        case "target_seq": return problem("id", error.message)
        default:
            if draft.type == .statusChanged {
                let statusColumns = ["rationale": "rationale", "rationale_es": "rationale_es", "sources": "status_sources", "effective": "status_effective"]
                return problem(statusColumns[field] ?? field, error.message)
            }
            return problem(field, error.message)
        }
    }

    /// A cell as a field's JSON value (nil when empty): lists are split at line breaks and spaces.
    func value(_ column: SheetColumn) -> JSONValue? {
        guard let cell = values[column.role] else { return nil }
        if column.isList {
            let items = cell.split(whereSeparator: { $0.isWhitespace }).map(String.init)
            return items.isEmpty ? nil : .array(items.map(JSONValue.string))
        }
        let text = cell.replacingOccurrences(of: "\r\n", with: "\n")
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : .string(trimmed)
    }

    func text(_ role: SheetColumn.Role) -> String? {
        guard let cell = values[role]?.trimmingCharacters(in: .whitespacesAndNewlines), !cell.isEmpty else { return nil }
        return cell
    }

    func drafts(records: LedgerRecords, state: LedgerState, author: String, reason: String?, today: CalendarDay,
                changes: inout [String]) throws(SheetPlan.Problem) -> [EntryDraft] {
        guard let id = text(.id) else { throw problem("id", LedgerError.Code.empty.english) }
        var effective = EffectiveTime(day: today)
        if let typed = text(.effective) {
            guard let time = EffectiveTime(typed) else { throw problem("effective", "'\(typed)' is not a date (YYYY-MM-DD)") }
            effective = time
        }
        let fieldColumns = columns.filter { if case .field = $0.role { return true } else { return false } }
        var drafts: [EntryDraft] = []
        if let seq = records.definitions[id], let existing = records.record(seq: seq) {
            guard existing.type == type else {
                throw problem("id", "'\(id)' is \(existing.type.definesSubject.map { "a \($0.rawValue)" } ?? "taken"), not a \(kind.rawValue)")
            }
            if existing.isRetracted { throw problem("id", "\(kind.rawValue) '\(id)' was retracted; it cannot change") }
            if let typed = text(.visibility), typed != existing.visibility.rawValue {
                throw problem("visibility", "\(kind.rawValue) '\(id)' is \(existing.visibility.rawValue); an entry's visibility never changes")
            }
            // The fields that differ: one correction.
            let current: [String: JSONValue] = { if case .object(let members) = existing.payload { return members } else { return [:] } }()
            var corrected: [String: JSONValue] = [:]
            for column in fieldColumns {
                guard case .field(let name) = column.role, let cell = values[column.role] else { continue }
                let before = current[name]
                // A cell as it was exported writes nothing, whatever spaces it holds.
                if !column.isList, before == .string(cell.replacingOccurrences(of: "\r\n", with: "\n")) { continue }
                let typed = value(column)
                if typed != before && !(typed == nil && before == .array([])) {
                    corrected[name] = typed ?? (column.isList ? .array([]) : .null)
                }
            }
            if text(.effective) != nil, effective != existing.effective { corrected["effective"] = .string(effective.description) }
            if !corrected.isEmpty {
                guard let reason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw problem(corrected.keys.sorted().first, "differs from the ledger, so the import would correct it: give the reason for the corrections (--reason)")
                }
                drafts.append(EntryDraft(type: .entryCorrected, subject: id, effective: EffectiveTime(day: today), author: author,
                                         visibility: existing.visibility,
                                         payload: .object(["target_seq": .int(existing.seq), "fields": .object(corrected), "reason": .string(reason)])))
                changes.append("correct \(corrected.keys.sorted().joined(separator: ", ")) of seq \(existing.seq) (\(existing.visibility.rawValue))")
            }
            if kind == .commitment, let status = try statusChange(of: id, visibility: existing.visibility, latest: state.commitment(id)?.history.last,
                                                                  author: author) {
                drafts.append(status.draft)
                changes.append(status.description)
            }
            return drafts
        }
        // A new item.
        guard let typed = text(.visibility) else {
            throw problem("visibility", values[.visibility] == nil ? "is missing: a new \(kind.rawValue) needs public or internal" : "is empty: a new \(kind.rawValue) needs public or internal")
        }
        guard let visibility = Visibility(rawValue: typed) else { throw problem("visibility", "'\(typed)' must be public or internal") }
        var payload: [String: JSONValue] = [:]
        for column in fieldColumns {
            guard case .field(let name) = column.role, let value = value(column) else { continue }
            payload[name] = value
        }
        drafts.append(EntryDraft(type: type, subject: id, effective: effective, author: author, visibility: visibility, payload: .object(payload)))
        changes.append("new \(kind.rawValue) (\(visibility.rawValue), \(effective))")
        if kind == .commitment, let status = try statusChange(of: id, visibility: visibility, latest: nil, author: author) {
            drafts.append(status.draft)
            changes.append(status.description)
        }
        return drafts
    }

    /// A status change when the row's status and basis differ from the latest rating.
    func statusChange(of id: String, visibility: Visibility, latest: StatusChange?, author: String) throws(SheetPlan.Problem) -> (draft: EntryDraft, description: String)? {
        guard let typed = text(.status) else { return nil }
        guard let status = CommitmentStatus(rawValue: typed) else {
            throw problem("status", "'\(typed)' is not a status (\(CommitmentStatus.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let basisText = text(.basis)
        let basis = basisText.flatMap(Basis.init(rawValue:))
        if basisText != nil && basis == nil { throw problem("basis", "'\(basisText!)' must be claimed or verified") }
        if let latest, latest.status == status, basis == nil || latest.basis == basis { return nil }
        if latest == nil && status == .announced && basis == nil { return nil }
        guard let basis else { throw problem("basis", "is required with a new status: claimed or verified") }
        guard let rationale = text(.rationale) else { throw problem("rationale", "is required with a new status: say why it changed") }
        let sources = values[.statusSources].map { $0.split(whereSeparator: { $0.isWhitespace }).map(String.init) } ?? []
        if sources.isEmpty { throw problem("status_sources", "needs at least one link with a new status") }
        var payload: [String: JSONValue] = ["status": .string(status.rawValue), "basis": .string(basis.rawValue), "rationale": .string(rationale),
                                            "sources": .array(sources.map(JSONValue.string))]
        if let spanish = text(.rationaleES) { payload["rationale_es"] = .string(spanish) }
        // When it changed is the sheet's to say: the ledger cannot forget a wrong date, so
        // today is never assumed.
        guard let typedDay = text(.statusEffective) else {
            throw problem("status_effective", "is required with a new status: the day the status changed (YYYY-MM-DD)")
        }
        guard let day = EffectiveTime(typedDay) else { throw problem("status_effective", "'\(typedDay)' is not a date (YYYY-MM-DD)") }
        let draft = EntryDraft(type: .statusChanged, subject: id, effective: day, author: author, visibility: visibility, payload: .object(payload))
        return (draft, "status \(latest?.status.rawValue ?? "announced") → \(status.rawValue) (\(basis.rawValue)) on \(day), \(visibility.rawValue)")
    }
}

/// The current state as a sheet `SheetPlan` reads back unchanged.
public enum SheetExport {
    public static func csv(kind: SubjectKind, state: LedgerState, records: LedgerRecords) -> String {
        let columns = SheetColumn.columns(for: kind)
        var text = CSV.line(columns.map(\.name))
        let items: [(id: String, seq: Int64)]
        switch kind {
        case .actor: items = state.actors.map { ($0.id, $0.seq) }
        case .demand: items = state.demands.map { ($0.id, $0.seq) }
        case .commitment: items = state.commitments.map { ($0.id, $0.seq) }
        }
        for item in items {
            guard let record = records.record(seq: item.seq) else { continue }
            let payload: [String: JSONValue] = { if case .object(let members) = record.payload { return members } else { return [:] } }()
            let latest = state.commitment(item.id)?.history.last
            let cells = columns.map { column -> String in
                switch column.role {
                case .id: return item.id
                case .effective: return record.effective.description
                case .visibility: return record.visibility.rawValue
                case .field(let name):
                    switch payload[name] {
                    case .string(let text)?: return text
                    case .array(let items)?: return items.compactMap(\.stringValue).joined(separator: "\n")
                    default: return ""
                    }
                case .status: return latest?.status.rawValue ?? ""
                case .basis: return latest?.basis.rawValue ?? ""
                case .rationale: return latest?.rationale ?? ""
                case .rationaleES: return latest?.rationaleES ?? ""
                case .statusSources: return latest?.sources.joined(separator: "\n") ?? ""
                case .statusEffective: return latest?.effective.description ?? ""
                }
            }
            text += CSV.line(cells.map(CSV.neutralised))
        }
        return text
    }
}
