import Foundation
import Ledger

/// What a list of demands, commitments or actors is narrowed to: the same filters and search
/// on the public pages (over the public state) and in the team workspace (over everything).
/// Search looks for every word typed, ignoring case and accents, in titles, summaries,
/// rationales and notes in both languages.
public struct SubjectFilter: Sendable, Equatable {
    public var query: String?
    public var status: String?
    public var basis: Basis?
    public var kind: String?
    public var actor: String?
    public var country: String?
    public var visibility: Visibility?
    public var overdueOnly = false

    public init() {}

    /// From a page's query string; a value that is not one of the choices is an error naming it.
    public init(parameters: [String: String]) throws(LedgerError) {
        func value(_ name: String) -> String? {
            guard let text = parameters[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        query = value("q")
        if let query, query.count > 200 { throw LedgerError(field: "q", "is longer than 200 characters") }
        status = value("status")
        if let status, CommitmentStatus(rawValue: status) == nil && DemandStatus(rawValue: status) == nil {
            throw LedgerError(field: "status", "'\(status)' is not a status")
        }
        if let text = value("basis") {
            guard let basis = Basis(rawValue: text) else { throw LedgerError(field: "basis", "must be claimed or verified") }
            self.basis = basis
        }
        kind = value("kind")
        if let kind, CommitmentKind(rawValue: kind) == nil && ActorKind(rawValue: kind) == nil {
            throw LedgerError(field: "kind", "'\(kind)' is not a kind")
        }
        actor = value("actor")
        country = value("country")?.uppercased()
        if let text = value("visibility") {
            guard let visibility = Visibility(rawValue: text) else { throw LedgerError(field: "visibility", "must be public or internal") }
            self.visibility = visibility
        }
        overdueOnly = value("overdue") != nil
    }

    /// The filter as a query string in a fixed order ("" when it keeps everything): the key
    /// of a cached filtered page, and the links that keep it.
    public var canonicalQuery: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let pairs: [(String, String?)] = [("q", query), ("status", status), ("basis", basis?.rawValue), ("kind", kind), ("actor", actor),
                                           ("country", country), ("visibility", visibility?.rawValue), ("overdue", overdueOnly ? "1" : nil)]
        return pairs.compactMap { name, value in value.map { "\(name)=\($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" } }
            .joined(separator: "&")
    }

    public var isEmpty: Bool { canonicalQuery.isEmpty }

    private var words: [String] {
        (query ?? "").split(whereSeparator: \.isWhitespace).map { Self.folded(String($0)) }
    }

    static func folded(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// - Parameter texts: built only when there are words to look for: a demand's notes are
    ///   thousands of strings at a million entries, and most lists are not searched.
    private func matches(_ texts: @autoclosure () -> [String?]) -> Bool {
        let words = words
        guard !words.isEmpty else { return true }
        let texts = texts()
        let haystack = Self.folded(texts.compactMap { $0 }.joined(separator: "\n"))
        return words.allSatisfy { haystack.contains($0) }
    }

    private func actorCountry(_ id: String, in state: LedgerState) -> String? { state.actor(id)?.country }

    public func demands(in state: LedgerState) -> [Demand] {
        state.demands.filter { demand in
            (status == nil || demand.status.rawValue == status)
                && (visibility == nil || demand.visibility == visibility)
                && (actor == nil || demand.by.contains(actor!) || demand.targets.contains(actor!))
                && (country == nil || (demand.by + demand.targets).contains { actorCountry($0, in: state) == country })
                && matches([demand.id, demand.title, demand.titleES, demand.summary, demand.summaryES] + demand.followups.flatMap { [$0.note, $0.noteES] }
                           + demand.commitments.compactMap { state.commitment($0) }.flatMap { [$0.summary, $0.summaryES] })
        }
    }

    public func commitments(in state: LedgerState, today: CalendarDay) -> [Commitment] {
        state.commitments.filter { commitment in
            (status == nil || commitment.status.rawValue == status)
                && (basis == nil || commitment.basis == basis)
                && (kind == nil || commitment.kind.rawValue == kind)
                && (visibility == nil || commitment.visibility == visibility)
                && (actor == nil || commitment.actor == actor)
                && (country == nil || actorCountry(commitment.actor, in: state) == country)
                && (!overdueOnly || commitment.daysOverdue(on: today) != nil)
                && matches([commitment.id, commitment.summary, commitment.summaryES]
                           + commitment.history.flatMap { [$0.rationale, $0.rationaleES] } + commitment.followups.flatMap { [$0.note, $0.noteES] })
        }
    }

    public func actors(in state: LedgerState) -> [Actor] {
        state.actors.filter { actor in
            (kind == nil || actor.kind.rawValue == kind)
                && (visibility == nil || actor.visibility == visibility)
                && (country == nil || actor.country == country)
                && matches([actor.id, actor.name, actor.nameES])
        }
    }
}
