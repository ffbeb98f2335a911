import Foundation

/// Reads the chain a page at a time, the next pages read while the caller uses this one.
/// The chain's seqs have no gaps, so once a first page comes back full, `depth` pages are
/// asked for at once: reading is most of a fold, and one connection reads on one core. (A
/// catch-up of a few entries, as a server makes on every append, reads one page.) A guess
/// that a gap (rows deleted behind the ledger's back) proves wrong is dropped and read
/// again, so every row there is comes once, in order.
/// (`verify` keeps one page ahead: its hashing has both cores already, and reading a second
/// page ahead measured slower.)
struct ChainPages<Element: Sendable> {
    let pageSize: Int
    let depth: Int
    let read: @Sendable (_ after: Int64, _ limit: Int) async throws -> [Element]
    let seq: @Sendable (Element) -> Int64
    private var lastSeq: Int64
    private var finished = false
    private var ahead: [(after: Int64, reading: Task<[Element], any Error>)] = []

    init(after seq: Int64, pageSize: Int, depth: Int = 3, read: @escaping @Sendable (_ after: Int64, _ limit: Int) async throws -> [Element],
         seq seqOf: @escaping @Sendable (Element) -> Int64) {
        lastSeq = seq
        self.pageSize = pageSize
        self.depth = depth
        self.read = read
        self.seq = seqOf
    }

    /// The next page, or nil after the last.
    mutating func next() async throws -> [Element]? {
        if finished { return nil }
        if ahead.isEmpty { readAhead(after: lastSeq, pages: 1) }
        let (after, reading) = ahead.removeFirst()
        let page = try await reading.valueCancelledWithCaller
        if page.count < pageSize || page.last.map(seq) != after + Int64(pageSize) {
            stop()
            finished = page.count < pageSize
        }
        if let last = page.last { lastSeq = seq(last) }
        if !finished { readAhead(after: ahead.last.map { $0.after + Int64(pageSize) } ?? lastSeq) }
        return page.isEmpty ? nil : page
    }

    /// Drops the pages being read ahead (the caller stops early).
    mutating func stop() {
        for (_, guessed) in ahead { guessed.cancel() }
        ahead = []
    }

    private mutating func readAhead(after seq: Int64, pages: Int? = nil) {
        var after = seq
        while ahead.count < pages ?? depth {
            ahead.append((after, Task { [read, pageSize, after] in try await read(after, pageSize) }))
            after += Int64(pageSize)
        }
    }
}

/// An async sequence over the chain that holds a few pages in memory at a time.
public struct EntryPages: AsyncSequence, Sendable {
    public typealias Element = Entry
    let store: any ChainStore
    let after: Int64
    let pageSize: Int
    let followupsWhole: Bool

    public struct AsyncIterator: AsyncIteratorProtocol {
        var pages: ChainPages<Entry>
        var page: [Entry] = []
        var position = 0

        public mutating func next() async throws -> Entry? {
            if position == page.count {
                guard let next = try await pages.next() else { return nil }
                page = next
                position = 0
            }
            defer { position += 1 }
            return page[position]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(pages: pages())
    }

    /// The same entries a page at a time, for a caller that reads each in place rather than
    /// taking a copy of it (a retain and a release of each of its fields).
    func pages() -> ChainPages<Entry> {
        let (store, followupsWhole) = (store, followupsWhole)
        return ChainPages(after: after, pageSize: pageSize, read: { after, limit in
            try await store.entries(after: after, limit: limit, followupsWhole: followupsWhole)
        }, seq: \.seq)
    }
}
