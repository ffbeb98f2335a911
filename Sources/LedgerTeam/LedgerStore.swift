import Ledger

/// Where the ledger lives, whole: the core's side (the chain, checkpoints and editions,
/// snapshots) and what the team keeps beside the chain, each concern its own protocol so that
/// a reader of one need not read the rest. Both stores keep every promise, checked by one
/// conformance suite run on each (Tests/LedgerStoresTests).
public protocol LedgerStore: CoreStore, TokenStore, TeamStore, OutboxStore {}

extension Ledger {
    /// The store as a whole, for what the team keeps beside the chain. The core holds only its
    /// own side of the store; both stores of this package keep the rest too.
    public nonisolated var accounts: any LedgerStore {
        get throws(LedgerError) {
            guard let whole = store as? any LedgerStore else {
                throw LedgerError(kind: .storage, field: "database", "\(store.displayName) keeps only the chain: no team, tokens or outbox")
            }
            return whole
        }
    }
}

/// The write API's bearer tokens, kept as digests.
public protocol TokenStore: Sendable {
    /// Stores a new live token's SHA-256 digest. A name with a live token is refused.
    func addToken(name: String, digest: String) async throws
    /// Every token, live and revoked, oldest first.
    func tokens() async throws -> [APIToken]
    /// Revokes the name's live token; false when it has none.
    func revokeToken(name: String) async throws -> Bool
}

/// The team's people, their sessions and sign-in attempts: settings beside the chain, not entries.
public protocol TeamStore: Sendable {
    /// Stores a new person; a name already taken is refused.
    func addMember(_ member: TeamMember) async throws
    /// Everyone, oldest first.
    func members() async throws -> [TeamMember]
    /// Changes only what `change` names of the person, under its condition; false when no
    /// person of that name met it.
    func updateMember(name: String, _ change: MemberChange) async throws -> Bool
    func addSession(_ session: TeamSession) async throws
    /// The session with this digest and its person, ended or not.
    func session(digest: String) async throws -> TeamSession?
    /// Marks the session used at `at`, unless it has ended.
    func touchSession(digest: String, at: Int64) async throws
    /// Ends the session (the first end counts).
    func endSession(digest: String, at: Int64) async throws
    /// Ends every open session of the person.
    func endSessions(member: String, at: Int64) async throws
    /// Counts a sign-in attempt against each key (an account, an address) before its password
    /// is checked, and returns each key's attempts since `since`, this one included: of
    /// parallel attempts, the n-th to be counted sees at least n.
    func countSignInAttempt(keys: [String], at: Int64, since: Int64) async throws -> [Int]
    /// Takes back one attempt counted against the key at `at` (a sign-in that succeeded).
    func forgetSignInAttempt(key: String, at: Int64) async throws
    /// Forgets the key's attempts (after a good sign-in).
    func clearSignInFailures(key: String) async throws
}

/// The server's outbox: mail to send and webhooks to deliver, with their attempts.
public protocol OutboxStore: Sendable {
    /// Keeps a message to send; false (and nothing changed) when one with its key exists.
    func addMailDelivery(_ delivery: MailDelivery) async throws -> Bool
    /// Messages not sent yet whose next attempt is due at `now`, oldest first.
    func dueMailDeliveries(at now: Int64) async throws -> [MailDelivery]
    /// Every message kept for a person, newest first (at most `limit`).
    func mailDeliveries(member: String, limit: Int) async throws -> [MailDelivery]
    /// Writes an attempt's outcome (sent, attempts, next attempt, error) of a message not
    /// already sent.
    func saveMailAttempt(_ delivery: MailDelivery) async throws
    /// Keeps a webhook; returns it numbered.
    func addWebhook(_ hook: Webhook) async throws -> Webhook
    /// Every webhook, removed ones too, oldest first.
    func webhooks() async throws -> [Webhook]
    /// Removes the hook for good; false when there is no such active hook.
    func removeWebhook(id: Int64, at: Int64) async throws -> Bool
    /// Writes a delivery pass's progress (delivered seq, attempts, next attempt, error) of a
    /// hook not removed meanwhile; a removed hook stays removed.
    func saveWebhookProgress(_ hook: Webhook) async throws
    func addWebhookDelivery(_ delivery: WebhookDelivery) async throws
    /// A webhook's latest attempts, newest first.
    func webhookDeliveries(hookID: Int64, limit: Int) async throws -> [WebhookDelivery]
}

