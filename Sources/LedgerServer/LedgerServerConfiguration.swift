import Foundation
import Ledger
import NIOCore
import ServiceLifecycle
import Reports
import Transparency

/// How `ledgerctl serve` runs.
public struct LedgerServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (tests); the one chosen is passed to `onRunning`.
    public var port = 8080
    /// Where the public reaches the site, for the feeds' absolute links (no trailing slash).
    /// Defaults to `http://host:port`.
    public var publicURL: String?
    /// The largest request body a write may send.
    public var maxBodyBytes = 4 << 20
    /// A connection idle this long is closed, so stalled clients cannot pile up.
    public var idleTimeout: Duration = .seconds(30)
    /// How often a SQLite ledger is checked for other processes' writes.
    public var pollInterval: Duration = .milliseconds(500)
    /// The ledger was opened for reading only (a file this user may not write): writes get 503.
    public var readOnly = false
    /// The templates of the pages, reports and Atom feed (`--templates DIR` brands them).
    public var templates = ReportTemplates.builtIn
    /// The log's signing key: with it the server signs a checkpoint soon after the head
    /// moves, and before answering a write (whose answer then carries receipts).
    public var signer: SignedNote.Signer?
    /// How soon after the head moves a checkpoint is signed.
    public var checkpointInterval: Duration = .seconds(1)
    /// bcrypt's work factor for the workspace's passwords (2^cost rounds). Tests lower it.
    public var passwordCost: UInt8 = 12
    /// The machine's sendmail, for the team's reminders; nil sends no mail.
    public var sendmail: String? = "/usr/sbin/sendmail"
    /// The reminders' From address (default ledger@ the public URL's host).
    public var mailFrom: String?
    /// How often the outbox delivers to webhooks (mail: once a minute).
    public var outboxInterval: Duration = .seconds(2)
    /// The server stores new snapshots of the fold (see `ProjectionSnapshot`) once the head
    /// is this many entries past the last ones; nil never does.
    public var snapshotThreshold: Int64? = 10_000
    /// Answer nothing until the whole chain is verified and the pages' fold is loaded. By
    /// default a server with a stored counts snapshot answers the status page and the
    /// status API from it at once, and writes and the other pages wait for that.
    public var verifyFirst = false

    public init() {}

    var baseURL: String {
        var url = publicURL ?? "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}

extension LedgerServerConfiguration {
    /// Cookies are marked Secure when people reach the server over https.
    var secureCookies: Bool { publicURL?.lowercased().hasPrefix("https://") ?? false }
}
