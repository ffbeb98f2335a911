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
        Migration(version: 2, name: "0002_api_tokens.sql", sql: String(decoding: PackageResources._002_api_tokens_sql, as: UTF8.self)),
        Migration(version: 3, name: "0003_checkpoints.sql", sql: String(decoding: PackageResources._003_checkpoints_sql, as: UTF8.self)),
        Migration(version: 4, name: "0004_team.sql", sql: String(decoding: PackageResources._004_team_sql, as: UTF8.self)),
        Migration(version: 5, name: "0005_outbox.sql", sql: String(decoding: PackageResources._005_outbox_sql, as: UTF8.self)),
        Migration(version: 6, name: "0006_snapshots.sql", sql: String(decoding: PackageResources._006_snapshots_sql, as: UTF8.self)),
        Migration(version: 7, name: "0007_recorded_at.sql", sql: String(decoding: PackageResources._007_recorded_at_sql, as: UTF8.self)),
        Migration(version: 8, name: "0008_snapshot_detail.sql", sql: String(decoding: PackageResources._008_snapshot_detail_sql, as: UTF8.self)),
        Migration(version: 9, name: "0009_snapshot_counts.sql", sql: String(decoding: PackageResources._009_snapshot_counts_sql, as: UTF8.self)),
        Migration(version: 10, name: "0010_webhook_private.sql", sql: String(decoding: PackageResources._010_webhook_private_sql, as: UTF8.self)),
    ]

    /// In order, as above for Migrations/postgres. The files end in `.pg.sql` because the
    /// embedded resource names must differ from the SQLite ones.
    public static let postgres: [Migration] = [
        Migration(version: 1, name: "0001_ledger.pg.sql", sql: String(decoding: PackageResources._001_ledger_pg_sql, as: UTF8.self)),
        Migration(version: 2, name: "0002_api_tokens.pg.sql", sql: String(decoding: PackageResources._002_api_tokens_pg_sql, as: UTF8.self)),
        Migration(version: 3, name: "0003_checkpoints.pg.sql", sql: String(decoding: PackageResources._003_checkpoints_pg_sql, as: UTF8.self)),
        Migration(version: 4, name: "0004_team.pg.sql", sql: String(decoding: PackageResources._004_team_pg_sql, as: UTF8.self)),
        Migration(version: 5, name: "0005_outbox.pg.sql", sql: String(decoding: PackageResources._005_outbox_pg_sql, as: UTF8.self)),
        Migration(version: 6, name: "0006_snapshots.pg.sql", sql: String(decoding: PackageResources._006_snapshots_pg_sql, as: UTF8.self)),
        Migration(version: 7, name: "0007_recorded_at.pg.sql", sql: String(decoding: PackageResources._007_recorded_at_pg_sql, as: UTF8.self)),
        Migration(version: 8, name: "0008_snapshot_detail.pg.sql", sql: String(decoding: PackageResources._008_snapshot_detail_pg_sql, as: UTF8.self)),
        Migration(version: 9, name: "0009_snapshot_counts.pg.sql", sql: String(decoding: PackageResources._009_snapshot_counts_pg_sql, as: UTF8.self)),
        Migration(version: 10, name: "0010_chain_by_previous.pg.sql", sql: String(decoding: PackageResources._010_chain_by_previous_pg_sql, as: UTF8.self)),
        Migration(version: 11, name: "0011_webhook_private.pg.sql", sql: String(decoding: PackageResources._011_webhook_private_pg_sql, as: UTF8.self)),
    ]
}
