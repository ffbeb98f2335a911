import Foundation

/// Lines to import, a batch at a time with their line numbers: from a file or standard
/// input as they are read (an import of a million entries never holds the file), or from
/// lines already in memory. A line is its bytes: the JSON parser checks that the text in
/// them is UTF-8, so the line is not decoded twice.
public final class LineBatches: @unchecked Sendable {  // used by one task at a time (ImportPipeline)
    public static let batchSize = 4_096
    typealias Line = (number: Int, bytes: [UInt8])
    private enum Source {
        case memory([Substring])
        case handle(FileHandle)
    }
    private let source: Source
    /// How an error names the source: a path, "standard input".
    let name: String
    private var position = 0
    private var pending: [UInt8] = []
    private var atEnd = false
    private var nextLineNumber = 1
    /// The lines in the source, when known before reading it.
    public var count: Int? { if case .memory(let lines) = source { lines.count } else { nil } }

    public init(_ lines: [Substring]) {
        source = .memory(lines)
        name = "the lines given"
    }

    /// - Parameter name: how to name the source in an error (a path, "standard input").
    public init(handle: FileHandle, name: String) {
        source = .handle(handle)
        self.name = name
    }

    /// Up to `batchSize` lines; nil after the last. Lines are split on newline bytes; a
    /// UTF-8 byte-order mark opening the source is not part of the first line.
    func next() throws -> [Line]? {
        var batch: [Line] = []
        switch source {
        case .memory(let lines):
            guard position < lines.count else { return nil }
            let end = min(position + Self.batchSize, lines.count)
            batch = (position..<end).map { ($0 + 1, Array(lines[$0].utf8)) }
            position = end
            return batch
        case .handle(let handle):
            while batch.count < Self.batchSize {
                if let newline = pending[position...].firstIndex(of: UInt8(ascii: "\n")) {
                    batch.append((nextLineNumber, Array(pending[position..<newline])))
                    nextLineNumber += 1
                    position = newline + 1
                    continue
                }
                if atEnd {
                    if position < pending.count {
                        batch.append((nextLineNumber, Array(pending[position...])))
                        nextLineNumber += 1
                        position = pending.count
                    }
                    break
                }
                pending.removeFirst(position)
                position = 0
                let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
                if chunk.isEmpty { atEnd = true } else { pending.append(contentsOf: chunk) }
                if nextLineNumber == 1, pending.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
            }
            return batch.isEmpty ? nil : batch
        }
    }
}

/// An import's checking side: checks each entry in order against the chain and the rules
/// of `append`, and hands the store batches to insert inside its one transaction. While
/// the store inserts one batch, the next is checked and the one after parsed and hashed
/// (on two cores): the three stages overlap instead of taking turns.
actor ImportPipeline {
    typealias Parsed = (line: Int, entry: Result<Entry, LedgerError>, hashMatches: Bool)

    private let source: LineBatches
    private let store: any ChainStore
    private var expected: ChainHead
    private var validator: EntryValidator
    private var seenIDs = Set<UUID>()
    private var parsing: Task<[Parsed]?, any Error>?
    private var checking: Task<[Entry]?, any Error>?
    private let latestRecordingTime = RecordedAt.string(from: Date().addingTimeInterval(24 * 3600))
    private(set) var checked = 0
    private var stopped = false

    init(source: LineBatches, store: any ChainStore, head: ChainHead, records: LedgerRecords) {
        self.source = source
        self.store = store
        expected = head
        // Every entry passes the rules `append` applies, against the ledger as it stood
        // before it and on the day it was recorded: an export whose hashes agree but whose
        // content this program would refuse is refused here too.
        validator = EntryValidator(records: records)
    }

    /// The next batch, checked; nil when the lines are all imported.
    func next(progress: (@Sendable (Int64, Int64?) -> Void)?) async throws -> [Entry]? {
        guard !stopped else { throw CancellationError() }
        let batch = checking ?? checkNextBatch()
        checking = nil
        guard let entries = try await batch.valueCancelledWithCaller else { return nil }
        checking = checkNextBatch()
        progress?(Int64(checked), source.count.map(Int64.init))
        return entries
    }

    func stop() {
        stopped = true
        parsing?.cancel()
        checking?.cancel()
    }

    /// Checks the batch being parsed, on this actor, and starts parsing the one after it.
    /// Only one check is under way at a time (`next` awaits it before starting another),
    /// so entries are checked in order.
    private func checkNextBatch() -> Task<[Entry]?, any Error> {
        let parsed = parsing ?? Self.parse(source)
        parsing = nil
        return Task {
            guard let batch = try await parsed.value else { return nil }
            parsing = Self.parse(source)
            let entries = try await check(batch)
            checked += entries.count
            return entries
        }
    }

    private static func parse(_ source: LineBatches) -> Task<[Parsed]?, any Error> {
        Task {
            guard let lines = try source.next() else { return nil }
            // Parsing and hashing each line is independent: done on two cores, checked in order.
            return await TwoCores.map(lines) { number, line -> Parsed? in
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
                let label = "line \(number)"
                do {
                    let entry = try Entry(exchangeJSON: try JSONParser.parse(line))
                    return (number, .success(entry), entry.computedHash == entry.hash)
                } catch let error as LedgerError {
                    return (number, .failure(LedgerError(field: error.field.map { "\(label): \($0)" } ?? label, error.message)), false)
                } catch {
                    // Text that is not UTF-8 is said as such, wherever in the line it is.
                    if String(validating: line, as: UTF8.self) == nil {
                        return (number, .failure(LedgerError(field: label, "is not UTF-8 text (\(source.name))")), false)
                    }
                    return (number, .failure(LedgerError(field: label, "\(error)")), false)
                }
            }.compactMap { $0 }
        }
    }

    private func check(_ parsed: [Parsed]) async throws -> [Entry] {
        // Ids this ledger already holds, looked up a batch at a time rather than line by line.
        let parsedIDs = parsed.compactMap { try? $0.entry.get().id }
        let storedSeqs = Dictionary(try await store.entries(withIDs: parsedIDs).map { ($0.id, $0.seq) }, uniquingKeysWith: { a, _ in a })
        var entries: [Entry] = []
        entries.reserveCapacity(parsed.count)
        for (lineNumber, result, hashMatches) in parsed {
            let label = "line \(lineNumber)"
            let entry = try result.get()
            guard entry.seq == expected.seq + 1 else {
                throw LedgerError(kind: .integrity, field: "\(label): seq", "is \(entry.seq), expected \(expected.seq + 1)" + (expected.seq > 0 && checked + entries.count == 0 ? " (this ledger ends at seq \(expected.seq))" : ""))
            }
            guard entry.prevHash == expected.hash else {
                throw LedgerError(kind: .integrity, field: "\(label): prev_hash", "does not match the hash of seq \(expected.seq)")
            }
            guard hashMatches else {
                throw LedgerError(kind: .integrity, field: "\(label): hash", "does not match the entry's content (seq \(entry.seq) was altered)")
            }
            guard seenIDs.insert(entry.id).inserted else {
                throw LedgerError(kind: .integrity, field: "\(label): id", "repeats the id of an earlier line")
            }
            if let seq = storedSeqs[entry.id] {
                throw LedgerError(kind: .integrity, field: "\(label): id", "is already in this ledger as seq \(seq)")
            }
            if let previous = expected.recordedAt, entry.recordedAt < previous {
                throw LedgerError(field: "\(label): recorded_at", "\(entry.recordedAt) is before the previous entry's (\(previous)); the ledger records in order")
            }
            if entry.recordedAt > latestRecordingTime {
                throw LedgerError(field: "\(label): recorded_at", "\(entry.recordedAt) is in the future")
            }
            do {
                try validator.acceptRecorded(entry)
            } catch {
                throw LedgerError(kind: error.kind, field: error.field.map { "\(label): \($0)" } ?? label, error.message)
            }
            expected = ChainHead(seq: entry.seq, hash: entry.hash, recordedAt: entry.recordedAt)
            entries.append(entry)
        }
        return entries
    }
}
