import LedgerStorage
import PostgresNIO

/// A PostgreSQL row, read column by column as the shared mapping asks (`StoredRows`).
struct PostgresStoredRow: StoredRow {
    let cells: [PostgresCell]

    init(_ row: PostgresRow) { cells = Array(row) }

    func text(_ column: Int) throws -> String? { try cells[column].decode(String?.self) }
    func integer(_ column: Int) throws -> Int64? { try cells[column].decode(Int64?.self) }
    func boolean(_ column: Int) throws -> Bool? { try cells[column].decode(Bool?.self) }
}
