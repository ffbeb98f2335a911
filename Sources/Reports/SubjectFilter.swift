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
            guard let visibility = Visibility(rawValue: text) else { throw LedgerError(field: "visibility", .mustBeVisibility) }
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

    /// Case and accents folded as Foundation's `folding(options: [.caseInsensitive,
    /// .diacriticInsensitive])` folds them.
    static func folded(_ text: String) -> String {
        var bytes: [UInt8] = []
        fold(text, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `text` folded, as UTF-8, in `bytes` (emptied first, so one buffer serves every text
    /// of a search). Text below U+0300 (every Latin script, which is nearly every note) is
    /// folded a scalar at a time from a table made by Foundation's folding itself; a search
    /// reads every note, and Foundation's folding of each was most of a search's time. Above it, where
    /// a combining mark folds with the letter before it, the text goes through Foundation whole.
    static func fold(_ text: String, into bytes: inout [UInt8]) {
        bytes.removeAll(keepingCapacity: true)
        for scalar in text.unicodeScalars {
            let value = Int(scalar.value)
            guard value < foldedScalars.count else {
                bytes.removeAll(keepingCapacity: true)
                bytes.append(contentsOf: text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).utf8)
                return
            }
            let folded = foldedScalars[value]
            guard folded.count > 0 else { continue }
            bytes.append(folded.first)
            if folded.count > 1 { bytes.append(contentsOf: foldedBytes[folded.rest..<folded.rest + Int(folded.count) - 1]) }
        }
    }

    /// Each scalar below U+0300 folded alone: its first UTF-8 byte, and where the others
    /// are in `foldedBytes`. None folds to a combining mark, so the folded text of a run of
    /// them is the run of their foldings (`SearchTests` checks it).
    private static let (foldedScalars, foldedBytes): ([(first: UInt8, count: UInt8, rest: Int)], [UInt8]) = {
        var scalars: [(first: UInt8, count: UInt8, rest: Int)] = []
        var rest: [UInt8] = []
        for value in 0..<UInt32(0x300) {
            let utf8 = Array(String(Character(Unicode.Scalar(value)!)).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).utf8)
            scalars.append((utf8.first ?? 0, UInt8(utf8.count), rest.count))
            rest += utf8.dropFirst()
        }
        return (scalars, rest)
    }()

    /// Whether `word`'s UTF-8 is in `text`: both are folded, so no accent or case is left to
    /// compare, and a byte search is what a literal search of the text is.
    static func contains(_ text: [UInt8], _ word: String) -> Bool {
        var word = word
        return text.withUnsafeBufferPointer { text in
            word.withUTF8 { word in
                guard let first = word.first else { return true }
                guard word.count <= text.count, let start = text.baseAddress, let wanted = word.baseAddress else { return false }
                let lastStart = text.count - word.count
                var offset = 0
                while offset <= lastStart {
                    guard let found = memchr(start + offset, Int32(first), lastStart - offset + 1) else { return false }
                    offset = start.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    if memcmp(start + offset, wanted, word.count) == 0 { return true }
                    offset += 1
                }
                return false
            }
        }
    }

    /// Every word in one of the texts. A word has no white space, so it cannot run from one
    /// text into the next, and each text is folded and searched on its own.
    /// - Parameter texts: built only when there are words to look for: a demand's notes are
    ///   thousands of strings at a million entries, and most lists are not searched.
    private func matches(_ texts: @autoclosure () -> [String?]) -> Bool {
        var unfound = words
        guard !unfound.isEmpty else { return true }
        var folded: [UInt8] = []
        for case let text? in texts() {
            Self.fold(text, into: &folded)
            unfound.removeAll { Self.contains(folded, $0) }
            if unfound.isEmpty { return true }
        }
        return false
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
