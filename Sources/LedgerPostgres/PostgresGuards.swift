import Foundation
import LedgerMigrations
import PostgresNIO
import ServiceLifecycle
import Synchronization
import Ledger
import LedgerStorage

/// The append-only triggers the PostgreSQL migrations create, read from their SQL, so the
/// check cannot drift from the files.
struct PostgresGuards {
    /// Trigger name -> (table, function).
    var triggers: [String: (table: String, function: String)] = [:]
    /// Function name -> body between the dollar quotes.
    var functions: [String: String] = [:]

    init(migrations: [LedgerMigrations.Migration]) {
        for commented in migrations.flatMap({ SQLScript.statements($0.sql) }) {
            let statement = commented.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }.joined(separator: "\n")
            let words = statement.split(whereSeparator: \.isWhitespace)
            if words.starts(with: ["CREATE", "TRIGGER"]), words.count > 2,
               let on = words.firstIndex(of: "ON"), on + 1 < words.count,
               let function = words.firstIndex(of: "FUNCTION"), function + 1 < words.count {
                triggers[String(words[2])] = (String(words[on + 1]), String(words[function + 1].prefix { $0 != "(" }))
            } else if let name = Self.functionName(words),
                      let open = commented.range(of: "$$"), let close = commented.range(of: "$$", range: open.upperBound..<commented.endIndex) {
                // The body as written, comments and all: the database keeps it so. A later
                // migration's CREATE OR REPLACE is the body the database holds.
                functions[name] = String(commented[open.upperBound..<close.lowerBound])
            }
        }
    }

    /// The function a CREATE [OR REPLACE] FUNCTION statement makes, or nil for any other statement.
    private static func functionName(_ words: [Substring]) -> String? {
        let opening: [Substring] = words.starts(with: ["CREATE", "OR", "REPLACE"]) ? ["CREATE", "OR", "REPLACE", "FUNCTION"] : ["CREATE", "FUNCTION"]
        guard words.starts(with: opening), words.count > opening.count else { return nil }
        return String(words[opening.count].prefix { $0 != "(" })
    }

    func problems(found: [String: (table: String, enabled: String, function: String, body: String)]) -> [String] {
        var problems: [String] = []
        for (name, expected) in triggers.sorted(by: { $0.key < $1.key }) {
            guard let trigger = found[name] else {
                problems.append("the append-only trigger \(name) on \(expected.table) is missing")
                continue
            }
            if trigger.table != expected.table || trigger.function != expected.function {
                problems.append("the append-only trigger \(name) differs from the one the migrations created")
            } else if trigger.enabled != "O" && trigger.enabled != "A" {
                problems.append("the append-only trigger \(name) on \(expected.table) is disabled")
            } else if let body = functions[expected.function], body != trigger.body {
                problems.append("the function \(expected.function) behind the trigger \(name) was changed")
            }
        }
        for name in found.keys.sorted() where triggers[name] == nil {
            problems.append("an unexpected trigger \(name) is on the ledger's tables")
        }
        return problems
    }
}
