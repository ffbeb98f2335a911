import Ledger
import LedgerTeam

/// A row of a table beside the chain as a driver read it, its columns in their `ColumnLists`
/// order. Each store adapts its driver's row; the mapping to the models is written once, below.
package protocol StoredRow {
    func text(_ column: Int) throws -> String?
    func integer(_ column: Int) throws -> Int64?
    func boolean(_ column: Int) throws -> Bool?
}

extension StoredRow {
    func text(required column: Int) throws -> String {
        guard let value = try text(column) else { throw StoredRows.null(column) }
        return value
    }

    func integer(required column: Int) throws -> Int64 {
        guard let value = try integer(column) else { throw StoredRows.null(column) }
        return value
    }

    func boolean(required column: Int) throws -> Bool {
        guard let value = try boolean(column) else { throw StoredRows.null(column) }
        return value
    }
}

/// The models of the tables beside the chain, from their rows: the same on every store.
package enum StoredRows {
    static func null(_ column: Int) -> LedgerError {
        LedgerError(kind: .storage, "column \(column + 1) of a row beside the chain is NULL, which the schema does not allow")
    }

    /// `ColumnLists.member`.
    package static func member(_ row: some StoredRow) throws -> TeamMember {
        var member = TeamMember(name: try row.text(required: 0), role: TeamRole(rawValue: try row.text(required: 1)) ?? .viewer, email: try row.text(2),
                                passwordHash: try row.text(3), setupDigest: try row.text(4), setupExpiresAt: try row.integer(5),
                                disabledAt: try row.integer(6), createdAt: try row.integer(required: 7))
        member.calendarDigest = try row.text(8)
        member.language = try row.text(required: 9)
        member.notifyWeekly = try row.boolean(required: 10)
        member.notifyOverdue = try row.boolean(required: 11)
        member.notifySince = try row.integer(12)
        return member
    }

    /// `ColumnLists.session`.
    package static func session(_ row: some StoredRow) throws -> TeamSession {
        TeamSession(digest: try row.text(required: 0), member: try row.text(required: 1), csrfToken: try row.text(required: 2),
                    createdAt: try row.integer(required: 3), lastSeenAt: try row.integer(required: 4), endedAt: try row.integer(5))
    }

    /// `ColumnLists.mail`.
    package static func mail(_ row: some StoredRow) throws -> MailDelivery {
        MailDelivery(key: try row.text(required: 0), member: try row.text(required: 1), message: try row.text(required: 2),
                     createdAt: try row.integer(required: 3), sentAt: try row.integer(4), attempts: Int(try row.integer(required: 5)),
                     nextAttemptAt: try row.integer(required: 6), lastError: try row.text(7))
    }

    /// `ColumnLists.webhook`.
    package static func webhook(_ row: some StoredRow) throws -> Webhook {
        var hook = Webhook(id: try row.integer(required: 0), url: try row.text(required: 1), secret: try row.text(required: 2),
                           publicOnly: try row.boolean(required: 3), createdAt: try row.integer(required: 4), removedAt: try row.integer(5),
                           deliveredSeq: try row.integer(required: 6), attempts: Int(try row.integer(required: 7)),
                           nextAttemptAt: try row.integer(required: 8), lastError: try row.text(9))
        hook.allowPrivate = try row.boolean(required: 10)
        return hook
    }
}
