import Ledger
import LedgerMigrations

package struct AppliedMigration {
    package var version: Int
    package var name: String
    package var checksum: String

    package init(version: Int, name: String, checksum: String) {
        self.version = version
        self.name = name
        self.checksum = checksum
    }
}

/// Which migrations a database still needs, refusing databases this build cannot understand.
package struct MigrationPlan {
    package let pending: [LedgerMigrations.Migration]

    package init(known: [LedgerMigrations.Migration], applied: [AppliedMigration]) throws {
        let newest = known.last?.version ?? 0
        if let ahead = applied.last(where: { $0.version > newest }) {
            throw LedgerError(kind: .storage,
                "the database's schema is at version \(ahead.version) (\(ahead.name)), newer than this ledgerctl knows (\(newest))", remedy: .upgradeProgram)
        }
        for record in applied {
            guard let migration = known.first(where: { $0.version == record.version }) else { continue }
            if Self.checksum(migration.sql) != record.checksum {
                throw LedgerError(kind: .storage,
                    "migration \(migration.name) differs from the one applied to this database (checksum mismatch); refusing to run on a schema it does not know")
            }
        }
        let appliedVersions = Set(applied.map(\.version))
        pending = known.filter { !appliedVersions.contains($0.version) }
    }

    package static func checksum(_ sql: String) -> String { ChainHash.sha256Hex(sql) }
}
