import Foundation
import Ledger

/// Splits a migration file into its statements. postgres-nio sends every query with the
/// extended protocol, which takes one statement at a time, so a file is run statement by
/// statement (inside one transaction). Semicolons inside quotes, dollar-quoted bodies and
/// comments do not end a statement.
enum SQLScript {
    static func statements(_ script: String) -> [String] {
        let characters = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0

        func flush() {
            let statement = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
            if !statement.isEmpty { statements.append(statement) }
            current = String.UnicodeScalarView()
        }
        /// Copies up to and including `terminator`, starting at `index`.
        func copy(through terminator: [Unicode.Scalar]) {
            while index < characters.count {
                if Array(characters[index..<min(index + terminator.count, characters.count)]) == terminator {
                    current.append(contentsOf: terminator)
                    index += terminator.count
                    return
                }
                current.append(characters[index])
                index += 1
            }
        }

        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            switch (character, next) {
            case ("-", "-"):
                // A comment is dropped, so a statement's text starts at its SQL.
                while index < characters.count, characters[index] != "\n" { index += 1 }
            case ("/", "*"):
                index += 2
                while index < characters.count, !(characters[index] == "*" && index + 1 < characters.count && characters[index + 1] == "/") { index += 1 }
                index += 2
            case ("'", _), ("\"", _):
                current.append(character)
                index += 1
                copy(through: [character])  // a doubled quote is two adjacent quoted runs
            case ("$", _):
                // $$ or $tag$ opens a dollar-quoted body that ends at the same tag.
                var end = index + 1
                while end < characters.count, characters[end] == "_" || characters[end].properties.isAlphabetic || ("0"..."9").contains(characters[end]) { end += 1 }
                if end < characters.count, characters[end] == "$" {
                    let tag = Array(characters[index...end])
                    current.append(contentsOf: tag)
                    index = end + 1
                    copy(through: tag)
                } else {
                    current.append(character)
                    index += 1
                }
            case (";", _):
                index += 1
                flush()
            default:
                current.append(character)
                index += 1
            }
        }
        flush()
        return statements
    }
}
