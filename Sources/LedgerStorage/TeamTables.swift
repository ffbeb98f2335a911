import Ledger
import LedgerTeam

/// A value bound to a statement, in either dialect. NULL is written into the SQL itself, so
/// neither driver has to guess a type for it.
package enum SQLValue: Sendable, Equatable {
    case text(String)
    case integer(Int64)
    case boolean(Bool)
}

/// The team's tables as both stores write them; only the placeholders are dialect.
package enum TeamTables {
    /// The UPDATE for one change to a person: only the columns the change names, under its
    /// condition. `placeholder` is the dialect's numbered parameter ("$" for PostgreSQL's $1,
    /// "?" for SQLite's ?1); a number used twice is one value.
    package static func update(member name: String, _ change: MemberChange, placeholder: String) -> (sql: String, values: [SQLValue]) {
        var values: [SQLValue] = []
        func bind(_ value: SQLValue) -> String {
            values.append(value)
            return "\(placeholder)\(values.count)"
        }
        var assignments: [String] = []
        var condition = ""
        switch change {
        case .password(let hash, let setupDigest):
            assignments = ["password_hash = \(bind(.text(hash)))", "setup_digest = NULL", "setup_expires_at = NULL"]
            condition = " AND setup_digest = \(bind(.text(setupDigest))) AND disabled_at IS NULL"
        case .reset(let setupDigest, let expiresAt):
            assignments = ["password_hash = NULL", "setup_digest = \(bind(.text(setupDigest)))", "setup_expires_at = \(bind(.integer(expiresAt)))",
                           "disabled_at = NULL", "calendar_digest = NULL"]
        case .disable(let at):
            assignments = ["disabled_at = COALESCE(disabled_at, \(bind(.integer(at))))", "setup_digest = NULL", "setup_expires_at = NULL"]
        case .calendar(let digest):
            assignments = ["calendar_digest = \(bind(.text(digest)))"]
            condition = " AND disabled_at IS NULL AND password_hash IS NOT NULL"
        case .notifications(let weekly, let overdue, let language, let now):
            if let language { assignments.append("language = \(bind(.text(language)))") }
            if let weekly { assignments.append("notify_weekly = \(bind(.boolean(weekly)))") }
            if let overdue {
                // Every right-hand side reads the row as it was, so the order does not matter.
                let on = bind(.boolean(overdue))
                assignments.append("notify_since = CASE WHEN \(on) AND NOT notify_overdue THEN \(bind(.integer(now))) ELSE notify_since END")
                assignments.append("notify_overdue = \(on)")
            }
            if assignments.isEmpty { assignments = ["name = name"] }
        case .email(let email):
            assignments = email.map { ["email = \(bind(.text($0)))"] } ?? ["email = NULL", "notify_weekly = FALSE", "notify_overdue = FALSE"]
        }
        let named = bind(.text(name))
        return ("UPDATE team_members SET \(assignments.joined(separator: ", ")) WHERE name = \(named)\(condition)", values)
    }
}
