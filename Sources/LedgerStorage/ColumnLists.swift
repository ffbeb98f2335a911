/// The column lists of the tables beside the chain, in the order both stores read and write
/// them, so that a column added by a migration is added once for both.
package enum ColumnLists {
    package static let checkpoint = "number, tree_size, root_hash, note, verifier_key, signed_at"
    package static let member = "name, role, email, password_hash, setup_digest, setup_expires_at, disabled_at, created_at, calendar_digest, language, notify_weekly, notify_overdue, notify_since"
    package static let session = "digest, member, csrf_token, created_at, last_seen_at, ended_at"
    package static let mail = "key, member, message, created_at, sent_at, attempts, next_attempt_at, last_error"
    package static let webhook = "id, url, secret, public_only, created_at, removed_at, delivered_seq, attempts, next_attempt_at, last_error, allow_private"
}
