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
