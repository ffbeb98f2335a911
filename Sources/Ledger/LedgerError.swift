/// Every failure the ledger reports: one line a person can act on, naming the field when
/// the input was at fault.
public struct LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The input was wrong; nothing was written.
        case invalidInput
        /// The ledger's own contents are not what they should be (broken chain, bad import).
        case integrity
        /// The database could not be opened, migrated or written.
        case storage
        /// Another writer held the ledger for longer than the busy timeout.
        case busy
        /// The thing asked for does not exist.
        case notFound
    }

    /// What the person can do about a failure, for each front end to word in its own
    /// terms: the CLI names its commands, a web page would name its buttons.
    public enum Remedy: Sendable, Equatable {
        /// Nothing is there yet: create a ledger.
        case createLedger
        /// The schema needs the migrations a read does not apply: open it to write, as the
        /// schema's owner.
        case migrateSchema
        /// The database was made by a newer build.
        case upgradeProgram
        /// The name has a live token already: revoke it first.
        case revokeToken(name: String)
        /// The name has no live token: list the ones there are.
        case listTokens
        /// No signed checkpoint covers it yet: sign one.
        case signCheckpoint
        /// The database server did not answer (it is down, or the address is wrong), or is
        /// starting up or shutting down: what may work a moment later, unlike a refusal that
        /// lasts.
        case reachServer
    }

    /// What went wrong, with its arguments, for a front end to word in its own language; the
    /// message is its English. Only the problems people meet in forms have one; a language
    /// without a wording for an error shows its message.
    public enum Code: Sendable, Equatable {
        case required, empty, needsAnItem, mustBeText
        case chooseVisibility, mustBeVisibility, chooseOne, chooseEntry, nothingChanged
        /// Each with the value as the message quotes it (`'2023-02-30'`).
        case notADate(String), notACountryCode(String), notAnID(String), inTheFuture(String), listedTwice(String), notAURL(String)
        case idTaken(id: String, what: String, seq: Int64)
        case tooLong(count: Int, limit: Int)

        /// The message in English.
        public var english: String {
            switch self {
            case .required: "is required"
            case .empty: "is empty"
            case .needsAnItem: "needs at least one item"
            case .mustBeText: "must be text"
            case .chooseVisibility: "choose public or internal"
            case .mustBeVisibility: "must be public or internal"
            case .chooseOne: "choose one"
            case .chooseEntry: "choose the entry to amend"
            case .nothingChanged: "change at least one field; nothing differs from the entry as it stands"
            case .notADate(let value): "\(value) is not a real date (YYYY-MM-DD)"
            case .notACountryCode(let value): "\(value) is not a two-letter country code like MX or US"
            case .notAnID(let value): "\(value) must be lowercase letters, digits and hyphens (like stop-arms-flow)"
            case .inTheFuture(let value): "\(value) is in the future; log events once they have happened"
            case .listedTwice(let value): "\(value) is listed twice"
            case .notAURL(let value): "\(value) is not an http(s) URL"
            case .idTaken(let id, let what, let seq): "'\(id)' already names \(what == "actor" ? "an" : "a") \(what) (seq \(seq)); ids are never reused"
            case .tooLong(let count, let limit): "is \(count) characters; the limit is \(limit)"
            }
        }
    }

    public let kind: Kind
    /// The field at fault (`title`, `payload.sources[1]`, `database`), when there is one.
    public let field: String?
    public let message: String
    public let code: Code?
    public let remedy: Remedy?

    public init(kind: Kind = .invalidInput, field: String? = nil, _ message: String, code: Code? = nil, remedy: Remedy? = nil) {
        self.kind = kind
        self.field = field
        self.message = message
        self.code = code
        self.remedy = remedy
    }

    /// An error people may meet in a form: its message is the code's English.
    public init(kind: Kind = .invalidInput, field: String? = nil, _ code: Code, remedy: Remedy? = nil) {
        self.init(kind: kind, field: field, code.english, code: code, remedy: remedy)
    }

    /// The same failure when its kind, field, message and remedy are: the code only words it.
    public static func == (a: Self, b: Self) -> Bool {
        a.kind == b.kind && a.field == b.field && a.message == b.message && a.remedy == b.remedy
    }

    public var description: String {
        guard let field else { return message }
        return "\(field): \(message)"
    }

    /// The same error with its field nested under `parent` (e.g. `payload.title`, `line 3: title`).
    public func nested(under parent: String) -> LedgerError {
        LedgerError(kind: kind, field: field.map { "\(parent).\($0)" } ?? parent, message, code: code, remedy: remedy)
    }
}
