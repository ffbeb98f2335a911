import Foundation
import Ledger
import Logging
import Reports

/// The editions of each month's public report that this server published: whenever a
/// checkpoint is signed, each month whose report it changes gets a new edition, kept in
/// the database, served at `/reports/YYYY-MM/editions/N` exactly as it was published.
actor EditionPublisher {
    let ledger: Ledger
    let logger: Logger
    /// Every edition of the months looked at, oldest first.
    private var editionsByMonth: [String: [ReportEdition]] = [:]
    /// The checkpoint editions were last published at.
    private var publishedAt: Int64 = 0
    /// Edition pages as rendered: they never change.
    private var rendered: [String: String] = [:]
    private let renderedLimit = 512

    init(ledger: Ledger, logger: Logger) {
        self.ledger = ledger
        self.logger = logger
    }

    func editions(of month: ReportMonth) async throws -> [ReportEdition] {
        if let editions = editionsByMonth[month.description] { return editions }
        let editions = try await ledger.store.reportEditions(month: month.description)
        editionsByMonth[month.description] = editions
        return editions
    }

    /// New editions for the months whose public report the entries up to `checkpoint`
    /// changed; true when there are any.
    @discardableResult
    func publish(at checkpoint: StoredCheckpoint, today: CalendarDay = .today()) async throws -> Bool {
        guard checkpoint.number > publishedAt else { return false }
        let latest = try await ledger.records(audience: .public)
        let records = latest.head.seq == checkpoint.size ? latest : try await ledger.records(knownAt: checkpoint.size, audience: .public)
        var published: [String] = []
        for month in PublicSite.reportMonths(records: records, today: today) {
            let previous = try await editions(of: month).last
            if let previous, previous.treeSize >= checkpoint.size { continue }
            let changed = records.records.filter { $0.seq > (previous?.treeSize ?? .max) && $0.effective.day <= month.lastDay }.map(\.seq)
            if previous != nil && changed.isEmpty { continue }
            let report = MonthlyReport(state: LedgerState(records: records, asOf: month.lastDay), month: month, language: .en)
            let hash = report.contentHash
            if previous?.contentHash == hash { continue }
            let edition = ReportEdition(month: month.description, edition: (previous?.edition ?? 0) + 1, treeSize: checkpoint.size,
                                        checkpointNumber: checkpoint.number, contentHash: hash, changedSeqs: previous == nil ? [] : changed,
                                        publishedAt: RecordedAt.string(from: Date()))
            do {
                try await ledger.store.addReportEdition(edition)
                editionsByMonth[month.description, default: []].append(edition)
                published.append("\(month) #\(edition.edition)")
            } catch {
                // Another server published it first: read the month again next time.
                editionsByMonth[month.description] = nil
                logger.debug("report edition not kept", metadata: ["month": "\(month)", "error": "\(error)"])
            }
        }
        publishedAt = checkpoint.number
        if !published.isEmpty {
            logger.info("report editions published", metadata: ["size": "\(checkpoint.size)", "editions": "\(published.joined(separator: ", "))"])
        }
        return !published.isEmpty
    }

    /// Edition `number` of `month` in `language`, as published; nil when there is none.
    func page(month: ReportMonth, number: Int, language: ReportLanguage, templates: ReportTemplates) async throws -> String? {
        let key = "\(month)/\(number)/\(language.rawValue)"
        if let page = rendered[key] { return page }
        let editions = try await editions(of: month)
        guard editions.indices.contains(number - 1) else { return nil }
        let edition = editions[number - 1]
        let records = try await ledger.records(knownAt: edition.treeSize, audience: .public)
        var report = MonthlyReport(state: LedgerState(records: records, asOf: month.lastDay), month: month, language: language)
        if let checkpoint = try await ledger.store.checkpoints(after: edition.checkpointNumber - 1).first, checkpoint.number == edition.checkpointNumber {
            report.checkpoint = ReportCheckpoint(checkpoint)
        }
        let page = report.html(templates: templates)
        if rendered.count >= renderedLimit { rendered = [:] }
        rendered[key] = page
        return page
    }
}
