import Foundation

public struct Actor: Sendable, Hashable {
    public let id: String
    public let seq: Int64
    public let effective: EffectiveTime
    public let visibility: Visibility
    public let name: String
    public let nameES: String?
    public let kind: ActorKind
    public let country: String?
}

public struct StatusChange: Sendable, Hashable {
    public let seq: Int64
    public let effective: EffectiveTime
    public let visibility: Visibility
    public let status: CommitmentStatus
    public let previous: CommitmentStatus
    public let basis: Basis
    public let rationale: String
    public let rationaleES: String?
    public let sources: [String]
}

public struct Followup: Sendable, Hashable {
    public let seq: Int64
    public let subject: String
    public let effective: EffectiveTime
    public let visibility: Visibility
    public let kind: FollowupKind
    public let note: String
    public let noteES: String?
    public let sources: [String]
}

public struct Demand: Sendable, Hashable {
    public let id: String
    public let seq: Int64
    public let effective: EffectiveTime
    public let visibility: Visibility
    public let title: String
    public let titleES: String?
    public let summary: String?
    public let summaryES: String?
    public let by: [String]
    public let targets: [String]
    public let sources: [String]
    public internal(set) var commitments: [String] = []
    /// Empty in a state built from a counts fold (`LedgerRecords.Detail.counts`), which
    /// has `followupCount` alone.
    public internal(set) var followups: [Followup] = []
    public internal(set) var followupCount = 0
    public internal(set) var status: DemandStatus = .noResponse
}

public struct Commitment: Sendable, Hashable {
    public let id: String
    public let seq: Int64
    public let effective: EffectiveTime
    public let visibility: Visibility
    public let demands: [String]
    public let actor: String
    public let kind: CommitmentKind
    public let summary: String
    public let summaryES: String?
    public let due: CalendarDay?
    public let sources: [String]
    /// Oldest first, ordered by effective date then seq.
    public internal(set) var history: [StatusChange] = []
    /// Empty in a state built from a counts fold, as a demand's.
    public internal(set) var followups: [Followup] = []
    public internal(set) var followupCount = 0

    /// The latest rating whatever its basis; `announced` until the first change.
    public var status: CommitmentStatus { history.last?.status ?? .announced }
    public var basis: Basis? { history.last?.basis }

    /// The latest rating of the given basis, kept apart because a claim is not compliance.
    public func latest(_ basis: Basis) -> StatusChange? { history.last { $0.basis == basis } }

    /// Days past the due date on `day`, when the commitment is still open; nil otherwise.
    public func daysOverdue(on day: CalendarDay) -> Int? {
        guard let due, due < day, !status.isClosed else { return nil }
        return due.days(until: day)
    }

    /// How far the coalition has verified this commitment as met: claimed fulfilment counts as
    /// still open, broken or withdrawn counts whoever says so.
    var verifiedStanding: CommitmentStatus {
        guard (status == .fulfilled || status == .partiallyFulfilled) && basis == .claimed else { return status }
        return latest(.verified)?.status ?? .inProgress
    }
}

/// The second half of the projection: the world as the ledger describes it on a date
/// (`asOf`), from the entries known at a point of the chain (`head`).
public struct LedgerState: Sendable {
    public let head: ChainHead
    public let asOf: CalendarDay
    public let audience: Visibility
    public private(set) var actors: [Actor] = []
    public private(set) var demands: [Demand] = []
    public private(set) var commitments: [Commitment] = []
    /// Every record dated on or before `asOf`, plus every actor (retracted ones flagged), by
    /// effective date then seq.
    public private(set) var events = Events(records: [], order: [])
    /// From a counts fold: the date of the latest follow-up about each subject that
    /// `events` holds no record of (dated on or before `asOf`, retracted ones too).
    public private(set) var latestCountedFollowup: [String: EffectiveTime] = [:]
    private var actorIndex: [String: Int] = [:]
    private var demandIndex: [String: Int] = [:]
    private var commitmentIndex: [String: Int] = [:]

    public func actor(_ id: String) -> Actor? { actorIndex[id].map { actors[$0] } }
    public func demand(_ id: String) -> Demand? { demandIndex[id].map { demands[$0] } }
    public func commitment(_ id: String) -> Commitment? { commitmentIndex[id].map { commitments[$0] } }

    /// Positions in `events` by subject, so a timeline is not a scan of the whole chain.
    private var eventsBySubject: [String: [Int32]] = [:]

    /// Everything dated on or before `asOf` about a subject, including corrections and
    /// retractions of its entries.
    public func timeline(of subject: String) -> [Record] { timeline(of: [subject]) }

    /// Everything about any of these subjects, in `events` order.
    public func timeline(of subjects: some Sequence<String>) -> [Record] {
        positions(about: subjects).map { events[$0] }
    }

    /// The last `count` records about any of these subjects that pass `isIncluded`, in
    /// `events` order: read from the end, without copying the subjects' whole timelines
    /// (thousands of records each at a million entries).
    public func latest(_ count: Int, about subjects: some Sequence<String>, where isIncluded: (Record) -> Bool) -> [Record] {
        var found: [Record] = []
        for position in positions(about: subjects).reversed() where found.count < count {
            let record = events[position]
            if isIncluded(record) { found.append(record) }
        }
        return found.reversed()
    }

    /// The date of the latest thing dated on or before `asOf` about the subject, counted
    /// follow-ups included: a subject's timeline ends with it, so no scan of `events`.
    public func latestActivity(about subject: String) -> EffectiveTime? {
        let recorded = eventsBySubject[subject]?.last.map { events[Int($0)].effective }
        guard let counted = latestCountedFollowup[subject] else { return recorded }
        return max(recorded ?? counted, counted)
    }

    private func positions(about subjects: some Sequence<String>) -> [Int] {
        var positions: [Int] = []
        for subject in Set(subjects) { positions += (eventsBySubject[subject] ?? []).lazy.map(Int.init) }
        return positions.sorted()
    }

    public init(records: LedgerRecords, asOf: CalendarDay) {
        head = records.head
        self.asOf = asOf
        audience = records.audience
        // Actors are who the ledger talks about, not events: one registered today still
        // names the institution behind a 2023 commitment.
        // Positions rather than copies of the records: at a million entries a copy of every
        // record is hundreds of megabytes, and sorting positions moves no strings.
        let all = records.records
        var order: [Int32] = []
        order.reserveCapacity(all.count)
        // By index, not `enumerated()`: that copies each record (a retain and a release of
        // each of its fields) to read two of them.
        for position in all.indices where all[position].effective.day <= asOf || all[position].type == .actorRegistered {
            order.append(Int32(position))
        }
        // The chain is almost always in date order already; sort only what is not.
        if !order.indices.dropFirst().allSatisfy({ (all[Int(order[$0 - 1])].effective, all[Int(order[$0 - 1])].seq) < (all[Int(order[$0])].effective, all[Int(order[$0])].seq) }) {
            order.sort { (all[Int($0)].effective, all[Int($0)].seq) < (all[Int($1)].effective, all[Int($1)].seq) }
        }
        events = Events(records: all, order: order)
        for (position, recordIndex) in order.enumerated() {
            eventsBySubject[all[Int(recordIndex)].subject, default: []].append(Int32(position))
            if !all[Int(recordIndex)].isRetracted { apply(all[Int(recordIndex)]) }
        }
        count(records.followupCounts)
        for index in demands.indices {
            demands[index].status = derivedStatus(of: demands[index])
        }
    }

    private mutating func apply(_ record: Record) {
        // Validation guarantees the shapes; a record that no longer decodes (an unknown
        // future schema) is left out rather than guessed at.
        switch record.type {
        case .actorRegistered:
            guard let payload = ActorPayload(record.payload) else { return }
            actorIndex[record.subject] = actors.count
            actors.append(Actor(
                id: record.subject, seq: record.seq, effective: record.effective, visibility: record.visibility,
                name: payload.name, nameES: payload.nameES, kind: payload.kind, country: payload.country))
        case .demandRecorded:
            guard let payload = DemandPayload(record.payload) else { return }
            demandIndex[record.subject] = demands.count
            demands.append(Demand(
                id: record.subject, seq: record.seq, effective: record.effective, visibility: record.visibility,
                title: payload.title, titleES: payload.titleES, summary: payload.summary, summaryES: payload.summaryES,
                by: payload.by, targets: payload.targets, sources: payload.sources))
        case .commitmentRecorded:
            guard let payload = CommitmentPayload(record.payload) else { return }
            commitmentIndex[record.subject] = commitments.count
            commitments.append(Commitment(
                id: record.subject, seq: record.seq, effective: record.effective, visibility: record.visibility,
                demands: payload.demands, actor: payload.actor, kind: payload.kind, summary: payload.summary,
                summaryES: payload.summaryES, due: payload.due, sources: payload.sources))
            for demand in payload.demands {
                if let index = demandIndex[demand] { demands[index].commitments.append(record.subject) }
            }
        case .statusChanged:
            guard let payload = StatusPayload(record.payload),
                  let index = commitmentIndex[record.subject] else { return }
            commitments[index].history.append(StatusChange(
                seq: record.seq, effective: record.effective, visibility: record.visibility,
                status: payload.status, previous: commitments[index].status, basis: payload.basis,
                rationale: payload.rationale, rationaleES: payload.rationaleES, sources: payload.sources))
        case .followupLogged:
            guard let payload = FollowupPayload(record.payload) else { return }
            let followup = Followup(
                seq: record.seq, subject: record.subject, effective: record.effective, visibility: record.visibility,
                kind: payload.kindOrNote, note: payload.note, noteES: payload.noteES, sources: payload.sources)
            if let index = commitmentIndex[record.subject] {
                commitments[index].followups.append(followup)
                commitments[index].followupCount += 1
            } else if let index = demandIndex[record.subject] {
                demands[index].followups.append(followup)
                demands[index].followupCount += 1
            }
        case .entryCorrected, .entryRetracted:
            break  // Already applied to their targets in LedgerRecords.
        }
    }

    /// The follow-ups a counts fold keeps no record of, counted for their subjects.
    private mutating func count(_ counted: FollowupCounts) {
        guard counted.count > 0 else { return }
        latestCountedFollowup = counted.latestDates(onOrBefore: asOf)
        let tally = counted.tally(asOf: asOf) { subject in
            if let index = commitmentIndex[subject] { return (commitments[index].effective, commitments[index].seq) }
            return demandIndex[subject].map { (demands[$0].effective, demands[$0].seq) }
        }
        // Added to the follow-ups read back as records (`Ledger.withText`), which a subject
        // can have some of while the rest stay counted.
        for (subject, count) in tally {
            if let index = commitmentIndex[subject] {
                commitments[index].followupCount += count
            } else if let index = demandIndex[subject] {
                demands[index].followupCount += count
            }
        }
    }

    /// A demand is met only when the coalition has verified its commitments fulfilled.
    private func derivedStatus(of demand: Demand) -> DemandStatus {
        let standings = demand.commitments.compactMap { commitment($0)?.verifiedStanding }
        if standings.isEmpty { return .noResponse }
        let open = standings.filter { $0 != .broken && $0 != .withdrawn }
        if open.isEmpty { return .unmet }
        if open.allSatisfy({ $0 == .fulfilled }) { return .met }
        if open.contains(where: { $0 == .fulfilled || $0 == .partiallyFulfilled }) { return .partiallyMet }
        return .committed
    }
}

/// Records in date order (then seq), as positions into the fold's own array.
public struct Events: RandomAccessCollection, Sendable {
    let records: [Record]
    let order: [Int32]

    public var startIndex: Int { 0 }
    public var endIndex: Int { order.count }
    public subscript(position: Int) -> Record { records[Int(order[position])] }
}
