import Foundation

/// An async sequence over the chain that holds one page in memory at a time.
public struct EntryPages: AsyncSequence, Sendable {
    public typealias Element = Entry
    let store: any LedgerStore
    let after: Int64
    let pageSize: Int
    let followupPayloads: Bool

    public struct AsyncIterator: AsyncIteratorProtocol {
        let store: any LedgerStore
        let pageSize: Int
        let followupPayloads: Bool
        var lastSeq: Int64
        var page: [Entry] = []
        var position = 0
        var finished = false
        /// The next page, read while this one is used.
        var nextPage: Task<[Entry], any Error>?

        public mutating func next() async throws -> Entry? {
            if position == page.count {
                if finished { return nil }
                let reading = nextPage ?? read(after: lastSeq)
                page = try await reading.value
                position = 0
                if page.count < pageSize { finished = true }
                nextPage = finished ? nil : read(after: page.last!.seq)
                if page.isEmpty { return nil }
            }
            defer { position += 1 }
            lastSeq = page[position].seq
            return page[position]
        }

        func read(after seq: Int64) -> Task<[Entry], any Error> {
            Task { [store, pageSize, followupPayloads] in try await store.entries(after: seq, limit: pageSize, followupPayloads: followupPayloads) }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(store: store, pageSize: pageSize, followupPayloads: followupPayloads, lastSeq: after)
    }
}
