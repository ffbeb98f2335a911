import Foundation
import Ledger

/// A word as a POSIX shell reads it back: single-quoted unless it is plainly safe.
enum ShellWord {
    static func quoted(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:+")
        if !word.isEmpty && word.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// Untrusted text made safe for HTML element content and quoted attribute values.
package enum HTMLText {
    /// By scalar, in one pass: a report at a million entries escapes megabytes. A mark
    /// after `<` or `&` does not hide it (by `Character`, "<" + U+0301 is not "<").
    package static func escape(_ text: String) -> String {
        // Most text is printable ASCII with nothing to escape: returned as it is, unscanned
        // by scalar (a tenth of a large report's time went to copying it).
        if text.utf8.allSatisfy(passesUnchanged) { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(PlainText.multilineSafe(scalar))
            }
        }
        return result
    }

    private static func passesUnchanged(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"): false
        case 0x20...0x7E, UInt8(ascii: "\n"), UInt8(ascii: "\t"): true
        default: false  // controls, and anything not ASCII: the scalar loop decides
        }
    }

    /// Text back from `escape` (and from a template engine's escaping), for reading a
    /// value out of a page this program wrote.
    static func unescape(_ text: String) -> String {
        var result = text
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#34;", "\""), ("&#39;", "'"), ("&#x27;", "'"), ("&amp;", "&")] {
            result = result.replacingOccurrences(of: entity, with: character)
        }
        return result
    }
}

/// Untrusted text made literal in Markdown: every punctuation mark that could start
/// markup is backslash-escaped (CommonMark allows escaping any ASCII punctuation), and
/// line breaks become spaces so a title cannot open a heading or a table row.
enum MarkdownText {
    static let special = Set("\\`*_{}[]()#+-.!|<>&~\"'=:")

    static func escape(_ text: String) -> String {
        var result = ""
        for character in PlainText.oneLine(text) {
            if special.contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }

    /// A link destination in angle brackets, with the characters that could end it encoded.
    static func destination(_ url: String) -> String {
        var result = ""
        for scalar in url.unicodeScalars {
            switch scalar {
            case "<": result += "%3C"
            case ">": result += "%3E"
            case " ": result += "%20"
            case "\\": result += "%5C"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return "<" + result + ">"
    }
}
