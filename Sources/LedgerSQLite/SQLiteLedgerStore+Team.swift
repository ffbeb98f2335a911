import Foundation
import GRDB
import Synchronization
import LedgerMigrations
import Ledger
import LedgerStorage
import LedgerTeam

/// The team's people, sessions and sign-in attempts.
extension SQLiteLedgerStore {


    static func memberArguments(_ member: TeamMember) -> StatementArguments {
        [member.name, member.role.rawValue, member.email, member.passwordHash, member.setupDigest, member.setupExpiresAt,
         member.disabledAt, member.createdAt, member.calendarDigest, member.language, member.notifyWeekly, member.notifyOverdue, member.notifySince]
    }

    /// One write transaction for the team's tables.
    func writeTeam<T: Sendable>(_ doing: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let pool = try writingPool(doing)
        return try await run(doing) { try await pool.write(body) }
    }

    public func addMember(_ member: TeamMember) async throws {
        try await writeTeam("add the person") { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM team_members WHERE name = ?", arguments: [member.name]) != nil {
                throw TeamMember.nameTaken(member.name)
            }
            try db.execute(sql: "INSERT INTO team_members (\(ColumnLists.member)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", arguments: Self.memberArguments(member))
        }
    }

    public func members() async throws -> [TeamMember] {
        try await run("read the team") {
            try await self.reader.read { db in
                try Row.fetchAll(db, sql: "SELECT \(ColumnLists.member) FROM team_members ORDER BY created_at, name").map { try StoredRows.member($0) }
            }
        }
    }

    public func updateMember(name: String, _ change: MemberChange) async throws -> Bool {
        let (sql, values) = TeamTables.update(member: name, change, placeholder: "?")
        let arguments = StatementArguments(values.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .text(let text): text
            case .integer(let number): number
            case .boolean(let flag): flag
            }
        })
        return try await writeTeam("save the person") { db in
            try db.execute(sql: sql, arguments: arguments)
            return db.changesCount > 0
        }
    }

    public func addSession(_ session: TeamSession) async throws {
        try await writeTeam("start the session") { db in
            try db.execute(sql: "INSERT INTO team_sessions (\(ColumnLists.session)) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [session.digest, session.member, session.csrfToken, session.createdAt, session.lastSeenAt, session.endedAt])
        }
    }

    public func session(digest: String) async throws -> TeamSession? {
        try await run("read the session") {
            try await self.reader.read { db in
                try Row.fetchOne(db, sql: "SELECT \(ColumnLists.session) FROM team_sessions WHERE digest = ?", arguments: [digest]).map { try StoredRows.session($0) }
            }
        }
    }

    public func touchSession(digest: String, at: Int64) async throws {
        try await writeTeam("save the session") { db in
            try db.execute(sql: "UPDATE team_sessions SET last_seen_at = ? WHERE digest = ? AND ended_at IS NULL", arguments: [at, digest])
        }
    }

    public func endSession(digest: String, at: Int64) async throws {
        try await writeTeam("end the session") { db in
            try db.execute(sql: "UPDATE team_sessions SET ended_at = COALESCE(ended_at, ?) WHERE digest = ?", arguments: [at, digest])
        }
    }

    public func endSessions(member: String, at: Int64) async throws {
        try await writeTeam("end the sessions") { db in
            try db.execute(sql: "UPDATE team_sessions SET ended_at = ? WHERE member = ? AND ended_at IS NULL", arguments: [at, member])
        }
    }

    public func countSignInAttempt(keys: [String], at: Int64, since: Int64) async throws -> [Int] {
        // One write transaction: SQLite runs them one at a time, so each attempt counts every
        // one before it.
        try await writeTeam("count the sign-in attempt") { db in
            for key in keys { try db.execute(sql: "INSERT INTO sign_in_failures (key, at) VALUES (?, ?)", arguments: [key, at]) }
            // Old attempts count for nothing; dropped so the table stays small.
            try db.execute(sql: "DELETE FROM sign_in_failures WHERE at < ?", arguments: [at - 86_400])
            return try keys.map { key in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM sign_in_failures WHERE key = ? AND at >= ?", arguments: [key, since]) ?? 0
            }
        }
    }

    public func forgetSignInAttempt(key: String, at: Int64) async throws {
        try await writeTeam("forget the sign-in attempt") { db in
            try db.execute(sql: "DELETE FROM sign_in_failures WHERE rowid = (SELECT rowid FROM sign_in_failures WHERE key = ? AND at = ? LIMIT 1)",
                           arguments: [key, at])
        }
    }

    public func clearSignInFailures(key: String) async throws {
        try await writeTeam("clear the failed sign-ins") { db in
            try db.execute(sql: "DELETE FROM sign_in_failures WHERE key = ?", arguments: [key])
        }
    }
}
