import Foundation

/// An async sequence over the chain that holds one page in memory at a time.
public struct EntryPages: AsyncSequence, Sendable {
    public typealias Element = Entry
    let store: any LedgerStore
    let after: Int64
    let pageSize: Int

    public struct AsyncIterator: AsyncIteratorProtocol {
        let store: any LedgerStore
        let pageSize: Int
        var lastSeq: Int64
        var page: [Entry] = []
        var position = 0
        var finished = false
        /// The next page, read while this one is used.
        var nextPage: Task<[Entry], any Error>?

        public mutating func next() async throws -> Entry? {
            if position == page.count {
                if finished { return nil }
                let reading = nextPage ?? Self.read(store, after: lastSeq, limit: pageSize)
                page = try await reading.value
                position = 0
                if page.count < pageSize { finished = true }
                nextPage = finished ? nil : Self.read(store, after: page.last!.seq, limit: pageSize)
                if page.isEmpty { return nil }
            }
            defer { position += 1 }
            lastSeq = page[position].seq
            return page[position]
        }

        static func read(_ store: any LedgerStore, after seq: Int64, limit: Int) -> Task<[Entry], any Error> {
            Task { try await store.entries(after: seq, limit: limit) }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(store: store, pageSize: pageSize, lastSeq: after)
    }
}
