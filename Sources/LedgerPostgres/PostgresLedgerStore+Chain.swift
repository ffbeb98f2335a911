import Foundation
import LedgerMigrations
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import Ledger
import LedgerStorage
import LedgerTeam

/// The chain: its head, appends, imports, reading rows back, and the append-only guards.
extension PostgresLedgerStore {
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

    func append(_ drafts: [EntryDraft], expectedHead: Int64?, on connection: PostgresConnection) async throws -> AppendedEntries {
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
    func entries<Value: PostgresArrayEncodable & Sendable>(where column: String, isAnyOf values: [Value]) async throws -> [Entry] {
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

    // MARK: Rows

    /// Rows per INSERT: one statement binds one array per column, so a batch costs a round
    /// trip per chunk, not per entry; chunks keep each message a few megabytes at most.
    static let insertChunk = 5_000

    func insert(_ entries: [Entry], on connection: PostgresConnection) async throws {
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

    static func head(_ connection: PostgresConnection, logger: Logger) async throws -> ChainHead {
        let rows = try await connection.query("SELECT seq, hash, recorded_at FROM ledger_entries ORDER BY seq DESC LIMIT 1", logger: logger)
        for try await (seq, hash, recordedAt) in rows.decode((Int64, String, String).self) {
            return ChainHead(seq: seq, hash: hash, recordedAt: recordedAt)
        }
        return .empty
    }

    /// The shared column list with the id read as text, as it is hashed (the column is a uuid).
    static let selectColumns = LedgerTable.columns(followupsWhole: true, id: "id::text")
    static let countedColumns = LedgerTable.columns(followupsWhole: false, id: "id::text", unread: "NULL")

    func fetchRows(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> [StoredEntryColumns] {
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
    static func next<T: PostgresDecodable>(_ cells: inout PostgresRow.Iterator, _ type: T.Type) throws -> T {
        guard let cell = cells.next() else {
            throw LedgerError(kind: .storage, "a row of ledger_entries has fewer columns than \(LedgerTable.columns)")
        }
        return try cell.decode(type)
    }

    /// A column `countedColumns` may leave unread (NULL): read as '', as SQLite's is.
    @inline(__always)
    static func unreadOrNext(_ cells: inout PostgresRow.Iterator) throws -> String {
        try next(&cells, String?.self) ?? ""
    }

    func fetchEntries(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> [Entry] {
        try await fetchRows(connection, query).map { try $0.entry() }
    }
}
