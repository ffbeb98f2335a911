import Foundation

/// One entry as the ledger currently understands it: its corrections applied, its
/// retraction noted. The original entry is never changed; this is derived from it.
public struct Record: Sendable, Hashable {
    public let seq: Int64
    public let id: UUID
    public let type: EntryType
    public let subject: String
    public let recordedAt: String
    public let author: String
    public let visibility: Visibility
    public let originalEffective: EffectiveTime
    public internal(set) var originalPayload: JSONValue
    /// After corrections.
    public internal(set) var effective: EffectiveTime
    public internal(set) var payload: JSONValue
    /// Seqs of the corrections in force, oldest first.
    public internal(set) var correctedBy: [Int64] = []
    public internal(set) var retractedBy: Int64?

    public var isRetracted: Bool { retractedBy != nil }

    /// The record as a counts fold keeps it (`LedgerRecords.Detail.counts`): a status
    /// change without its text.
    var withoutText: Record {
        guard Self.textFields(of: type) != nil else { return self }
        var copy = self
        copy.originalPayload = Self.withoutText(originalPayload, type: type)
        // Uncorrected, both are the same value: reduce it once, and share it.
        copy.payload = correctedBy.isEmpty ? copy.originalPayload : Self.withoutText(payload, type: type)
        return copy
    }

    /// The text a counts fold leaves out, by entry type: the required field is kept as ""
    /// so that the payload still decodes, the others are removed.
    static func textFields(of type: EntryType) -> (required: String, optional: [String])? {
        switch type {
        case .followupLogged: ("note", ["note_es", "sources"])
        case .statusChanged: ("rationale", ["rationale_es", "sources"])
        case .actorRegistered, .demandRecorded, .commitmentRecorded, .entryCorrected, .entryRetracted: nil
        }
    }

    static func withoutText(_ payload: JSONValue, type: EntryType) -> JSONValue {
        guard let text = textFields(of: type), case .object(var members) = payload else { return payload }
        if members[text.required] != nil { members[text.required] = .string("") }
        for name in text.optional { members.removeValue(forKey: name) }
        return .object(members)
    }

    init(seq: Int64, id: UUID, type: EntryType, subject: String, recordedAt: String, author: String, visibility: Visibility,
         originalEffective: EffectiveTime, originalPayload: JSONValue, effective: EffectiveTime, payload: JSONValue,
         correctedBy: [Int64], retractedBy: Int64?) {
        self.seq = seq
        self.id = id
        self.type = type
        self.subject = subject
        self.recordedAt = recordedAt
        self.author = author
        self.visibility = visibility
        self.originalEffective = originalEffective
        self.originalPayload = originalPayload
        self.effective = effective
        self.payload = payload
        self.correctedBy = correctedBy
        self.retractedBy = retractedBy
    }

    init(_ entry: Entry) {
        seq = entry.seq
        id = entry.id
        type = entry.type
        subject = entry.subject
        recordedAt = entry.recordedAt
        author = entry.author
        visibility = entry.visibility
        originalEffective = entry.effective
        originalPayload = entry.payload
        effective = entry.effective
        payload = entry.payload
    }
}

extension Array {
    /// Where the element with this seq is, in an array in seq order (binary search).
    func index(ofSeq seq: Int64, _ seqOf: (Element) -> Int64) -> Int? {
        var low = 0, high = count - 1
        while low <= high {
            let middle = (low + high) / 2
            let found = seqOf(self[middle])
            if found == seq { return middle }
            if found < seq { low = middle + 1 } else { high = middle - 1 }
        }
        return nil
    }
}

/// The first half of the projection: every entry known at a point of the chain, with
/// corrections and retractions applied. Built by folding entries in seq order, so it can be
/// extended as new entries arrive. `LedgerState` is the second half (the world as of a date).
public struct LedgerRecords: Sendable {
    /// How much of each entry a fold keeps. A million follow-ups are mostly their notes;
    /// what the status of every demand and commitment needs is how many there are.
    public enum Detail: String, Sendable, Hashable, CaseIterable {
        /// Every field of every entry.
        case full
        /// Follow-ups only counted (`followupCounts`: the seq, subject, date and
        /// retraction of each, no record), and status changes without their text (the
        /// rationale reads as "", the Spanish text and the sources are left out). Every
        /// definition (actor, demand, commitment), correction and retraction is kept whole,
        /// so a `LedgerState` of it has every status and count of a full one. What a command
        /// shows is then read whole from the store (`Ledger.withText`). No follow-up in
        /// `records` or a timeline, and no `activity(about:)`: not for validation.
        case counts

        /// This detail and every lesser one: what a fold of this detail can be reduced to
        /// (the cases run from most to least).
        public var orLess: ArraySlice<Detail> { Self.allCases.drop { $0 != self } }
    }

    /// Which entries count: an outsider's view never sees internal entries, including
    /// internal corrections of public ones.
    public let audience: Visibility
    public let detail: Detail
    public private(set) var head: ChainHead = .empty
    public private(set) var records: [Record] = []
    /// Subject id -> seq of the entry that defined it (registered, recorded).
    public private(set) var definitions: [String: Int64] = [:]
    /// Subject id -> seqs of the status changes and follow-ups about it, so a correction of
    /// a subject's date is checked against them without a scan of the chain.
    private(set) var activityBySubject: [String: [Int64]] = [:]
    /// The follow-ups of a counts fold, which keeps no record of them; empty otherwise.
    public private(set) var followupCounts = FollowupCounts()

    public init(audience: Visibility = .internal, detail: Detail = .full) {
        self.audience = audience
        self.detail = detail
    }

    /// A fold exactly as a snapshot kept it (see `ProjectionSnapshot`).
    init(audience: Visibility, detail: Detail, head: ChainHead, records: [Record], definitions: [String: Int64], activityBySubject: [String: [Int64]],
         followupCounts: FollowupCounts = FollowupCounts()) {
        self.audience = audience
        self.detail = detail
        self.head = head
        self.records = records
        self.definitions = definitions
        self.activityBySubject = activityBySubject
        self.followupCounts = followupCounts
    }

    public init(entries: some Sequence<Entry>, audience: Visibility = .internal, detail: Detail = .full) {
        self.init(audience: audience, detail: detail)
        for entry in entries { apply(entry) }
    }

    public func record(seq: Int64) -> Record? {
        index(of: seq).map { records[$0] }
    }

    private func index(of seq: Int64) -> Int? {
        guard let first = records.first?.seq else { return nil }
        // Seqs are gap-free for the internal audience; a public view skips some, and a counts
        // fold its follow-ups, so search.
        if audience == .internal && detail != .counts {
            let index = Int(seq - first)
            return records.indices.contains(index) ? index : nil
        }
        return records.index(ofSeq: seq, \.seq)
    }

    /// What validation needs of an entry that a correction or a retraction names: its
    /// record, or, for a follow-up a counts fold only counts, what it counts of it (no payload).
    struct Target {
        let seq: Int64
        let type: EntryType
        let subject: String
        let visibility: Visibility
        let effective: EffectiveTime
        let retractedBy: Int64?
        /// After corrections; nil for a counted follow-up.
        let payload: JSONValue?
    }

    func target(seq: Int64) -> Target? {
        if let record = record(seq: seq) {
            return Target(seq: seq, type: record.type, subject: record.subject, visibility: record.visibility, effective: record.effective,
                          retractedBy: record.retractedBy, payload: record.payload)
        }
        guard let index = followupCounts.index(of: seq) else { return nil }
        let counted = followupCounts.followups[index]
        return Target(seq: seq, type: .followupLogged, subject: followupCounts.subjects[Int(counted.subject)],
                      visibility: counted.isInternal ? .internal : .public, effective: counted.effective,
                      retractedBy: followupCounts.retraction(at: index), payload: nil)
    }

    /// The record that defines a subject, if it exists and is not retracted.
    public func definition(of subject: String) -> Record? {
        guard let seq = definitions[subject], let record = record(seq: seq), !record.isRetracted else { return nil }
        return record
    }

    /// The seqs of the status changes and follow-ups about a subject, oldest first.
    public func activity(about subject: String) -> [Int64] { activityBySubject[subject] ?? [] }

    public func kind(of subject: String) -> SubjectKind? { definition(of: subject)?.type.definesSubject }

    public mutating func apply(_ entry: Entry) {
        head = ChainHead(seq: entry.seq, hash: entry.hash, recordedAt: entry.recordedAt)
        if audience == .public && entry.visibility == .internal { return }
        if detail == .counts && entry.type == .followupLogged {
            followupCounts.append(seq: entry.seq, subject: entry.subject, effective: entry.effective, visibility: entry.visibility)
            return
        }
        records.append(detail == .full ? Record(entry) : Record(entry).withoutText)
        switch entry.type {
        case .actorRegistered, .demandRecorded, .commitmentRecorded:
            if definitions[entry.subject].flatMap({ record(seq: $0) }).map({ !$0.isRetracted }) ?? true {
                definitions[entry.subject] = entry.seq
            }
        case .entryCorrected:
            if let correction = CorrectionPayload(entry.payload) {
                if let target = index(of: correction.targetSeq) {
                    records[target].correctedBy.append(entry.seq)
                    reapplyCorrections(at: target)
                } else if let counted = followupCounts.index(of: correction.targetSeq) {
                    recount(at: counted, correctedBy: followupCounts.corrections(at: counted) + [entry.seq])
                }
            }
        case .entryRetracted:
            guard let retraction = RetractionPayload(entry.payload) else { break }
            if let target = index(of: retraction.targetSeq) {
                records[target].retractedBy = entry.seq
                // Retracting a correction undoes it.
                guard records[target].type == .entryCorrected, let correction = CorrectionPayload(records[target].payload) else { break }
                if let corrected = index(of: correction.targetSeq) {
                    records[corrected].correctedBy.removeAll { $0 == retraction.targetSeq }
                    reapplyCorrections(at: corrected)
                } else if let counted = followupCounts.index(of: correction.targetSeq) {
                    recount(at: counted, correctedBy: followupCounts.corrections(at: counted).filter { $0 != retraction.targetSeq })
                }
            } else if let counted = followupCounts.index(of: retraction.targetSeq) {
                followupCounts.retract(at: counted, by: entry.seq)
            }
        case .statusChanged, .followupLogged:
            if detail != .counts { activityBySubject[entry.subject, default: []].append(entry.seq) }
        }
    }

    private mutating func reapplyCorrections(at index: Int, keepingText: Bool = false) {
        var effective = records[index].originalEffective
        var payload = records[index].originalPayload
        for seq in records[index].correctedBy {
            guard let correction = record(seq: seq).flatMap({ CorrectionPayload($0.payload) }) else { continue }
            (effective, payload) = Self.applying(correction.fields, effective: effective, payload: payload)
        }
        records[index].effective = effective
        records[index].payload = detail == .full || keepingText ? payload : Record.withoutText(payload, type: records[index].type)
    }

    /// A counted follow-up's date from its own and the corrections in force (`correctedBy`).
    private mutating func recount(at index: Int, correctedBy: [Int64]) {
        var effective = followupCounts.original(at: index)
        for seq in correctedBy {
            guard let correction = record(seq: seq).flatMap({ CorrectionPayload($0.payload) }) else { continue }
            (effective, _) = Self.applying(correction.fields, effective: effective, payload: .object([:]))
        }
        followupCounts.setCorrections(correctedBy, effective: effective, at: index)
    }

    /// Puts back the text of `entries` (their corrections applied again), and in a counts
    /// fold the records of those that are counted follow-ups: a few subjects shown in full
    /// without folding every note of the chain. Only for showing: the fold is then no longer
    /// the counts of the chain, so it is never kept.
    public mutating func restoreText(of entries: [Entry]) {
        var restored: [Record] = []
        for entry in entries {
            if let index = index(of: entry.seq), records[index].id == entry.id {
                records[index].originalPayload = entry.payload
                reapplyCorrections(at: index, keepingText: true)
            } else if let counted = followupCounts.index(of: entry.seq) {
                var record = Record(entry)
                record.correctedBy = followupCounts.corrections(at: counted)
                record.retractedBy = followupCounts.retraction(at: counted)
                restored.append(record)
            }
        }
        guard !restored.isEmpty else { return }
        restored.sort { $0.seq < $1.seq }
        followupCounts.remove(Set(restored.map(\.seq)))
        // One merge by seq, not an insertion each: a subject can have thousands of follow-ups.
        var merged: [Record] = []
        merged.reserveCapacity(records.count + restored.count)
        var next = restored.makeIterator(), pending = next.next()
        for record in records {
            while let waiting = pending, waiting.seq < record.seq {
                merged.append(waiting)
                pending = next.next()
            }
            merged.append(record)
        }
        while let waiting = pending {
            merged.append(waiting)
            pending = next.next()
        }
        records = merged
        for record in restored where !record.correctedBy.isEmpty {
            if let index = index(of: record.seq) { reapplyCorrections(at: index, keepingText: true) }
        }
    }

    /// The same fold with `detail` `.counts`: what a counts fold of the same entries would be.
    public var counts: LedgerRecords {
        guard detail != .counts else { return self }
        var copy = LedgerRecords(audience: audience, detail: .counts, head: head, records: [], definitions: definitions, activityBySubject: [:])
        for record in records {
            guard record.type == .followupLogged else {
                copy.records.append(record.withoutText)
                continue
            }
            copy.followupCounts.append(seq: record.seq, subject: record.subject, effective: record.originalEffective, visibility: record.visibility)
            let index = copy.followupCounts.count - 1
            if !record.correctedBy.isEmpty { copy.followupCounts.setCorrections(record.correctedBy, effective: record.effective, at: index) }
            if let retraction = record.retractedBy { copy.followupCounts.retract(at: index, by: retraction) }
        }
        return copy
    }

    /// New field values over an entry: `effective` is the entry's date, anything else a
    /// payload field; null removes an optional field.
    public static func applying(_ fields: [String: JSONValue], effective: EffectiveTime, payload: JSONValue) -> (EffectiveTime, JSONValue) {
        var effective = effective
        guard case .object(var members) = payload else { return (effective, payload) }
        for (name, value) in fields {
            if name == "effective" {
                if let text = value.stringValue, let time = EffectiveTime(text) { effective = time }
            } else if value == .null {
                members.removeValue(forKey: name)
            } else {
                members[name] = value
            }
        }
        return (effective, .object(members))
    }
}
