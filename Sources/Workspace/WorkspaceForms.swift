import Foundation
import Ledger
import Reports
import LedgerTeam

extension WorkspacePages {
    struct FieldView {
        let name: String
        let label: String
        let hint: String?
        let error: String?
        let hasError: Bool
        let required: Bool
        let lang: String?
        let isInput: Bool
        let isTextarea: Bool
        let isSelect: Bool
        let isCheckboxes: Bool
        let isRadios: Bool
        let inputType: String
        let value: String
        let options: [OptionView]
        let describedBy: String?
    }

    struct OptionView { let value: String; let text: String; let selected: Bool; let help: String? }
    struct RowView { let pair: Bool; let fields: [FieldView] }
    struct ErrorLink { let href: String; let label: String; let message: String }
    struct Hidden { let name: String; let value: String }
    struct ChoiceView { let action: String; let field: FieldView }

    struct FormView {
        let frame: Frame
        let heading: String
        let action: String
        let csrf: String
        let rows: [RowView]
        let errors: [ErrorLink]
        let hasErrors: Bool
        let chooser: ChoiceView?
        let hidden: [Hidden]
    }

    private func heading(_ kind: FormKind) -> String {
        word(["actor": "newActor", "demand": "newDemand", "commitment": "newCommitment", "status": "newStatus",
              "followup": "newFollowup", "correction": "newCorrection", "retraction": "newRetraction"][kind.rawValue]!)
    }

    /// A field's label as a form shows it: capitalised (the specs' labels are mid-sentence words).
    private func label(_ spec: FieldSpec) -> String {
        let text = spec.label.text(language)
        return text.prefix(1).uppercased() + text.dropFirst()
    }

    /// The words of a vocabulary as people read them in this language.
    private func choices(_ words: [String]) -> [(String, String)] {
        words.map { word in
            let text = CommitmentStatus(rawValue: word).map(language.word) ?? Basis(rawValue: word).map(language.word)
                ?? CommitmentKind(rawValue: word).map(language.word) ?? FollowupKind(rawValue: word).map(language.word) ?? word
            return (word, text)
        }
    }

    private func field(_ name: String, label: String, hint: String? = nil, required: Bool, kind: String, type: String = "text",
                       options: [(String, String)] = [], help: [String: String] = [:], form: FormValues,
                       problems: [String: LedgerError], blank: Bool = true) -> FieldView {
        let error = problems[name].map { WorkspaceWords.message($0, language) }
        let values = form.all(name)
        var options = options.map { OptionView(value: $0.0, text: $0.1, selected: values.contains($0.0), help: help[$0.0]) }
        if kind == "select" && blank { options.insert(OptionView(value: "", text: "—", selected: values.isEmpty || values == [""], help: nil), at: 0) }
        let describedBy = [hint != nil ? "\(name)-hint" : nil, error != nil ? "\(name)-error" : nil].compactMap { $0 }.joined(separator: " ")
        return FieldView(name: name, label: label, hint: hint, error: error, hasError: error != nil, required: required,
                         lang: name.hasSuffix("_es") ? "es" : nil, isInput: kind == "input", isTextarea: kind == "textarea",
                         isSelect: kind == "select", isCheckboxes: kind == "checkboxes", isRadios: kind == "radios",
                         inputType: type, value: values.first ?? "", options: options, describedBy: describedBy.isEmpty ? nil : describedBy)
    }

    private func subjectOptions(_ kinds: [SubjectKind], state: LedgerState) -> [(String, String)] {
        let words = sentences(state)
        var options: [(String, String)] = []
        if kinds.contains(.demand) {
            options += state.demands.map { ($0.id, "\(word("demands").dropLast()): \(words.title(of: $0.id)) (\($0.id))") }
        }
        if kinds.contains(.commitment) {
            options += state.commitments.map { ($0.id, "\(words.name(of: $0.actor)): \(words.title(of: $0.id)) (\($0.id))") }
        }
        return options
    }

    /// One input for a payload field, chosen by its shape.
    private func payloadField(_ spec: FieldSpec, state: LedgerState, form: FormValues, problems: [String: LedgerError]) -> FieldView {
        let words = sentences(state)
        let name = spec.name, label = label(spec), required = spec.required
        switch spec.shape {
        case .text(_, let multiline):
            return field(name, label: label, required: required, kind: multiline ? "textarea" : "input", form: form, problems: problems)
        case .word(let vocabulary):
            return field(name, label: label, required: required, kind: "select", options: choices(vocabulary), form: form, problems: problems)
        case .reference(let kind):
            let options = kind == .actor ? state.actors.map { ($0.id, "\(words.name(of: $0.id)) (\($0.id))") } : subjectOptions([kind], state: state)
            return field(name, label: label, required: required, kind: "select", options: options, form: form, problems: problems)
        case .references(let kind):
            let options = kind == .actor ? state.actors.map { ($0.id, "\(words.name(of: $0.id)) (\($0.id))") } : subjectOptions([kind], state: state)
            return field(name, label: label, required: required, kind: "checkboxes", options: options, form: form, problems: problems)
        case .urls:
            return field(name, label: label, hint: word("sourcesHelp"), required: required, kind: "textarea", form: form, problems: problems)
        case .day:
            return field(name, label: label, hint: language.text("team.dateHint"), required: required, kind: "input", type: "date", form: form, problems: problems)
        case .country:
            return field(name, label: label, hint: "MX, US", required: required, kind: "input", form: form, problems: problems)
        case .seq, .fieldValues:
            return field(name, label: label, required: required, kind: "input", form: form, problems: problems)
        }
    }

    /// Fields side by side when one is the other in Spanish (`title`, `title_es`).
    private func rows(_ fields: [FieldView]) -> [RowView] {
        var rows: [RowView] = []
        var index = 0
        while index < fields.count {
            if index + 1 < fields.count, fields[index + 1].name == fields[index].name + "_es" {
                rows.append(RowView(pair: true, fields: [fields[index], fields[index + 1]]))
                index += 2
            } else {
                rows.append(RowView(pair: false, fields: [fields[index]]))
                index += 1
            }
        }
        return rows
    }

    /// A form to log an entry, with the values typed so far and each problem beside its field.
    /// A correction or retraction without its entry chosen starts with the choice of entry.
    public func formPage(_ kind: FormKind, form: FormValues, problems: [String: LedgerError] = [:], records: LedgerRecords,
                         state: LedgerState, person: Person) -> String {
        var fields: [FieldView] = []
        var chooser: ChoiceView?
        var target: Record?
        if kind.amends {
            target = form[EntryForm.targetSeq].flatMap { Int64($0) }.flatMap { records.record(seq: $0) }
            if target == nil {
                let candidates = records.records.reversed().filter { !$0.isRetracted && $0.type.isCorrectable }.prefix(500)
                let options = candidates.map { record in
                    (String(record.seq), "#\(record.seq) · \(entryLine(record, in: state).text)")
                }
                chooser = ChoiceView(action: "/team/new/\(kind.rawValue)", field: field(
                    "seq", label: word("chooseEntry"), required: true, kind: "select", options: Array(options), form: form,
                    problems: problems[EntryForm.targetSeq].map { ["seq": $0] } ?? [:]))
            }
        }
        fields.append(field(EntryForm.visibility, label: word("visibilityLegend"), required: true, kind: "radios",
                            options: [("public", word("public")), ("internal", word("internal"))],
                            help: ["public": word("publicHelp"), "internal": word("internalHelp")], form: form, problems: problems))
        if let target {
            let line = entryLine(target, in: state)
            // One choice, already made: not `required` (a required select must start with an empty choice).
            fields.append(field(EntryForm.targetSeq, label: word("targetSeq"), required: false, kind: "select",
                                options: [(String(target.seq), "#\(target.seq) · \(line.text)")], form: form, problems: problems, blank: false))
        }
        if !kind.amends {
            if kind.definesSubject {
                fields.append(field(EntryForm.subject, label: word("subjectNew"), required: true, kind: "input", form: form, problems: problems))
            } else {
                let kinds: [SubjectKind] = kind == .status ? [.commitment] : [.demand, .commitment]
                fields.append(field(EntryForm.subject, label: word(kind == .status ? "subjectCommitment" : "subjectAbout"), required: true,
                                    kind: "select", options: subjectOptions(kinds, state: state), form: form, problems: problems))
            }
        }
        if kind != .retraction && (!kind.amends || target != nil) {
            fields.append(field(EntryForm.effective, label: word("effective"), hint: language.text("team.dateHint"), required: true, kind: "input",
                                type: "date", form: form, problems: problems))
        }
        for spec in EntryForm.payloadFields(kind, target: target) {
            fields.append(payloadField(spec, state: state, form: form, problems: problems))
        }
        if kind.amends && target != nil {
            fields.append(field(EntryForm.reason, label: word("reason"), required: true, kind: "textarea", form: form, problems: problems))
        }
        let labels = Dictionary(fields.map { ($0.name, $0.label) }, uniquingKeysWith: { a, _ in a })
        // In the order of the form, the form's own problem first.
        let order = [""] + fields.map(\.name)
        let errors = problems.sorted { (order.firstIndex(of: $0.key) ?? order.count, $0.key) < (order.firstIndex(of: $1.key) ?? order.count, $1.key) }.map { name, error in
            ErrorLink(href: name.isEmpty ? "#form" : "#f-\(name)", label: labels[name] ?? "",
                      message: WorkspaceWords.message(error, language))
        }
        let shown = chooser == nil
        return render("team-form", FormView(
            frame: frame(heading(kind), person: person, section: "new"), heading: heading(kind), action: "/team/new/\(kind.rawValue)",
            csrf: person.csrfToken, rows: shown ? rows(fields) : [], errors: errors, hasErrors: !errors.isEmpty, chooser: chooser,
            hidden: form[EntryForm.draftID].map { [Hidden(name: EntryForm.draftID, value: $0)] } ?? []))
    }

    // MARK: Review and result

    struct Fact { let label: String; let value: String; let values: [String]; let isList: Bool }
    struct ChangeView { let label: String; let before: String; let after: String }
    struct ReviewView {
        let frame: Frame; let heading: String; let action: String; let csrf: String; let facts: [Fact]
        let changes: [ChangeView]; let hasChanges: Bool; let hidden: [Hidden]; let isInternal: Bool
    }

    private func shown(_ value: JSONValue) -> [String] {
        switch value {
        case .string(let text): return [text]
        case .int(let number): return [String(number)]
        case .array(let items): return items.compactMap(\.stringValue)
        case .null: return []
        default: return [value.canonicalText]
        }
    }

    private func fact(_ label: String, _ values: [String]) -> Fact {
        Fact(label: label, value: values.first ?? "", values: values, isList: values.count != 1)
    }

    /// What an entry says, field by field, as the review and the result pages show it.
    func facts(type: EntryType, subject: String, effective: EffectiveTime, visibility: Visibility, author: String,
               payload: JSONValue, state: LedgerState) -> [Fact] {
        let words = sentences(state)
        var facts = [fact(word("type"), [words.label(type)]), fact(word("subject"), [subject]),
                     fact(word("effective"), [effective.description]),
                     fact(word("visibility"), [word(visibility == .public ? "public" : "internal")]), fact(word("author"), [author])]
        if case .object(let members) = payload {
            for spec in type.fields where spec.shape.isShownAsFields {
                guard let value = members[spec.name] else { continue }
                var values = shown(value)
                switch spec.shape {
                case .word: values = values.map { text in choices([text]).first?.1 ?? text }
                case .reference(let kind), .references(let kind):
                    values = values.map { id in "\(kind == .actor ? words.name(of: id) : words.title(of: id)) (\(id))" }
                default: break
                }
                facts.append(fact(label(spec), values))
            }
        }
        return facts
    }

    /// The confirmation page: the entry exactly as it will be written, and the form's values
    /// carried in hidden inputs, so confirming sends the same entry (with the same id).
    public func reviewPage(_ kind: FormKind, result: EntryFormResult, form: FormValues, records: LedgerRecords,
                           state: LedgerState, person: Person) -> String {
        guard let draft = result.draft else { return "" }
        var facts = facts(type: draft.type, subject: draft.subject, effective: draft.effective, visibility: draft.visibility,
                          author: draft.author, payload: draft.payload, state: state)
        let target: Record? = form[EntryForm.targetSeq].flatMap { Int64($0) }.flatMap { records.record(seq: $0) }
        if let target {
            facts.append(fact(word("targetSeq"), ["#\(target.seq) · \(entryLine(target, in: state).text)"]))
        }
        let targetFields = target?.type.fields ?? []
        let changes = result.changes.map { change in
            let spec = targetFields.first { $0.name == change.field }
            return ChangeView(label: spec.map(label) ?? word("effective"), before: shown(change.before).joined(separator: "\n"),
                              after: shown(change.after).joined(separator: "\n"))
        }
        var hidden = form.pairs.filter { !["csrf", "action", EntryForm.draftID].contains($0.name) }.map { Hidden(name: $0.name, value: $0.value) }
        hidden.append(Hidden(name: EntryForm.draftID, value: draft.id.uuidString.lowercased()))
        return render("team-review", ReviewView(
            frame: frame(word("review"), person: person, section: "new"), heading: "\(word("review")): \(heading(kind))",
            action: "/team/new/\(kind.rawValue)", csrf: person.csrfToken, facts: facts, changes: changes, hasChanges: !changes.isEmpty,
            hidden: hidden, isInternal: draft.visibility == .internal))
    }

    struct EntryView {
        let frame: Frame; let heading: String; let justWritten: Bool; let seq: Int64; let facts: [Fact]
        let receipt: String?; let noReceipt: String?; let canWrite: Bool; let amendLinks: [Link]
    }

    /// `/team/entries/SEQ`: an entry as the ledger holds it, with its receipt when public.
    public func entryPage(_ record: Record, state: LedgerState, person: Person, justWritten: Bool, receiptsServed: Bool) -> String {
        var facts = facts(type: record.type, subject: record.subject, effective: record.effective, visibility: record.visibility,
                          author: record.author, payload: record.payload, state: state)
        facts.insert(fact(word("seq"), [String(record.seq)]), at: 0)
        facts.append(fact(word("recordedAt"), [record.recordedAt]))
        if record.isRetracted { facts.append(fact(word("retracted"), ["#\(record.retractedBy!)"])) }
        if !record.correctedBy.isEmpty { facts.append(fact(word("corrected"), record.correctedBy.map { "#\($0)" })) }
        let isPublic = record.visibility == .public
        let amendLinks: [Link] = person.role.canWrite && record.type.isCorrectable && !record.isRetracted ? [
            Link(href: "/team/new/correction?seq=\(record.seq)", text: word("correct")),
            Link(href: "/team/new/retraction?seq=\(record.seq)", text: word("retract")),
        ] : []
        return render("team-entry", EntryView(
            frame: frame("\(word("seq")) \(record.seq)", person: person, section: ""),
            heading: justWritten ? word("written") : "\(sentences(state).label(record.type)) #\(record.seq)", justWritten: justWritten,
            seq: record.seq, facts: facts, receipt: isPublic && receiptsServed ? "/log/receipt/\(record.seq)" : nil,
            noReceipt: isPublic ? (receiptsServed ? nil : word("receiptLater")) : word("noReceipt"),
            canWrite: person.role.canWrite, amendLinks: amendLinks))
    }
}

extension FieldSpec.Shape {
    /// Every payload field but the amended entry's seq and a correction's map of changes,
    /// which the review shows as the entry amended and as before and after.
    var isShownAsFields: Bool {
        switch self {
        case .fieldValues, .seq: return false
        default: return true
        }
    }
}
