import Foundation
import LedgerMigrations
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import Ledger
import LedgerStorage

/// The team deployment: one ledger in a PostgreSQL database, shared by any number of
/// processes. Appends are one transaction per batch, serialised by a transaction-scoped
/// advisory lock (no sequence: sequences have gaps), inserted with one `unnest` statement,
/// and announced on the `ledger_head` channel when they commit.
public final class PostgresLedgerStore: LedgerStore, Service {
    /// The channel that hears `{"seq":N,"hash":"…"}` after every committed append or import.
    public static let headChannel = "ledger_head"
    /// Taken by every writer, and again by the insert trigger in Migrations/postgres.
    static let appendLockKey: Int64 = 7_262_616_760_393_318_401
    /// Taken while migrating, so two processes starting at once do not both apply a file.
    static let migrationLockKey: Int64 = 7_262_616_760_393_318_402
    /// Sign-in attempts are counted one at a time, under a lock of their own.
    static let signInLockKey: Int64 = 7_262_616_760_393_318_403

    public let url: PostgresURL
    public var displayName: String { url.displayName }
    let client: PostgresClient
    private let logger: Logger
    /// The client's run, when `startInBackground()` started it rather than a service group.
    private let backgroundRun = Mutex<Task<Void, Never>?>(nil)
    /// Set until the first append the database refused for this server's clock, which is logged once.
    private let clockWarning = Atomic<Bool>(true)
    /// The server is a hot standby (a streaming replica): it takes reads only, and cannot
    /// LISTEN, so changes are polled.
    public let isHotStandby: Bool

    /// Connects, then applies pending migrations when `create` is true. With `create`
    /// false, a database without a ledger is reported rather than given one, so a wrong
    /// database name cannot hide the real ledger.
    public static func open(_ url: PostgresURL, create: Bool, logger: Logger) async throws -> PostgresLedgerStore {
        try await open(url, access: create ? .create : .write, logger: logger)
    }

    /// Connects and checks the schema; with `.read` every session is read-only and nothing
    /// is migrated (a schema that needs migrating is an error naming the fix).
    ///
    /// The store's connection pool does its work in `run()`: run the store as a `Service`
    /// (in the server's service group, or beside the work that uses it) for as long as it
    /// is used; queries wait until it runs.
    /// - Parameter logger: for postgres-nio's background work; errors also reach callers as
    ///   thrown errors.
    public static func open(_ url: PostgresURL, access: LedgerAccess, logger: Logger) async throws -> PostgresLedgerStore {
        var url = url
        url.readOnly = access == .read
        // One direct connection first: the pool retries a failed connection for 15 s and
        // then reports only that it gave up, where a user needs "password authentication
        // failed" or "database does not exist" at once.
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: try url.connectionConfiguration, id: 1, logger: logger)
        } catch {
            let failure = Self.storageError(error, doing: "connect to \(url.displayName)")
            // No answer from a server at all (refused, timed out, no such host), or a server
            // that is starting up or shutting down (57P03, cannot_connect_now), as opposed to
            // a server that answered with a refusal that lasts.
            let serverInfo = (error as? PSQLError)?.serverInfo
            if serverInfo == nil || serverInfo?[.sqlState] == "57P03", let failure = failure as? LedgerError {
                throw LedgerError(kind: failure.kind, failure.message, remedy: .reachServer)
            }
            throw failure
        }
        let isHotStandby: Bool
        do {
            isHotStandby = try await connection.query("SELECT pg_is_in_recovery()", logger: logger).decode(Bool.self).first { _ in true } ?? false
            try await migrate(connection, access: isHotStandby ? .read : access, url: url, logger: logger)
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw Self.storageError(error, doing: "prepare the ledger in \(url.displayName)")
        }
        if isHotStandby && access != .read {
            throw LedgerError(kind: .storage, field: "database",
                              "\(url.displayName) is a hot standby (a read-only replica): write to its primary, or give it to `serve --read-database`")
        }
        return PostgresLedgerStore(url: url, client: PostgresClient(configuration: try url.clientConfiguration, backgroundLogger: logger),
                                   isHotStandby: isHotStandby, logger: logger)
    }

    private init(url: PostgresURL, client: PostgresClient, isHotStandby: Bool, logger: Logger) {
        self.url = url
        self.client = client
        self.isHotStandby = isHotStandby
        self.logger = logger
    }

    /// Runs the connection pool until the task is cancelled or the service group shuts down.
    public func run() async {
        await client.run()
    }

    /// Runs the pool in a task of its own until `close()`, for callers with no service group
    /// or scope to run it in (tests, one-off scripts).
    public func startInBackground() {
        backgroundRun.withLock { task in
            if task == nil { task = Task { [client] in await client.run() } }
        }
    }

    deinit { backgroundRun.withLock { $0?.cancel() } }

    public func close() async {
        guard let task = backgroundRun.withLock({ $0 }) else { return }
        task.cancel()
        await task.value
    }

    // MARK: Migrations

    static func migrate(_ connection: PostgresConnection, access: LedgerAccess, url: PostgresURL, logger: Logger) async throws {
        try await transaction(on: connection, logger: logger) { connection in
            // Checked before anything is created, so a role with SELECT and INSERT only
            // (which cannot create tables) opens an up-to-date ledger without error.
            let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
                .decode(Bool.self).first { _ in true } ?? false
            if !exists {
                guard access == .create else {
                    throw LedgerError(kind: .notFound, field: "database", "no ledger in \(url.displayName)", remedy: .createLedger)
                }
                try await execute("SELECT pg_advisory_xact_lock(\(migrationLockKey))", on: connection, logger: logger)
                try await execute("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version integer PRIMARY KEY, name text NOT NULL,
                        checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                    """, on: connection, logger: logger)
            }
            var applied: [AppliedMigration] = []
            for try await (version, name, checksum) in try await connection.query(
                "SELECT version, name, checksum FROM schema_migrations ORDER BY version", logger: logger
            ).decode((Int, String, String).self) {
                applied.append(AppliedMigration(version: version, name: name, checksum: checksum))
            }
            let plan = try MigrationPlan(known: LedgerMigrations.postgres, applied: applied)
            guard !plan.pending.isEmpty else { return }
            if access == .read {
                throw LedgerError(kind: .storage, field: "database",
                    "the ledger in \(url.displayName) needs a schema update (\(plan.pending.map(\.name).joined(separator: ", "))) that a read does not make", remedy: .migrateSchema)
            }
            try await execute("SELECT pg_advisory_xact_lock(\(migrationLockKey))", on: connection, logger: logger)
            // Another process may have migrated while this one waited for the lock.
            var versions: Set<Int> = []
            for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(Int.self) {
                versions.insert(version)
            }
            for migration in plan.pending where !versions.contains(migration.version) {
                // The SQL is the binary's own migration file; nothing in it comes from input.
                for statement in SQLScript.statements(migration.sql) {
                    try await execute(PostgresQuery(unsafeSQL: statement), on: connection, logger: logger)
                }
                try await execute("""
                    INSERT INTO schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(MigrationPlan.checksum(migration.sql)))
                    """, on: connection, logger: logger)
            }
        }
    }

    // MARK: LedgerStore

    public func head() async throws -> ChainHead {
        try await run("read the head") {
            try await self.client.withConnection { try await Self.head($0, logger: self.logger) }
        }
    }

    public func append(_ drafts: [EntryDraft], expectedHead: Int64?) async throws -> AppendedEntries {
        guard !drafts.isEmpty else { return AppendedEntries(entries: [], new: []) }
        return try await run("append to the ledger") {
            try await self.client.withConnection { connection in
                try await Self.transaction(on: connection, logger: self.logger) { connection in
                    try await self.append(drafts, expectedHead: expectedHead, on: connection)
                }
            }
        }
    }

    /// One round trip: the entries are made here from the caller's head, on this server's
    /// clock, and inserted by one autocommitted statement. The database's triggers check
    /// that they follow its head and that recorded_at is in order and within 10 s of its own
    /// clock (0007_recorded_at). A moved head is a conflict for the caller to fold and retry;
    /// a stored id (a retry) or a clock the database refuses takes the locked path above,
    /// which reads the stored entries and uses the database's clock.
    public func append(_ drafts: [EntryDraft], following head: ChainHead) async throws -> AppendedEntries {
        guard !drafts.isEmpty, drafts.count <= Self.insertChunk else { return try await append(drafts, expectedHead: head.seq) }
        let recordedAt = max(RecordedAt.string(from: Date()), head.recordedAt ?? "")
        var entries: [Entry] = []
        var previous = head
        for draft in drafts {
            let entry = Entry(draft: draft, seq: previous.seq + 1, recordedAt: recordedAt, prevHash: previous.hash)
            entries.append(entry)
            previous = ChainHead(seq: entry.seq, hash: entry.hash, recordedAt: entry.recordedAt)
        }
        do {
            try await client.withConnection { connection in try await self.insert(entries, on: connection) }
            return AppendedEntries(entries: entries, new: entries)
        } catch let error as PSQLError {
            let state = error.serverInfo?[.sqlState]
            let constraint = error.serverInfo?[.constraintName]
            if state == "23000" || (state == "23505" && constraint == "ledger_entries_pkey") {
                throw AppendConflict(expected: head.seq, actual: head.seq + 1)
            }
            if state == "23514", error.serverInfo?[.message]?.contains("database's clock") == true {
                if clockWarning.exchange(false, ordering: .relaxed) {
                    logger.warning("this server's clock is more than 10 s from the database's; appends take the database's clock (a round trip more each)")
                }
                return try await append(drafts, expectedHead: head.seq)
            }
            if state == "23505" && constraint == "ledger_entries_id_key" { return try await append(drafts, expectedHead: head.seq) }
            throw Self.storageError(error, doing: "append to the ledger")
        } catch {
            throw Self.storageError(error, doing: "append to the ledger")
        }
    }

    private func append(_ drafts: [EntryDraft], expectedHead: Int64?, on connection: PostgresConnection) async throws -> AppendedEntries {
        // The lock is held until COMMIT or ROLLBACK: from here on the head cannot move.
        let now = try await connection.query("""
            SELECT \(unescaped: Self.utcText("clock_timestamp()"))
            FROM pg_advisory_xact_lock(\(Self.appendLockKey))
            """, logger: logger).decode(String.self).first { _ in true } ?? RecordedAt.string(from: Date())
        // The head and any stored entries with the drafts' ids, in one round trip (after the
        // lock, so this statement sees every commit before it).
        var head = ChainHead.empty
        var stored: [Entry] = []
        let rows = try await connection.query("""
            (SELECT true, \(unescaped: Self.selectColumns) FROM ledger_entries ORDER BY seq DESC LIMIT 1)
            UNION ALL
            (SELECT false, \(unescaped: Self.selectColumns) FROM ledger_entries WHERE id = ANY(\(drafts.map(\.id))))
            """, logger: logger)
        for try await (isHead, seq, id, type, schema, subject, effective, recordedAt, author, visibility, payload, salt, prevHash, hash)
            in rows.decode((Bool, Int64, String, String, Int, String, String, String, String, String, String, String, String, String).self) {
            if isHead {
                head = ChainHead(seq: seq, hash: hash, recordedAt: recordedAt)
            } else {
                stored.append(try StoredEntryColumns((seq, id, type, schema, subject, effective, recordedAt, author, visibility, payload, salt, prevHash, hash)).entry())
            }
        }
        // The database's clock, so that several app servers agree.
        let plan = try AppendPlan(drafts: drafts, stored: stored, head: head, expectedHead: expectedHead, now: now)
        try await insert(plan.new, on: connection)
        return AppendedEntries(entries: plan.entries, new: plan.new)
    }

    public func importEntries(batches next: @escaping @Sendable () async throws -> [Entry]?) async throws {
        try await run("import into the ledger") {
            try await self.client.withConnection { connection in
                try await Self.transaction(on: connection, logger: self.logger) { connection in
                    try await Self.execute("SELECT pg_advisory_xact_lock(\(Self.appendLockKey))", on: connection, logger: self.logger)
                    // History recorded elsewhere: its times are checked for order, not against this clock.
                    try await Self.execute("SET LOCAL ledger.importing = 'on'", on: connection, logger: self.logger)
                    var head = try await Self.head(connection, logger: self.logger)
                    while let batch = try await next() {
                        guard let first = batch.first, let last = batch.last else { continue }
                        try LedgerTable.checkImport(first, continues: head)
                        try await self.insert(batch, on: connection)
                        head = ChainHead(seq: last.seq, hash: last.hash, recordedAt: last.recordedAt)
                    }
                }
            }
        }
    }

    public func rows(after seq: Int64, limit: Int, followupsWhole: Bool) async throws -> [StoredEntryColumns] {
        try await run("read the ledger") {
            try await self.client.withConnection { connection in
                try await self.fetchRows(connection, "SELECT \(unescaped: followupsWhole ? Self.selectColumns : Self.countedColumns) FROM ledger_entries WHERE seq > \(seq) ORDER BY seq LIMIT \(limit)")
            }
        }
    }

    public func entries(withIDs ids: [UUID]) async throws -> [Entry] {
        try await entries(where: "id", isAnyOf: ids)
    }

    public func entries(withSeqs seqs: [Int64]) async throws -> [Entry] {
        try await entries(where: "seq", isAnyOf: seqs)
    }

    public func entries(about subjects: [String]) async throws -> [Entry] {
        try await entries(where: "subject", isAnyOf: subjects)
    }

    /// The entries whose `column` (one of ours, never user text) is one of `values`, in seq order.
    private func entries<Value: PostgresArrayEncodable & Sendable>(where column: String, isAnyOf values: [Value]) async throws -> [Entry] {
        guard !values.isEmpty else { return [] }
        return try await run("read the ledger") {
            try await self.client.withConnection { connection in
                try await self.fetchEntries(connection, "SELECT \(unescaped: Self.selectColumns) FROM ledger_entries WHERE \(unescaped: column) = ANY(\(values)) ORDER BY seq")
            }
        }
    }

    /// Listens on `headChannel`, then checks the head, so no append can fall between the
    /// two; a notification ends the wait. Only a hot standby, which cannot listen, polls
    /// every `pollInterval`.
    public func waitForChange(after seq: Int64, pollInterval: Duration) async throws {
        if isHotStandby {
            while try await head().seq <= seq { try await Task.sleep(for: pollInterval) }
            return
        }
        try await run("watch the ledger") {
            try await self.client.withConnection { connection in
                try await connection.listen(on: Self.headChannel) { notifications in
                    if try await Self.head(connection, logger: self.logger).seq > seq { return }
                    for try await _ in notifications { return }
                }
            }
        }
    }

    // MARK: Guards

    /// The triggers on the ledger's tables as the catalog has them, compared with what the
    /// migrations create: each one present, enabled, and calling a function whose body is
    /// the migration's.
    public func appendOnlyGuardProblems() async throws -> [String] {
        let expected = PostgresGuards(migrations: LedgerMigrations.postgres)
        return try await run("read the ledger's triggers") {
            var found: [String: (table: String, enabled: String, function: String, body: String)] = [:]
            let rows = try await self.client.query("""
                SELECT t.tgname::text, c.relname::text, t.tgenabled::text, p.proname::text, p.prosrc
                FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
                WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace
                """, logger: self.logger)
            for try await (name, table, enabled, function, body) in rows.decode((String, String, String, String, String).self) {
                found[name] = (table, enabled, function, body)
            }
            return expected.problems(found: found)
        }
    }

    // MARK: Signed checkpoints

    private static let checkpointColumns = "number, tree_size, root_hash, note, verifier_key, signed_at"

    public func checkpoints(after number: Int64) async throws -> [StoredCheckpoint] {
        try await run("read the checkpoints") {
            try await self.fetchCheckpoints("SELECT \(unescaped: Self.checkpointColumns) FROM log_checkpoints WHERE number > \(number) ORDER BY number")
        }
    }

    public func latestCheckpoint() async throws -> StoredCheckpoint? {
        try await run("read the checkpoints") {
            try await self.fetchCheckpoints("SELECT \(unescaped: Self.checkpointColumns) FROM log_checkpoints ORDER BY tree_size DESC, number DESC LIMIT 1").first
        }
    }

    public func checkpoint(ofSize size: Int64) async throws -> StoredCheckpoint? {
        try await run("read the checkpoints") {
            try await self.fetchCheckpoints("SELECT \(unescaped: Self.checkpointColumns) FROM log_checkpoints WHERE tree_size = \(size) ORDER BY number DESC LIMIT 1").first
        }
    }

    private func fetchCheckpoints(_ query: PostgresQuery) async throws -> [StoredCheckpoint] {
        var checkpoints: [StoredCheckpoint] = []
        let rows = try await client.query(query, logger: logger)
        for try await (number, size, root, note, verifierKey, signedAt) in rows.decode((Int64, Int64, String, String, String, String).self) {
            checkpoints.append(StoredCheckpoint(number: number, size: size, root: root, note: note, verifierKey: verifierKey, signedAt: signedAt))
        }
        return checkpoints
    }

    public func addCheckpoint(_ checkpoint: StoredCheckpoint) async throws -> StoredCheckpoint {
        try await run("keep the checkpoint") {
            try await self.client.withConnection { connection in
                try await Self.transaction(on: connection, logger: self.logger) { connection in
                    // The writers' lock: no entry or other checkpoint lands between the
                    // trigger's check and this row.
                    try await Self.execute("SELECT pg_advisory_xact_lock(\(Self.appendLockKey))", on: connection, logger: self.logger)
                    let rows = try await connection.query("""
                        INSERT INTO log_checkpoints (tree_size, root_hash, note, verifier_key, signed_at)
                        VALUES (\(checkpoint.size), \(checkpoint.root), \(checkpoint.note), \(checkpoint.verifierKey), \(checkpoint.signedAt))
                        RETURNING number
                        """, logger: self.logger)
                    var stored = checkpoint
                    for try await number in rows.decode(Int64.self) { stored.number = number }
                    return stored
                }
            }
        }
    }

    // MARK: Published report editions

    public func reportEditions(month: String) async throws -> [ReportEdition] {
        try await run("read the report editions") {
            var editions: [ReportEdition] = []
            let rows = try await self.client.query("""
                SELECT month, edition, tree_size, checkpoint_number, content_hash, changed_seqs, published_at
                FROM report_editions WHERE month = \(month) ORDER BY edition
                """, logger: self.logger)
            for try await (month, edition, size, checkpoint, hash, changed, publishedAt) in rows.decode((String, Int, Int64, Int64, String, String, String).self) {
                editions.append(ReportEdition(month: month, edition: edition, treeSize: size, checkpointNumber: checkpoint, contentHash: hash,
                                              changedSeqs: ReportEdition.changedSeqs(fromText: changed), publishedAt: publishedAt))
            }
            return editions
        }
    }

    public func addReportEdition(_ edition: ReportEdition) async throws {
        try await run("keep the report edition") {
            try await self.client.withConnection { connection in
                try await Self.execute("""
                    INSERT INTO report_editions (month, edition, tree_size, checkpoint_number, content_hash, changed_seqs, published_at)
                    VALUES (\(edition.month), \(edition.edition), \(edition.treeSize), \(edition.checkpointNumber), \(edition.contentHash),
                            \(edition.changedSeqsText), \(edition.publishedAt))
                    """, on: connection, logger: self.logger)
            }
        }
    }

    // MARK: API tokens

    public func addToken(name: String, digest: String) async throws {
        do {
            _ = try await client.query("INSERT INTO api_tokens (name, digest) VALUES (\(name), \(digest))", logger: logger)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" && error.serverInfo?[.constraintName] == "api_tokens_live_name" {
            throw APIToken.nameTaken(name)
        } catch {
            throw Self.storageError(error, doing: "add the token")
        }
    }

    public func tokens() async throws -> [APIToken] {
        try await run("read the tokens") {
            var tokens: [APIToken] = []
            let rows = try await self.client.query("""
                SELECT name, digest, \(unescaped: Self.utcText("created_at")), \(unescaped: Self.utcText("revoked_at"))
                FROM api_tokens ORDER BY id
                """, logger: self.logger)
            for try await (name, digest, createdAt, revokedAt) in rows.decode((String, String, String, String?).self) {
                tokens.append(APIToken(name: name, digest: digest, createdAt: createdAt, revokedAt: revokedAt))
            }
            return tokens
        }
    }

    public func revokeToken(name: String) async throws -> Bool {
        try await run("revoke the token") {
            let rows = try await self.client.query(
                "UPDATE api_tokens SET revoked_at = now() WHERE name = \(name) AND revoked_at IS NULL RETURNING id", logger: self.logger)
            for try await _ in rows { return true }
            return false
        }
    }

    // MARK: The team's people and sessions

    private static let memberColumns = "name, role, email, password_hash, setup_digest, setup_expires_at, disabled_at, created_at, calendar_digest, language, notify_weekly, notify_overdue, notify_since"

    public func addMember(_ member: TeamMember) async throws {
        do {
            _ = try await client.query("""
                INSERT INTO team_members (\(unescaped: Self.memberColumns))
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
            let rows = try await self.client.query("SELECT \(unescaped: Self.memberColumns) FROM team_members ORDER BY created_at, name", logger: self.logger)
            for try await (name, role, email, hash, setup, expires, disabled, created, calendar, language, weekly, overdue, since)
                in rows.decode((String, String, String?, String?, String?, Int64?, Int64?, Int64, String?, String, Bool, Bool, Int64?).self) {
                var member = TeamMember(name: name, role: TeamRole(rawValue: role) ?? .viewer, email: email, passwordHash: hash, setupDigest: setup,
                                        setupExpiresAt: expires, disabledAt: disabled, createdAt: created)
                (member.calendarDigest, member.language, member.notifyWeekly, member.notifyOverdue, member.notifySince) = (calendar, language, weekly, overdue, since)
                members.append(member)
            }
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
            INSERT INTO team_sessions (digest, member, csrf_token, created_at, last_seen_at, ended_at)
            VALUES (\(session.digest), \(session.member), \(session.csrfToken), \(session.createdAt), \(session.lastSeenAt), \(session.endedAt))
            """)
    }

    public func session(digest: String) async throws -> TeamSession? {
        try await run("read the session") {
            let rows = try await self.client.query(
                "SELECT digest, member, csrf_token, created_at, last_seen_at, ended_at FROM team_sessions WHERE digest = \(digest)", logger: self.logger)
            var found: TeamSession?
            for try await (digest, member, csrf, created, seen, ended) in rows.decode((String, String, String, Int64, Int64, Int64?).self) {
                found = TeamSession(digest: digest, member: member, csrfToken: csrf, createdAt: created, lastSeenAt: seen, endedAt: ended)
            }
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

    // MARK: Mail and webhooks

    private static let mailColumns = "key, member, message, created_at, sent_at, attempts, next_attempt_at, last_error"

    private func mail(_ query: PostgresQuery) async throws -> [MailDelivery] {
        try await run("read the outbox") {
            var deliveries: [MailDelivery] = []
            let rows = try await self.client.query(query, logger: self.logger)
            for try await (key, member, message, created, sent, attempts, next, error) in rows.decode((String, String, String, Int64, Int64?, Int, Int64, String?).self) {
                deliveries.append(MailDelivery(key: key, member: member, message: message, createdAt: created, sentAt: sent, attempts: attempts,
                                               nextAttemptAt: next, lastError: error))
            }
            return deliveries
        }
    }

    public func addMailDelivery(_ delivery: MailDelivery) async throws -> Bool {
        try await run("keep the message") {
            let rows = try await self.client.query("""
                INSERT INTO mail_deliveries (\(unescaped: Self.mailColumns))
                VALUES (\(delivery.key), \(delivery.member), \(delivery.message), \(delivery.createdAt), \(delivery.sentAt), \(delivery.attempts),
                        \(delivery.nextAttemptAt), \(delivery.lastError))
                ON CONFLICT (key) DO NOTHING RETURNING key
                """, logger: self.logger)
            var added = false
            for try await _ in rows { added = true }
            return added
        }
    }

    public func dueMailDeliveries(at now: Int64) async throws -> [MailDelivery] {
        try await mail("SELECT \(unescaped: Self.mailColumns) FROM mail_deliveries WHERE sent_at IS NULL AND next_attempt_at <= \(now) ORDER BY created_at, key")
    }

    public func mailDeliveries(member: String, limit: Int) async throws -> [MailDelivery] {
        try await mail("SELECT \(unescaped: Self.mailColumns) FROM mail_deliveries WHERE member = \(member) ORDER BY created_at DESC, key LIMIT \(limit)")
    }

    public func saveMailAttempt(_ delivery: MailDelivery) async throws {
        try await execute("update the message", """
            UPDATE mail_deliveries SET sent_at = \(delivery.sentAt), attempts = \(delivery.attempts), next_attempt_at = \(delivery.nextAttemptAt),
                last_error = \(delivery.lastError) WHERE key = \(delivery.key) AND sent_at IS NULL
            """)
    }

    public func addWebhook(_ hook: Webhook) async throws -> Webhook {
        try await run("add the webhook") {
            let rows = try await self.client.query("""
                INSERT INTO webhooks (url, secret, public_only, created_at, removed_at, delivered_seq, attempts, next_attempt_at, last_error, allow_private)
                VALUES (\(hook.url), \(hook.secret), \(hook.publicOnly), \(hook.createdAt), \(hook.removedAt), \(hook.deliveredSeq), \(hook.attempts),
                        \(hook.nextAttemptAt), \(hook.lastError), \(hook.allowPrivate))
                RETURNING id
                """, logger: self.logger)
            var added = hook
            for try await id in rows.decode(Int64.self) { added.id = id }
            return added
        }
    }

    public func webhooks() async throws -> [Webhook] {
        try await run("read the webhooks") {
            var hooks: [Webhook] = []
            let rows = try await self.client.query(
                "SELECT id, url, secret, public_only, created_at, removed_at, delivered_seq, attempts, next_attempt_at, last_error, allow_private FROM webhooks ORDER BY id",
                logger: self.logger)
            for try await (id, url, secret, publicOnly, created, removed, delivered, attempts, next, error, allowPrivate)
                in rows.decode((Int64, String, String, Bool, Int64, Int64?, Int64, Int, Int64, String?, Bool).self) {
                var hook = Webhook(id: id, url: url, secret: secret, publicOnly: publicOnly, createdAt: created, removedAt: removed,
                                   deliveredSeq: delivered, attempts: attempts, nextAttemptAt: next, lastError: error)
                hook.allowPrivate = allowPrivate
                hooks.append(hook)
            }
            return hooks
        }
    }

    public func removeWebhook(id: Int64, at: Int64) async throws -> Bool {
        try await run("remove the webhook") {
            let rows = try await self.client.query("UPDATE webhooks SET removed_at = \(at) WHERE id = \(id) AND removed_at IS NULL RETURNING id", logger: self.logger)
            var removed = false
            for try await _ in rows { removed = true }
            return removed
        }
    }

    public func saveWebhookProgress(_ hook: Webhook) async throws {
        try await execute("update the webhook", """
            UPDATE webhooks SET delivered_seq = \(hook.deliveredSeq), attempts = \(hook.attempts), next_attempt_at = \(hook.nextAttemptAt),
                last_error = \(hook.lastError) WHERE id = \(hook.id) AND removed_at IS NULL AND delivered_seq <= \(hook.deliveredSeq)
            """)
    }

    public func addWebhookDelivery(_ delivery: WebhookDelivery) async throws {
        try await execute("log the delivery", """
            INSERT INTO webhook_deliveries (hook_id, seq, at, status, error)
            VALUES (\(delivery.hookID), \(delivery.seq), \(delivery.at), \(delivery.status), \(delivery.error))
            """)
    }

    public func webhookDeliveries(hookID: Int64, limit: Int) async throws -> [WebhookDelivery] {
        try await run("read the deliveries") {
            var deliveries: [WebhookDelivery] = []
            let rows = try await self.client.query(
                "SELECT hook_id, seq, at, status, error FROM webhook_deliveries WHERE hook_id = \(hookID) ORDER BY at DESC, ctid DESC LIMIT \(limit)",
                logger: self.logger)
            for try await (hook, seq, at, status, error) in rows.decode((Int64, Int64, Int64, Int?, String?).self) {
                deliveries.append(WebhookDelivery(hookID: hook, seq: seq, at: at, status: status, error: error))
            }
            return deliveries
        }
    }

    // MARK: Snapshots of the fold

    public func snapshot(audience: Visibility, detail: LedgerRecords.Detail) async throws -> ProjectionSnapshot? {
        try await run("read the snapshot") {
            let rows = try await self.client.query("""
                SELECT seq, head_hash, head_recorded_at, merkle_root, format, created_at, body
                FROM projection_snapshots WHERE audience = \(audience.rawValue) AND detail = \(detail.rawValue) ORDER BY part
                """, logger: self.logger)
            var parts: [ProjectionSnapshot] = []
            for try await (seq, hash, recordedAt, root, format, createdAt, body) in rows.decode((Int64, String, String?, String, Int, Int64, ByteBuffer).self) {
                parts.append(ProjectionSnapshot(audience: audience, detail: detail, head: ChainHead(seq: seq, hash: hash, recordedAt: recordedAt), merkleRoot: root,
                                                format: format, createdAt: createdAt, body: Data(body.readableBytesView)))
            }
            return ProjectionSnapshot.joined(parts)
        }
    }

    public func saveSnapshot(_ snapshot: ProjectionSnapshot) async throws {
        try await run("keep the snapshot") {
            try await self.client.withConnection { connection in
                try await Self.transaction(on: connection, logger: self.logger) { connection in
                    try await Self.execute("""
                        DELETE FROM projection_snapshots WHERE audience = \(snapshot.audience.rawValue) AND detail = \(snapshot.detail.rawValue)
                        """, on: connection, logger: self.logger)
                    for (part, body) in snapshot.parts().enumerated() {
                        try await Self.execute("""
                            INSERT INTO projection_snapshots (audience, detail, part, seq, head_hash, head_recorded_at, merkle_root, format, created_at, body)
                            VALUES (\(snapshot.audience.rawValue), \(snapshot.detail.rawValue), \(part), \(snapshot.head.seq), \(snapshot.head.hash), \(snapshot.head.recordedAt),
                                    \(snapshot.merkleRoot), \(snapshot.format), \(snapshot.createdAt), \(ByteBuffer(bytes: body)))
                            """, on: connection, logger: self.logger)
                    }
                }
            }
        }
    }

    /// One statement whose rows, if any, are read to the end so a refusal is never lost.
    private func execute(_ doing: String, _ query: PostgresQuery) async throws {
        try await run(doing) {
            try await self.client.withConnection { connection in try await Self.execute(query, on: connection, logger: self.logger) }
        }
    }

    /// A timestamptz column as the ledger writes times: `2026-11-22T08:30:07.123Z`.
    private static func utcText(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }

    // MARK: Rows

    /// Rows per INSERT: one statement binds one array per column, so a batch costs a round
    /// trip per chunk, not per entry; chunks keep each message a few megabytes at most.
    private static let insertChunk = 5_000

    private func insert(_ entries: [Entry], on connection: PostgresConnection) async throws {
        guard let last = entries.last else { return }
        // Delivered by the server only if the transaction commits; sent with the last chunk.
        let announcement = JSONValue.object(["seq": .int(last.seq), "hash": .string(last.hash)]).canonicalText
        for start in stride(from: 0, to: entries.count, by: Self.insertChunk) {
            let chunk = entries[start..<min(start + Self.insertChunk, entries.count)]
            let insert = InsertEntries(chunk: chunk, announcement: start + Self.insertChunk >= entries.count ? announcement : nil)
            for try await _ in try await connection.execute(insert, logger: logger) {}
        }
    }

    /// The one INSERT every append and import runs, prepared once per connection: planning
    /// it anew each time was about a third of a single append (0.65 against 0.42 ms a row
    /// in `pgbench`, unprepared against prepared).
    private struct InsertEntries: PostgresPreparedStatement {
        typealias Row = Void
        static let name = "ledger_insert_entries"
        static let sql = """
            WITH inserted AS (
                INSERT INTO ledger_entries (\(LedgerTable.columns))
                SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::integer[], $5::text[], $6::text[], $7::text[],
                    $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[]))
            SELECT pg_notify('\(PostgresLedgerStore.headChannel)', $14) WHERE $14 IS NOT NULL
            """
        /// Declared, not inferred from the first call's values: the announcement is NULL in most.
        static let bindingDataTypes: [PostgresDataType] = [.int8Array, .uuidArray, .textArray, .int8Array]
            + Array(repeating: .textArray, count: 9) + [.text]

        var chunk: ArraySlice<Entry>
        /// The new head for listeners, with the last chunk only.
        var announcement: String?

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 14)
            bindings.append(chunk.map(\.seq))
            bindings.append(chunk.map(\.id))
            bindings.append(chunk.map(\.type.rawValue))
            bindings.append(chunk.map(\.schema))
            bindings.append(chunk.map(\.subject))
            bindings.append(chunk.map(\.effective.description))
            bindings.append(chunk.map(\.recordedAt))
            bindings.append(chunk.map(\.author))
            bindings.append(chunk.map(\.visibility.rawValue))
            bindings.append(chunk.map(\.payload.canonicalText))
            bindings.append(chunk.map(\.salt))
            bindings.append(chunk.map(\.prevHash))
            bindings.append(chunk.map(\.hash))
            bindings.append(announcement)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws {}
    }

    private static func head(_ connection: PostgresConnection, logger: Logger) async throws -> ChainHead {
        let rows = try await connection.query("SELECT seq, hash, recorded_at FROM ledger_entries ORDER BY seq DESC LIMIT 1", logger: logger)
        for try await (seq, hash, recordedAt) in rows.decode((Int64, String, String).self) {
            return ChainHead(seq: seq, hash: hash, recordedAt: recordedAt)
        }
        return .empty
    }

    /// The shared column list with the id read as text, as it is hashed (the column is a uuid).
    private static let selectColumns = LedgerTable.columns(followupsWhole: true, id: "id::text")
    private static let countedColumns = LedgerTable.columns(followupsWhole: false, id: "id::text", unread: "NULL")

    private func fetchRows(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> [StoredEntryColumns] {
        var stored: [StoredEntryColumns] = []
        let rows = try await connection.query(query, logger: logger)
        // Cell by cell, each of a concrete type: decoding the row as a 13-tuple looks the
        // tuple's type up in the runtime's caches on every row (a tenth of `verify`).
        for try await row in rows {
            var cells = row.makeIterator()
            stored.append(StoredEntryColumns((
                try Self.next(&cells, Int64.self), try Self.unreadOrNext(&cells), try Self.next(&cells, String.self),
                try Self.next(&cells, Int.self), try Self.next(&cells, String.self), try Self.next(&cells, String.self),
                try Self.next(&cells, String.self), try Self.unreadOrNext(&cells), try Self.next(&cells, String.self),
                try Self.unreadOrNext(&cells), try Self.unreadOrNext(&cells), try Self.unreadOrNext(&cells),
                try Self.next(&cells, String.self))))
        }
        return stored
    }

    @inline(__always)
    private static func next<T: PostgresDecodable>(_ cells: inout PostgresRow.Iterator, _ type: T.Type) throws -> T {
        guard let cell = cells.next() else {
            throw LedgerError(kind: .storage, "a row of ledger_entries has fewer columns than \(LedgerTable.columns)")
        }
        return try cell.decode(type)
    }

    /// A column `countedColumns` may leave unread (NULL): read as '', as SQLite's is.
    @inline(__always)
    private static func unreadOrNext(_ cells: inout PostgresRow.Iterator) throws -> String {
        try next(&cells, String?.self) ?? ""
    }

    private func fetchEntries(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> [Entry] {
        try await fetchRows(connection, query).map { try $0.entry() }
    }

    // MARK: Transactions and errors

    /// Runs a statement to its end, reading every row it returns. postgres-nio answers a
    /// query once the row description arrives, so an error raised while the statement runs
    /// (a refused permission, a trigger) arrives with the rows: left unread, it is lost,
    /// and the COMMIT that follows quietly rolls the transaction back.
    private static func execute(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws {
        for try await _ in try await connection.query(query, logger: logger) {}
    }

    /// BEGIN … COMMIT, rolling back on any error and rethrowing that error itself
    /// (postgres-nio's `withTransaction` wraps it, which would hide `AppendConflict`).
    private static func transaction<T>(on connection: PostgresConnection, logger: Logger,
                                       _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await connection.query("BEGIN", logger: logger)
        do {
            let value = try await body(connection)
            try await connection.query("COMMIT", logger: logger)
            return value
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    private func run<T: Sendable>(_ doing: String, _ body: @Sendable () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw Self.storageError(error, doing: doing)
        }
    }

    /// A one-line message that names the server's complaint; ledger errors and conflicts
    /// pass through unchanged.
    static func storageError(_ error: any Error, doing: String) -> any Error {
        if error is LedgerError || error is AppendConflict { return error }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                let detail = error.serverInfo?[.detail].map { ": \($0)" } ?? ""
                // A lock wait that timed out, a cancelled statement, a serialisation failure or deadlock.
                if ["55P03", "57014", "40001", "40P01"].contains(error.serverInfo?[.sqlState] ?? "") {
                    return LedgerError.busy(doing, "another writer held the ledger for too long (PostgreSQL said \(message)\(state))")
                }
                return LedgerError.storage(doing, "PostgreSQL said \(message)\(detail)\(state)")
            }
            return LedgerError.storage(doing, error.underlying.map { "\($0)" } ?? "\(error.code)")
        }
        return LedgerError.storage(doing, "\(error)")
    }
}
