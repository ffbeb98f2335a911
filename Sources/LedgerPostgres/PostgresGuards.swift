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
            } else if words.starts(with: ["CREATE", "FUNCTION"]), words.count > 2,
                      let open = statement.range(of: "$$"), let close = statement.range(of: "$$", range: open.upperBound..<statement.endIndex) {
                functions[String(words[2].prefix { $0 != "(" })] = String(statement[open.upperBound..<close.lowerBound])
            }
        }
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
