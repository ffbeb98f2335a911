import Foundation
import Ledger

/// The entry forms of the workspace, one per thing the team logs. Every field but the few
/// that say where an entry belongs (subject, date, visibility, the entry amended) comes from
/// the entry type's `FieldSpec`s, so a field added to a payload appears in its form.
public enum FormKind: String, Sendable, CaseIterable {
    case actor, demand, commitment, status, followup, correction, retraction

    public var entryType: EntryType {
        switch self {
        case .actor: return .actorRegistered
        case .demand: return .demandRecorded
        case .commitment: return .commitmentRecorded
        case .status: return .statusChanged
        case .followup: return .followupLogged
        case .correction: return .entryCorrected
        case .retraction: return .entryRetracted
        }
    }

    /// Whether the form names a new subject (an id people type) rather than an existing one.
    var definesSubject: Bool { entryType.definesSubject != nil }
    /// Corrections and retractions amend an entry chosen by seq, and are dated the day they are made.
    var amends: Bool { amendsEntries }
    public var amendsEntries: Bool { self == .correction || self == .retraction }
}

/// What a browser sent, as the server parsed it (urlencoded or multipart): pairs in order, a
/// name repeated for every ticked box of a list.
public struct FormValues: Sendable, Equatable {
    public private(set) var pairs: [(name: String, value: String)] = []

    public init(pairs: [(name: String, value: String)] = []) { self.pairs = pairs }

    public subscript(name: String) -> String? { pairs.first { $0.name == name }?.value }
    public func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    public mutating func set(_ name: String, _ values: [String]) {
        pairs.removeAll { $0.name == name }
        pairs += values.map { (name, $0) }
    }

    public static func == (a: Self, b: Self) -> Bool { a.pairs.elementsEqual(b.pairs) { $0 == $1 } }

    /// Browsers send a text area's line breaks as CRLF; the ledger stores LF.
    public static func normalised(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }
}

/// A form's values turned into the entry they describe, or the problems, each under the name
/// of the input at fault (`""` for the form as a whole).
public struct EntryFormResult: Sendable {
    public var draft: EntryDraft?
    public var problems: [String: LedgerError] = [:]
    /// For a correction: each changed field's value before and after.
    public var changes: [(field: String, before: JSONValue, after: JSONValue)] = []
}

public enum EntryForm {
    /// The names of the inputs that are not payload fields.
    static let subject = "subject", effective = "effective", visibility = "visibility", targetSeq = "target_seq", reason = "reason"
    /// The draft's id, chosen when the review page is shown: confirming twice writes once.
    static let draftID = "draft_id"

    /// The fields of the payload a form edits: the type's own, or for a correction the
    /// fields of the entry it corrects.
    static func payloadFields(_ kind: FormKind, target: Record?) -> [FieldSpec] {
        switch kind {
        case .correction: return target?.type.fields ?? []
        case .retraction: return []
        default: return kind.entryType.fields
        }
    }

    /// Reads the form into a draft and checks it against the ledger, without writing anything.
    public static func read(_ kind: FormKind, _ form: FormValues, author: String, records: LedgerRecords,
                            today: CalendarDay = .today()) -> EntryFormResult {
        var result = EntryFormResult()
        func problem(_ field: String, _ error: LedgerError) {
            if result.problems[field] == nil { result.problems[field] = LedgerError(field: field, error.message, code: error.code) }
        }
        func problem(_ field: String, _ code: LedgerError.Code) { problem(field, LedgerError(code)) }

        let visibility: Visibility?
        switch form[Self.visibility] ?? "" {
        case "public": visibility = .public
        case "internal": visibility = .internal
        case "": visibility = nil; problem(Self.visibility, .chooseVisibility)
        default: visibility = nil; problem(Self.visibility, .mustBeVisibility)
        }

        var target: Record?
        var subject = (form[Self.subject] ?? "").trimmingCharacters(in: .whitespaces)
        var effective = EffectiveTime(day: today)
        if kind.amends {
            if let seq = Int64((form[targetSeq] ?? "").trimmingCharacters(in: .whitespaces)), let record = records.record(seq: seq) {
                target = record
                subject = record.subject
            } else {
                problem(targetSeq, .chooseEntry)
            }
        } else {
            let typed = (form[Self.effective] ?? "").trimmingCharacters(in: .whitespaces)
            if typed.isEmpty {
                problem(Self.effective, .required)
            } else if let day = EffectiveTime(typed) {
                effective = day
            } else {
                problem(Self.effective, .notADate("'\(typed)'"))
            }
            do throws(LedgerError) {
                try EntryValidator.checkSubjectID(subject, field: Self.subject)
            } catch {
                if subject.isEmpty { problem(Self.subject, kind.definesSubject ? .required : .chooseOne) } else { problem(Self.subject, error) }
            }
        }

        // The payload, from the inputs of its fields.
        var payload: [String: JSONValue] = [:]
        let fields = payloadFields(kind, target: target)
        for spec in fields {
            if let value = value(of: spec, in: form) { payload[spec.name] = value }
        }
        if kind == .correction, let target {
            var changed: [String: JSONValue] = [:]
            let current: [String: JSONValue] = { if case .object(let members) = target.payload { return members } else { return [:] } }()
            for spec in fields {
                let before = current[spec.name] ?? .null
                var after = payload[spec.name] ?? .null
                if spec.isList, after == .null, before != .null { after = .array([]) }
                if after != before && !(after == .array([]) && before == .null) {
                    changed[spec.name] = after
                    result.changes.append((spec.name, before, after))
                }
            }
            let typed = (form[Self.effective] ?? "").trimmingCharacters(in: .whitespaces)
            if !typed.isEmpty, typed != target.effective.description {
                changed["effective"] = .string(typed)
                result.changes.append(("effective", .string(target.effective.description), .string(typed)))
            }
            if changed.isEmpty && result.problems.isEmpty { problem("", .nothingChanged) }
            if let reasonProblem = textProblem(form[reason], field: reason) { problem(reason, reasonProblem) }
            // Each corrected field is judged as the corrected entry would be.
            let validator = EntryValidator(records: records, today: today)
            var corrected = current
            for (name, value) in changed where name != "effective" { corrected[name] = value }
            for error in validator.fieldProblems(corrected, of: target.type, visibility: target.visibility) where changed[inputName(error.field)] != nil {
                problem(inputName(error.field), error)
            }
            payload = ["target_seq": .int(target.seq), "fields": .object(changed), "reason": .string(form[reason] ?? "")]
        } else if kind == .retraction {
            if let reasonProblem = textProblem(form[reason], field: reason) { problem(reason, reasonProblem) }
            if let target { payload = ["target_seq": .int(target.seq), "reason": .string(form[reason] ?? "")] }
        } else {
            let validator = EntryValidator(records: records, today: today)
            for error in validator.fieldProblems(payload, of: kind.entryType, visibility: visibility ?? .internal) {
                problem(inputName(error.field), error)
            }
        }
        guard result.problems.isEmpty, let visibility else { return result }

        let id = form[draftID].flatMap { UUID(uuidString: $0) } ?? UUID()
        let draft = EntryDraft(id: id, type: kind.entryType, subject: subject, effective: effective, author: author,
                               visibility: visibility, payload: .object(payload))
        // The whole entry against the ledger: its subject, its dates, what it cites.
        do throws(LedgerError) {
            try EntryValidator(records: records, today: today).validate(draft)
        } catch {
            problem(inputName(error.field), error)
            return result
        }
        result.draft = draft
        return result
    }

    /// The input an error is about: `sources[2]` is the sources box, `fields.due` a
    /// correction's due date; a field no input shows is the form's own problem.
    public static func inputName(_ field: String?) -> String {
        guard var name = field else { return "" }
        if name.hasPrefix("fields.") { name.removeFirst("fields.".count) }
        if let bracket = name.firstIndex(of: "[") { name = String(name[..<bracket]) }
        if let dot = name.firstIndex(of: ".") { name = String(name[..<dot]) }
        return name
    }

    private static func textProblem(_ text: String?, field: String) -> LedgerError? {
        do throws(LedgerError) {
            try EntryValidator.checkText(text ?? "", field: field, maxLength: TextLimits.longText, multiline: true)
            return nil
        } catch {
            return error
        }
    }

    /// A field's value as the payload carries it, or nil when the input was left empty.
    static func value(of spec: FieldSpec, in form: FormValues) -> JSONValue? {
        switch spec.shape {
        case .urls:
            let lines = form.all(spec.name).flatMap { $0.split(separator: "\n") }
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return lines.isEmpty ? nil : .array(lines.map(JSONValue.string))
        case .references:
            let ids = form.all(spec.name).filter { !$0.isEmpty }
            return ids.isEmpty ? nil : .array(ids.map(JSONValue.string))
        case .text(_, let multiline):
            let text = form[spec.name] ?? ""
            let trimmed = multiline ? text : text.trimmingCharacters(in: .whitespaces)
            return trimmed.allSatisfy(\.isWhitespace) ? nil : .string(trimmed)
        case .seq:
            return form[spec.name].flatMap { Int64($0) }.map(JSONValue.int)
        case .country:
            let text = (form[spec.name] ?? "").trimmingCharacters(in: .whitespaces).uppercased()
            return text.isEmpty ? nil : .string(text)
        case .word, .reference, .day, .fieldValues:
            let text = (form[spec.name] ?? "").trimmingCharacters(in: .whitespaces)
            return text.isEmpty ? nil : .string(text)
        }
    }

    /// The form's inputs for an existing entry's fields, as a correction starts from them.
    public static func values(of record: Record) -> FormValues {
        var form = FormValues()
        form.set(effective, [record.effective.description])
        guard case .object(let members) = record.payload else { return form }
        for spec in record.type.fields {
            switch members[spec.name] {
            case .string(let text)?: form.set(spec.name, [text])
            case .int(let number)?: form.set(spec.name, [String(number)])
            case .array(let items)?:
                let texts = items.compactMap(\.stringValue)
                form.set(spec.name, spec.shape.isURLs ? [texts.joined(separator: "\n")] : texts)
            default: break
            }
        }
        return form
    }
}

extension FieldSpec.Shape {
    var isURLs: Bool { if case .urls = self { return true } else { return false } }
}
