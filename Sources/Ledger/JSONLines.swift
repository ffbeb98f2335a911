import Foundation

/// Drafts read from JSON Lines (what `ledgerctl append` and `POST /api/v1/entries` take),
/// each labelled with its line number so an error can say where it is.
public struct DraftBatch: Sendable {
    public var drafts: [EntryDraft] = []
    /// "line 3" for each draft, in order.
    public var labels: [String] = []

    /// Parses one JSON object per line; blank lines are skipped.
    /// - Parameters:
    ///   - defaultAuthor: the author of lines that do not name one.
    ///   - requiredAuthor: when set (the API token's name), every line is written by it and a
    ///     line naming someone else is refused rather than silently rewritten.
    ///   - source: how to name the input when it is empty (`FILE`, `body`).
    public init(jsonLines text: some StringProtocol, defaultAuthor: String, requiredAuthor: String? = nil, source: String) throws(LedgerError) {
        for (number, line) in text.lines.enumerated()
        where !line.allSatisfy(\.isWhitespace) {
            let label = "line \(number + 1)"
            do {
                let draft = try EntryDraft(exchangeJSON: try JSONValue.parse(line), defaultAuthor: requiredAuthor ?? defaultAuthor)
                if let requiredAuthor, draft.author != requiredAuthor {
                    throw LedgerError(field: "author", "is the token's name (\(requiredAuthor)); leave it out")
                }
                drafts.append(draft)
                labels.append(label)
            } catch let error as LedgerError {
                throw LedgerError(field: error.field.map { "\(label): \($0)" } ?? label, error.message)
            } catch {
                throw LedgerError(field: label, "\(error)")
            }
        }
        if drafts.isEmpty { throw LedgerError(field: source, "has no entries") }
    }
}
