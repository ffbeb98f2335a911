/// Work split across the two halves of a batch, one on another thread: hashing and parsing
/// a page of the chain are independent per entry, and the machines this runs on have two
/// cores or more.
package enum TwoCores {
    package static func map<T: Sendable, U: Sendable>(_ items: [T], _ transform: @escaping @Sendable (T) -> U) async -> [U] {
        guard items.count >= 64 else { return items.map(transform) }
        let middle = items.count / 2
        async let firstHalf = items[..<middle].map(transform)
        let secondHalf = items[middle...].map(transform)
        return await firstHalf + secondHalf
    }
}
