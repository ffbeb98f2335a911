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

    public let kind: Kind
    /// The field at fault (`title`, `payload.sources[1]`, `database`), when there is one.
    public let field: String?
    public let message: String
    public let remedy: Remedy?

    public init(kind: Kind = .invalidInput, field: String? = nil, _ message: String, remedy: Remedy? = nil) {
        self.kind = kind
        self.field = field
        self.message = message
        self.remedy = remedy
    }

    public var description: String {
        guard let field else { return message }
        return "\(field): \(message)"
    }

    /// The same error with its field nested under `parent` (e.g. `payload.title`, `line 3: title`).
    public func nested(under parent: String) -> LedgerError {
        LedgerError(kind: kind, field: field.map { "\(parent).\($0)" } ?? parent, message, remedy: remedy)
    }
}
