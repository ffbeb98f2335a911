import ArgumentParser
import Foundation
import Ledger
import Reports
import LedgerTeam

/// The one place a ledger failure becomes what the user reads (one line, in the CLI's own
/// words: its flags and commands) and the exit code a script tests.
enum FailureReport {
    static func line(for error: LedgerError) -> String {
        let field = error.field.map { field in
            // The core names the database; here it is the flag that chose it.
            field == "database" ? "--database" : field
        }
        var text = field.map { "\($0): \(error.message)" } ?? error.message
        if let remedy = error.remedy { text += "; " + advice(remedy) }
        return "ledgerctl: " + PlainText.oneLine(text)
    }

    static func advice(_ remedy: LedgerError.Remedy) -> String {
        switch remedy {
        case .createLedger: return "create one with `ledgerctl init` and the same --database (or try `ledgerctl demo`)"
        case .migrateSchema: return "run `ledgerctl init` once with the same --database, as the schema's owner"
        case .upgradeProgram: return "upgrade ledgerctl"
        case .revokeToken(let name): return "revoke it first (`ledgerctl token revoke \(name)`)"
        case .listTokens: return "`ledgerctl token list` shows them"
        case .signCheckpoint: return "sign one with `ledgerctl checkpoint --signing-key FILE`"
        case .reachServer: return "check that the database server is running and that the address is right"
        }
    }

    /// sysexits(3) codes, so scripts can tell bad input from a busy or broken ledger.
    static func exitCode(for kind: LedgerError.Kind) -> Int32 {
        switch kind {
        case .invalidInput: return 65  // EX_DATAERR
        case .notFound: return 66  // EX_NOINPUT
        case .storage: return 74  // EX_IOERR
        case .busy: return 75  // EX_TEMPFAIL
        case .integrity: return 1
        }
    }

    /// Prints the failure and ends the process with its code. A command line ArgumentParser
    /// refused (an unknown word for a closed vocabulary, a missing option, a `validate()`
    /// check) is one line too, naming the flag, with exit 64 (EX_USAGE); `--help`, a
    /// command's own `ExitCode` and the like are ArgumentParser's to finish.
    static func exit(with error: any Error) -> Never {
        if let error = error as? LedgerError {
            FileHandle.standardError.write(Data((line(for: error) + "\n").utf8))
            Ledgerctl.exit(withError: ExitCode(exitCode(for: error.kind)))
        }
        let code = Ledgerctl.exitCode(for: error)
        let message = Ledgerctl.message(for: error)
        guard code == .validationFailure, !message.isEmpty else { Ledgerctl.exit(withError: error) }
        FileHandle.standardError.write(Data((usageLine(message) + "\n").utf8))
        Ledgerctl.exit(withError: ExitCode.validationFailure)
    }

    /// ArgumentParser's message on one line: a long list of choices comes as bullets.
    static func usageLine(_ message: String) -> String {
        var text = ""
        for line in message.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) where !line.isEmpty {
            if line.hasPrefix("- ") {
                text += (text.hasSuffix(":") ? " " : ", ") + line.dropFirst(2)
            } else {
                text += (text.isEmpty ? "" : " ") + line
            }
        }
        return "ledgerctl: " + PlainText.oneLine(text) + " (see --help)"
    }
}
