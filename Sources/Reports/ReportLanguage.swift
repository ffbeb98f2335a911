import Ledger

/// The languages reports, pages and mail are written in. Every word they print comes from
/// the catalog (`Words`), so a Spanish report has no English left in it (titles use the
/// entry's Spanish text when it has one).
public enum ReportLanguage: String, Sendable, CaseIterable, Codable {
    case en, es

    package var isSpanish: Bool { self == .es }

    /// The entry's Spanish text in a Spanish report, when there is one.
    package func pick(text: String, spanish: String?) -> String { isSpanish ? (spanish ?? text) : text }

    package func monthName(_ month: Int) -> String { text("month.\(month)") }

    /// "30 June 2023" / "30 de junio de 2023".
    package func date(_ day: CalendarDay) -> String {
        text("format.date", ["day": String(day.day), "month": monthName(day.month), "year": String(day.year)])
    }

    /// "July 2023" / "julio de 2023".
    package func month(_ month: ReportMonth) -> String {
        text("format.month", ["month": monthName(month.month), "year": String(month.year)])
    }

    package func days(_ count: Int) -> String { count == 1 ? text("format.oneDay") : text("format.days", ["count": String(count)]) }

    package func word(_ status: CommitmentStatus) -> String { text("commitmentStatus." + status.rawValue) }

    package func word(_ status: DemandStatus) -> String { text("demandStatus." + status.rawValue) }

    package func word(_ basis: Basis) -> String { text("basis." + basis.rawValue) }

    package func word(_ kind: CommitmentKind) -> String { text("commitmentKind." + kind.rawValue) }

    package func word(_ kind: FollowupKind) -> String { text("followupKind." + kind.rawValue) }

    /// The labels of a report, in one place per language.
    package struct Labels {
        package let report, period, organisation, builtFrom, asOf, summary, commitmentsByStatus, demandsByStatus: String
        package let status, total, claimed, verified, unrated, overdueCount, changes, noChanges, overdue, noOverdue: String
        package let demands, noDemands, commitments, noCommitments, due, by, timeline, sources, noSources: String
        package let internalMark, retractedMark, correctedMark, audiencePublic, audienceInternal, chartTitle: String
        package let newDemand, newCommitment, statusChange, followup, correction, retraction, overdueBy, rebuild, checkpoint: String
        package let editions, editionsIntro, firstEdition, actor: String
    }

    /// Built once per language: a report asks for them for every entry it tells.
    package var labels: Labels { self == .es ? Self.spanishLabels : Self.englishLabels }
    private static let englishLabels = ReportLanguage.en.catalogLabels
    private static let spanishLabels = ReportLanguage.es.catalogLabels

    private var catalogLabels: Labels {
        Labels(
            report: text("report.report"),
            period: text("report.period"),
            organisation: text("report.organisation"),
            builtFrom: text("report.builtFrom"),
            asOf: text("report.asOf"),
            summary: text("report.summary"),
            commitmentsByStatus: text("report.commitmentsByStatus"),
            demandsByStatus: text("report.demandsByStatus"),
            status: text("report.status"),
            total: text("report.total"),
            claimed: text("report.claimed"),
            verified: text("report.verified"),
            unrated: text("report.unrated"),
            overdueCount: text("report.overdueCount"),
            changes: text("report.changes"),
            noChanges: text("report.noChanges"),
            overdue: text("report.overdue"),
            noOverdue: text("report.noOverdue"),
            demands: text("report.demands"),
            noDemands: text("report.noDemands"),
            commitments: text("report.commitments"),
            noCommitments: text("report.noCommitments"),
            due: text("report.due"),
            by: text("report.by"),
            timeline: text("report.timeline"),
            sources: text("report.sources"),
            noSources: text("report.noSources"),
            internalMark: text("report.internalMark"),
            retractedMark: text("report.retractedMark"),
            correctedMark: text("report.correctedMark"),
            audiencePublic: text("report.audiencePublic"),
            audienceInternal: text("report.audienceInternal"),
            chartTitle: text("report.chartTitle"),
            newDemand: text("report.newDemand"),
            newCommitment: text("report.newCommitment"),
            statusChange: text("report.statusChange"),
            followup: text("report.followup"),
            correction: text("report.correction"),
            retraction: text("report.retraction"),
            overdueBy: text("report.overdueBy"),
            rebuild: text("report.rebuild"),
            checkpoint: text("report.checkpoint"),
            editions: text("report.editions"),
            editionsIntro: text("report.editionsIntro"),
            firstEdition: text("report.firstEdition"),
            actor: text("report.actor"))
    }
}
