import ArgumentParser
import Foundation
import Ledger
import Reports
import LedgerTeam

@main
struct Ledgerctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledgerctl",
        abstract: "Log demands, commitments and follow-ups in the accountability ledger, check where they stand, and verify that nothing was rewritten.",
        discussion: """
            The ledger is append-only: nothing is ever updated or deleted. Mistakes are fixed \
            with `ledgerctl entry correct` and `ledgerctl entry retract`, which add new entries. \
            Every entry is hash-chained to the one before, so `ledgerctl verify` detects tampering.

            The ledger is a SQLite file (./ledger.sqlite unless --database or \
            LEDGER_DATABASE_URL says otherwise) or a PostgreSQL database. Start with `ledgerctl demo`.

            --database and --author may come before the command too: \
            `ledgerctl --database team.sqlite status`.

            Shell completion (commands, flags and every closed list of words such as \
            --kind or --format): `ledgerctl --generate-completion-script bash` (or zsh, fish) \
            prints a script to install as your shell's documentation says.
            """,
        subcommands: [
            Init.self, Demo.self, ActorCommand.self, DemandCommand.self, CommitmentCommand.self,
            FollowupCommand.self, EntryCommand.self, Status.self, Show.self, Log.self, Verify.self,
            ReportCommand.self, Append.self, Export.self, Import.self, Serve.self, TokenCommand.self,
            KeyCommand.self, CheckpointCommand.self, Receipt.self, SnapshotCommand.self, UserCommand.self, SheetCommand.self, Remind.self, WebhookCommand.self,
        ]
    )

    /// The options every command shares, given before the command's name (as people used
    /// to git or kubectl type them), are moved after it, where the command reads them.
    static func main() async {
        let arguments = hoistingSharedOptions(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            FailureReport.exit(with: error)
        }
    }

    static let sharedOptions: Set<String> = ["--database", "--author"]

    static func hoistingSharedOptions(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            if sharedOptions.contains(first), rest.count >= 2 {
                leading += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else if let name = first.split(separator: "=", maxSplits: 1).first, sharedOptions.contains(String(name)), first.contains("=") {
                leading.append(first)
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        guard !leading.isEmpty else { return arguments }
        // After the command's own arguments, but before a `--` that ends the options.
        var moved = Array(rest)
        moved.insert(contentsOf: leading, at: moved.firstIndex(of: "--") ?? moved.endIndex)
        return moved
    }
}
