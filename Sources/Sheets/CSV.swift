import Foundation

/// Comma-separated values as spreadsheets write them (RFC 4180): quoted fields with
/// separators, quotes and line breaks inside, a UTF-8 byte-order mark, CRLF or LF, and the
/// `;` separator that Excel writes where the decimal mark is a comma (Spanish locales).
public enum CSV {
    public struct ParseError: Error, Sendable, Equatable {
        /// 1-based, as a spreadsheet numbers rows.
        public let row: Int
        public let message: String
    }

    /// The rows of a file, every field as written (quotes removed). The separator is the
    /// one the header line uses: `;` when it has more of those than commas outside quotes.
    public static func parse(_ text: String) throws(ParseError) -> (rows: [[String]], separator: Character) {
        var text = Substring(text)
        if text.first == "\u{FEFF}" { text = text.dropFirst() }
        let separator = detectSeparator(text)
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false, wasQuoted = false
        var rowNumber = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar?
        func next() -> Unicode.Scalar? {
            if let scalar = pending { pending = nil; return scalar }
            return iterator.next()
        }
        func endRow() {
            row.append(field)
            // A blank line is not a row (spreadsheets leave one at the end).
            if !(row.count == 1 && row[0].isEmpty && !wasQuoted) { rows.append(row) }
            row = []
            field = ""
            wasQuoted = false
            rowNumber += 1
        }
        while let scalar = next() {
            if quoted {
                if scalar == "\"" {
                    let following = next()
                    if following == "\"" {
                        field.unicodeScalars.append("\"")
                    } else {
                        quoted = false
                        pending = following
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"":
                guard field.isEmpty && !wasQuoted else {
                    throw ParseError(row: rowNumber, message: "a quote inside a field that does not start with one (write it as \"\" inside a quoted field)")
                }
                quoted = true
                wasQuoted = true
            case Unicode.Scalar(String(separator))!:
                row.append(field)
                field = ""
                wasQuoted = false
            case "\r":
                let following = next()
                if following != "\n" { pending = following }
                endRow()
            case "\n":
                endRow()
            default:
                if wasQuoted {
                    throw ParseError(row: rowNumber, message: "text after a quoted field's closing quote")
                }
                field.unicodeScalars.append(scalar)
            }
        }
        if quoted { throw ParseError(row: rowNumber, message: "a quoted field is not closed before the end of the file") }
        if !field.isEmpty || !row.isEmpty || wasQuoted { endRow() }
        return (rows, separator)
    }

    private static func detectSeparator(_ text: Substring) -> Character {
        var commas = 0, semicolons = 0, quoted = false
        for character in text {
            if character == "\"" { quoted.toggle() }
            if quoted { continue }
            if character == "\n" || character == "\r\n" || character == "\r" { break }
            if character == "," { commas += 1 }
            if character == ";" { semicolons += 1 }
        }
        return semicolons > commas ? ";" : ","
    }

    /// One line of a file: fields quoted when they hold a separator, a quote or a line
    /// break, lines ended with CRLF as RFC 4180 says.
    public static func line(_ fields: [String], separator: Character = ",") -> String {
        fields.map { field in
            guard field.contains(where: { $0 == separator || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return field }
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: String(separator)) + "\r\n"
    }

    /// What a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab or a carriage
    /// return first) is kept as text by a leading apostrophe, which spreadsheets hide. A
    /// text that itself starts with an apostrophe gets one more, so `restored` always gives
    /// back what was written: `'=x` is written `''=x`, not read back as `=x`.
    public static func neutralised(_ field: String) -> String {
        guard let first = field.unicodeScalars.first, Self.formulaStarts.contains(first) || first == "'" else { return field }
        return "'" + field
    }

    /// A field read back: the apostrophe `neutralised` added is removed.
    public static func restored(_ field: String) -> String {
        let scalars = field.unicodeScalars
        guard scalars.count >= 2, scalars.first == "'" else { return field }
        let second = scalars[scalars.index(after: scalars.startIndex)]
        guard Self.formulaStarts.contains(second) || second == "'" else { return field }
        return String(field.unicodeScalars.dropFirst())
    }

    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
}
