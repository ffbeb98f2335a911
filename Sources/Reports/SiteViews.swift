import Ledger

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

    let lang, title, organisation, paperCSS: String
    let site: SiteLabels, words: ReportLanguage.Labels
    let warningText: String?
    let links: Links, other: OtherLanguage
}

/// A page's own view, beside the frame every page shares: the templates find both by name
/// (`TemplateView` lays the page's fields over the frame's).
protocol SitePageView {
    var frame: SiteFrame { get }
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
    let pages: Pages?
    let latest: [SiteFrame.Change]
    let months: [Month]
    let checkpoint: Verify?
    let search: Search

    struct Verify { let note, verifierKey, command: String; let size: Int64 }
    struct Option { let value, text: String; let selected: Bool }
    struct Filter { let name, label: String; let options: [Option] }
    struct Search { let query: String; let filtered: Bool; let shown: Int; let clearHref: String; let filters: [Filter] }
    struct Pages { let current, count: Int; let previous, next: String?; let label, previousText, nextText: String }
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
