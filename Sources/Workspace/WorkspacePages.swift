import Foundation
import Ledger
import Mustache
import Reports
import LedgerTeam

/// The team workspace's pages, pure like the public site: built from the ledger's internal
/// state and what the person typed, rendered through the templates in Sources/Workspace/Templates
/// (every `{{value}}` escaped). The server decides who may see them.
public struct WorkspacePages: Sendable {
    public let language: ReportLanguage
    public let organisation: String
    /// The page's path and query, for the link to the other language.
    public let path: String
    private let words: [String: String]

    public init(language: ReportLanguage, organisation: String, path: String) {
        self.language = language
        self.organisation = organisation
        self.path = path
        words = WorkspaceWords.table(language)
    }

    /// Who is signed in, as every page's header shows them.
    public struct Person: Sendable {
        public let name: String
        public let role: TeamRole
        public let csrfToken: String

        public init(name: String, role: TeamRole, csrfToken: String) {
            (self.name, self.role, self.csrfToken) = (name, role, csrfToken)
        }
    }

    // MARK: Frame

    struct Frame {
        let lang: String
        let title: String
        let w: [String: String]
        let organisation: String
        let person: PersonView?
        let otherHref: String
        let otherLang: String
        let otherName: String
        let current: [String: Bool]
    }

    struct PersonView {
        let name: String
        let role: String
        let csrf: String
        let canWrite: Bool
        let isAdmin: Bool
    }

    func frame(_ title: String, person: Person?, section: String) -> Frame {
        let other: ReportLanguage = language == .en ? .es : .en
        return Frame(lang: language.rawValue, title: title, w: words, organisation: organisation,
                     person: person.map { PersonView(name: $0.name, role: $0.role.rawValue, csrf: $0.csrfToken, canWrite: $0.role.canWrite, isAdmin: $0.role == .admin) },
                     otherHref: Self.replacingLanguage(in: path, with: other), otherLang: other.rawValue,
                     otherName: other.text("language.\(other.rawValue)"), current: [section: true])
    }

    /// The same path and query with `lang` set (the rest of the query kept as it was).
    static func replacingLanguage(in path: String, with language: ReportLanguage) -> String {
        let parts = path.split(separator: "?", maxSplits: 1)
        let base = parts.first.map(String.init) ?? "/team/"
        var query = parts.count > 1 ? parts[1].split(separator: "&").filter { !$0.hasPrefix("lang=") }.map(String.init) : []
        query.append("lang=\(language.rawValue)")
        return base + "?" + query.joined(separator: "&")
    }

    func render(_ template: String, _ view: some Any) -> String {
        WorkspaceTemplates.shared.render(template, view)
    }

    public func word(_ key: String) -> String { words[key] ?? key }

    /// A sentence of the workspace by its key, in the page's language.
    public func messageText(_ key: String) -> String { word(key) }

    // MARK: Signing in

    struct SignInView { let frame: Frame; let error: String?; let name: String; let signInToken: String }

    public func signInPage(error: String? = nil, name: String = "", signInToken: String) -> String {
        render("team-sign-in", SignInView(frame: frame(word("signIn"), person: nil, section: "signIn"), error: error.map(word),
                                          name: name, signInToken: signInToken))
    }

    struct SetupView { let frame: Frame; let member: String; let error: String?; let action: String; let signInToken: String }

    public func setupPage(member: String, action: String, error: String? = nil, signInToken: String) -> String {
        render("team-setup", SetupView(frame: frame(word("setupTitle"), person: nil, section: "setup"), member: member,
                                       error: error, action: action, signInToken: signInToken))
    }

    struct MessageView { let frame: Frame; let heading: String; let text: String; let signInLink: Bool }

    /// A page that only says something: not found, not allowed, an expired link.
    public func messagePage(heading: String, text: String, person: Person?, signInLink: Bool = false) -> String {
        render("team-message", MessageView(frame: frame(word(heading), person: person, section: ""), heading: word(heading),
                                           text: word(text), signInLink: signInLink))
    }

    /// The password rule, in the person's language; nil when the choice is fine.
    public func passwordProblem(_ password: String, repeated: String) -> String? {
        if password.count < 12 { return language.text("team.passwordTooShort") }
        if password.utf8.count > 72 { return language.text("team.passwordTooLong") }
        if password != repeated { return language.text("team.passwordsDiffer") }
        return nil
    }

    // MARK: Shared pieces

    struct Link { let href: String; let text: String }

    struct Item {
        let title: String
        let id: String
        let href: String?
        let facts: [String]
        let isInternal: Bool
        let actions: [Link]
        /// Stored: the templates see stored properties only.
        let hasActions: Bool

        init(title: String, id: String, href: String?, facts: [String], isInternal: Bool, actions: [Link]) {
            (self.title, self.id, self.href, self.facts, self.isInternal, self.actions) = (title, id, href, facts, isInternal, actions)
            hasActions = !actions.isEmpty
        }
    }

    func sentences(_ state: LedgerState) -> Sentences { Sentences(state: state, language: language) }

    func actions(for commitment: Commitment, person: Person) -> [Link] {
        guard person.role.canWrite else { return [] }
        return [Link(href: "/team/new/status?subject=\(commitment.id)", text: word("changeStatus")),
                Link(href: "/team/new/followup?subject=\(commitment.id)", text: word("logFollowup")),
                Link(href: "/team/new/correction?seq=\(commitment.seq)", text: word("correct"))]
    }

    func commitmentItem(_ commitment: Commitment, in state: LedgerState, person: Person, facts extra: [String] = []) -> Item {
        let words = sentences(state)
        var facts = [words.name(of: commitment.actor), language.word(commitment.status) + (commitment.basis.map { " (\(language.word($0)))" } ?? "")]
        if let due = commitment.due { facts.append("\(word("dueOn")) \(language.date(due))") }
        return Item(title: language.pick(text: commitment.summary, spanish: commitment.summaryES), id: commitment.id,
                    href: commitment.visibility == .public ? "/commitments/\(commitment.id)" : nil, facts: facts + extra,
                    isInternal: commitment.visibility == .internal, actions: actions(for: commitment, person: person))
    }

    func demandItem(_ demand: Demand, in state: LedgerState, person: Person) -> Item {
        let words = sentences(state)
        var facts = [language.word(demand.status)]
        if !demand.targets.isEmpty { facts.append(demand.targets.map(words.name(of:)).joined(separator: ", ")) }
        let actions: [Link] = person.role.canWrite ? [
            Link(href: "/team/new/commitment?demand=\(demand.id)", text: word("recordCommitment")),
            Link(href: "/team/new/followup?subject=\(demand.id)", text: word("logFollowup")),
            Link(href: "/team/new/correction?seq=\(demand.seq)", text: word("correct")),
        ] : []
        return Item(title: language.pick(text: demand.title, spanish: demand.titleES), id: demand.id,
                    href: demand.visibility == .public ? "/demands/\(demand.id)" : nil, facts: facts,
                    isInternal: demand.visibility == .internal, actions: actions)
    }

    struct Section {
        let id: String; let heading: String; let items: [Item]; let count: Int; let hasItems: Bool
        init(id: String, heading: String, items: [Item], count: Int) {
            (self.id, self.heading, self.items, self.count, hasItems) = (id, heading, items, count, !items.isEmpty)
        }
    }
    struct EntryLine { let seq: Int64; let href: String; let text: String; let author: String; let recordedAt: String; let isInternal: Bool }

    func entryLine(_ record: Record, in state: LedgerState) -> EntryLine {
        let words = sentences(state)
        let described = words.describe(record)
        return EntryLine(seq: record.seq, href: "/team/entries/\(record.seq)", text: described.text,
                         author: record.author, recordedAt: String(record.recordedAt.prefix(16)).replacingOccurrences(of: "T", with: " "),
                         isInternal: record.visibility == .internal)
    }

    // MARK: What needs attention

    struct HomeView { let frame: Frame; let sections: [Section]; let latest: [EntryLine]; let hasLatest: Bool; let canWrite: Bool; let newLinks: [Link] }

    /// The home page: what is late, what is coming, what is only claimed, what nobody answered,
    /// and what the team wrote last, each with the action it calls for.
    public func homePage(state: LedgerState, records: LedgerRecords, person: Person, today: CalendarDay) -> String {
        let attention = Attention(state: state, today: today)
        let sections = [
            Section(id: "overdue", heading: word("overdue"), items: attention.overdue.map { commitment in
                commitmentItem(commitment, in: state, person: person,
                               facts: ["\(word("daysOverdue")) \(language.days(commitment.daysOverdue(on: today) ?? 0))"])
            }, count: attention.overdue.count),
            Section(id: "due-soon", heading: word("dueSoon"), items: attention.dueSoon.map { commitmentItem($0, in: state, person: person) },
                    count: attention.dueSoon.count),
            Section(id: "claimed", heading: word("claimedOnly"), items: attention.claimedNotVerified.map { commitment in
                var item = commitmentItem(commitment, in: state, person: person,
                                          facts: commitment.latest(.claimed).map { ["\(word("claimedOn")) \(language.date($0.effective.day))"] } ?? [])
                if person.role.canWrite {
                    item = Item(title: item.title, id: item.id, href: item.href, facts: item.facts, isInternal: item.isInternal,
                                actions: [Link(href: "/team/new/status?subject=\(commitment.id)&basis=verified", text: word("verifyIt"))] + item.actions.dropFirst())
                }
                return item
            }, count: attention.claimedNotVerified.count),
            Section(id: "no-response", heading: word("noResponse"), items: attention.unanswered.map { demandItem($0, in: state, person: person) },
                    count: attention.unanswered.count),
        ]
        let latest = records.records.suffix(10).reversed().map { entryLine($0, in: state) }
        return render("team-home", HomeView(frame: frame(word("home"), person: person, section: "home"), sections: sections, latest: latest, hasLatest: !latest.isEmpty,
                                            canWrite: person.role.canWrite, newLinks: newLinks()))
    }

    struct NewView { let frame: Frame; let links: [Link] }

    /// `/team/new`: every kind of entry the team logs.
    public func newIndexPage(person: Person) -> String {
        render("team-new", NewView(frame: frame(word("new"), person: person, section: "new"), links: newLinks()))
    }

    func newLinks() -> [Link] {
        [Link(href: "/team/new/demand", text: word("newDemand")), Link(href: "/team/new/commitment", text: word("newCommitment")),
         Link(href: "/team/new/status", text: word("newStatus")), Link(href: "/team/new/followup", text: word("newFollowup")),
         Link(href: "/team/new/actor", text: word("newActor")), Link(href: "/team/new/correction", text: word("newCorrection")),
         Link(href: "/team/new/retraction", text: word("newRetraction"))]
    }

    // MARK: Lists

    struct FilterView { let name: String; let label: String; let options: [Option] }
    struct Option { let value: String; let text: String; let selected: Bool }
    struct ListView {
        let frame: Frame; let heading: String; let action: String; let query: String; let filters: [FilterView]
        let overdueFilter: Bool; let overdueChecked: Bool; let items: [Item]; let hasItems: Bool; let shown: Int; let total: Int
    }

    /// `/team/demands`, `/team/commitments`, `/team/actors`: every item the filter keeps.
    public func listPage(_ kind: SubjectKind, state: LedgerState, filter: SubjectFilter, person: Person, today: CalendarDay) -> String {
        let words = sentences(state)
        func options(_ values: [(String, String)], selected: String?) -> [Option] {
            [Option(value: "", text: word("any"), selected: selected == nil)] + values.map { Option(value: $0.0, text: $0.1, selected: $0.0 == selected) }
        }
        let visibility = FilterView(name: "visibility", label: word("visibility"), options: options(
            [("public", word("public")), ("internal", word("internal"))], selected: filter.visibility?.rawValue))
        let actorOptions = state.actors.map { ($0.id, words.name(of: $0.id)) }.sorted { $0.1.localizedCompare($1.1) == .orderedAscending }
        let countries = Array(Set(state.actors.compactMap(\.country))).sorted().map { ($0, $0) }
        var filters: [FilterView] = []
        let items: [Item]
        let total: Int
        switch kind {
        case .demand:
            filters = [FilterView(name: "status", label: word("status"), options: options(DemandStatus.allCases.map { ($0.rawValue, language.word($0)) }, selected: filter.status)),
                       FilterView(name: "actor", label: word("actor"), options: options(actorOptions, selected: filter.actor)),
                       FilterView(name: "country", label: word("country"), options: options(countries, selected: filter.country)), visibility]
            items = filter.demands(in: state).map { demandItem($0, in: state, person: person) }
            total = state.demands.count
        case .commitment:
            filters = [FilterView(name: "status", label: word("status"), options: options(CommitmentStatus.allCases.map { ($0.rawValue, language.word($0)) }, selected: filter.status)),
                       FilterView(name: "basis", label: word("basis"), options: options(Basis.allCases.map { ($0.rawValue, language.word($0)) }, selected: filter.basis?.rawValue)),
                       FilterView(name: "kind", label: word("kind"), options: options(CommitmentKind.allCases.map { ($0.rawValue, language.word($0)) }, selected: filter.kind)),
                       FilterView(name: "actor", label: word("actor"), options: options(actorOptions, selected: filter.actor)),
                       FilterView(name: "country", label: word("country"), options: options(countries, selected: filter.country)), visibility]
            items = filter.commitments(in: state, today: today).map { commitmentItem($0, in: state, person: person) }
            total = state.commitments.count
        case .actor:
            filters = [FilterView(name: "kind", label: word("kind"), options: options(ActorKind.allCases.map { ($0.rawValue, $0.rawValue) }, selected: filter.kind)),
                       FilterView(name: "country", label: word("country"), options: options(countries, selected: filter.country)), visibility]
            items = filter.actors(in: state).map { actor in
                Item(title: language.pick(text: actor.name, spanish: actor.nameES), id: actor.id, href: nil,
                     facts: [actor.kind.rawValue] + (actor.country.map { [$0] } ?? []), isInternal: actor.visibility == .internal,
                     actions: person.role.canWrite ? [Link(href: "/team/new/correction?seq=\(actor.seq)", text: word("correct"))] : [])
            }
            total = state.actors.count
        }
        let heading = word(kind == .demand ? "demands" : kind == .commitment ? "commitments" : "actors")
        return render("team-list", ListView(frame: frame(heading, person: person, section: "\(kind.rawValue)s"), heading: heading,
                                            action: "/team/\(kind.rawValue)s", query: filter.query ?? "", filters: filters,
                                            overdueFilter: kind == .commitment, overdueChecked: filter.overdueOnly, items: items, hasItems: !items.isEmpty,
                                            shown: items.count, total: total))
    }
}

// MARK: People and API tokens (admins)

extension WorkspacePages {
    struct MemberRow { let name: String; let role: String; let email: String?; let state: String; let canAct: Bool; let isDisabled: Bool }
    struct TokenRow { let name: String; let createdAt: String; let revokedAt: String?; let isLive: Bool }
    struct Secret { let heading: String; let value: String; let help: String }
    struct PeopleView {
        let frame: Frame; let csrf: String; let members: [MemberRow]; let tokens: [TokenRow]; let hasTokens: Bool; let secret: Secret?
        let error: String?; let roles: [Option]
    }

    /// A set-up link or token shown once, right after it was made.
    public struct OneTimeSecret: Sendable {
        public enum Kind: Sendable { case setupLink, token }
        public let kind: Kind
        public let name: String
        public let value: String

        public init(kind: Kind, name: String, value: String) {
            (self.kind, self.name, self.value) = (kind, name, value)
        }
    }

    /// `/team/people`: the team and the API tokens, for admins: add, reset and disable
    /// people; create and revoke tokens. A new link or token is shown once, on this page.
    public func peoplePage(members: [TeamMember], tokens: [APIToken], person: Person, secret: OneTimeSecret? = nil, error: String? = nil) -> String {
        let rows = members.map { member in
            MemberRow(name: member.name, role: member.role.rawValue, email: member.email,
                      state: word(member.isDisabled ? "stateDisabled" : member.passwordHash == nil ? "stateWaiting" : "stateActive"),
                      canAct: member.name != person.name, isDisabled: member.isDisabled)
        }
        let tokenRows = tokens.map { TokenRow(name: $0.name, createdAt: String($0.createdAt.prefix(16)).replacingOccurrences(of: "T", with: " "),
                                              revokedAt: $0.revokedAt.map { String($0.prefix(16)).replacingOccurrences(of: "T", with: " ") }, isLive: $0.isLive) }
        let shown = secret.map { secret in
            Secret(heading: "\(word(secret.kind == .setupLink ? "setupLinkFor" : "tokenFor")) \(secret.name)", value: secret.value,
                   help: word(secret.kind == .setupLink ? "setupLinkHelp" : "tokenHelp"))
        }
        return render("team-people", PeopleView(
            frame: frame(word("people"), person: person, section: "people"), csrf: person.csrfToken, members: rows, tokens: tokenRows, hasTokens: !tokenRows.isEmpty,
            secret: shown, error: error, roles: TeamRole.allCases.map { Option(value: $0.rawValue, text: $0.rawValue, selected: $0 == .editor) }))
    }
}
