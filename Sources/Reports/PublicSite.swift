import Ledger

/// The public status pages: the overview, one page per demand and per commitment. Pure,
/// like the reports: built from a public `LedgerState`, rendered as self-contained HTML
/// (no scripts), in English or Spanish. The server caches what this returns per ledger head.
public struct PublicSite: Sendable {
    public let state: LedgerState
    public let language: ReportLanguage
    public let organisation: String
    /// The months that have a report page, newest first.
    public let months: [ReportMonth]
    /// Shown at the top of every page when the ledger failed verification.
    public let warning: IntegrityWarning?
    public let templates: ReportTemplates
    /// The latest signed checkpoint, shown with the key and command to check it.
    public let checkpoint: PublishedCheckpoint?
    /// How many changes the overview lists.
    public static let latestChangesShown = 10
    /// Demands on one page of the status page.
    public static let demandsPerPage = 50

    /// - Parameter state: a public state (internal entries must not reach a public page).
    public init(state: LedgerState, language: ReportLanguage, months: [ReportMonth], warning: IntegrityWarning? = nil,
                templates: ReportTemplates = .builtIn, checkpoint: PublishedCheckpoint? = nil) {
        self.checkpoint = checkpoint
        precondition(state.audience == .public, "public pages are built from the public view only")
        self.state = state
        self.language = language
        organisation = MonthlyReport.defaultOrganisation(state: state, language: language)
        self.months = months
        self.warning = warning
        self.templates = templates
    }

    /// Every month from the first public entry's to `today`'s, newest first.
    public static func reportMonths(records: LedgerRecords, today: CalendarDay) -> [ReportMonth] {
        guard let first = [records.records.lazy.map(\.effective.day).min(), records.followupCounts.earliestDay].compactMap({ $0 }).min() else { return [] }
        var months: [ReportMonth] = []
        var year = first.year, month = first.month
        while (year, month) <= (today.year, today.month) {
            months.append(ReportMonth(year: year, month: month))
            (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
        }
        return months.reversed()
    }

    /// The follow-ups the status page shows whole, from a counts fold
    /// (`LedgerRecords.Detail.counts`): those that may be among its latest changes. Read
    /// back (`Ledger.withText(_:ofSeqs:)`), they make a state whose status page is the
    /// full fold's, byte for byte, without the search (`q`), which reads every note.
    public static func statusPageSeqs(counts: FollowupCounts, asOf: CalendarDay) -> [Int64] {
        counts.latest(latestChangesShown, onOrBefore: asOf)
    }

    var labels: SiteLabels { SiteLabels(language) }
    var writer: Sentences { Sentences(state: state, language: language) }

    // MARK: Links

    /// A site path in this page's language. Subject ids are `[a-z0-9-]`; anything else has
    /// no page, so it never reaches a link.
    public func link(_ path: String, language: ReportLanguage? = nil) -> String {
        "\(path)?lang=\((language ?? self.language).rawValue)"
    }

    func subjectLink(_ subject: String) -> String? {
        if state.demand(subject) != nil { return link("/demands/\(subject)") }
        if state.commitment(subject) != nil { return link("/commitments/\(subject)") }
        return nil
    }

    // MARK: Pages

    /// `/`: every demand with its status and commitments, latest changes first.
    /// - Parameter filter: narrows the list of demands (search, status, actor, country);
    ///   the counts above it stay those of the whole ledger.
    /// - Parameter page: which page of `demandsPerPage` demands (1-based); nil when there is no such page.
    public func statusPage(filter: SubjectFilter = SubjectFilter(), page: Int = 1) -> String? {
        let overdue = state.commitments.filter { ($0.daysOverdue(on: state.asOf) ?? 0) > 0 }
        // `events` is in date order already.
        let latest = state.events.reversed().lazy.filter { $0.type != .actorRegistered }.prefix(Self.latestChangesShown)
        // A page at a time: a national ledger has thousands of demands.
        let listed = filter.demands(in: state)
        // Latest activity first: a demand that moved this week leads.
        let activity = Dictionary(listed.map { demand in
            (demand.id, ([demand.id] + demand.commitments).compactMap(state.latestActivity(about:)).max() ?? demand.effective)
        }, uniquingKeysWith: max)
        func lastActivity(_ demand: Demand) -> EffectiveTime { activity[demand.id] ?? demand.effective }
        let pageCount = max(1, (listed.count + Self.demandsPerPage - 1) / Self.demandsPerPage)
        guard (1...pageCount).contains(page) else { return nil }
        let shown = listed.count <= Self.demandsPerPage ? listed.sorted(by: { (lastActivity($0), $0.seq) > (lastActivity($1), $1.seq) })
            : Array(listed.sorted(by: { (lastActivity($0), $0.seq) > (lastActivity($1), $1.seq) })[((page - 1) * Self.demandsPerPage)..<min(page * Self.demandsPerPage, listed.count)])
        func pageLink(_ number: Int) -> String {
            let query = [filter.canonicalQuery, number == 1 ? "" : "page=\(number)"].filter { !$0.isEmpty }.joined(separator: "&")
            return link("/") + (query.isEmpty ? "" : "&" + query)
        }
        let pages = pageCount == 1 ? nil : StatusView.Pages(
            current: page, count: pageCount, previous: page > 1 ? pageLink(page - 1) : nil, next: page < pageCount ? pageLink(page + 1) : nil,
            label: language.text("site.pageOf", ["page": String(page), "pages": String(pageCount)]),
            previousText: language.text("site.newer"), nextText: language.text("site.older"))
        let view = StatusView(
            frame: frame(title: labels.statusTitle, path: "/"),
            asOf: state.asOf.description, asOfText: language.date(state.asOf),
            headSeq: state.head.seq, headHashPrefix: String(state.head.hash.prefix(16)),
            demandCount: state.demands.count, commitmentCount: state.commitments.count, overdueCount: overdue.count,
            byStatus: DemandStatus.allCases.compactMap { status in
                let count = state.demands.filter { $0.status == status }.count
                return count == 0 ? nil : StatusView.StatusCount(status: status.rawValue, statusLabel: language.word(status), count: count)
            },
            demands: shown.map(demandItem),
            pages: pages,
            latest: latest.map { change($0, linkSubject: true, brief: true) },
            months: months.map { StatusView.Month(href: link("/reports/\($0)"), name: language.month($0)) },
            checkpoint: checkpoint.map { StatusView.Verify(note: $0.note, verifierKey: $0.verifierKey, command: $0.command, size: $0.size) },
            search: searchView(filter, shown: listed.count))
        return templates.render("site-status", view)
    }

    /// The status page's search and filters: a GET form, so a filtered list is a link.
    /// - Parameter shown: how many demands `filter` keeps (a search reads every note, once).
    func searchView(_ filter: SubjectFilter, shown: Int) -> StatusView.Search {
        func options(_ values: [(String, String)], selected: String?) -> [StatusView.Option] {
            [StatusView.Option(value: "", text: labels.any, selected: selected == nil)]
                + values.map { StatusView.Option(value: $0.0, text: $0.1, selected: $0.0 == selected) }
        }
        let words = Sentences(state: state, language: language)
        let actors = state.actors.map { ($0.id, words.name(of: $0.id)) }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
        let countries = Array(Set(state.actors.compactMap(\.country))).sorted().map { ($0, $0) }
        return StatusView.Search(
            query: filter.query ?? "", filtered: !filter.isEmpty, shown: shown, clearHref: link("/"),
            filters: [
                StatusView.Filter(name: "status", label: language.labels.status, options: options(DemandStatus.allCases.map { ($0.rawValue, language.word($0)) }, selected: filter.status)),
                StatusView.Filter(name: "actor", label: labels.actor, options: options(actors, selected: filter.actor)),
                StatusView.Filter(name: "country", label: labels.country, options: options(countries, selected: filter.country)),
            ])
    }

    /// `/demands/{id}`, or nil when there is no public demand by that id.
    public func demandPage(_ id: String) -> String? {
        guard let demand = state.demand(id) else { return nil }
        let item = demandItem(demand)
        let view = DemandView(
            frame: frame(title: item.title, path: "/demands/\(demand.id)"), demand: item,
            timeline: state.timeline(of: [demand.id] + demand.commitments).reversed().map { change($0, linkSubject: false) })
        return templates.render("site-demand", view)
    }

    /// `/commitments/{id}`, or nil when there is no public commitment by that id.
    public func commitmentPage(_ id: String) -> String? {
        guard let commitment = state.commitment(id) else { return nil }
        let item = commitmentItem(commitment)
        let view = CommitmentView(
            frame: frame(title: item.title, path: "/commitments/\(commitment.id)"), commitment: item,
            answers: commitment.demands.compactMap(state.demand).map { demand in
                CommitmentView.Link(href: link("/demands/\(demand.id)"), title: language.pick(text: demand.title, spanish: demand.titleES))
            },
            latestRatings: [Basis.verified, .claimed].map { basis in
                let latest = commitment.latest(basis)
                return CommitmentView.LatestRating(basis: language.word(basis), status: latest.map { language.word($0.status) },
                                                   date: latest?.effective.day.description, dateText: latest.map { language.date($0.effective.day) })
            },
            history: commitment.history.reversed().map { change in
                CommitmentView.Rating(date: change.effective.day.description, dateText: language.date(change.effective.day),
                                      status: change.status.rawValue, statusLabel: language.word(change.status),
                                      basisLabel: language.word(change.basis),
                                      rationale: language.pick(text: change.rationale, spanish: change.rationaleES),
                                      sources: change.sources.map(SiteFrame.Source.init))
            },
            timeline: state.timeline(of: commitment.id).reversed().map { change($0, linkSubject: false) })
        return templates.render("site-commitment", view)
    }

    /// The 404 page. It does not repeat what was asked for, so a crafted URL cannot put
    /// words on the site.
    public func notFoundPage() -> String {
        errorPage(title: labels.notFound, message: labels.notFoundMessage)
    }

    public func badRequestPage(message: String) -> String {
        errorPage(title: labels.badRequest, message: message)
    }

    /// Too many searches are running: the page of a 503, which asks to try again shortly.
    public func busyPage() -> String {
        errorPage(title: labels.busy, message: labels.busyMessage)
    }

    /// A page for a 404, 400 or 503. Its language switch leads to the status page: the address
    /// asked for is never echoed.
    func errorPage(title: String, message: String) -> String {
        templates.render("site-error", ErrorView(frame: frame(title: title, path: "/"), message: message))
    }

    // MARK: Parts

    /// What the frame of every page (`site-page`) reads.
    func frame(title: String, path: String) -> SiteFrame {
        let other: ReportLanguage = language == .en ? .es : .en
        return SiteFrame(
            lang: language.rawValue, title: title, organisation: organisation, paperCSS: PaperSize.a4.css,
            site: labels, words: language.labels, warningText: warning?.text(language),
            links: SiteFrame.Links(home: link("/"), atom: link("/feed.atom"), json: link("/feed.json")),
            other: SiteFrame.OtherLanguage(lang: other.rawValue, href: link(path, language: other), name: other.text("language.\(other.rawValue)")))
    }

    func demandItem(_ demand: Demand) -> SiteFrame.DemandItem {
        SiteFrame.DemandItem(
            href: link("/demands/\(demand.id)"), title: language.pick(text: demand.title, spanish: demand.titleES),
            status: demand.status.rawValue, statusLabel: language.word(demand.status),
            since: demand.effective.day.description, sinceText: language.date(demand.effective.day),
            summary: demand.summary.map { language.pick(text: $0, spanish: demand.summaryES) },
            madeBy: demand.by.isEmpty ? nil : demand.by.map(writer.name(of:)).joined(separator: ", "),
            madeOf: demand.targets.isEmpty ? nil : demand.targets.map(writer.name(of:)).joined(separator: ", "),
            sources: demand.sources.map(SiteFrame.Source.init),
            commitments: demand.commitments.compactMap(state.commitment).map(commitmentItem))
    }

    func commitmentItem(_ commitment: Commitment) -> SiteFrame.CommitmentItem {
        let days = commitment.daysOverdue(on: state.asOf).flatMap { $0 > 0 ? $0 : nil }
        return SiteFrame.CommitmentItem(
            href: link("/commitments/\(commitment.id)"), title: language.pick(text: commitment.summary, spanish: commitment.summaryES),
            status: commitment.status.rawValue, statusLabel: language.word(commitment.status),
            basisLabel: commitment.basis.map(language.word), kind: language.word(commitment.kind), actor: writer.name(of: commitment.actor),
            since: commitment.effective.day.description, sinceText: language.date(commitment.effective.day),
            due: commitment.due?.description, dueText: commitment.due.map(language.date),
            overdueText: days.map { "\(language.labels.overdueBy) \(language.days($0))" },
            sources: commitment.sources.map(SiteFrame.Source.init))
    }

    /// One entry as a list item; `brief` leaves out the detail and sources (the overview).
    func change(_ record: Record, linkSubject: Bool, brief: Bool = false) -> SiteFrame.Change {
        let described = writer.describe(record)
        return SiteFrame.Change(
            date: record.effective.day.description, dateText: language.date(record.effective.day), label: writer.label(record.type),
            retracted: record.isRetracted, corrected: !record.correctedBy.isEmpty,
            href: linkSubject ? subjectLink(record.subject) : nil, text: described.text,
            detail: brief ? nil : described.detail, sources: brief ? [] : described.sources.map(SiteFrame.Source.init))
    }
}

