import Foundation
import Ledger

/// What the public is told when the ledger behind a page failed verification or lost its
/// append-only guards: every page and feed says so, in the reader's language, rather than
/// vouch for a record that may have been altered.
public struct IntegrityWarning: Sendable, Hashable {
    /// The first seq that failed verification; nil when the chain verified but the
    /// database's append-only triggers are missing or changed.
    public var failedAtSeq: Int64?

    public init(failedAtSeq: Int64?) {
        self.failedAtSeq = failedAtSeq
    }

    public func text(_ language: ReportLanguage) -> String {
        switch (language, failedAtSeq) {
        case (.en, let seq?):
            return "Warning: this ledger failed verification at seq \(seq). What it shows may have been altered after it was recorded; the coalition has been alerted."
        case (.en, nil):
            return "Warning: this ledger's database has lost its append-only protection. What it shows may be altered; the coalition has been alerted."
        case (.es, let seq?):
            return "Advertencia: este registro no pasó la verificación en la entrada \(seq). Lo que muestra pudo alterarse después de registrarse; la coalición ya fue alertada."
        case (.es, nil):
            return "Advertencia: la base de datos de este registro perdió su protección contra cambios. Lo que muestra pudo alterarse; la coalición ya fue alertada."
        }
    }

    /// An id that stays the same for the same failure, for the feeds' warning item.
    public var feedID: String { "urn:x-accountability-ledger:integrity:" + (failedAtSeq.map { "seq-\($0)" } ?? "guards") }
}
