import ArgumentParser
import Foundation
import Ledger
import Reports

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
            """,
        subcommands: [
            Init.self, Demo.self, ActorCommand.self, DemandCommand.self, CommitmentCommand.self,
            FollowupCommand.self, EntryCommand.self, Status.self, Show.self, Log.self, Verify.self,
            ReportCommand.self, Append.self, Export.self, Import.self, Serve.self, TokenCommand.self,
        ]
    )
}
