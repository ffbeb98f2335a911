import Foundation
import Ledger

/// A large, realistic ledger made up from a seed, for benchmarks and load tests: actors,
/// demands, commitments, ratings, follow-ups (most of it, as in real use), some corrections
/// and retractions, about a tenth internal. The same seed and size give the same entries,
/// byte for byte (salts and recorded times included), and every entry passes validation.
public struct SyntheticLedger: Sequence, Sendable {
    public let count: Int
    public let seed: UInt64

    public init(count: Int, seed: UInt64 = 2023) {
        self.count = count
        self.seed = seed
    }

    public func makeIterator() -> Iterator { Iterator(count: count, seed: seed) }

    /// Effective dates run from `firstDay` to `lastDay` in chain order.
    public static let firstDay = CalendarDay(year: 2023, month: 1, day: 9)!
    public static let lastDay = CalendarDay(year: 2026, month: 10, day: 31)!

    public struct Iterator: IteratorProtocol {
        let count: Int
        var random: SplitMix64
        var produced = 0
        var head = ChainHead.empty
        let actorCount: Int
        var publicDemands: [String] = []
        var internalDemands: [String] = []
        var publicCommitments: [String] = []
        var internalCommitments: [String] = []
        /// The latest follow-ups, which corrections and retractions amend (as in real use,
        /// amendments are of recent entries).
        var amendable: [(seq: Int64, visibility: Visibility, subject: String)] = []
        var retracted: Set<Int64> = []
        /// When the previous entry was recorded.
        var recorded = Date(timeIntervalSince1970: 0)

        init(count: Int, seed: UInt64) {
            self.count = count
            random = SplitMix64(seed: seed)
            actorCount = Swift.min(40, Swift.max(4, count / 100))
        }

        public mutating func next() -> Entry? {
            guard produced < count else { return nil }
            let draft = nextDraft()
            // Recorded at noon on the day it happened at the earliest (as a team logs, and as
            // an import checks), 10 ms after the entry before it at the latest.
            let noon = Date(timeIntervalSince1970: Double(draft.effective.day.dayNumber) * 86_400 + 43_200)
            recorded = Swift.max(recorded.addingTimeInterval(0.01), noon)
            let entry = Entry(draft: draft, seq: head.seq + 1, recordedAt: RecordedAt.string(from: recorded), prevHash: head.hash)
            head = ChainHead(seq: entry.seq, hash: entry.hash, recordedAt: entry.recordedAt)
            produced += 1
            if entry.type == .followupLogged {
                amendable.append((entry.seq, entry.visibility, entry.subject))
                if amendable.count > 200 { amendable.removeFirst() }
            }
            return entry
        }

        var day: CalendarDay {
            let span = SyntheticLedger.firstDay.days(until: SyntheticLedger.lastDay)
            return SyntheticLedger.firstDay.adding(days: span * produced / Swift.max(1, count))
        }

        mutating func nextDraft() -> EntryDraft {
            if produced < actorCount { return actor(produced) }
            // Enough demands and commitments to hang the rest on, then the day-to-day mix.
            if publicDemands.isEmpty || produced % 2_000 == 0 { return demand() }
            if publicCommitments.isEmpty || produced % 1_000 == 500 { return commitment() }
            let roll = random.next(below: 1_000)
            if roll < 50 { return statusChange() }
            if roll < 60, let draft = correction() { return draft }
            if roll < 62, let draft = retraction() { return draft }
            return followup()
        }

        /// About one entry in ten is internal.
        mutating func visibility() -> Visibility { random.next(below: 10) == 0 ? .internal : .public }

        mutating func draft(_ type: EntryType, _ subject: String, _ visibility: Visibility, _ payload: [String: JSONValue]) -> EntryDraft {
            EntryDraft(
                id: random.uuid(), type: type, subject: subject, effective: EffectiveTime(day: day),
                author: ["policy-team", "maria", "jorge", "newsroom-importer"][random.next(below: 4)],
                visibility: visibility, payload: .object(payload), salt: random.hex(bytes: 16))
        }

        mutating func actor(_ index: Int) -> EntryDraft {
            let kinds: [ActorKind] = [.coalition, .government, .ministry, .institution, .organisation, .legislature]
            return draft(.actorRegistered, "actor-\(index)", .public, [
                "name": .string(index == 0 ? "Synthetic Coalition for Peace and Justice" : "Synthetic \(words(3)) \(index)"),
                "kind": .string(kinds[index == 0 ? 0 : 1 + index % (kinds.count - 1)].rawValue),
                "country": .string(index % 2 == 0 ? "MX" : "US"),
            ])
        }

        mutating func demand() -> EntryDraft {
            let visibility = publicDemands.isEmpty ? .public : visibility()
            let id = "demand-\(produced)"
            if visibility == .public { publicDemands.append(id) } else { internalDemands.append(id) }
            return draft(.demandRecorded, id, visibility, [
                "title": .string(sentence(8)), "title_es": .string(sentence(9)), "summary": .string(sentence(30)),
                "by": .array([.string("actor-0")]), "targets": .array([.string("actor-\(1 + random.next(below: actorCount - 1))")]),
                "sources": .array([.string(url())]),
            ])
        }

        mutating func commitment() -> EntryDraft {
            let visibility = publicCommitments.isEmpty ? .public : visibility()
            let demands = visibility == .public ? publicDemands : publicDemands + internalDemands
            let id = "commitment-\(produced)"
            if visibility == .public { publicCommitments.append(id) } else { internalCommitments.append(id) }
            var payload: [String: JSONValue] = [
                "demands": .array([.string(demands[random.next(below: demands.count)])]),
                "actor": .string("actor-\(1 + random.next(below: actorCount - 1))"),
                "kind": .string(CommitmentKind.allCases[random.next(below: CommitmentKind.allCases.count)].rawValue),
                "summary": .string(sentence(25)), "summary_es": .string(sentence(28)),
                "sources": .array([.string(url())]),
            ]
            if random.next(below: 2) == 0 { payload["due"] = .string(day.adding(days: 30 + random.next(below: 300)).description) }
            return draft(.commitmentRecorded, id, visibility, payload)
        }

        mutating func statusChange() -> EntryDraft {
            let visibility = visibility()
            let pool = visibility == .public ? publicCommitments : publicCommitments + internalCommitments
            return draft(.statusChanged, pool[random.next(below: pool.count)], visibility, [
                "status": .string(CommitmentStatus.allCases[1 + random.next(below: CommitmentStatus.allCases.count - 1)].rawValue),
                "basis": .string(random.next(below: 3) == 0 ? "verified" : "claimed"),
                "rationale": .string(sentence(20)), "sources": .array([.string(url())]),
            ])
        }

        mutating func followup() -> EntryDraft {
            let visibility = visibility()
            let subjects = visibility == .public ? publicDemands + publicCommitments
                : publicDemands + publicCommitments + internalDemands + internalCommitments
            var payload: [String: JSONValue] = [
                "note": .string(sentence(12 + random.next(below: 40))),
                "kind": .string(FollowupKind.allCases[random.next(below: FollowupKind.allCases.count)].rawValue),
            ]
            if random.next(below: 3) == 0 { payload["note_es"] = .string(sentence(20)) }
            if random.next(below: 2) == 0 { payload["sources"] = .array([.string(url())]) }
            return draft(.followupLogged, subjects[random.next(below: subjects.count)], visibility, payload)
        }

        /// A follow-up's note corrected; internal entries are corrected internally.
        mutating func correction() -> EntryDraft? {
            guard let target = pickAmendable() else { return nil }
            return draft(.entryCorrected, target.subject, target.visibility, [
                "target_seq": .int(target.seq), "reason": .string(sentence(8)),
                "fields": .object(["note": .string(sentence(15))]),
            ])
        }

        mutating func retraction() -> EntryDraft? {
            guard let target = pickAmendable() else { return nil }
            retracted.insert(target.seq)
            return draft(.entryRetracted, target.subject, target.visibility, [
                "target_seq": .int(target.seq), "reason": .string(sentence(10)),
            ])
        }

        /// A recent follow-up not yet retracted.
        mutating func pickAmendable() -> (seq: Int64, visibility: Visibility, subject: String)? {
            guard !amendable.isEmpty else { return nil }
            let candidate = amendable[random.next(below: amendable.count)]
            return retracted.contains(candidate.seq) ? nil : candidate
        }

        // MARK: Text

        static let vocabulary = """
            commission ministry hearing families victims border weapons justice asylum migrants \
            report working group agreement deadline evidence meeting recommendation prosecutor \
            investigation federal state community rights peace military bases trafficking \
            coalition statement session follow-up commitment budget program review audit \
            testimony court ruling policy reform
            """.split(separator: " ").map(String.init)

        mutating func words(_ count: Int) -> String {
            (0..<count).map { _ in Self.vocabulary[random.next(below: Self.vocabulary.count)] }.joined(separator: " ").capitalized
        }

        mutating func sentence(_ count: Int) -> String {
            let text = (0..<count).map { _ in Self.vocabulary[random.next(below: Self.vocabulary.count)] }.joined(separator: " ")
            return text.prefix(1).uppercased() + text.dropFirst() + "."
        }

        mutating func url() -> String {
            ["https://www.cndh.org.mx/documento/", "https://www.gob.mx/segob/prensa/", "https://globalexchange.org/news/"][random.next(below: 3)]
                + String(random.next(below: 1_000_000))
        }
    }
}
