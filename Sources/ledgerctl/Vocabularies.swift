import ArgumentParser
import Ledger
import Logging
import Reports

// The closed vocabularies the commands take. ArgumentParser refuses any other word naming
// the flag and the choices, lists the choices in `--help`, and completes them in shells
// (`ledgerctl --generate-completion-script bash|zsh|fish`).
extension ActorKind: ExpressibleByArgument {}
extension CommitmentKind: ExpressibleByArgument {}
extension CommitmentStatus: ExpressibleByArgument {}
extension Basis: ExpressibleByArgument {}
extension FollowupKind: ExpressibleByArgument {}
extension Visibility: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}
extension ReportLanguage: ExpressibleByArgument {}
extension PaperSize: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}
