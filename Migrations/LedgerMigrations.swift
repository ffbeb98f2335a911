/// The numbered SQL migrations of each database, compiled into the binary.
public enum LedgerMigrations {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: String
    }

    /// In order. Add a line here with each new file in Migrations/sqlite; a test checks
    /// that this list and the folder agree.
    public static let sqlite: [Migration] = [
        Migration(version: 1, name: "0001_ledger.sql", sql: String(decoding: PackageResources._001_ledger_sql, as: UTF8.self)),
    ]
}
