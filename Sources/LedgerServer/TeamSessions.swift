import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import Ledger
import Logging
import NIOCore
import NIOPosix
import Synchronization
import LedgerTeam

/// Who is signed in to the workspace: server-side sessions kept in the ledger's database (so
/// a cookie works on every server of a deployment, and disabling a person ends theirs at
/// once), an HttpOnly SameSite=Lax cookie holding only a random secret, a form token per
/// session, and a throttle on failed sign-ins per account and per address.
struct TeamSessions: Sendable {
    let ledger: Ledger
    let secureCookies: Bool
    let passwordCost: UInt8
    /// The ledger is open for reading only: sessions are checked but never written.
    var readOnly = false
    let logger: Logger

    static let sessionCookie = "ledger_session"
    /// The sign-in and set-up forms have no session yet: their form token is checked against
    /// this cookie instead (a double submit), so another site cannot post them.
    static let formCookie = "ledger_form"

    /// Failed sign-ins allowed in the window, per account and per address.
    static let failuresPerAccount = 5
    static let failuresPerAddress = 30
    static let throttleWindow: Int64 = 15 * 60
    /// A session's last use is written at most this often, not on every page.
    static let touchInterval: Int64 = 60

    struct Current: Sendable {
        let member: TeamMember
        let session: TeamSession
    }

    /// A valid bcrypt hash of nothing anyone types, of the cost real ones have: checked when
    /// the name is unknown, so a wrong name takes as long as a wrong password.
    let decoyHash: String

    init(ledger: Ledger, secureCookies: Bool, passwordCost: UInt8, readOnly: Bool = false, logger: Logger) {
        (self.ledger, self.secureCookies, self.passwordCost, self.readOnly, self.logger) = (ledger, secureCookies, passwordCost, readOnly, logger)
        decoyHash = PasswordHashing.decoy(cost: passwordCost)
    }

    static func cookies(_ request: Request) -> [String: String] {
        var cookies: [String: String] = [:]
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                let name = pair[0].trimmingCharacters(in: .whitespaces)
                if cookies[name] == nil { cookies[name] = pair[1].trimmingCharacters(in: .whitespaces) }
            }
        }
        return cookies
    }

    func cookieHeader(name: String, value: String, maxAge: Int64, sameSite: String = "Lax") -> String {
        "\(name)=\(value); Path=/team; Max-Age=\(maxAge); HttpOnly; SameSite=\(sameSite)" + (secureCookies ? "; Secure" : "")
    }

    /// The signed-in person, or nil: no cookie, an unknown, ended or expired session, or a
    /// person disabled since. Every request reads the database, so a disabled person's
    /// sessions stop on every server at once.
    func current(_ request: Request, now: Int64 = Ledger.now()) async throws -> Current? {
        guard let secret = Self.cookies(request)[Self.sessionCookie], !secret.isEmpty, secret.count < 200 else { return nil }
        guard var session = try await ledger.accounts.session(digest: SecretToken.digest(of: secret)), session.isLive(at: now) else { return nil }
        guard let member = try await ledger.accounts.members().first(where: { $0.name == session.member }), member.canSignIn else { return nil }
        if now - session.lastSeenAt >= Self.touchInterval && !readOnly {
            session.lastSeenAt = now
            try await ledger.accounts.touchSession(digest: session.digest, at: now)
        }
        return Current(member: member, session: session)
    }

    enum SignInOutcome: Sendable {
        case signedIn(cookie: String, member: TeamMember)
        case refused
        case throttled
    }

    /// Counts the attempt against the account and the address first, then checks the
    /// password unless either has had too many lately: parallel guesses cannot all get in
    /// before the first failure is counted. A good sign-in takes its attempt back.
    func signIn(name: String, password: String, address: String, now: Int64 = Ledger.now()) async throws -> SignInOutcome {
        let accountKey = "member:\(name.prefix(TextLimits.author))", addressKey = "address:\(address)"
        let counts = try await ledger.accounts.countSignInAttempt(keys: [accountKey, addressKey], at: now, since: now - Self.throttleWindow)
        if counts[0] > Self.failuresPerAccount || counts[1] > Self.failuresPerAddress {
            logger.warning("sign-in throttled", metadata: ["member": "\(name.prefix(TextLimits.author))", "address": "\(address)", "attempts": "\(counts)"])
            return .throttled
        }
        let member = try await ledger.accounts.members().first { $0.name == name }
        // bcrypt reads at most 72 bytes; a longer password is refused rather than truncated.
        let matches = try await PasswordHashing.verify(password, hash: member?.passwordHash ?? decoyHash) && password.utf8.count <= 72
        guard let member, member.canSignIn, matches else {
            logger.notice("sign-in refused", metadata: ["member": "\(name.prefix(TextLimits.author))", "address": "\(address)"])
            return .refused
        }
        try await ledger.accounts.clearSignInFailures(key: accountKey)
        try await ledger.accounts.forgetSignInAttempt(key: addressKey, at: now)
        return .signedIn(cookie: try await startSession(for: member, now: now), member: member)
    }

    /// A new session for the person; returns the Set-Cookie value.
    func startSession(for member: TeamMember, now: Int64 = Ledger.now()) async throws -> String {
        let secret = SecretToken.new()
        try await ledger.accounts.addSession(TeamSession(digest: SecretToken.digest(of: secret), member: member.name,
                                                      csrfToken: SecretToken.new(), createdAt: now, lastSeenAt: now))
        logger.info("signed in", metadata: ["member": "\(member.name)"])
        return cookieHeader(name: Self.sessionCookie, value: secret, maxAge: TeamSession.absoluteLimit)
    }

    /// Sets the person's first password from their set-up link, which then stops working;
    /// nil when the link ended meanwhile (a reset or a disable since it was opened).
    func choosePassword(for member: TeamMember, password: String) async throws -> TeamMember? {
        guard let setupDigest = member.setupDigest else { return nil }
        let hash = try await PasswordHashing.hash(password, cost: passwordCost)
        guard try await ledger.accounts.updateMember(name: member.name, .password(hash: hash, setupDigest: setupDigest)) else { return nil }
        return try await ledger.member(named: member.name)
    }

    func end(_ session: TeamSession, now: Int64 = Ledger.now()) async throws {
        try await ledger.accounts.endSession(digest: session.digest, at: now)
    }

    var clearedSessionCookie: String { cookieHeader(name: Self.sessionCookie, value: "", maxAge: 0) }
}

/// bcrypt on threads of its own, never on the event loop: a hash takes about 0.3 s at cost
/// 12, and 20 parallel sign-ins on the loop held every other request for seconds. One core
/// is left to the site.
enum PasswordHashing {
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(1, System.coreCount - 1))
        pool.start()
        return pool
    }()
    private static let decoys = Mutex<[UInt8: String]>([:])

    static func verify(_ password: String, hash: String) async throws -> Bool {
        try await pool.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    static func hash(_ password: String, cost: UInt8) async throws -> String {
        try await pool.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// One decoy per cost, made once (a server makes it as it starts).
    static func decoy(cost: UInt8) -> String {
        decoys.withLock { made in
            if let decoy = made[cost] { return decoy }
            let decoy = Bcrypt.hash(SecretToken.new(), cost: cost)
            made[cost] = decoy
            return decoy
        }
    }
}
