import Foundation

/// Checks new entries against everything the ledger already knows, before anything is
/// written. Accepted drafts are folded in, so a batch may register an actor and then cite it.
public struct EntryValidator: Sendable {
    public private(set) var records: LedgerRecords
    /// Effective dates later than the day after this are refused as typos.
    public let today: CalendarDay

    public init(records: LedgerRecords, today: CalendarDay = .today()) {
        precondition(records.audience == .internal, "validation needs every entry")
        self.records = records
        self.today = today
    }

    /// Validates one draft and, when it passes, folds it in provisionally.
    public mutating func accept(_ draft: EntryDraft) throws(LedgerError) {
        try validate(draft)
        records.apply(Entry(draft: draft, seq: records.head.seq + 1, recordedAt: "", prevHash: records.head.hash))
    }

    public func validate(_ draft: EntryDraft) throws(LedgerError) {
        if draft.schema != draft.type.currentSchema {
            throw LedgerError(field: "schema", "version \(draft.schema) of \(draft.type.rawValue) is not known to this build")
        }
        try Self.checkSubjectID(draft.subject, field: "subject")
        try Self.checkText(draft.author, field: "author", maxLength: TextLimits.author, multiline: false)
        if draft.effective.day > today.adding(days: 1) {
            throw LedgerError(field: "effective", "\(draft.effective) is in the future; log events once they have happened")
        }
        guard case .object(let payload) = draft.payload else {
            throw LedgerError(field: "payload", "must be a JSON object")
        }
        switch draft.type {
        case .entryCorrected:
            try validateCorrection(draft, payload)
        case .entryRetracted:
            try validateRetraction(draft, payload)
        default:
            try validatePayload(payload, of: draft.type, visibility: draft.visibility)
            try validateSubject(draft.subject, of: draft.type, payload: payload, effective: draft.effective, visibility: draft.visibility)
        }
    }

    // MARK: Payload fields

    private func validatePayload(_ payload: [String: JSONValue], of type: EntryType, visibility: Visibility) throws(LedgerError) {
        for name in payload.keys.sorted() where type.field(named: name) == nil {
            throw LedgerError(field: name, "is not a field of \(type.rawValue) (fields: \(type.fields.map(\.name).joined(separator: ", ")))")
        }
        for spec in type.fields {
            guard let value = payload[spec.name], value != .null else {
                if spec.required { throw LedgerError(field: spec.name, "is required") }
                continue
            }
            try validateValue(value, spec: spec, visibility: visibility)
        }
    }

    private func validateValue(_ value: JSONValue, spec: FieldSpec, visibility: Visibility) throws(LedgerError) {
        let field = spec.name
        if spec.isList {
            guard case .array(let items) = value else { throw LedgerError(field: field, "must be a list") }
            if items.count < spec.minimumCount {
                throw LedgerError(field: field, spec.minimumCount == 1 ? "needs at least one item" : "needs at least \(spec.minimumCount) items")
            }
            if items.count > TextLimits.listItems {
                throw LedgerError(field: field, "has \(items.count) items; the limit is \(TextLimits.listItems)")
            }
            var seen = Set<JSONValue>()
            for (index, item) in items.enumerated() {
                let itemField = "\(field)[\(index)]"
                guard case .string(let text) = item else { throw LedgerError(field: itemField, "must be text") }
                if !seen.insert(item).inserted { throw LedgerError(field: itemField, "'\(text)' is listed twice") }
                switch spec.shape {
                case .urls: try Self.checkURL(text, field: itemField)
                case .references(let kind): try checkReference(text, kind: kind, field: itemField, from: visibility)
                default: break
                }
            }
            return
        }
        if case .seq = spec.shape {
            guard case .int = value else { throw LedgerError(field: field, "must be a whole number (a seq)") }
            return
        }
        if case .fieldValues = spec.shape {
            guard case .object = value else { throw LedgerError(field: field, "must be an object of field names to new values") }
            return
        }
        guard case .string(let text) = value else { throw LedgerError(field: field, "must be text") }
        switch spec.shape {
        case .text(let maxLength, let multiline):
            try Self.checkText(text, field: field, maxLength: maxLength, multiline: multiline)
        case .word(let words):
            if !words.contains(text) {
                throw LedgerError(field: field, "'\(Self.quoted(text))' is not one of: \(words.joined(separator: ", "))")
            }
        case .reference(let kind):
            try checkReference(text, kind: kind, field: field, from: visibility)
        case .day:
            if CalendarDay(text) == nil { throw LedgerError(field: field, "'\(Self.quoted(text))' is not a real date (YYYY-MM-DD)") }
        case .country:
            if text.utf8.count != 2 || !text.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) {
                throw LedgerError(field: field, "'\(Self.quoted(text))' is not a two-letter country code like MX or US")
            }
        case .urls, .references, .seq, .fieldValues:
            break
        }
    }

    private func checkReference(_ id: String, kind: SubjectKind, field: String, from visibility: Visibility) throws(LedgerError) {
        guard let definition = records.definition(of: id), definition.type.definesSubject == kind else {
            if let seq = records.definitions[id], records.record(seq: seq)?.isRetracted == true {
                throw LedgerError(field: field, "\(kind.rawValue) '\(id)' was retracted")
            }
            throw LedgerError(field: field, "no \(kind.rawValue) '\(Self.quoted(id))' in the ledger")
        }
        if visibility == .public && definition.visibility == .internal {
            throw LedgerError(field: field, "\(kind.rawValue) '\(id)' is internal, so a public entry cannot cite it")
        }
    }

    // MARK: Subjects

    private func validateSubject(_ subject: String, of type: EntryType, payload: [String: JSONValue], effective: EffectiveTime, visibility: Visibility) throws(LedgerError) {
        if type.definesSubject != nil {
            if let existing = records.definitions[subject], let record = records.record(seq: existing) {
                let what = record.type.definesSubject?.rawValue ?? "entry"
                throw LedgerError(field: "subject", "'\(subject)' already names \(what == "actor" ? "an" : "a") \(what) (seq \(existing)); ids are never reused")
            }
            if type == .commitmentRecorded, let due = payload["due"]?.stringValue.flatMap({ CalendarDay($0) }), due < effective.day {
                throw LedgerError(field: "due", "\(due) is before the commitment was made (\(effective.day))")
            }
            return
        }
        // Status changes and follow-ups are about something already in the ledger.
        let allowed: [SubjectKind] = type == .statusChanged ? [.commitment] : [.demand, .commitment]
        guard let seq = records.definitions[subject], let definition = records.record(seq: seq),
              let kind = definition.type.definesSubject, allowed.contains(kind)
        else {
            throw LedgerError(field: "subject", "no \(allowed.map(\.rawValue).joined(separator: " or ")) '\(Self.quoted(subject))' in the ledger")
        }
        if let retraction = definition.retractedBy {
            throw LedgerError(field: "subject", "\(kind.rawValue) '\(subject)' was retracted at seq \(retraction); nothing more can be logged against it")
        }
        if effective.day < definition.effective.day {
            throw LedgerError(field: "effective", "\(effective) is before \(kind.rawValue) '\(subject)' was recorded (\(definition.effective))")
        }
        if visibility == .public && definition.visibility == .internal {
            throw LedgerError(field: "visibility", "\(kind.rawValue) '\(subject)' is internal, so entries about it must be internal too")
        }
    }

    // MARK: Corrections and retractions

    private func target(of draft: EntryDraft, _ payload: [String: JSONValue]) throws(LedgerError) -> Record {
        guard case .int(let seq)? = payload["target_seq"] else {
            throw LedgerError(field: "target_seq", payload["target_seq"] == nil ? "is required" : "must be a whole number (a seq)")
        }
        guard let target = records.record(seq: seq) else {
            throw LedgerError(field: "target_seq", "no entry with seq \(seq) (the ledger ends at \(records.head.seq))")
        }
        if target.subject != draft.subject {
            throw LedgerError(field: "subject", "must be '\(target.subject)', the subject of seq \(seq)")
        }
        if let retraction = target.retractedBy {
            throw LedgerError(field: "target_seq", "seq \(seq) was already retracted at seq \(retraction)")
        }
        return target
    }

    private func validateCorrection(_ draft: EntryDraft, _ payload: [String: JSONValue]) throws(LedgerError) {
        try validatePayload(payload, of: .entryCorrected, visibility: draft.visibility)
        let target = try target(of: draft, payload)
        guard target.type.isCorrectable else {
            throw LedgerError(field: "target_seq", "seq \(target.seq) is a \(target.type.rawValue); correct the original entry instead")
        }
        guard case .object(let fields)? = payload["fields"], !fields.isEmpty else {
            throw LedgerError(field: "fields", "name at least one field to correct")
        }
        for name in fields.keys.sorted() where name != "effective" && target.type.field(named: name) == nil {
            throw LedgerError(field: "fields.\(name)", "is not a field of \(target.type.rawValue) (correctable: effective, \(target.type.fields.map(\.name).joined(separator: ", ")))")
        }
        if let effective = fields["effective"], effective.stringValue.flatMap({ EffectiveTime($0) }) == nil {
            throw LedgerError(field: "fields.effective", "must be a real date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)")
        }
        let (effective, corrected) = LedgerRecords.applying(fields, effective: target.effective, payload: target.payload)
        guard case .object(let correctedPayload) = corrected else { return }
        do throws(LedgerError) {
            try validatePayload(correctedPayload, of: target.type, visibility: target.visibility)
            if target.type == .commitmentRecorded, let due = correctedPayload["due"]?.stringValue.flatMap({ CalendarDay($0) }), due < effective.day {
                throw LedgerError(field: "due", "\(due) is before the commitment was made (\(effective.day))")
            }
        } catch {
            throw error.nested(under: "fields")
        }
        if draft.visibility == .public && target.visibility == .internal {
            throw LedgerError(field: "visibility", "seq \(target.seq) is internal, so its correction must be internal too")
        }
    }

    private func validateRetraction(_ draft: EntryDraft, _ payload: [String: JSONValue]) throws(LedgerError) {
        try validatePayload(payload, of: .entryRetracted, visibility: draft.visibility)
        let target = try target(of: draft, payload)
        if target.type == .entryRetracted {
            throw LedgerError(field: "target_seq", "seq \(target.seq) is itself a retraction; retractions are final")
        }
        if draft.visibility == .public && target.visibility == .internal {
            throw LedgerError(field: "visibility", "seq \(target.seq) is internal, so its retraction must be internal too")
        }
    }

    // MARK: Shared checks

    /// Subject ids are slugs people type: lowercase letters, digits and hyphens.
    public static func checkSubjectID(_ id: String, field: String) throws(LedgerError) {
        if id.isEmpty { throw LedgerError(field: field, "is empty") }
        if id.utf8.count > TextLimits.subject {
            throw LedgerError(field: field, "is \(id.utf8.count) characters; the limit is \(TextLimits.subject)")
        }
        let allowed = id.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }
        if !allowed || id.hasPrefix("-") || id.hasSuffix("-") {
            throw LedgerError(field: field, "'\(quoted(id))' must be lowercase letters, digits and hyphens (like stop-arms-flow)")
        }
    }

    public static func checkText(_ text: String, field: String, maxLength: Int, multiline: Bool) throws(LedgerError) {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw LedgerError(field: field, "is empty")
        }
        // UTF-8 length bounds the character count, so most text skips the slower count.
        if text.utf8.count > maxLength && text.count > maxLength {
            throw LedgerError(field: field, "is \(text.count) characters; the limit is \(maxLength)")
        }
        for scalar in text.unicodeScalars where scalar.properties.generalCategory == .control {
            if multiline && (scalar == "\n" || scalar == "\t") { continue }
            let what = scalar == "\n" || scalar == "\r" ? "a line break (this field is one line)" : "a control character (U+\(String(scalar.value, radix: 16, uppercase: true)))"
            throw LedgerError(field: field, "contains \(what)")
        }
    }

    /// Sources must be links a reader can follow: http or https, with a host.
    public static func checkURL(_ text: String, field: String) throws(LedgerError) {
        if text.utf8.count > TextLimits.url {
            throw LedgerError(field: field, "is \(text.utf8.count) characters; the limit is \(TextLimits.url)")
        }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty,
              !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        else {
            throw LedgerError(field: field, "'\(quoted(text))' is not an http(s) URL")
        }
    }

    /// User text inside an error message: shortened, control characters made visible.
    static func quoted(_ text: String) -> String {
        let visible = String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
        return visible.count > 80 ? String(visible.prefix(77)) + "..." : visible
    }
}
