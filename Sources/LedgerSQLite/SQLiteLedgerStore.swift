import Foundation
import GRDB
import Synchronization
import LedgerMigrations
import Ledger
import LedgerStorage

/// The embedded default: one SQLite file, WAL, `synchronous=FULL`, appends under
/// `BEGIN IMMEDIATE` so writers from any number of processes queue for the write lock.
public final class SQLiteLedgerStore: LedgerStore {
    public let path: String
    public var displayName: String { path }
    public let access: LedgerAccess
    /// Reads go through a read-only connection (or the pool, once a new ledger was created).
    private let reader: any DatabaseReader
    /// The writing pool (WAL, one writer), opened on the first write: GRDB's pool writes to
    /// the file as it opens, so a command that ends up writing nothing (a refused import or
    /// append) must never open it, and leaves the file's bytes as they were.
    private let writer: Mutex<DatabasePool?>
    private let configuration: Configuration

    /// Opens (creating if needed) the ledger at `path` and brings its schema up to date.
    public convenience init(path: String, busyTimeout: TimeInterval = 10) throws {
        try self.init(path: path, access: .create, busyTimeout: busyTimeout)
    }

    /// Opens the ledger at `path`. A file that is not a ledger (empty, another program's
    /// database, not SQLite at all) is refused as such, and with `.read` nothing is written.
    /// - Parameter busyTimeout: how long an append waits for another process's write.
    public init(path: String, access: LedgerAccess, busyTimeout: TimeInterval = 10) throws {
        self.path = path
        self.access = access
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "ledger"
        self.configuration = configuration
        do {
            let exists = FileManager.default.fileExists(atPath: path)
            if !exists && access != .create {
                throw LedgerError(kind: .notFound, field: "database", "no ledger at \(path)", remedy: .createLedger)
            }
            // Look before touching: opening for writing would switch the file to WAL mode
            // and create tables, which must never happen to a file that is not a ledger.
            let (schema, probe) = exists ? try Self.probe(path, configuration) : (.empty, nil)
            try schema.check(path: path, access: access)
            if case .ledger(let plan) = schema, plan.pending.isEmpty, let probe {
                reader = probe
                writer = Mutex(nil)
            } else {
                // A new ledger, or one whose schema needs the migrations: only writers get here.
                try probe?.close()
                let pool = try Self.openPool(path, configuration)
                try Self.migrate(pool)
                reader = pool
                writer = Mutex(pool)
            }
        } catch let error as DatabaseError {
            if error.resultCode == .SQLITE_NOTADB {
                throw LedgerError(kind: .notFound, field: "database", "\(path) is not a ledger (not a SQLite database at all)")
            }
            throw Self.storageError(error, doing: "open the ledger at \(path)")
        }
    }

    private static func openPool(_ path: String, _ configuration: Configuration) throws -> DatabasePool {
        let pool = try DatabasePool(path: path, configuration: configuration)
        // A committed entry must survive a power cut; the NORMAL that GRDB sets for WAL
        // does not promise that. Set after opening, on the one writing connection,
        // because GRDB's WAL set-up runs after `prepareDatabase`.
        try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        return pool
    }

    /// The writing pool, opened on first use; refused when the ledger was opened to read.
    private func writingPool(_ doing: String) throws -> DatabasePool {
        if access == .read { throw LedgerError(kind: .storage, "could not \(doing): the ledger was opened for reading only") }
        return try writer.withLock { pool in
            if let pool { return pool }
            do {
                let opened = try Self.openPool(path, configuration)
                pool = opened
                return opened
            } catch let error as DatabaseError {
                throw Self.storageError(error, doing: doing)
            }
        }
    }

    /// What a file holds, as far as the ledger is concerned.
    enum Schema {
        case empty
        case foreign(tables: [String])
        case ledger(plan: MigrationPlan)

        func check(path: String, access: LedgerAccess) throws {
            switch self {
            case .empty where access != .create:
                throw LedgerError(kind: .notFound, field: "database", "\(path) is not a ledger (an empty database)", remedy: .createLedger)
            case .foreign(let tables):
                let listed = tables.prefix(3).joined(separator: ", ") + (tables.count > 3 ? ", …" : "")
                throw LedgerError(kind: .notFound, field: "database", "\(path) is not a ledger: it is a SQLite database with other tables (\(EntryValidator.quoted(listed))); choose another file")
            case .ledger(let plan) where access == .read && !plan.pending.isEmpty:
                throw LedgerError(kind: .storage, field: "database", "the ledger at \(path) needs a schema update (\(plan.pending.map(\.name).joined(separator: ", "))) that a read does not make", remedy: .migrateSchema)
            default:
                break
            }
        }
    }

    /// Opens the file read-only and reads what it holds. The reader is kept for `.read`.
    /// A reader who may not create the WAL's shared-memory file next to it (a folder they
    /// cannot write) still reads it, as immutable: SQLite then takes no locks at all.
    private static func probe(_ path: String, _ configuration: Configuration) throws -> (Schema, DatabaseQueue) {
        var readOnly = configuration
        readOnly.readonly = true
        var queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: readOnly)
            _ = try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master") }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CANTOPEN || error.resultCode == .SQLITE_READONLY {
            queue = try DatabaseQueue(path: immutableURI(path), configuration: readOnly)
        }
        let schema = try queue.read { db -> Schema in
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            if tables.isEmpty { return .empty }
            guard tables.contains("schema_migrations"), tables.contains("ledger_entries") else { return .foreign(tables: tables) }
            let applied = try Row.fetchAll(db, sql: "SELECT version, name, checksum FROM schema_migrations ORDER BY version")
            return .ledger(plan: try MigrationPlan(known: LedgerMigrations.sqlite, applied: applied.map {
                AppliedMigration(version: $0["version"], name: $0["name"], checksum: $0["checksum"])
            }))
        }
        return (schema, queue)
    }

    /// A `file:` URI for `path` with `immutable=1` (the system SQLite reads URIs).
    static func immutableURI(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        return "file:" + (absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute) + "?immutable=1"
    }

    /// A PRAGMA as the writing connection sees it (for tests of the durability settings).
    func writerPragma(_ name: String) throws -> String? {
        try writingPool("read a pragma").writeWithoutTransaction { try String.fetchOne($0, sql: "PRAGMA \(name)") }
    }

    // MARK: Migrations

    static func migrate(_ pool: DatabasePool) throws {
        try pool.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version INTEGER PRIMARY KEY, name TEXT NOT NULL,
                        checksum TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT
                    """)
                let applied = try Row.fetchAll(db, sql: "SELECT version, name, checksum FROM schema_migrations ORDER BY version")
                let plan = try MigrationPlan(known: LedgerMigrations.sqlite, applied: applied.map {
                    AppliedMigration(version: $0["version"], name: $0["name"], checksum: $0["checksum"])
                })
                for migration in plan.pending {
                    try db.execute(sql: migration.sql)
                    try db.execute(
                        sql: "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
                        arguments: [migration.version, migration.name, MigrationPlan.checksum(migration.sql), RecordedAt.string(from: Date())])
                }
                return .commit
            }
        }
    }

    // MARK: LedgerStore

    /// Folds the WAL into the file, then closes: each command leaves a complete file, so
    /// the next one (a read, a refused import) finds nothing to fold in and leaves the
    /// file's bytes as they are. Explicit, because the pool's read-only readers cannot
    /// checkpoint when one of them happens to close last.
    public func close() async {
        if let pool = writer.withLock({ $0 }) {
            _ = try? await pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
            try? pool.close()
        }
        try? reader.close()
    }

    public func head() async throws -> ChainHead {
        try await run("read the head") { try await self.reader.read(Self.head) }
    }

    public func append(_ drafts: [EntryDraft], expectedHead: Int64?) async throws -> AppendedEntries {
        guard !drafts.isEmpty else { return AppendedEntries(entries: [], new: []) }
        let pool = try writingPool("append to the ledger")
        return try await run("append to the ledger") {
            try await pool.writeWithoutTransaction { db in
                var written = AppendedEntries(entries: [], new: [])
                try db.inTransaction(.immediate) {
                    written = try Self.append(drafts, expectedHead: expectedHead, in: db)
                    return .commit
                }
                return written
            }
        }
    }

    private static func append(_ drafts: [EntryDraft], expectedHead: Int64?, in db: Database) throws -> AppendedEntries {
        // The clock may step back between processes; the plan keeps recorded_at from doing so.
        let plan = try AppendPlan(
            drafts: drafts,
            stored: try fetchEntries(db, sql: "SELECT \(LedgerTable.columns) FROM ledger_entries WHERE id IN (SELECT value FROM json_each(?))",
                                     arguments: [JSONValue.array(drafts.map { .string($0.id.uuidString.lowercased()) }).canonicalText]),
            head: try head(db), expectedHead: expectedHead, now: RecordedAt.string(from: Date()))
        let insert = try db.cachedStatement(sql: insertSQL)
        for entry in plan.new { try insert.execute(arguments: arguments(for: entry)) }
        return AppendedEntries(entries: plan.entries, new: plan.new)
    }

    public func importEntries(batches next: @escaping @Sendable () async throws -> [Entry]?) async throws {
        let pool = try writingPool("import into the ledger")
        try await run("import into the ledger") {
            try await pool.writeWithoutTransaction { db in
                // Each INSERT of the import keeps a statement journal (the triggers may abort
                // it), of the pages it changes that earlier ones had changed. Once one outgrew
                // 64 KB, SQLite moved it to a temporary file and wrote every later one there:
                // five writes an entry. In memory it stays a few pages.
                // And an import's index pages (the ids are random) outgrow SQLite's default
                // cache of 2 MB, which then writes them to the WAL and reads them back over
                // and over: at 1M an import took 33–34 s with 2 MB, 25–28 s with 64 MB.
                let settings = try Self.pragmas(["temp_store", "cache_size"], db)
                try db.execute(sql: "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536")
                defer { try? db.execute(sql: settings.map { "PRAGMA \($0.key) = \($0.value);" }.joined()) }
                try db.inTransaction(.immediate) {
                    var head = try Self.head(db)
                    let insert = try db.cachedStatement(sql: Self.insertSQL)
                    while let batch = try Self.waitFor(next) {
                        guard let first = batch.first, let last = batch.last else { continue }
                        try LedgerTable.checkImport(first, continues: head)
                        for entry in batch { try insert.execute(arguments: Self.arguments(for: entry)) }
                        head = ChainHead(seq: last.seq, hash: last.hash, recordedAt: last.recordedAt)
                    }
                    return .commit
                }
            }
        }
    }

    /// The values of `names` (PRAGMAs that read as an integer), to put back after changing them.
    private static func pragmas(_ names: [String], _ db: Database) throws -> [String: Int] {
        try Dictionary(uniqueKeysWithValues: names.map { ($0, try Int.fetchOne(db, sql: "PRAGMA \($0)") ?? 0) })
    }

    /// Waits, on GRDB's writer thread (a dispatch queue's, not one of Swift concurrency's
    /// own), for async work done on the cooperative pool: the import's transaction stays on
    /// its connection while the next batch is checked.
    private static func waitFor<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<T, any Error>?>(nil)
        Task {
            let result: Result<T, any Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try outcome.withLock { $0! }.get()
    }

    public func rows(after seq: Int64, limit: Int, followupsWhole: Bool) async throws -> [StoredEntryColumns] {
        try await run("read the ledger") {
            try await self.reader.read { db in
                try Self.fetchRows(db, sql: "SELECT \(followupsWhole ? LedgerTable.columns : Self.countedColumns) FROM ledger_entries WHERE seq > ? ORDER BY seq LIMIT ?",
                                   arguments: [seq, limit])
            }
        }
    }

    public func entries(withIDs ids: [UUID]) async throws -> [Entry] {
        try await entries(where: "id", isAnyOf: ids.map { .string($0.uuidString.lowercased()) })
    }

    public func entries(withSeqs seqs: [Int64]) async throws -> [Entry] {
        try await entries(where: "seq", isAnyOf: seqs.map { .int($0) })
    }

    public func entries(about subjects: [String]) async throws -> [Entry] {
        try await entries(where: "subject", isAnyOf: subjects.map { .string($0) })
    }

    /// The entries whose `column` (one of ours, never user text) is one of `values`, in seq
    /// order: the values go in as one JSON array, so any number of them is one statement.
    private func entries(where column: String, isAnyOf values: [JSONValue]) async throws -> [Entry] {
        try await run("read the ledger") {
            try await self.reader.read { db in
                try Self.fetchEntries(db, sql: "SELECT \(LedgerTable.columns) FROM ledger_entries WHERE \(column) IN (SELECT value FROM json_each(?)) ORDER BY seq",
                                      arguments: [JSONValue.array(values).canonicalText])
            }
        }
    }

    // MARK: Signed checkpoints

    private static let checkpointColumns = "number, tree_size, root_hash, note, verifier_key, signed_at"

    public func checkpoints(after number: Int64) async throws -> [StoredCheckpoint] {
        try await run("read the checkpoints") {
            try await self.reader.read { db in
                try Self.fetchCheckpoints(db, sql: "SELECT \(Self.checkpointColumns) FROM log_checkpoints WHERE number > ? ORDER BY number", arguments: [number])
            }
        }
    }

    public func latestCheckpoint() async throws -> StoredCheckpoint? {
        try await run("read the checkpoints") {
            try await self.reader.read { db in
                try Self.fetchCheckpoints(db, sql: "SELECT \(Self.checkpointColumns) FROM log_checkpoints ORDER BY tree_size DESC, number DESC LIMIT 1").first
            }
        }
    }

    public func checkpoint(ofSize size: Int64) async throws -> StoredCheckpoint? {
        try await run("read the checkpoints") {
            try await self.reader.read { db in
                try Self.fetchCheckpoints(db, sql: "SELECT \(Self.checkpointColumns) FROM log_checkpoints WHERE tree_size = ? ORDER BY number DESC LIMIT 1",
                                          arguments: [size]).first
            }
        }
    }

    private static func fetchCheckpoints(_ db: Database, sql: String, arguments: StatementArguments = []) throws -> [StoredCheckpoint] {
        try Row.fetchAll(db, sql: sql, arguments: arguments).map {
            StoredCheckpoint(number: $0[0], size: $0[1], root: $0[2], note: $0[3], verifierKey: $0[4], signedAt: $0[5])
        }
    }

    public func addCheckpoint(_ checkpoint: StoredCheckpoint) async throws -> StoredCheckpoint {
        let pool = try writingPool("keep the checkpoint")
        return try await run("keep the checkpoint") {
            try await pool.write { db in
                try db.execute(sql: "INSERT INTO log_checkpoints (tree_size, root_hash, note, verifier_key, signed_at) VALUES (?, ?, ?, ?, ?)",
                               arguments: [checkpoint.size, checkpoint.root, checkpoint.note, checkpoint.verifierKey, checkpoint.signedAt])
                var stored = checkpoint
                stored.number = db.lastInsertedRowID
                return stored
            }
        }
    }

    // MARK: Published report editions

    public func reportEditions(month: String) async throws -> [ReportEdition] {
        try await run("read the report editions") {
            try await self.reader.read { db in
                try Row.fetchAll(db, sql: "SELECT month, edition, tree_size, checkpoint_number, content_hash, changed_seqs, published_at FROM report_editions WHERE month = ? ORDER BY edition",
                                 arguments: [month]).map {
                    ReportEdition(month: $0[0], edition: $0[1], treeSize: $0[2], checkpointNumber: $0[3], contentHash: $0[4],
                                  changedSeqs: ReportEdition.changedSeqs(fromText: $0[5]), publishedAt: $0[6])
                }
            }
        }
    }

    public func addReportEdition(_ edition: ReportEdition) async throws {
        let pool = try writingPool("keep the report edition")
        try await run("keep the report edition") {
            try await pool.write { db in
                try db.execute(sql: "INSERT INTO report_editions (month, edition, tree_size, checkpoint_number, content_hash, changed_seqs, published_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               arguments: [edition.month, edition.edition, edition.treeSize, edition.checkpointNumber, edition.contentHash,
                                           edition.changedSeqsText, edition.publishedAt])
            }
        }
    }

    // MARK: API tokens

    public func addToken(name: String, digest: String) async throws {
        let pool = try writingPool("add the token")
        try await run("add the token") {
            try await pool.write { db in
                // Looked up in the same write transaction, so no other writer gets in between:
                // SQLite names the broken index only in its message text, which is not an API.
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM api_tokens WHERE name = ? AND revoked_at IS NULL", arguments: [name]) != nil {
                    throw APIToken.nameTaken(name)
                }
                try db.execute(sql: "INSERT INTO api_tokens (name, digest, created_at) VALUES (?, ?, ?)",
                               arguments: [name, digest, RecordedAt.string(from: Date())])
            }
        }
    }

    public func tokens() async throws -> [APIToken] {
        try await run("read the tokens") {
            try await self.reader.read { db in
                try Row.fetchAll(db, sql: "SELECT name, digest, created_at, revoked_at FROM api_tokens ORDER BY id").map {
                    APIToken(name: $0[0], digest: $0[1], createdAt: $0[2], revokedAt: $0[3])
                }
            }
        }
    }

    public func revokeToken(name: String) async throws -> Bool {
        let pool = try writingPool("revoke the token")
        return try await run("revoke the token") {
            try await pool.write { db in
                try db.execute(sql: "UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                               arguments: [RecordedAt.string(from: Date()), name])
                return db.changesCount > 0
            }
        }
    }

    // MARK: The team's people and sessions

    private static let memberColumns = "name, role, email, password_hash, setup_digest, setup_expires_at, disabled_at, created_at, calendar_digest, language, notify_weekly, notify_overdue, notify_since"
    private static let sessionColumns = "digest, member, csrf_token, created_at, last_seen_at, ended_at"

    private static func member(_ row: Row) -> TeamMember {
        var member = TeamMember(name: row[0], role: TeamRole(rawValue: row[1]) ?? .viewer, email: row[2], passwordHash: row[3], setupDigest: row[4],
                                setupExpiresAt: row[5], disabledAt: row[6], createdAt: row[7])
        (member.calendarDigest, member.language, member.notifyWeekly, member.notifyOverdue, member.notifySince) = (row[8], row[9], row[10], row[11], row[12])
        return member
    }

    private static func memberArguments(_ member: TeamMember) -> StatementArguments {
        [member.name, member.role.rawValue, member.email, member.passwordHash, member.setupDigest, member.setupExpiresAt,
         member.disabledAt, member.createdAt, member.calendarDigest, member.language, member.notifyWeekly, member.notifyOverdue, member.notifySince]
    }

    /// One write transaction for the team's tables.
    private func writeTeam<T: Sendable>(_ doing: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let pool = try writingPool(doing)
        return try await run(doing) { try await pool.write(body) }
    }

    public func addMember(_ member: TeamMember) async throws {
        try await writeTeam("add the person") { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM team_members WHERE name = ?", arguments: [member.name]) != nil {
                throw TeamMember.nameTaken(member.name)
            }
            try db.execute(sql: "INSERT INTO team_members (\(Self.memberColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", arguments: Self.memberArguments(member))
        }
    }

    public func members() async throws -> [TeamMember] {
        try await run("read the team") {
            try await self.reader.read { db in
                try Row.fetchAll(db, sql: "SELECT \(Self.memberColumns) FROM team_members ORDER BY created_at, name").map(Self.member)
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
            try db.execute(sql: "INSERT INTO team_sessions (\(Self.sessionColumns)) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [session.digest, session.member, session.csrfToken, session.createdAt, session.lastSeenAt, session.endedAt])
        }
    }

    public func session(digest: String) async throws -> TeamSession? {
        try await run("read the session") {
            try await self.reader.read { db in
                try Row.fetchOne(db, sql: "SELECT \(Self.sessionColumns) FROM team_sessions WHERE digest = ?", arguments: [digest]).map {
                    TeamSession(digest: $0[0], member: $0[1], csrfToken: $0[2], createdAt: $0[3], lastSeenAt: $0[4], endedAt: $0[5])
                }
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

    // MARK: Mail and webhooks

    private static let mailColumns = "key, member, message, created_at, sent_at, attempts, next_attempt_at, last_error"

    private static func mail(_ row: Row) -> MailDelivery {
        MailDelivery(key: row[0], member: row[1], message: row[2], createdAt: row[3], sentAt: row[4], attempts: row[5], nextAttemptAt: row[6], lastError: row[7])
    }

    public func addMailDelivery(_ delivery: MailDelivery) async throws -> Bool {
        try await writeTeam("keep the message") { db in
            try db.execute(sql: "INSERT OR IGNORE INTO mail_deliveries (\(Self.mailColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           arguments: [delivery.key, delivery.member, delivery.message, delivery.createdAt, delivery.sentAt, delivery.attempts,
                                       delivery.nextAttemptAt, delivery.lastError])
            return db.changesCount > 0
        }
    }

    public func dueMailDeliveries(at now: Int64) async throws -> [MailDelivery] {
        try await run("read the outbox") {
            try await self.reader.read { db in
                try Row.fetchAll(db, sql: "SELECT \(Self.mailColumns) FROM mail_deliveries WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY created_at, key",
                                 arguments: [now]).map(Self.mail)
            }
        }
    }

    public func mailDeliveries(member: String, limit: Int) async throws -> [MailDelivery] {
        try await run("read the outbox") {
            try await self.reader.read { db in
                try Row.fetchAll(db, sql: "SELECT \(Self.mailColumns) FROM mail_deliveries WHERE member = ? ORDER BY created_at DESC, key LIMIT ?",
                                 arguments: [member, limit]).map(Self.mail)
            }
        }
    }

    public func saveMailAttempt(_ delivery: MailDelivery) async throws {
        try await writeTeam("update the message") { db in
            try db.execute(sql: "UPDATE mail_deliveries SET sent_at = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE key = ? AND sent_at IS NULL",
                           arguments: [delivery.sentAt, delivery.attempts, delivery.nextAttemptAt, delivery.lastError, delivery.key])
        }
    }

    private static let hookColumns = "id, url, secret, public_only, created_at, removed_at, delivered_seq, attempts, next_attempt_at, last_error, allow_private"

    public func addWebhook(_ hook: Webhook) async throws -> Webhook {
        try await writeTeam("add the webhook") { db in
            try db.execute(sql: "INSERT INTO webhooks (url, secret, public_only, created_at, removed_at, delivered_seq, attempts, next_attempt_at, last_error, allow_private) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           arguments: [hook.url, hook.secret, hook.publicOnly, hook.createdAt, hook.removedAt, hook.deliveredSeq, hook.attempts,
                                       hook.nextAttemptAt, hook.lastError, hook.allowPrivate])
            var added = hook
            added.id = db.lastInsertedRowID
            return added
        }
    }

    public func webhooks() async throws -> [Webhook] {
        try await run("read the webhooks") {
            try await self.reader.read { db in
                try Row.fetchAll(db, sql: "SELECT \(Self.hookColumns) FROM webhooks ORDER BY id").map {
                    var hook = Webhook(id: $0[0], url: $0[1], secret: $0[2], publicOnly: $0[3], createdAt: $0[4], removedAt: $0[5], deliveredSeq: $0[6],
                                       attempts: $0[7], nextAttemptAt: $0[8], lastError: $0[9])
                    hook.allowPrivate = $0[10]
                    return hook
                }
            }
        }
    }

    public func removeWebhook(id: Int64, at: Int64) async throws -> Bool {
        try await writeTeam("remove the webhook") { db in
            try db.execute(sql: "UPDATE webhooks SET removed_at = ? WHERE id = ? AND removed_at IS NULL", arguments: [at, id])
            return db.changesCount > 0
        }
    }

    public func saveWebhookProgress(_ hook: Webhook) async throws {
        try await writeTeam("update the webhook") { db in
            try db.execute(sql: """
                UPDATE webhooks SET delivered_seq = ?, attempts = ?, next_attempt_at = ?, last_error = ?
                WHERE id = ? AND removed_at IS NULL AND delivered_seq <= ?
                """, arguments: [hook.deliveredSeq, hook.attempts, hook.nextAttemptAt, hook.lastError, hook.id, hook.deliveredSeq])
        }
    }

    public func addWebhookDelivery(_ delivery: WebhookDelivery) async throws {
        try await writeTeam("log the delivery") { db in
            try db.execute(sql: "INSERT INTO webhook_deliveries (hook_id, seq, at, status, error) VALUES (?, ?, ?, ?, ?)",
                           arguments: [delivery.hookID, delivery.seq, delivery.at, delivery.status, delivery.error])
        }
    }

    public func webhookDeliveries(hookID: Int64, limit: Int) async throws -> [WebhookDelivery] {
        try await run("read the deliveries") {
            try await self.reader.read { db in
                try Row.fetchAll(db, sql: "SELECT hook_id, seq, at, status, error FROM webhook_deliveries WHERE hook_id = ? ORDER BY at DESC, rowid DESC LIMIT ?",
                                 arguments: [hookID, limit]).map {
                    WebhookDelivery(hookID: $0[0], seq: $0[1], at: $0[2], status: $0[3], error: $0[4])
                }
            }
        }
    }

    // MARK: Snapshots of the fold

    public func snapshot(audience: Visibility, detail: LedgerRecords.Detail) async throws -> ProjectionSnapshot? {
        try await run("read the snapshot") {
            try await self.reader.read { db in
                ProjectionSnapshot.joined(try Row.fetchAll(db, sql: """
                    SELECT seq, head_hash, head_recorded_at, merkle_root, format, created_at, body
                    FROM projection_snapshots WHERE audience = ? AND detail = ? ORDER BY part
                    """, arguments: [audience.rawValue, detail.rawValue]).map {
                    ProjectionSnapshot(audience: audience, detail: detail, head: ChainHead(seq: $0[0], hash: $0[1], recordedAt: $0[2]), merkleRoot: $0[3],
                                       format: $0[4], createdAt: $0[5], body: $0[6])
                })
            }
        }
    }

    public func saveSnapshot(_ snapshot: ProjectionSnapshot) async throws {
        try await writeTeam("keep the snapshot") { db in
            try db.execute(sql: "DELETE FROM projection_snapshots WHERE audience = ? AND detail = ?",
                           arguments: [snapshot.audience.rawValue, snapshot.detail.rawValue])
            let insert = try db.makeStatement(sql: """
                INSERT INTO projection_snapshots (audience, detail, part, seq, head_hash, head_recorded_at, merkle_root, format, created_at, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for (part, body) in snapshot.parts().enumerated() {
                try insert.execute(arguments: [snapshot.audience.rawValue, snapshot.detail.rawValue, part, snapshot.head.seq, snapshot.head.hash, snapshot.head.recordedAt,
                                               snapshot.merkleRoot, snapshot.format, snapshot.createdAt, body])
            }
        }
    }

    // MARK: Rows

    private static let insertSQL = "INSERT INTO ledger_entries (\(LedgerTable.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

    private static func head(_ db: Database) throws -> ChainHead {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash, recorded_at FROM ledger_entries ORDER BY seq DESC LIMIT 1")) else {
            return .empty
        }
        return ChainHead(seq: row["seq"], hash: row["hash"], recordedAt: row["recorded_at"])
    }

    private static func arguments(for entry: Entry) -> StatementArguments {
        [entry.seq, entry.id.uuidString.lowercased(), entry.type.rawValue, entry.schema, entry.subject,
         entry.effective.description, entry.recordedAt, entry.author, entry.visibility.rawValue,
         entry.payload.canonicalText, entry.salt, entry.prevHash, entry.hash]
    }

    /// In the order `fetchRows` reads them by index (GRDB's by-name lookup is case-insensitive and slow).

    private static let countedColumns = LedgerTable.columns(followupsWhole: false)

    private static func fetchRows(_ db: Database, sql: String, arguments: StatementArguments) throws -> [StoredEntryColumns] {
        var stored: [StoredEntryColumns] = []
        // Cached: compiling the statement cost more than running it, on every append.
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        while let row = try rows.next() {
            stored.append(StoredEntryColumns((row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9], row[10], row[11], row[12])))
        }
        return stored
    }

    private static func fetchEntries(_ db: Database, sql: String, arguments: StatementArguments) throws -> [Entry] {
        try fetchRows(db, sql: sql, arguments: arguments).map { try $0.entry() }
    }

    // MARK: Guards

    /// Compares the file's triggers with those the migrations create in an empty database.
    public func appendOnlyGuardProblems() async throws -> [String] {
        let reference = try DatabaseQueue()
        try await reference.write { db in for migration in LedgerMigrations.sqlite { try db.execute(sql: migration.sql) } }
        @Sendable func triggers(_ db: Database) throws -> [String: String?] {
            let rows = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            return Dictionary(rows.map { ($0["name"] as String, $0["sql"] as String?) }, uniquingKeysWith: { a, _ in a })
        }
        let expectedByName = try await reference.read(triggers)
        let actualByName = try await run("read the ledger's triggers") { try await self.reader.read(triggers) }
        let expected = expectedByName.sorted { $0.key < $1.key }.map { (name: $0.key, sql: $0.value) }
        var problems: [String] = []
        for (name, sql) in expected {
            guard let actual = actualByName[name] else {
                problems.append("the append-only trigger \(name) is missing")
                continue
            }
            if actual != sql { problems.append("the append-only trigger \(name) differs from the one the migrations created") }
        }
        for name in actualByName.keys.sorted() where expectedByName[name] == nil {
            problems.append("an unexpected trigger \(name) is on the ledger's tables")
        }
        return problems
    }

    // MARK: Errors


    private func run<T: Sendable>(_ doing: String, _ body: @Sendable () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DatabaseError {
            throw Self.storageError(error, doing: doing)
        }
    }

    static func storageError(_ error: DatabaseError, doing: String) -> LedgerError {
        if error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            return .busy(doing, "another process held the ledger for too long (SQLite busy)")
        }
        return .storage(doing, error.message ?? "\(error.resultCode)")
    }
}
