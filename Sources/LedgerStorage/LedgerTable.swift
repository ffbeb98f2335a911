import Ledger

/// The ledger's table as both stores lay it out; only the SQL around it is dialect.
package enum LedgerTable {
    /// In the order of `StoredEntryColumns.Values`.
    package static let columns = columns(followupsWhole: true)

    /// `columns`, or with `followupsWhole` false a follow-up's id, author, payload, salt and
    /// prev_hash read as '' (`StoredEntryColumns.entry(followupWhole:)`): most of a chain is
    /// follow-ups, and reading their text is most of a fold that keeps none of it.
    /// - Parameters:
    ///   - id: how the dialect reads the id as text.
    ///   - unread: what an unread cell holds. PostgreSQL sends NULL (its reader takes it for
    ///     ''): no id formatted as text, no bytes sent (a cold fold of 1M entries spent a
    ///     second of the server's time and most of the client's on such rows).
    package static func columns(followupsWhole: Bool, id: String = "id", unread: String = "''") -> String {
        let names = ["seq", id, "type", "schema_version", "subject", "effective", "recorded_at", "author", "visibility", "payload", "salt", "prev_hash", "hash"]
        let unreadNames: Set = [id, "author", "payload", "salt", "prev_hash"]
        return names.map { followupsWhole || !unreadNames.contains($0) ? $0 : "CASE WHEN type = 'followup.logged' THEN \(unread) ELSE \($0) END" }
            .joined(separator: ", ")
    }

    /// An import must continue the chain exactly where it ends; checked inside the import's
    /// transaction, under the store's write lock.
    package static func checkImport(_ first: Entry, continues head: ChainHead) throws(LedgerError) {
        guard first.seq == head.seq + 1, first.prevHash == head.hash else {
            throw LedgerError(kind: .integrity, field: "seq \(first.seq)",
                "does not continue this ledger, which ends at seq \(head.seq) (hash \(head.hash.prefix(12))…)")
        }
    }
}

extension LedgerError {
    /// The database refused or failed `doing` ("read the ledger", "add the token"); `detail`
    /// is the driver's own words.
    package static func storage(_ doing: String, _ detail: String) -> LedgerError {
        LedgerError(kind: .storage, "could not \(doing): \(detail)")
    }

    /// Another writer held the ledger past the store's timeout.
    package static func busy(_ doing: String, _ detail: String) -> LedgerError {
        LedgerError(kind: .busy, "could not \(doing): \(detail); try again")
    }
}
