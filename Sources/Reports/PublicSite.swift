import Ledger
import Mustache

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
    /// How many changes the overview lists.
    public static let latestChangesShown = 10

    /// - Parameter state: a public state (internal entries must not reach a public page).
    public init(state: LedgerState, language: ReportLanguage, months: [ReportMonth], warning: IntegrityWarning? = nil,
                templates: ReportTemplates = .builtIn) {
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
        guard let first = records.records.lazy.map(\.effective.day).min() else { return [] }
        var months: [ReportMonth] = []
        var year = first.year, month = first.month
        while (year, month) <= (today.year, today.month) {
            months.append(ReportMonth(year: year, month: month))
            (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
        }
        return months.reversed()
    }

    var labels: SiteLabels { SiteLabels(language) }
    var writer: Sentences { Sentences(state: state, language: language) }

    // MARK: Links

    /// A site path in this page's language. Subject ids are `[a-z0-9-]`; anything else has
    /// no page, so it never reaches a link.
    func link(_ path: String, language: ReportLanguage? = nil) -> String {
        "\(path)?lang=\((language ?? self.language).rawValue)"
    }

    func subjectLink(_ subject: String) -> String? {
        if state.demand(subject) != nil { return link("/demands/\(subject)") }
        if state.commitment(subject) != nil { return link("/commitments/\(subject)") }
        return nil
    }

    // MARK: Pages

    /// `/`: every demand with its status and commitments, latest changes first.
    public func statusPage() -> String {
        let overdue = state.commitments.filter { ($0.daysOverdue(on: state.asOf) ?? 0) > 0 }
        // Latest activity first: a demand that moved this week leads.
        let activity = Dictionary(state.events.map { ($0.subject, $0.effective) }, uniquingKeysWith: max)
        func lastActivity(_ demand: Demand) -> EffectiveTime {
            ([demand.id] + demand.commitments).compactMap { activity[$0] }.max() ?? demand.effective
        }
        // `events` is in date order already.
        let latest = state.events.reversed().lazy.filter { $0.type != .actorRegistered }.prefix(Self.latestChangesShown)
        let view = StatusView(
            frame: frame(title: labels.statusTitle, path: "/"),
            asOf: state.asOf.description, asOfText: language.date(state.asOf),
            headSeq: state.head.seq, headHashPrefix: String(state.head.hash.prefix(16)),
            demandCount: state.demands.count, commitmentCount: state.commitments.count, overdueCount: overdue.count,
            byStatus: DemandStatus.allCases.compactMap { status in
                let count = state.demands.filter { $0.status == status }.count
                return count == 0 ? nil : StatusView.StatusCount(status: status.rawValue, statusLabel: language.word(status), count: count)
            },
            demands: state.demands.sorted(by: { (lastActivity($0), $0.seq) > (lastActivity($1), $1.seq) }).map(demandItem),
            latest: latest.map { change($0, linkSubject: true, brief: true) },
            months: months.map { StatusView.Month(href: link("/reports/\($0)"), name: language.month($0)) })
        return templates.render("site-status", view)
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

    /// A page for a 404 or 400. Its language switch leads to the status page: the address
    /// asked for is never echoed.
    func errorPage(title: String, message: String) -> String {
        templates.render("site-error", ErrorView(frame: frame(title: title, path: "/"), message: message))
    }

    // MARK: Parts

    /// What the frame of every page (`site-page`) reads.
    func frame(title: String, path: String) -> SiteFrame {
        let other: ReportLanguage = language == .en ? .es : .en
        return SiteFrame(
            lang: language.rawValue, title: title, organisation: organisation, site: labels, words: language.labels,
            paperCSS: PaperSize.a4.css, warningText: warning?.text(language),
            links: SiteFrame.Links(home: link("/"), atom: link("/feed.atom"), json: link("/feed.json")),
            other: SiteFrame.OtherLanguage(lang: other.rawValue, href: link(path, language: other), name: other == .es ? "Español" : "English"))
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

/// What the public pages' templates read: plain stored properties, named as the templates
/// name them. Every string is text (escaped by the template), never markup.
struct SiteFrame {
    struct Links { let home, atom, json: String }
    struct OtherLanguage { let lang, href, name: String }
    struct Source {
        let url: String
        /// Only http and https addresses are ever links.
        let isLink: Bool
        init(_ url: String) {
            self.url = url
            isLink = SafeURL.isLink(url)
        }
    }
    struct DemandItem {
        let href, title, status, statusLabel, since, sinceText: String
        let summary, madeBy, madeOf: String?
        let sources: [Source]
        let commitments: [CommitmentItem]
    }
    struct CommitmentItem {
        let href, title, status, statusLabel: String
        let basisLabel: String?
        let kind, actor, since, sinceText: String
        let due, dueText, overdueText: String?
        let sources: [Source]
    }
    struct Change {
        let date, dateText, label: String
        let retracted, corrected: Bool
        let href: String?
        let text: String
        let detail: String?
        let sources: [Source]
    }

    let lang, title, organisation: String
    let site: SiteLabels
    let words: ReportLanguage.Labels
    let paperCSS: String
    let warningText: String?
    let links: Links
    let other: OtherLanguage
}

/// A page's own view, beside the frame's: the templates find both by name (a struct's
/// stored properties, then the frame's, by `MustacheParent`).
protocol SitePageView: MustacheParent {
    var frame: SiteFrame { get }
}

extension SitePageView {
    func child(named name: String) -> Any? {
        if let own = Mirror(reflecting: self).children.first(where: { $0.label == name }) { return Self.unwrapped(own.value) }
        return Mirror(reflecting: frame).children.first(where: { $0.label == name }).flatMap { Self.unwrapped($0.value) }
    }

    /// A nil optional is no value, so the template looks further up instead of rendering "nil".
    static func unwrapped(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first?.value
    }
}

struct StatusView: SitePageView {
    struct StatusCount { let status, statusLabel: String; let count: Int }
    struct Month { let href, name: String }
    let frame: SiteFrame
    let asOf, asOfText: String
    let headSeq: Int64
    let headHashPrefix: String
    let demandCount, commitmentCount, overdueCount: Int
    let byStatus: [StatusCount]
    let demands: [SiteFrame.DemandItem]
    let latest: [SiteFrame.Change]
    let months: [Month]
}

struct DemandView: SitePageView {
    let frame: SiteFrame
    let demand: SiteFrame.DemandItem
    let timeline: [SiteFrame.Change]
}

struct CommitmentView: SitePageView {
    struct Link { let href, title: String }
    struct LatestRating { let basis: String; let status, date, dateText: String? }
    struct Rating { let date, dateText, status, statusLabel, basisLabel, rationale: String; let sources: [SiteFrame.Source] }
    let frame: SiteFrame
    let commitment: SiteFrame.CommitmentItem
    let answers: [Link]
    let latestRatings: [LatestRating]
    let history: [Rating]
    let timeline: [SiteFrame.Change]
}

struct ErrorView: SitePageView {
    let frame: SiteFrame
    let message: String
}

/// The words of the public pages; the report's labels cover the rest.
struct SiteLabels {
    let statusTitle, intro, ledgerHead, demandsCount, commitmentsCount, overdueCount, latestChanges, nothingYet: String
    let since, monthlyReports, demand, commitment, madeBy, madeOf, committedBy, dueDate, answers: String
    let claimedVersusVerified, claimedVersusVerifiedHelp, basis, date, notRated, ratingHistory, backToStatus: String
    let atomFeed, jsonFeed, skipToContent, navigation, footer, feedTitle, notFound, notFoundMessage, badRequest: String

    init(_ language: ReportLanguage) {
        switch language {
        case .en:
            (statusTitle, intro, ledgerHead) = ("Where the demands stand",
                "The demands the coalition has made of governments and institutions, what they committed to, and what has happened since. Every entry is kept in a tamper-evident ledger.",
                "ledger head")
            (demandsCount, commitmentsCount, overdueCount, latestChanges, nothingYet) = ("demands", "commitments", "overdue commitments", "Latest changes", "Nothing recorded yet.")
            (since, monthlyReports, demand, commitment, madeBy, madeOf) = ("since", "Monthly reports", "Demand", "Commitment", "Made by", "Made of")
            (committedBy, dueDate, answers) = ("Committed by", "Due", "Answers")
            (claimedVersusVerified, claimedVersusVerifiedHelp) = ("Claimed and verified",
                "A claimed rating is what the government or institution says; a verified one is what the coalition checked against evidence. A reported action is not compliance.")
            (basis, date, notRated, ratingHistory, backToStatus) = ("Basis", "Date", "not yet rated", "Every rating", "Back to where the demands stand")
            (atomFeed, jsonFeed, skipToContent, navigation) = ("Updates (Atom)", "Updates (JSON Feed)", "Skip to content", "Site")
            (footer, feedTitle, notFound, badRequest) = ("Published from an append-only, hash-chained ledger. Corrections are new entries; nothing is deleted.",
                "updates on demands and commitments", "Not found", "Bad request")
            notFoundMessage = "There is no public page at this address. The demands and commitments are all listed on the status page."
        case .es:
            (statusTitle, intro, ledgerHead) = ("En qué están las demandas",
                "Las demandas que la coalición ha hecho a gobiernos e instituciones, los compromisos que asumieron y lo que ha pasado desde entonces. Cada entrada queda en un registro a prueba de alteraciones.",
                "último registro")
            (demandsCount, commitmentsCount, overdueCount, latestChanges, nothingYet) = ("demandas", "compromisos", "compromisos vencidos", "Cambios recientes", "Aún no hay registros.")
            (since, monthlyReports, demand, commitment, madeBy, madeOf) = ("desde", "Informes mensuales", "Demanda", "Compromiso", "Presentada por", "Dirigida a")
            (committedBy, dueDate, answers) = ("Compromiso de", "Plazo", "Responde a")
            (claimedVersusVerified, claimedVersusVerifiedHelp) = ("Declarado y verificado",
                "Una calificación declarada es lo que dice el gobierno o la institución; una verificada es lo que la coalición comprobó con evidencia. Una acción reportada no es cumplimiento.")
            (basis, date, notRated, ratingHistory, backToStatus) = ("Base", "Fecha", "sin calificar", "Todas las calificaciones", "Volver a en qué están las demandas")
            (atomFeed, jsonFeed, skipToContent, navigation) = ("Novedades (Atom)", "Novedades (JSON Feed)", "Saltar al contenido", "Sitio")
            (footer, feedTitle, notFound, badRequest) = ("Publicado a partir de un registro encadenado por hashes al que solo se añaden entradas. Las correcciones son entradas nuevas; nada se borra.",
                "novedades sobre demandas y compromisos", "No encontrado", "Solicitud incorrecta")
            notFoundMessage = "No hay ninguna página pública en esta dirección. Todas las demandas y compromisos están en la página de estado."
        }
    }
}
