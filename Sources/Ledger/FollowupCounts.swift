import Foundation

/// The follow-ups of a counts fold (`LedgerRecords.Detail.counts`): of each, its seq, its
/// subject, its date with corrections applied, whether it is internal, and its retraction
/// if any. What `status` needs of a million follow-ups is how many there are about each
/// demand by a date, not a record of each (24 bytes each here, against hundreds as a `Record`).
public struct FollowupCounts: Sendable, Equatable {
    struct Counted: Sendable, Equatable {
        let seq: Int64
        /// A position in `subjects`: a million follow-ups are about a few thousand subjects.
        let subject: Int32
        var effective: EffectiveTime
        /// What validation needs to judge a correction or a retraction of it (an internal
        /// entry's must be internal too).
        var isInternal = false
        var isRetracted = false
    }

    /// A follow-up's own date and the corrections in force over it, for the few that were
    /// corrected: its date is worked out again whenever one is added or retracted.
    struct Corrected: Sendable, Equatable {
        let originalEffective: EffectiveTime
        var correctedBy: [Int64]
    }

    /// Subjects in the order their first follow-up came.
    private(set) var subjects: [String] = []
    private var subjectNumbers: [String: Int32] = [:]
    /// In seq order.
    private(set) var followups: [Counted] = []
    private(set) var corrected: [Int64: Corrected] = [:]
    /// The seq of the retraction of each retracted follow-up (also marked in `followups`,
    /// which counting reads).
    private(set) var retractions: [Int64: Int64] = [:]

    init() {}

    /// As a snapshot kept them (`subjects` each once).
    init(subjects: [String], followups: [Counted], corrected: [Int64: Corrected], retractions: [Int64: Int64]) {
        self.subjects = subjects
        subjectNumbers = Dictionary(uniqueKeysWithValues: subjects.enumerated().map { ($1, Int32($0)) })
        self.followups = followups
        self.corrected = corrected
        self.retractions = retractions
    }

    public var count: Int { followups.count }

    mutating func append(seq: Int64, subject: String, effective: EffectiveTime, visibility: Visibility) {
        let number: Int32
        if let known = subjectNumbers[subject] {
            number = known
        } else {
            number = Int32(subjects.count)
            subjectNumbers[subject] = number
            subjects.append(subject)
        }
        followups.append(Counted(seq: seq, subject: number, effective: effective, isInternal: visibility == .internal))
    }

    func index(of seq: Int64) -> Int? { followups.index(ofSeq: seq, \.seq) }

    func original(at index: Int) -> EffectiveTime {
        corrected[followups[index].seq]?.originalEffective ?? followups[index].effective
    }

    func corrections(at index: Int) -> [Int64] { corrected[followups[index].seq]?.correctedBy ?? [] }

    /// Sets the corrections in force over the follow-up at `index` and the date they give it.
    mutating func setCorrections(_ seqs: [Int64], effective: EffectiveTime, at index: Int) {
        let seq = followups[index].seq
        let original = original(at: index)
        corrected[seq] = seqs.isEmpty ? nil : Corrected(originalEffective: original, correctedBy: seqs)
        followups[index].effective = effective
    }

    mutating func retract(at index: Int, by retraction: Int64) {
        followups[index].isRetracted = true
        retractions[followups[index].seq] = retraction
    }

    func retraction(at index: Int) -> Int64? { retractions[followups[index].seq] }

    /// Leaves out the follow-ups with these seqs (made records again, see
    /// `LedgerRecords.restoreText(of:)`), so that none is counted twice.
    mutating func remove(_ seqs: Set<Int64>) {
        followups.removeAll { seqs.contains($0.seq) }
        for seq in seqs {
            corrected[seq] = nil
            retractions[seq] = nil
        }
    }

    /// The seqs of the newest `count` follow-ups (by seq) that `isIncluded` accepts, given
    /// the subject and the date, newest first; retracted ones too.
    public func newest(_ count: Int, where isIncluded: (_ subject: String, _ effective: EffectiveTime) -> Bool) -> [Int64] {
        var seqs: [Int64] = []
        for followup in followups.reversed() where isIncluded(subjects[Int(followup.subject)], followup.effective) {
            if seqs.count == count { break }
            seqs.append(followup.seq)
        }
        return seqs
    }

    /// The seqs of the follow-ups dated on `days`, retracted ones too, in seq order.
    public func seqs(datedIn days: ClosedRange<CalendarDay>) -> [Int64] {
        followups.compactMap { days.contains($0.effective.day) ? $0.seq : nil }
    }

    /// For each group of subjects, the seqs of its latest `count` follow-ups dated on or
    /// before `day` and not retracted (latest by date, then seq, as `LedgerState.events`
    /// orders records): every follow-up a timeline of `count` entries about the group can show.
    public func latest(_ count: Int, about groups: [[String]], onOrBefore day: CalendarDay) -> Set<Int64> {
        func isLater(_ a: Counted, _ b: Counted) -> Bool { (a.effective, a.seq) > (b.effective, b.seq) }
        // One pass keeps each subject's latest `count`; a group's latest are among its subjects'.
        var latestBySubject = [[Counted]](repeating: [], count: subjects.count)
        for followup in followups where !followup.isRetracted && followup.effective.day <= day {
            let subject = Int(followup.subject)
            latestBySubject[subject].append(followup)
            if latestBySubject[subject].count > count, let earliest = latestBySubject[subject].indices.min(by: {
                isLater(latestBySubject[subject][$1], latestBySubject[subject][$0])
            }) {
                latestBySubject[subject].remove(at: earliest)
            }
        }
        var seqs: Set<Int64> = []
        for group in groups {
            let candidates = group.compactMap { subjectNumbers[$0] }.flatMap { latestBySubject[Int($0)] }
            seqs.formUnion(candidates.sorted(by: isLater).prefix(count).map(\.seq))
        }
        return seqs
    }

    /// The seqs of the latest `count` follow-ups dated on or before `day`, retracted ones
    /// too (as `LedgerState.events` holds them), latest first by date then seq.
    public func latest(_ count: Int, onOrBefore day: CalendarDay) -> [Int64] {
        func isLater(_ a: Counted, _ b: Counted) -> Bool { (a.effective, a.seq) > (b.effective, b.seq) }
        // Almost always in date order: the latest are at the end, and a short list is kept sorted.
        var found: [Counted] = []
        for followup in followups.reversed() where followup.effective.day <= day {
            guard found.count < count || isLater(followup, found[found.count - 1]) else { continue }
            found.insert(followup, at: found.firstIndex { isLater(followup, $0) } ?? found.endIndex)
            if found.count > count { found.removeLast() }
        }
        return found.map(\.seq)
    }

    /// The date of the latest follow-up dated on or before `day` about each subject,
    /// retracted ones too: a subject's latest activity, as `LedgerState.events` would show it.
    func latestDates(onOrBefore day: CalendarDay) -> [String: EffectiveTime] {
        var latest = [EffectiveTime?](repeating: nil, count: subjects.count)
        for followup in followups where followup.effective.day <= day {
            let subject = Int(followup.subject)
            if latest[subject].map({ $0 < followup.effective }) ?? true { latest[subject] = followup.effective }
        }
        var dates: [String: EffectiveTime] = [:]
        for (number, date) in latest.enumerated() { if let date { dates[subjects[number]] = date } }
        return dates
    }

    /// The earliest date of any follow-up counted.
    public var earliestDay: CalendarDay? { followups.lazy.map(\.effective.day).min() }

    /// How many follow-ups dated on or before `asOf`, not retracted, are about each subject.
    /// A follow-up counts only after its subject's definition in date then seq order (when
    /// `definedAt` gives one), as `LedgerState` applies records: by validation that is every
    /// follow-up, since none is dated before its subject.
    func tally(asOf: CalendarDay, definedAt: (String) -> (effective: EffectiveTime, seq: Int64)?) -> [String: Int] {
        let definitions = subjects.map(definedAt)
        var bySubject = [Int](repeating: 0, count: subjects.count)
        for followup in followups where !followup.isRetracted && followup.effective.day <= asOf {
            guard let defined = definitions[Int(followup.subject)],
                  (defined.effective, defined.seq) < (followup.effective, followup.seq) else { continue }
            bySubject[Int(followup.subject)] += 1
        }
        var counts: [String: Int] = [:]
        for (number, count) in bySubject.enumerated() where count > 0 { counts[subjects[number]] = count }
        return counts
    }
}
