import Ledger

/// Entries told as sentences in a language: the one sentence builder of every output (the
/// reports, the public pages, the feeds, `ledgerctl log` and `show`).
package struct Sentences {
    package let state: LedgerState
    package let language: ReportLanguage

    package init(state: LedgerState, language: ReportLanguage) {
        self.state = state
        self.language = language
    }

    package func name(of actor: String) -> String {
        state.actor(actor).map { language.pick(text: $0.name, spanish: $0.nameES) } ?? actor
    }

    package func title(of subject: String) -> String {
        if let demand = state.demand(subject) { return language.pick(text: demand.title, spanish: demand.titleES) }
        if let commitment = state.commitment(subject) { return language.pick(text: commitment.summary, spanish: commitment.summaryES) }
        return subject
    }

    package func label(_ type: EntryType) -> String {
        let labels = language.labels
        switch type {
        case .actorRegistered: return labels.actor
        case .demandRecorded: return labels.newDemand
        case .commitmentRecorded: return labels.newCommitment
        case .statusChanged: return labels.statusChange
        case .followupLogged: return labels.followup
        case .entryCorrected: return labels.correction
        case .entryRetracted: return labels.retraction
        }
    }

    package func describe(_ record: Record) -> (text: String, detail: String?, sources: [String]) {
        let labels = language.labels
        switch record.type {
        case .actorRegistered:
            let payload = ActorPayload(record.payload)
            return (payload.map { language.pick(text: $0.name, spanish: $0.nameES) } ?? record.subject, nil, [])
        case .demandRecorded:
            guard let payload = DemandPayload(record.payload) else { return (record.subject, nil, []) }
            let by = payload.by.map(name(of:)).joined(separator: ", ")
            let text = "\(labels.newDemand): \(language.pick(text: payload.title, spanish: payload.titleES))"
                + (by.isEmpty ? "" : " (\(labels.by) \(by))")
            return (text, payload.summary.map { language.pick(text: $0, spanish: payload.summaryES) }, payload.sources)
        case .commitmentRecorded:
            guard let payload = CommitmentPayload(record.payload) else { return (record.subject, nil, []) }
            var text = "\(labels.newCommitment) (\(language.word(payload.kind)), \(name(of: payload.actor))): "
                + language.pick(text: payload.summary, spanish: payload.summaryES)
            if let due = payload.due { text += " — \(labels.due) \(language.date(due))" }
            return (text, nil, payload.sources)
        case .statusChanged:
            guard let payload = StatusPayload(record.payload) else { return (record.subject, nil, []) }
            let previous = state.commitment(record.subject)?.history.first { $0.seq == record.seq }?.previous
            let change = (previous.map { language.word($0) + " → " } ?? "") + language.word(payload.status)
            return ("\(title(of: record.subject)): \(change) (\(language.word(payload.basis)))",
                    language.pick(text: payload.rationale, spanish: payload.rationaleES), payload.sources)
        case .followupLogged:
            guard let payload = FollowupPayload(record.payload) else { return (record.subject, nil, []) }
            return ("\(labels.followup) (\(language.word(payload.kindOrNote))): \(title(of: record.subject))",
                    language.pick(text: payload.note, spanish: payload.noteES), payload.sources)
        case .entryCorrected:
            guard let payload = CorrectionPayload(record.payload) else { return (record.subject, nil, []) }
            // Each field by the name people know it by in this language.
            let fields = payload.fields.keys.sorted().map { key in
                let name = FieldSpec.label(of: key).map { $0.text(language) } ?? key
                return "\(name) = \(payload.fields[key].flatMap { $0.stringValue ?? $0.canonicalText } ?? "")"
            }.joined(separator: "; ")
            return ("\(labels.correction) (seq \(payload.targetSeq)): \(fields)", payload.reason, [])
        case .entryRetracted:
            guard let payload = RetractionPayload(record.payload) else { return (record.subject, nil, []) }
            return ("\(labels.retraction) (seq \(payload.targetSeq)): \(title(of: record.subject))", payload.reason, [])
        }
    }
}
