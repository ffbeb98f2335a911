import GRDB
import LedgerStorage

/// GRDB's rows, read column by column as the shared mapping asks (`StoredRows`).
extension Row: StoredRow {
    package func text(_ column: Int) -> String? { self[column] }
    package func integer(_ column: Int) -> Int64? { self[column] }
    package func boolean(_ column: Int) -> Bool? { self[column] }
}
