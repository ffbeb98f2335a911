import Ledger

/// The content of a monthly status report, in one language, for one audience: built once
/// from a ledger state as of the month's last day, then rendered as HTML, Markdown, text
/// or JSON (the JSON is this structure itself). Nothing here reads a clock or a store, so
/// the same ledger head and arguments give the same bytes.
public struct MonthlyReport: Sendable, Codable, Equatable {
    public struct Head: Sendable, Codable, Equatable {
        public var seq: Int64
        public var hash: String
    }

    /// Commitments whose current rating has this status, split by who vouches for it.
    public struct StatusCount: Sendable, Codable, Equatable {
        public var status: String
        public var label: String
        public var total: Int
        public var claimed: Int
        public var verified: Int
        /// Announced and never rated.
        public var unrated: Int
    }

    public struct DemandCount: Sendable, Codable, Equatable {
        public var status: String
        public var label: String
        public var count: Int
    }

    public struct Summary: Sendable, Codable, Equatable {
        public var commitments: Int
        public var commitmentsByStatus: [StatusCount]
        public var demands: Int
        public var demandsByStatus: [DemandCount]
        public var overdue: Int
    }

    /// One entry of the month, in date order.
    public struct Change: Sendable, Codable, Equatable {
        public var seq: Int64
        public var date: String
        public var dateText: String
        public var type: String
        public var label: String
        public var subject: String
        public var subjectTitle: String
        public var text: String
        /// The rationale of a status change, the note of a follow-up, the reason of an amendment.
        public var detail: String?
        public var sources: [Int]
        public var `internal`: Bool
        public var retracted: Bool
    }

    public struct Overdue: Sendable, Codable, Equatable {
        public var commitment: String
        public var summary: String
        public var actor: String
        public var due: String
        public var dueText: String
        public var daysOverdue: Int
        public var overdueText: String
        public var `internal`: Bool
    }

    public struct CommitmentLine: Sendable, Codable, Equatable {
        public var id: String
        public var summary: String
        public var actor: String
        public var kind: String
        public var status: String
        public var statusLabel: String
        public var basis: String?
        public var basisLabel: String?
        public var due: String?
        public var dueText: String?
        public var daysOverdue: Int?
        public var sources: [Int]
        public var `internal`: Bool
    }

    public struct TimelineItem: Sendable, Codable, Equatable {
        public var seq: Int64
        public var date: String
        public var dateText: String
        public var text: String
    }

    public struct DemandSection: Sendable, Codable, Equatable {
        public var id: String
        public var title: String
        public var summary: String?
        public var status: String
        public var statusLabel: String
        public var since: String
        public var sinceText: String
        public var by: [String]
        public var targets: [String]
        public var commitments: [CommitmentLine]
        /// The latest few entries about the demand and its commitments, oldest first.
        public var timeline: [TimelineItem]
        public var sources: [Int]
        public var `internal`: Bool
    }

    public struct Source: Sendable, Codable, Equatable {
        public var number: Int
        public var url: String
        /// Only http and https addresses are ever links.
        public var isLink: Bool
    }

    public var language: ReportLanguage
    public var audience: Visibility
    public var month: String
    public var title: String
    public var periodText: String
    public var organisation: String
    /// The `--organisation` the report was asked for, when it did not come from the ledger.
    public var organisationArgument: String?
    public var asOf: String
    public var asOfText: String
    public var head: Head
    public var summary: Summary
    public var changes: [Change]
    public var overdue: [Overdue]
    public var demands: [DemandSection]
    public var sources: [Source]
    /// The checkpoint of the log this report was built from (set by whoever built it from a
    /// ledger with checkpoints).
    public var checkpoint: ReportCheckpoint?
    /// The editions the server published of this month's report (its current page lists them).
    public var editions: [ReportEditionLink]?

    /// How many timeline entries each demand section shows.
    public static let timelineLength = 6

    /// The records the report describes in words (the month's changes, each demand's latest
    /// timeline entries): the only ones whose text it shows.
    public static func describedRecords(state: LedgerState, month: ReportMonth) -> [Record] {
        changes(in: state, month: month) + state.demands.flatMap { timeline(of: $0, in: state) }
    }

    /// The seqs of what the report describes, from a counts fold (`LedgerRecords.Detail.counts`)
    /// and the state built from it: the records above, the month's follow-ups, and the
    /// follow-ups that may be among a demand's latest timeline entries (a superset: the
    /// report picks from them once they are read back).
    public static func describedSeqs(state: LedgerState, counts: FollowupCounts, month: ReportMonth) -> Set<Int64> {
        var seqs = Set(describedRecords(state: state, month: month).map(\.seq))
        let asOf = min(state.asOf, month.lastDay)
        if month.firstDay <= asOf { seqs.formUnion(counts.seqs(datedIn: month.firstDay...asOf)) }
        let groups = state.demands.map { [$0.id] + $0.commitments.filter { state.commitment($0) != nil } }
        return seqs.union(counts.latest(timelineLength, about: groups, onOrBefore: state.asOf))
    }

    static func changes(in state: LedgerState, month: ReportMonth) -> [Record] {
        let asOf = min(state.asOf, month.lastDay)
        return state.events.filter { month.contains($0.effective.day) && $0.effective.day <= asOf && $0.type != .actorRegistered }
    }

    static func timeline(of demand: Demand, in state: LedgerState) -> [Record] {
        let subjects = [demand.id] + demand.commitments.filter { state.commitment($0) != nil }
        return state.latest(timelineLength, about: subjects) {
            !$0.isRetracted && $0.type != .entryCorrected && $0.type != .entryRetracted
        }
    }

    /// - Parameter state: the ledger as of `month.lastDay` (anything later is ignored).
    public init(state: LedgerState, month: ReportMonth, language: ReportLanguage, organisation: String? = nil) {
        let labels = language.labels
        let asOf = min(state.asOf, month.lastDay)
        var book = SourceBook()
        let writer = Sentences(state: state, language: language)

        self.language = language
        audience = state.audience
        self.month = month.description
        title = "\(labels.report) · \(language.month(month))"
        periodText = "\(language.date(month.firstDay)) – \(language.date(month.lastDay))"
        organisationArgument = organisation
        self.organisation = organisation ?? Self.defaultOrganisation(state: state, language: language)
        self.asOf = asOf.description
        asOfText = language.date(asOf)
        head = Head(seq: state.head.seq, hash: state.head.hash)

        changes = Self.changes(in: state, month: month).map { record in
            let described = writer.describe(record)
            return Change(
                seq: record.seq, date: record.effective.day.description, dateText: language.date(record.effective.day),
                type: record.type.rawValue, label: writer.label(record.type), subject: record.subject,
                subjectTitle: writer.title(of: record.subject), text: described.text, detail: described.detail,
                sources: book.numbers(for: described.sources), internal: record.visibility == .internal,
                retracted: record.isRetracted)
        }

        let live = state.commitments
        overdue = live.compactMap { commitment -> Overdue? in
            guard let days = commitment.daysOverdue(on: asOf), days > 0, let due = commitment.due else { return nil }
            return Overdue(
                commitment: commitment.id, summary: language.pick(text: commitment.summary, spanish: commitment.summaryES),
                actor: writer.name(of: commitment.actor), due: due.description, dueText: language.date(due),
                daysOverdue: days, overdueText: "\(labels.overdueBy) \(language.days(days))",
                internal: commitment.visibility == .internal)
        }.sorted { ($0.daysOverdue, $0.commitment) > ($1.daysOverdue, $1.commitment) }

        summary = Summary(
            commitments: live.count,
            commitmentsByStatus: CommitmentStatus.allCases.map { status in
                let matching = live.filter { $0.status == status }
                return StatusCount(
                    status: status.rawValue, label: language.word(status), total: matching.count,
                    claimed: matching.filter { $0.basis == .claimed }.count,
                    verified: matching.filter { $0.basis == .verified }.count,
                    unrated: matching.filter { $0.basis == nil }.count)
            },
            demands: state.demands.count,
            demandsByStatus: DemandStatus.allCases.map { status in
                DemandCount(status: status.rawValue, label: language.word(status), count: state.demands.filter { $0.status == status }.count)
            },
            overdue: overdue.count)

        demands = state.demands.map { demand in
            let commitments = demand.commitments.compactMap { state.commitment($0) }
            let timeline = Self.timeline(of: demand, in: state)
            return DemandSection(
                id: demand.id, title: language.pick(text: demand.title, spanish: demand.titleES),
                summary: demand.summary.map { language.pick(text: $0, spanish: demand.summaryES) },
                status: demand.status.rawValue, statusLabel: language.word(demand.status),
                since: demand.effective.day.description, sinceText: language.date(demand.effective.day),
                by: demand.by.map(writer.name(of:)), targets: demand.targets.map(writer.name(of:)),
                commitments: commitments.map { commitment in
                    CommitmentLine(
                        id: commitment.id, summary: language.pick(text: commitment.summary, spanish: commitment.summaryES),
                        actor: writer.name(of: commitment.actor), kind: language.word(commitment.kind),
                        status: commitment.status.rawValue, statusLabel: language.word(commitment.status),
                        basis: commitment.basis?.rawValue, basisLabel: commitment.basis.map(language.word),
                        due: commitment.due?.description, dueText: commitment.due.map(language.date),
                        daysOverdue: commitment.daysOverdue(on: asOf).flatMap { $0 > 0 ? $0 : nil },
                        sources: book.numbers(for: commitment.sources), internal: commitment.visibility == .internal)
                },
                timeline: timeline.map { record in
                    let described = writer.describe(record)
                    // A follow-up's note or a rating's rationale is the news; keep it short here.
                    let text = described.detail.map { "\(described.text): \(PlainText.truncated(PlainText.oneLine($0), to: 240))" } ?? described.text
                    return TimelineItem(seq: record.seq, date: record.effective.day.description,
                                        dateText: language.date(record.effective.day), text: text)
                },
                sources: book.numbers(for: demand.sources), internal: demand.visibility == .internal)
        }
        sources = book.sources
    }
}

extension MonthlyReport {
    /// Who publishes, when not given: the ledger's first coalition.
    public static func defaultOrganisation(state: LedgerState, language: ReportLanguage) -> String {
        state.actors.first { $0.kind == .coalition && !$0.name.isEmpty }.map { language.pick(text: $0.name, spanish: $0.nameES) }
            ?? "Accountability Ledger"
    }
}

/// Numbers sources in order of first citation; a source cited twice keeps its number.
struct SourceBook {
    private(set) var sources: [MonthlyReport.Source] = []
    private var numbers: [String: Int] = [:]

    mutating func numbers(for urls: [String]) -> [Int] {
        urls.map { url in
            if let number = numbers[url] { return number }
            let number = sources.count + 1
            numbers[url] = number
            sources.append(MonthlyReport.Source(number: number, url: url, isLink: SafeURL.isLink(url)))
            return number
        }
    }
}
