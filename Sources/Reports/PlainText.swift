/// Untrusted text made safe for a terminal or a plain-text email: no escape sequences
/// (an ANSI code in a title must not recolour or rewrite the reader's screen).
public enum PlainText {
    /// One line: line breaks become spaces, other control characters become U+FFFD.
    public static func oneLine(_ text: String) -> String {
        // Most text is printable ASCII: returned as it is, not rebuilt scalar by scalar
        // (a report at a million entries makes tens of thousands of lines).
        if text.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { scalar -> Unicode.Scalar in
            if scalar == "\n" || scalar == "\r" || scalar == "\t" { return " " }
            return isUnsafe(scalar) ? "\u{FFFD}" : scalar
        }))
    }

    /// Keeps line breaks and tabs, replaces every other control character.
    public static func multiline(_ text: String) -> String {
        if text.utf8.allSatisfy({ (0x20...0x7E).contains($0) || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\t") }) { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map(multilineSafe)))
    }

    /// One scalar as `multiline` keeps it.
    static func multilineSafe(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        if scalar == "\n" || scalar == "\t" { return scalar }
        return isUnsafe(scalar) ? "\u{FFFD}" : scalar
    }

    /// Control characters, and the bidirectional overrides that can make text read
    /// differently from what it is.
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        // ASCII without the Unicode tables: its controls are 0x00–0x1F and 0x7F.
        if scalar.value < 0x80 { return scalar.value < 0x20 || scalar.value == 0x7F }
        return scalar.properties.generalCategory == .control || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }

    /// Cuts to `width` characters, marking the cut.
    public static func truncated(_ text: String, to width: Int) -> String {
        text.count <= width ? text : String(text.prefix(max(0, width - 1))) + "…"
    }

    public static func padded(_ text: String, to width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
