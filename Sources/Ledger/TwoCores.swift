/// Work split across the two halves of a batch, one on another thread: hashing and parsing
/// a page of the chain are independent per entry, and the machines this runs on have two
/// cores or more.
package enum TwoCores {
    /// `items.map(transform)`, each half on its own core, both written in place into one
    /// array. (Joining two halves, then unwrapping a `Result` per item, copied every entry
    /// twice: a retain and a release of each of its fields, a fifth of the client's time in a
    /// cold fold of 1M entries on PostgreSQL.) The first error in `items`' order is thrown.
    package static func map<T: Sendable, U: Sendable, E: Error>(
        _ items: [T], _ transform: @escaping @Sendable (T) throws(E) -> U
    ) async throws(E) -> [U] {
        guard items.count >= 64 else { return try items.map(transform) }
        let middle = items.count / 2
        let output = Output<U>(capacity: items.count)
        async let first = output.fill(0..<middle, from: items, transform)
        let second = output.fill(middle..<items.count, from: items, transform)
        let firstHalf = await first
        if let error = firstHalf.error ?? second.error {
            output.discard(0..<firstHalf.filled, middle..<middle + second.filled)
            throw error
        }
        return output.array()
    }

    /// Memory both halves write into, each its own range: shared across the two tasks by
    /// design, never the same element.
    private struct Output<U>: @unchecked Sendable {
        let base: UnsafeMutablePointer<U>
        let capacity: Int

        init(capacity: Int) {
            base = .allocate(capacity: capacity)
            self.capacity = capacity
        }

        /// Writes `transform` of each item of `range` at its position, stopping at the first
        /// error: how many it wrote, and the error.
        func fill<T, E: Error>(_ range: Range<Int>, from items: [T], _ transform: (T) throws(E) -> U) -> (filled: Int, error: E?) {
            // Through the buffer, each item is lent to `transform`, not copied out of the array.
            items.withUnsafeBufferPointer { items in
                for index in range {
                    do throws(E) {
                        (base + index).initialize(to: try transform(items[index]))
                    } catch {
                        return (index - range.lowerBound, error)
                    }
                }
                return (range.count, nil)
            }
        }

        /// Moves every element into an array (no copy of its fields) and frees the memory.
        func array() -> [U] {
            defer { base.deallocate() }
            return Array(unsafeUninitializedCapacity: capacity) { buffer, count in
                buffer.baseAddress!.moveInitialize(from: base, count: capacity)
                count = capacity
            }
        }

        /// Ends what was written, after an error, and frees the memory.
        func discard(_ written: Range<Int>...) {
            for range in written { (base + range.lowerBound).deinitialize(count: range.count) }
            base.deallocate()
        }
    }
}
