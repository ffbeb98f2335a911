/// Work split across the two halves of a batch, one on another thread: hashing and parsing
/// a page of the chain are independent per entry, and the machines this runs on have two
/// cores or more.
enum TwoCores {
    static func map<T: Sendable, U: Sendable>(_ items: [T], _ transform: @escaping @Sendable (T) -> U) async -> [U] {
        guard items.count >= 64 else { return items.map(transform) }
        let middle = items.count / 2
        async let firstHalf = items[..<middle].map(transform)
        let secondHalf = items[middle...].map(transform)
        return await firstHalf + secondHalf
    }
}

extension StringProtocol {
    /// The text's lines, split on UTF-8 newline bytes: no grapheme breaking, which made
    /// splitting a large import file the slowest part of reading it. Empty lines are kept,
    /// so line numbers stay true. A UTF-8 byte-order mark at the start (what some Windows
    /// editors write) is not part of the first line.
    public var lines: [Substring] {
        var text = String(self)
        if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
        return text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Substring($0) }
    }
}
