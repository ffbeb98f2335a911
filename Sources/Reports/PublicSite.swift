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
    /// How many changes the overview lists.
    public static let latestChangesShown = 10

    /// - Parameter state: a public state (internal entries must not reach a public page).
    public init(state: LedgerState, language: ReportLanguage, months: [ReportMonth], warning: IntegrityWarning? = nil) {
        precondition(state.audience == .public, "public pages are built from the public view only")
        self.state = state
        self.language = language
        organisation = MonthlyReport.defaultOrganisation(state: state, language: language)
        self.months = months
        self.warning = warning
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
        let e = HTMLText.escape
        let labels = labels, words = language.labels
        var out: [String] = []
        out.append("<h1>\(e(labels.statusTitle))</h1>")
        out.append("<p class=\"meta\">\(e(words.asOf)) <time datetime=\"\(state.asOf)\">\(e(language.date(state.asOf)))</time> · \(e(labels.ledgerHead)) seq \(state.head.seq) · <code class=\"hash\">\(e(String(state.head.hash.prefix(16))))…</code></p>")
        out.append("<p>\(e(labels.intro))</p>")

        let overdue = state.commitments.filter { ($0.daysOverdue(on: state.asOf) ?? 0) > 0 }
        out.append("<section aria-labelledby=\"summary\">")
        out.append("<h2 id=\"summary\">\(e(words.summary))</h2>")
        out.append("<ul class=\"counts\">")
        out.append("<li><strong>\(state.demands.count)</strong> \(e(labels.demandsCount))</li>")
        out.append("<li><strong>\(state.commitments.count)</strong> \(e(labels.commitmentsCount))</li>")
        out.append("<li><strong>\(overdue.count)</strong> \(e(labels.overdueCount))</li>")
        out.append("</ul>")
        let byStatus = DemandStatus.allCases.compactMap { status -> String? in
            let count = state.demands.filter { $0.status == status }.count
            return count == 0 ? nil : "\(demandBadge(status)) \(count)"
        }
        if !byStatus.isEmpty { out.append("<p class=\"by-status\">\(byStatus.joined(separator: " · "))</p>") }
        out.append("</section>")

        out.append("<section aria-labelledby=\"demands\">")
        out.append("<h2 id=\"demands\">\(e(words.demands))</h2>")
        if state.demands.isEmpty { out.append("<p>\(e(words.noDemands))</p>") }
        // Latest activity first: a demand that moved this week leads.
        let activity = Dictionary(state.events.map { ($0.subject, $0.effective) }, uniquingKeysWith: max)
        func lastActivity(_ demand: Demand) -> EffectiveTime {
            ([demand.id] + demand.commitments).compactMap { activity[$0] }.max() ?? demand.effective
        }
        for demand in state.demands.sorted(by: { (lastActivity($0), $0.seq) > (lastActivity($1), $1.seq) }) {
            out.append("<article class=\"demand\">")
            out.append("<h3><a href=\"\(e(link("/demands/\(demand.id)")))\">\(e(language.pick(text: demand.title, spanish: demand.titleES)))</a></h3>")
            out.append("<p class=\"status\">\(demandBadge(demand.status)) · \(e(labels.since)) <time datetime=\"\(demand.effective.day)\">\(e(language.date(demand.effective.day)))</time></p>")
            out.append(commitmentList(demand.commitments.compactMap(state.commitment)))
            out.append("</article>")
        }
        out.append("</section>")

        out.append("<section aria-labelledby=\"latest\">")
        out.append("<h2 id=\"latest\">\(e(labels.latestChanges))</h2>")
        // `events` is in date order already.
        let latest = state.events.reversed().lazy.filter { $0.type != .actorRegistered }.prefix(Self.latestChangesShown)
        out.append(HTMLText.list(latest.map { changeItem($0, linkSubject: true, brief: true) }, opening: "<ol class=\"changes\">", empty: labels.nothingYet))
        out.append("</section>")

        out.append("<section aria-labelledby=\"reports\">")
        out.append("<h2 id=\"reports\">\(e(labels.monthlyReports))</h2>")
        out.append(HTMLText.list(months.map { month in
            "<li><a href=\"\(e(link("/reports/\(month)")))\">\(e(language.month(month)))</a></li>"
        }, opening: "<ul class=\"months\">", empty: labels.nothingYet))
        out.append("</section>")
        return page(title: labels.statusTitle, path: "/", body: out)
    }

    /// `/demands/{id}`, or nil when there is no public demand by that id.
    public func demandPage(_ id: String) -> String? {
        guard let demand = state.demand(id) else { return nil }
        let e = HTMLText.escape
        let labels = labels, words = language.labels
        let title = language.pick(text: demand.title, spanish: demand.titleES)
        var out: [String] = []
        out.append("<p class=\"kind\">\(e(labels.demand))</p>")
        out.append("<h1 class=\"subject\">\(e(title))</h1>")
        out.append("<p class=\"status\">\(demandBadge(demand.status)) · \(e(labels.since)) <time datetime=\"\(demand.effective.day)\">\(e(language.date(demand.effective.day)))</time></p>")
        if let summary = demand.summary { out.append("<p>\(e(language.pick(text: summary, spanish: demand.summaryES)))</p>") }
        out.append("<dl class=\"facts\">")
        if !demand.by.isEmpty { out.append("<dt>\(e(labels.madeBy))</dt><dd>\(e(demand.by.map(writer.name(of:)).joined(separator: ", ")))</dd>") }
        if !demand.targets.isEmpty { out.append("<dt>\(e(labels.madeOf))</dt><dd>\(e(demand.targets.map(writer.name(of:)).joined(separator: ", ")))</dd>") }
        if !demand.sources.isEmpty { out.append("<dt>\(e(words.sources))</dt><dd>\(sourceLinks(demand.sources))</dd>") }
        out.append("</dl>")
        out.append("<section aria-labelledby=\"commitments\">")
        out.append("<h2 id=\"commitments\">\(e(words.commitments))</h2>")
        out.append(commitmentList(demand.commitments.compactMap(state.commitment)))
        out.append("</section>")
        out.append(timeline(state.timeline(of: [demand.id] + demand.commitments)))
        return page(title: title, path: "/demands/\(demand.id)", body: out)
    }

    /// `/commitments/{id}`, or nil when there is no public commitment by that id.
    public func commitmentPage(_ id: String) -> String? {
        guard let commitment = state.commitment(id) else { return nil }
        let e = HTMLText.escape
        let labels = labels, words = language.labels
        let title = language.pick(text: commitment.summary, spanish: commitment.summaryES)
        var out: [String] = []
        out.append("<p class=\"kind\">\(e(labels.commitment)) · \(e(language.word(commitment.kind)))</p>")
        out.append("<h1 class=\"subject\">\(e(title))</h1>")
        out.append("<p class=\"status\">\(commitmentBadge(commitment))\(overdueMark(commitment))</p>")
        out.append("<dl class=\"facts\">")
        out.append("<dt>\(e(labels.committedBy))</dt><dd>\(e(writer.name(of: commitment.actor)))</dd>")
        out.append("<dt>\(e(labels.since))</dt><dd><time datetime=\"\(commitment.effective.day)\">\(e(language.date(commitment.effective.day)))</time></dd>")
        if let due = commitment.due { out.append("<dt>\(e(labels.dueDate))</dt><dd><time datetime=\"\(due)\">\(e(language.date(due)))</time></dd>") }
        let answers = commitment.demands.compactMap(state.demand).map { demand in
            "<a href=\"\(e(link("/demands/\(demand.id)")))\">\(e(language.pick(text: demand.title, spanish: demand.titleES)))</a>"
        }
        if !answers.isEmpty { out.append("<dt>\(e(labels.answers))</dt><dd>\(answers.joined(separator: "; "))</dd>") }
        if !commitment.sources.isEmpty { out.append("<dt>\(e(words.sources))</dt><dd>\(sourceLinks(commitment.sources))</dd>") }
        out.append("</dl>")

        out.append("<section aria-labelledby=\"ratings\">")
        out.append("<h2 id=\"ratings\">\(e(labels.claimedVersusVerified))</h2>")
        out.append("<p>\(e(labels.claimedVersusVerifiedHelp))</p>")
        out.append("<table class=\"ratings\">")
        out.append("<thead><tr><th scope=\"col\">\(e(labels.basis))</th><th scope=\"col\">\(e(words.status))</th><th scope=\"col\">\(e(labels.date))</th></tr></thead><tbody>")
        for basis in [Basis.verified, .claimed] {
            let latest = commitment.latest(basis)
            out.append("<tr><th scope=\"row\">\(e(language.word(basis)))</th><td>\(latest.map { e(language.word($0.status)) } ?? e(labels.notRated))</td><td>\(latest.map { "<time datetime=\"\($0.effective.day)\">\(e(language.date($0.effective.day)))</time>" } ?? "—")</td></tr>")
        }
        out.append("</tbody></table>")
        if !commitment.history.isEmpty {
            out.append("<h3>\(e(labels.ratingHistory))</h3>")
            out.append("<ol class=\"changes\">")
            for change in commitment.history.reversed() {
                out.append("<li class=\"change\"><time datetime=\"\(change.effective.day)\">\(e(language.date(change.effective.day)))</time> <span class=\"badge status-\(change.status.rawValue)\">\(e(language.word(change.status)))</span> <span class=\"basis\">\(e(language.word(change.basis)))</span>")
                out.append("<p>\(e(language.pick(text: change.rationale, spanish: change.rationaleES)))</p>")
                if !change.sources.isEmpty { out.append("<p class=\"sources\">\(e(words.sources)): \(sourceLinks(change.sources))</p>") }
                out.append("</li>")
            }
            out.append("</ol>")
        }
        out.append("</section>")
        out.append(timeline(state.timeline(of: commitment.id)))
        return page(title: title, path: "/commitments/\(commitment.id)", body: out)
    }

    /// The 404 page. It does not repeat what was asked for, so a crafted URL cannot put
    /// words on the site.
    public func notFoundPage() -> String {
        errorPage(title: labels.notFound, message: labels.notFoundMessage)
    }

    public func badRequestPage(message: String) -> String {
        errorPage(title: labels.badRequest, message: message)
    }

    /// A page for a 404 or 400; `message` is escaped like everything else. Its language
    /// switch leads to the status page: the address asked for is never echoed.
    func errorPage(title: String, message: String) -> String {
        let e = HTMLText.escape
        return page(title: title, path: "/", body: [
            "<h1>\(e(title))</h1>", "<p>\(e(message))</p>",
            "<p><a href=\"\(e(link("/")))\">\(e(labels.backToStatus))</a></p>",
        ])
    }

    // MARK: Parts

    func demandBadge(_ status: DemandStatus) -> String {
        "<span class=\"badge demand-\(status.rawValue)\">\(HTMLText.escape(language.word(status)))</span>"
    }

    func commitmentBadge(_ commitment: Commitment) -> String {
        let e = HTMLText.escape
        var text = "<span class=\"badge status-\(commitment.status.rawValue)\">\(e(language.word(commitment.status)))</span>"
        if let basis = commitment.basis { text += " <span class=\"basis\">\(e(language.word(basis)))</span>" }
        return text
    }

    func overdueMark(_ commitment: Commitment) -> String {
        guard let days = commitment.daysOverdue(on: state.asOf), days > 0 else { return "" }
        return " <strong class=\"overdue\">\(HTMLText.escape("\(language.labels.overdueBy) \(language.days(days))"))</strong>"
    }

    func commitmentList(_ commitments: [Commitment]) -> String {
        let e = HTMLText.escape
        return HTMLText.list(commitments.map { commitment in
            var line = "<li class=\"commitment\">\(commitmentBadge(commitment)) <a href=\"\(e(link("/commitments/\(commitment.id)")))\">\(e(language.pick(text: commitment.summary, spanish: commitment.summaryES)))</a>"
            line += " <span class=\"who\">(\(e(language.word(commitment.kind))), \(e(writer.name(of: commitment.actor))))</span>"
            if let due = commitment.due { line += " · \(e(language.labels.due)) <time datetime=\"\(due)\">\(e(language.date(due)))</time>" }
            return line + overdueMark(commitment) + "</li>"
        }, opening: "<ul class=\"commitments\">", empty: language.labels.noCommitments)
    }

    func sourceLinks(_ sources: [String]) -> String {
        sources.map { url in
            SafeURL.isLink(url) ? "<a href=\"\(HTMLText.escape(url))\" rel=\"nofollow noopener\">\(HTMLText.escape(url))</a>"
                : "<span class=\"not-a-link\">\(HTMLText.escape(url))</span>"
        }.joined(separator: " · ")
    }

    /// One entry as a list item; `brief` leaves out the detail and sources (the overview).
    func changeItem(_ record: Record, linkSubject: Bool, brief: Bool = false) -> String {
        let e = HTMLText.escape
        let described = writer.describe(record)
        var item = "<li class=\"change\"><time datetime=\"\(record.effective.day)\">\(e(language.date(record.effective.day)))</time> <span class=\"label\">\(e(writer.label(record.type)))</span>"
        if record.isRetracted { item += " <span class=\"mark retracted\">\(e(language.labels.retractedMark))</span>" }
        if !record.correctedBy.isEmpty { item += " <span class=\"mark\">\(e(language.labels.correctedMark))</span>" }
        if linkSubject, let href = subjectLink(record.subject) {
            item += "\n<p><a href=\"\(e(href))\">\(e(described.text))</a></p>"
        } else {
            item += "\n<p>\(e(described.text))</p>"
        }
        if brief { return item + "</li>" }
        if let detail = described.detail { item += "\n<p class=\"detail\">\(e(detail))</p>" }
        if !described.sources.isEmpty { item += "\n<p class=\"sources\">\(e(language.labels.sources)): \(sourceLinks(described.sources))</p>" }
        return item + "</li>"
    }

    /// Every entry about the subjects, newest first, corrections and retractions included.
    func timeline(_ records: [Record]) -> String {
        let e = HTMLText.escape
        return ["<section aria-labelledby=\"timeline\">", "<h2 id=\"timeline\">\(e(language.labels.timeline))</h2>",
                HTMLText.list(records.reversed().map { changeItem($0, linkSubject: false) }, opening: "<ol class=\"changes\" reversed>", empty: labels.nothingYet),
                "</section>"].joined(separator: "\n")
    }

    /// The frame every page shares: language, navigation with the language switch, feed
    /// links, and the report's stylesheet plus a few rules for the site.
    func page(title: String, path: String, body: [String]) -> String {
        let e = HTMLText.escape
        let labels = labels
        let other: ReportLanguage = language == .en ? .es : .en
        var out: [String] = []
        out.append("<!DOCTYPE html>")
        out.append("<html lang=\"\(language.rawValue)\">")
        out.append("<head>")
        out.append("<meta charset=\"utf-8\">")
        out.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        out.append("<title>\(e(title)) — \(e(organisation))</title>")
        out.append("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"\(e(labels.atomFeed))\" href=\"\(e(link("/feed.atom")))\">")
        out.append("<link rel=\"alternate\" type=\"application/feed+json\" title=\"\(e(labels.jsonFeed))\" href=\"\(e(link("/feed.json")))\">")
        out.append("<link rel=\"alternate\" hreflang=\"\(other.rawValue)\" href=\"\(e(link(path, language: other)))\">")
        out.append("<style>\n\(MonthlyReport.css(paper: .a4))\(Self.siteCSS)</style>")
        out.append("</head>")
        out.append("<body>")
        out.append("<a class=\"skip\" href=\"#content\">\(e(labels.skipToContent))</a>")
        if let warning { out.append(warning.html(language)) }
        out.append("<header class=\"site\">")
        out.append("<p class=\"organisation\"><a href=\"\(e(link("/")))\">\(e(organisation))</a></p>")
        out.append("<nav aria-label=\"\(e(labels.navigation))\"><ul>")
        out.append("<li><a href=\"\(e(link("/")))\">\(e(labels.statusTitle))</a></li>")
        out.append("<li><a href=\"\(e(link("/feed.atom")))\">Atom</a></li>")
        out.append("<li><a href=\"\(e(link("/feed.json")))\">JSON Feed</a></li>")
        out.append("<li><a href=\"\(e(link(path, language: other)))\" hreflang=\"\(other.rawValue)\" lang=\"\(other.rawValue)\">\(other == .es ? "Español" : "English")</a></li>")
        out.append("</ul></nav>")
        out.append("</header>")
        out.append("<main id=\"content\">")
        out.append(contentsOf: body)
        out.append("</main>")
        out.append("<footer><p>\(e(labels.footer))</p></footer>")
        out.append("</body>")
        out.append("</html>")
        return out.joined(separator: "\n") + "\n"
    }

    static let siteCSS = """
        .skip { position: absolute; left: -999px; }
        .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: 0.3rem 0.6rem; outline: 2px solid var(--accent); }
        header.site { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline; gap: 0.5rem; border-bottom: 1px solid var(--rule); padding-bottom: 0.5rem; margin-bottom: 1rem; }
        header.site a { text-decoration: none; }
        nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0.2rem 1rem; padding: 0; margin: 0; font: 0.9rem "Helvetica Neue", Arial, sans-serif; }
        a:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
        .meta { color: var(--muted); font-size: 0.9rem; display: block; }
        .kind { font: 600 0.85rem "Helvetica Neue", Arial, sans-serif; text-transform: uppercase; color: var(--muted); margin: 0; }
        .counts { display: flex; flex-wrap: wrap; gap: 0.5rem 2rem; list-style: none; padding: 0; }
        .counts strong { font-size: 1.4rem; color: var(--accent); }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 0.8rem; }
        .facts dt { color: var(--muted); } .facts dd { margin: 0; }
        .overdue { color: var(--accent); }
        .sources { font-size: 0.85rem; color: var(--muted); }
        .months { columns: 12rem; }
        h1.subject { font-size: 1.35rem; }
        .by-status .badge { margin-right: 0.2rem; }

        """
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
