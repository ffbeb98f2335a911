import Foundation
import LedgerMigrations
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import Ledger
import LedgerStorage
import LedgerTeam

/// The team's people, sessions and sign-in attempts.
extension PostgresLedgerStore {

    public func addMember(_ member: TeamMember) async throws {
        do {
            _ = try await client.query("""
                INSERT INTO team_members (\(unescaped: ColumnLists.member))
                VALUES (\(member.name), \(member.role.rawValue), \(member.email), \(member.passwordHash), \(member.setupDigest),
                        \(member.setupExpiresAt), \(member.disabledAt), \(member.createdAt), \(member.calendarDigest), \(member.language),
                        \(member.notifyWeekly), \(member.notifyOverdue), \(member.notifySince))
                """, logger: logger)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" && error.serverInfo?[.constraintName] == "team_members_pkey" {
            throw TeamMember.nameTaken(member.name)
        } catch {
            throw Self.storageError(error, doing: "add the person")
        }
    }

    public func members() async throws -> [TeamMember] {
        try await run("read the team") {
            var members: [TeamMember] = []
            let rows = try await self.client.query("SELECT \(unescaped: ColumnLists.member) FROM team_members ORDER BY created_at, name", logger: self.logger)
            for try await row in rows { members.append(try StoredRows.member(PostgresStoredRow(row))) }
            return members
        }
    }

    public func updateMember(name: String, _ change: MemberChange) async throws -> Bool {
        let (sql, values) = TeamTables.update(member: name, change, placeholder: "$")
        var bindings = PostgresBindings()
        for value in values {
            switch value {
            case .text(let text): bindings.append(text)
            case .integer(let number): bindings.append(number)
            case .boolean(let flag): bindings.append(flag)
            }
        }
        let query = PostgresQuery(unsafeSQL: sql + " RETURNING name", binds: bindings)
        return try await run("save the person") {
            let rows = try await self.client.query(query, logger: self.logger)
            var changed = false
            for try await _ in rows { changed = true }
            return changed
        }
    }

    public func addSession(_ session: TeamSession) async throws {
        try await execute("start the session", """
            INSERT INTO team_sessions (\(unescaped: ColumnLists.session))
            VALUES (\(session.digest), \(session.member), \(session.csrfToken), \(session.createdAt), \(session.lastSeenAt), \(session.endedAt))
            """)
    }

    public func session(digest: String) async throws -> TeamSession? {
        try await run("read the session") {
            let rows = try await self.client.query(
                "SELECT \(unescaped: ColumnLists.session) FROM team_sessions WHERE digest = \(digest)", logger: self.logger)
            var found: TeamSession?
            for try await row in rows { found = try StoredRows.session(PostgresStoredRow(row)) }
            return found
        }
    }

    public func touchSession(digest: String, at: Int64) async throws {
        try await execute("save the session", "UPDATE team_sessions SET last_seen_at = \(at) WHERE digest = \(digest) AND ended_at IS NULL")
    }

    public func endSession(digest: String, at: Int64) async throws {
        try await execute("end the session", "UPDATE team_sessions SET ended_at = COALESCE(ended_at, \(at)) WHERE digest = \(digest)")
    }

    public func endSessions(member: String, at: Int64) async throws {
        try await execute("end the sessions", "UPDATE team_sessions SET ended_at = \(at) WHERE member = \(member) AND ended_at IS NULL")
    }

    public func countSignInAttempt(keys: [String], at: Int64, since: Int64) async throws -> [Int] {
        // Under the lock, each attempt's insert and count see every attempt before it and
        // none after: of parallel attempts, exactly the first `limit` are under the limit.
        try await run("count the sign-in attempt") {
            try await self.client.withConnection { connection in
                try await Self.transaction(on: connection, logger: self.logger) { connection in
                    try await Self.execute("SELECT pg_advisory_xact_lock(\(Self.signInLockKey))", on: connection, logger: self.logger)
                    try await Self.execute("""
                        WITH dropped AS (DELETE FROM sign_in_failures WHERE at < \(at - 86_400))
                        INSERT INTO sign_in_failures (key, at) SELECT unnest(\(keys)::text[]), \(at)
                        """, on: connection, logger: self.logger)
                    let rows = try await connection.query("""
                        SELECT k, (SELECT count(*) FROM sign_in_failures WHERE key = k AND at >= \(since))
                        FROM unnest(\(keys)::text[]) WITH ORDINALITY AS wanted (k, n) ORDER BY n
                        """, logger: self.logger)
                    var counts: [Int] = []
                    for try await (_, count) in rows.decode((String, Int64).self) { counts.append(Int(count)) }
                    return counts
                }
            }
        }
    }

    public func forgetSignInAttempt(key: String, at: Int64) async throws {
        try await execute("forget the sign-in attempt", """
            DELETE FROM sign_in_failures WHERE ctid = (SELECT ctid FROM sign_in_failures WHERE key = \(key) AND at = \(at) LIMIT 1)
            """)
    }

    public func clearSignInFailures(key: String) async throws {
        try await execute("clear the failed sign-ins", "DELETE FROM sign_in_failures WHERE key = \(key)")
    }
}
