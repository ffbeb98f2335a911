import Foundation
import Ledger
import LedgerPostgres
import LedgerSQLite
import ServiceLifecycle

/// Where a ledger lives, parsed from `--database` / `LEDGER_DATABASE_URL`.
public enum LedgerLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    public static let defaultSQLitePath = "./ledger.sqlite"

    /// A file path, `sqlite:PATH`, or `postgres://user:password@host:port/db`.
    public init(_ text: String) throws(LedgerError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { throw LedgerError(field: "database", .empty) }
        if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            _ = try PostgresURL(trimmed)
            self = .postgres(url: trimmed)
        } else if trimmed.hasPrefix("sqlite://") {
            self = .sqlite(path: String(trimmed.dropFirst("sqlite://".count)))
        } else if trimmed.hasPrefix("sqlite:") {
            self = .sqlite(path: String(trimmed.dropFirst("sqlite:".count)))
        } else if let scheme = trimmed.range(of: "://").map({ trimmed[..<$0.lowerBound] }), !scheme.contains("/") {
            throw LedgerError(field: "database", "'\(scheme)' databases are not supported; use a file path, sqlite:PATH or postgres://…")
        } else {
            self = .sqlite(path: trimmed)
        }
        if case .sqlite(let path) = self, path.isEmpty { throw LedgerError(field: "database", "sqlite: needs a file path") }
    }

    /// For messages: never prints a password.
    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url):
            guard var components = URLComponents(string: url) else { return "postgres://…" }
            if components.password != nil { components.password = "***" }
            return components.string ?? "postgres://…"
        }
    }
}
