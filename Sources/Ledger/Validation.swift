import Foundation

/// Checks new entries against everything the ledger already knows, before anything is
/// written. Accepted drafts are folded in, so a batch may register an actor and then cite it.
///
/// A full fold or a counts fold will do, with the same verdicts: no rule reads the text a
/// counts fold leaves out (see `validateCorrection`). An import validates against the counts,
/// so that a million entries' notes are not held in memory. One file over 400 lines on
/// purpose: every rule an entry must pass, in the order they are checked.
public struct EntryValidator: Sendable {
    public private(set) var records: LedgerRecords
    /// Effective dates later than the day after this are refused as typos. An imported
    /// entry is judged on the day it was recorded, not the day it is imported.
    public private(set) var today: CalendarDay
    /// For a counts fold, which keeps no `activity(about:)`: the seqs of the status changes
    /// and follow-ups about each subject, oldest first. Empty for a full fold.
    private var countedActivity: [String: [Int64]] = [:]

    public init(records: LedgerRecords, today: CalendarDay = .today()) {
        precondition(records.audience == .internal, "validation needs every entry")
        self.records = records
        self.today = today
        guard records.detail == .counts else { return }
        for record in records.records where record.type == .statusChanged {
            countedActivity[record.subject, default: []].append(record.seq)
        }
        let counts = records.followupCounts
        for followup in counts.followups { countedActivity[counts.subjects[Int(followup.subject)], default: []].append(followup.seq) }
        for subject in countedActivity.keys { countedActivity[subject]!.sort() }
    }

    /// Validates one draft and, when it passes, folds it in provisionally.
    public mutating func accept(_ draft: EntryDraft) throws(LedgerError) {
        try validate(draft)
        fold(Entry(draft: draft, seq: records.head.seq + 1, recordedAt: "", prevHash: records.head.hash))
    }

    private mutating func fold(_ entry: Entry) {
        records.apply(entry)
        if records.detail == .counts && (entry.type == .statusChanged || entry.type == .followupLogged) {
            countedActivity[entry.subject, default: []].append(entry.seq)
        }
    }

    private func activity(about subject: String) -> [Int64] {
        records.detail == .counts ? countedActivity[subject] ?? [] : records.activity(about: subject)
    }

    /// Validates an entry written elsewhere (an import) exactly as `append` validated it
    /// when it was written: against the ledger before it, on the day it was recorded. Then
    /// folds it in as it is.
    public mutating func acceptRecorded(_ entry: Entry) throws(LedgerError) {
        guard let day = CalendarDay(entry.recordedAt.prefix(10)) else {
            throw LedgerError(field: "recorded_at", "'\(Self.quoted(entry.recordedAt))' is not a UTC time")
        }
        today = day
        try validate(EntryDraft(
            id: entry.id, type: entry.type, schema: entry.schema, subject: entry.subject, effective: entry.effective,
            author: entry.author, visibility: entry.visibility, payload: entry.payload, salt: entry.salt))
        fold(entry)
    }

    public func validate(_ draft: EntryDraft) throws(LedgerError) {
        if draft.schema != draft.type.currentSchema {
            throw LedgerError(field: "schema", "version \(draft.schema) of \(draft.type.rawValue) is not known to this build")
        }
        try Self.checkSubjectID(draft.subject, field: "subject")
        try Self.checkText(draft.author, field: "author", maxLength: TextLimits.author, multiline: false)
        if draft.effective.day > today.adding(days: 1) {
            throw LedgerError(field: "effective", .inTheFuture("\(draft.effective)"))
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
                if spec.required { throw LedgerError(field: spec.name, .required) }
                continue
            }
            try validateValue(value, spec: spec, visibility: visibility)
        }
    }

    /// The fields a correction changes (`null` removes one), in the order `validatePayload`
    /// would judge them; the names are known fields of `type`.
    private func validateChangedFields(_ fields: [String: JSONValue], of type: EntryType, visibility: Visibility) throws(LedgerError) {
        for spec in type.fields {
            guard let value = fields[spec.name] else { continue }
            if value == .null {
                if spec.required { throw LedgerError(field: spec.name, .required) }
                continue
            }
            try validateValue(value, spec: spec, visibility: visibility)
        }
    }

    /// Every payload field's problem, not only the first: a form shows each beside its
    /// field. `validate` then judges the entry as a whole (its subject, its dates).
    public func fieldProblems(_ payload: [String: JSONValue], of type: EntryType, visibility: Visibility) -> [LedgerError] {
        var problems: [LedgerError] = []
        for spec in type.fields {
            guard let value = payload[spec.name], value != .null else {
                if spec.required { problems.append(LedgerError(field: spec.name, spec.isList ? .needsAnItem : .required)) }
                continue
            }
            do throws(LedgerError) {
                try validateValue(value, spec: spec, visibility: visibility)
            } catch {
                problems.append(error)
            }
        }
        return problems
    }

    private func validateValue(_ value: JSONValue, spec: FieldSpec, visibility: Visibility) throws(LedgerError) {
        let field = spec.name
        if spec.isList {
            guard case .array(let items) = value else { throw LedgerError(field: field, "must be a list") }
            if items.count < spec.minimumCount {
                throw spec.minimumCount == 1 ? LedgerError(field: field, .needsAnItem) : LedgerError(field: field, "needs at least \(spec.minimumCount) items")
            }
            if items.count > TextLimits.listItems {
                throw LedgerError(field: field, "has \(items.count) items; the limit is \(TextLimits.listItems)")
            }
            var seen = Set<JSONValue>()
            for (index, item) in items.enumerated() {
                let itemField = "\(field)[\(index)]"
                guard case .string(let text) = item else { throw LedgerError(field: itemField, .mustBeText) }
                if !seen.insert(item).inserted { throw LedgerError(field: itemField, .listedTwice("'\(text)'")) }
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
        guard case .string(let text) = value else { throw LedgerError(field: field, .mustBeText) }
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
            if CalendarDay(text) == nil { throw LedgerError(field: field, .notADate("'\(Self.quoted(text))'")) }
        case .country:
            if text.utf8.count != 2 || !text.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) {
                throw LedgerError(field: field, .notACountryCode("'\(Self.quoted(text))'"))
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
                throw LedgerError(field: "subject", .idTaken(id: subject, what: what, seq: existing))
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

    private func target(of draft: EntryDraft, _ payload: [String: JSONValue]) throws(LedgerError) -> LedgerRecords.Target {
        guard case .int(let seq)? = payload["target_seq"] else {
            throw payload["target_seq"] == nil ? LedgerError(field: "target_seq", .required) : LedgerError(field: "target_seq", "must be a whole number (a seq)")
        }
        guard let target = records.target(seq: seq) else {
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
        let (effective, corrected) = LedgerRecords.applying(fields, effective: target.effective, payload: target.payload ?? .object([:]))
        // The corrected entry must pass every rule the original had to, against the ledger
        // as it stands now.
        do throws(LedgerError) {
            if target.type.fields.contains(where: \.citesSubjects) {
                guard case .object(let correctedPayload) = corrected else { return }
                try validatePayload(correctedPayload, of: target.type, visibility: target.visibility)
                if target.type == .commitmentRecorded, let due = correctedPayload["due"]?.stringValue.flatMap({ CalendarDay($0) }), due < effective.day {
                    throw LedgerError(field: "due", "\(due) is before the commitment was made (\(effective.day))")
                }
            } else {
                // Each field of such an entry is judged alone and the ledger cannot change
                // the verdict: the fields the correction leaves passed when they were
                // written, so only those it changes are judged, as a whole payload would
                // judge them. A counts fold keeps no text for it to reread.
                try validateChangedFields(fields, of: target.type, visibility: target.visibility)
            }
            if effective != target.effective { try validateCorrectedDate(effective, of: target) }
        } catch {
            throw error.nested(under: "fields")
        }
        if draft.visibility == .public && target.visibility == .internal {
            throw LedgerError(field: "visibility", "seq \(target.seq) is internal, so its correction must be internal too")
        }
    }

    /// A new date for an entry keeps the timeline possible: not in the future, an event not
    /// before its subject was recorded, a subject not after the events logged about it.
    private func validateCorrectedDate(_ effective: EffectiveTime, of target: LedgerRecords.Target) throws(LedgerError) {
        if effective.day > today.adding(days: 1) {
            throw LedgerError(field: "effective", .inTheFuture("\(effective)"))
        }
        if let kind = target.type.definesSubject {
            for seq in activity(about: target.subject) {
                guard let event = records.target(seq: seq), event.retractedBy == nil, event.effective.day < effective.day else { continue }
                throw LedgerError(field: "effective", "\(effective) is after the \(event.type == .statusChanged ? "status change" : "follow-up") of seq \(seq) (\(event.effective)) about \(kind.rawValue) '\(target.subject)'; correct or retract that entry first")
            }
        } else if let definition = records.definition(of: target.subject), effective.day < definition.effective.day {
            let kind = definition.type.definesSubject?.rawValue ?? "subject"
            throw LedgerError(field: "effective", "\(effective) is before \(kind) '\(target.subject)' was recorded (\(definition.effective))")
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
        if id.isEmpty { throw LedgerError(field: field, .empty) }
        if id.utf8.count > TextLimits.subject {
            throw LedgerError(field: field, .tooLong(count: id.utf8.count, limit: TextLimits.subject))
        }
        let allowed = id.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }
        if !allowed || id.hasPrefix("-") || id.hasSuffix("-") {
            throw LedgerError(field: field, .notAnID("'\(quoted(id))'"))
        }
    }

    /// One rule for every free-text field, wherever it comes from (CLI, API, import,
    /// correction): real text, no characters that change how other text displays or that
    /// other programs choke on.
    public static func checkText(_ text: String, field: String, maxLength: Int, multiline: Bool) throws(LedgerError) {
        // UTF-8 length bounds the character count, so most text skips the slower count.
        if text.utf8.count > maxLength && text.count > maxLength {
            throw LedgerError(field: field, .tooLong(count: text.count, limit: maxLength))
        }
        // Most text is printable ASCII: judged on its bytes, without Unicode property look-ups
        // (an import checks every field of a million entries).
        var isPlainASCII = true, hasVisibleByte = false
        for byte in text.utf8 {
            if byte >= 0x80 || ((byte < 0x20 || byte == 0x7F) && !(multiline && (byte == 0x0A || byte == 0x09))) {
                isPlainASCII = false
                break
            }
            if byte != 0x20 && byte != 0x0A && byte != 0x09 { hasVisibleByte = true }
        }
        if isPlainASCII {
            if !hasVisibleByte { throw LedgerError(field: field, .empty) }
            return
        }
        var hasVisibleCharacter = false
        for scalar in text.unicodeScalars {
            if let problem = refusedCharacter(scalar, multiline: multiline) {
                throw LedgerError(field: field, "contains \(problem)")
            }
            let properties = scalar.properties
            if !properties.isWhitespace && !properties.isDefaultIgnorableCodePoint { hasVisibleCharacter = true }
        }
        if !hasVisibleCharacter {
            let onlySpaces = text.unicodeScalars.allSatisfy(\.properties.isWhitespace)
            throw onlySpaces ? LedgerError(field: field, .empty) : LedgerError(field: field, "is empty: it has only invisible characters (such as \(codePoint(text.unicodeScalars.first { !$0.properties.isWhitespace }!)))")
        }
    }

    /// Why a character is refused in text, or nil. Control characters (but line breaks and
    /// tabs in multi-line fields) and Unicode's line and paragraph separators break lines
    /// and logs; bidirectional overrides and isolates reorder what surrounds them on screen
    /// ("Trojan Source"); noncharacters are not text at all.
    static func refusedCharacter(_ scalar: Unicode.Scalar, multiline: Bool) -> String? {
        var code: String { codePoint(scalar) }  // formatted only for a refused character
        switch scalar.properties.generalCategory {
        case .control:
            if multiline && (scalar == "\n" || scalar == "\t") { return nil }
            return scalar == "\n" || scalar == "\r" ? "a line break (this field is one line)" : "a control character (\(code))"
        case .lineSeparator, .paragraphSeparator:
            return "a Unicode line or paragraph separator (\(code)); use an ordinary line break" + (multiline ? "" : " in a multi-line field")
        default:
            break
        }
        if (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value) {
            return "a bidirectional override (\(code)), which can make text display in a misleading order"
        }
        if scalar.properties.isNoncharacterCodePoint { return "a noncharacter (\(code)), which is not text" }
        return nil
    }

    /// Sources must be links a reader can follow: http or https, with a host, and only
    /// characters a URL may hold (RFC 3986, plus letters of any script), so that every
    /// output can print it as it is.
    public static func checkURL(_ text: String, field: String) throws(LedgerError) {
        if text.utf8.count > TextLimits.url {
            throw LedgerError(field: field, .tooLong(count: text.utf8.count, limit: TextLimits.url))
        }
        if !isPlainURL(text) { try checkURLCharacters(text, field: field) }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty
        else {
            throw LedgerError(field: field, .notAURL("'\(quoted(text))'"))
        }
    }

    /// Whether a URL is ASCII with only RFC 3986 characters and well-formed escapes,
    /// judged on its bytes (the common case, and the fast one).
    private static func isPlainURL(_ text: String) -> Bool {
        let bytes = text.utf8
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            guard byte < 0x80, urlBytes[Int(byte)] else { return false }
            if byte == UInt8(ascii: "%") {
                for _ in 0..<2 {
                    index = bytes.index(after: index)
                    guard index != bytes.endIndex, Unicode.Scalar(bytes[index]).properties.isASCIIHexDigit else { return false }
                }
            }
            index = bytes.index(after: index)
        }
        return true
    }

    private static let urlBytes: [Bool] = (0..<128).map { urlCharacters.contains(Unicode.Scalar(UInt8($0))) }

    /// Names the first character a URL cannot hold, or a bad escape.
    private static func checkURLCharacters(_ text: String, field: String) throws(LedgerError) {
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            if scalar == "%" {
                let digits = scalars.dropFirst(index + 1).prefix(2)
                if digits.count < 2 || !digits.allSatisfy({ $0.properties.isASCIIHexDigit }) {
                    throw LedgerError(field: field, "'\(quoted(text))' has a % that is not followed by two hex digits")
                }
            } else if scalar.isASCII ? !urlCharacters.contains(scalar) : (scalar.properties.isWhitespace || scalar.properties.generalCategory == .format || refusedCharacter(scalar, multiline: false) != nil) {
                let shown = scalar.properties.generalCategory == .control || scalar.properties.isWhitespace ? codePoint(scalar) : "'\(scalar)'"
                throw LedgerError(field: field, "'\(quoted(text))' contains \(shown), which a URL cannot hold (percent-encode it)")
            }
        }
    }

    /// RFC 3986's unreserved and reserved characters (and % for escapes, checked apart).
    private static let urlCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%".unicodeScalars)

    /// How a refused character is named in a message: U+202E.
    static func codePoint(_ scalar: Unicode.Scalar) -> String { String(format: "U+%04X", scalar.value) }

    /// User text inside an error message: shortened, control characters made visible.
    package static func quoted(_ text: String) -> String {
        let visible = String(String.UnicodeScalarView(text.unicodeScalars.map { refusedCharacter($0, multiline: false) != nil ? "?" : $0 }))
        return visible.count > 80 ? String(visible.prefix(77)) + "..." : visible
    }
}

