import Foundation
import Ledger

/// What a person of the team may do in the workspace. Each role includes the ones before it.
public enum TeamRole: String, Sendable, Codable, CaseIterable, Comparable {
    /// Reads everything, internal entries included.
    case viewer
    /// Also writes entries.
    case editor
    /// Also manages people and API tokens.
    case admin

    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public var canWrite: Bool { self >= .editor }
}

/// A person of the team, as stored: access settings, not ledger entries, so kept beside the
/// chain. Times are seconds since 1970 (UTC). The password is stored only as a bcrypt hash;
/// the set-up link only as the SHA-256 of its secret.
public struct TeamMember: Sendable, Hashable, Codable {
    public var name: String
    public var role: TeamRole
    public var email: String?
    public var passwordHash: String?
    public var setupDigest: String?
    public var setupExpiresAt: Int64?
    public var disabledAt: Int64?
    public var createdAt: Int64
    /// The SHA-256 of the secret in the person's calendar address (`/team/calendar.ics?key=…`).
    public var calendarDigest: String?
    /// `en` or `es`: the language of the mail they get.
    public var language: String = "en"
    /// The weekly digest and the overdue notices, when they opted in.
    public var notifyWeekly = false
    public var notifyOverdue = false
    /// When they opted in to overdue notices: commitments overdue before then are not news.
    public var notifySince: Int64?

    public init(name: String, role: TeamRole, email: String? = nil, passwordHash: String? = nil, setupDigest: String? = nil,
                setupExpiresAt: Int64? = nil, disabledAt: Int64? = nil, createdAt: Int64) {
        (self.name, self.role, self.email, self.passwordHash) = (name, role, email, passwordHash)
        (self.setupDigest, self.setupExpiresAt, self.disabledAt, self.createdAt) = (setupDigest, setupExpiresAt, disabledAt, createdAt)
    }

    public var isDisabled: Bool { disabledAt != nil }
    /// Whether the person has chosen a password and may sign in.
    public var canSignIn: Bool { !isDisabled && passwordHash != nil }

    package static func nameTaken(_ name: String) -> LedgerError {
        LedgerError(field: "NAME", "\(name) is already a member of the team (see `ledgerctl user list`)")
    }
}

/// One write to a stored person: the store changes only the columns it names, under the
/// condition it names, so two writes that straddle each other (a settings save and a
/// `user disable`) both hold and neither brings back what the other ended.
public enum MemberChange: Sendable, Equatable {
    /// The first password, from the set-up link whose digest this is: only while that link is
    /// still the person's and they are not disabled (a reset or a disable since ends it).
    case password(hash: String, setupDigest: String)
    /// Forgets the password and the calendar address, enables the person again, and gives
    /// them a new set-up link.
    case reset(setupDigest: String, expiresAt: Int64)
    /// Stops the person signing in (the first time counts) and ends their set-up link.
    case disable(at: Int64)
    /// A new calendar address: only while the person may sign in.
    case calendar(digest: String)
    /// Their mail settings; nil leaves one as it is. Opting in to overdue notices at `now`
    /// starts them from then, unless they were already on.
    case notifications(weekly: Bool?, overdue: Bool?, language: String?, now: Int64)
    /// Their address; none also stops their mail.
    case email(String?)
}

/// A signed-in browser, as stored: the SHA-256 of the cookie's secret (never the secret),
/// whose it is, its form token, and when it began and was last used.
public struct TeamSession: Sendable, Hashable, Codable {
    public var digest: String
    public var member: String
    public var csrfToken: String
    public var createdAt: Int64
    public var lastSeenAt: Int64
    public var endedAt: Int64?

    public init(digest: String, member: String, csrfToken: String, createdAt: Int64, lastSeenAt: Int64, endedAt: Int64? = nil) {
        (self.digest, self.member, self.csrfToken, self.createdAt, self.lastSeenAt, self.endedAt) =
            (digest, member, csrfToken, createdAt, lastSeenAt, endedAt)
    }

    /// Sessions end after 12 hours unused and 7 days after sign-in, whichever comes first.
    public static let idleLimit: Int64 = 12 * 3_600
    public static let absoluteLimit: Int64 = 7 * 86_400

    public func isLive(at now: Int64) -> Bool {
        endedAt == nil && now - lastSeenAt < Self.idleLimit && now - createdAt < Self.absoluteLimit
    }
}

/// A set-up link's secret: what `user add` and `user reset` print, once.
public struct SetupLink: Sendable {
    public let member: String
    public let secret: String
    public let expiresAt: Int64
    /// How long a set-up link stays valid.
    public static let lifetime: Int64 = 24 * 3_600

    /// The link's path under a server's public URL.
    public var path: String { "/team/setup/\(secret)" }
}

extension Ledger {
    public static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    /// Adds a person who cannot sign in yet, and returns the link where they choose a password.
    public func addMember(name: String, role: TeamRole, email: String?) async throws -> SetupLink {
        try EntryValidator.checkText(name, field: "NAME", maxLength: TextLimits.author, multiline: false)
        if let email { try Self.checkEmail(email) }
        let now = Self.now()
        let secret = SecretToken.new()
        try await accounts.addMember(TeamMember(name: name, role: role, email: email, setupDigest: SecretToken.digest(of: secret),
                                             setupExpiresAt: now + SetupLink.lifetime, createdAt: now))
        return SetupLink(member: name, secret: secret, expiresAt: now + SetupLink.lifetime)
    }

    /// Forgets the person's password, ends their sessions and returns a new set-up link.
    /// Its calendar address stops working too: the account may have been taken over.
    public func resetMember(name: String) async throws -> SetupLink {
        let now = Self.now()
        let secret = SecretToken.new()
        try await change(name, .reset(setupDigest: SecretToken.digest(of: secret), expiresAt: now + SetupLink.lifetime))
        try await accounts.endSessions(member: name, at: now)
        return SetupLink(member: name, secret: secret, expiresAt: now + SetupLink.lifetime)
    }

    /// Stops the person signing in and ends every session of theirs, on every server (each
    /// request reads the session from the database).
    public func disableMember(name: String) async throws {
        let now = Self.now()
        try await change(name, .disable(at: now))
        try await accounts.endSessions(member: name, at: now)
    }

    /// Writes one change that has no condition but the name; throws when there is no such person.
    func change(_ name: String, _ change: MemberChange) async throws {
        guard try await accounts.updateMember(name: name, change) else { _ = try await member(named: name); return }
    }

    public func member(named name: String) async throws -> TeamMember {
        guard let member = try await accounts.members().first(where: { $0.name == name }) else {
            throw LedgerError(kind: .notFound, field: "NAME", "\(name) is not a member of the team (see `ledgerctl user list`)")
        }
        return member
    }

    /// The person whose set-up link has this secret, while it is valid.
    public func member(withSetupSecret secret: String, at now: Int64 = Ledger.now()) async throws -> TeamMember? {
        let digest = SecretToken.digest(of: secret)
        var found: TeamMember?
        for member in try await accounts.members() {
            if let stored = member.setupDigest, SecretToken.constantTimeEqual(stored, digest),
               let expires = member.setupExpiresAt, now < expires, !member.isDisabled {
                found = member
            }
        }
        return found
    }

    /// An address as mail programs take it whole: letters, digits and `.!#$%&'*+/=?^_`{|}~-`
    /// before the @, a dotted host name after. Anything else (`>`, `,`, `;`, spaces, angle
    /// brackets, quotes) could make a second recipient or a header of its own, so it is refused.
    public static func checkEmail(_ email: String) throws(LedgerError) {
        try EntryValidator.checkText(email, field: "email", maxLength: 254, multiline: false)
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-")
        guard parts.count == 2, let local = parts.first, let host = parts.last, !local.isEmpty,
              local.allSatisfy(localAllowed.contains), !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else {
            throw LedgerError(field: "email", "'\(email)' is not an e-mail address: before the @ it may hold only letters, digits and . ! # $ % & ' * + / = ? ^ _ ` { | } ~ -, and exactly one @")
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ label in
            !label.isEmpty && !label.hasPrefix("-") && !label.hasSuffix("-") && label.allSatisfy { $0 == "-" || ($0.isLetter || $0.isNumber) && !$0.isWhitespace }
        }) else {
            throw LedgerError(field: "email", "'\(email)' is not an e-mail address: after the @ comes a host name such as example.org (letters, digits, - and dots)")
        }
    }
}

/// Random secrets for links, cookies and form tokens, and how they are stored: only a digest.
public enum SecretToken {
    /// 32 random bytes, base64url without padding.
    public static func new() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public static func digest(of secret: String) -> String { APIToken.digest(of: secret) }

    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool { APIToken.constantTimeEqual(a, b) }
}

extension Ledger {
    /// A new secret calendar address for the person (the old one stops working); returns the secret.
    public func resetCalendar(name: String) async throws -> String {
        let secret = SecretToken.new()
        guard try await accounts.updateMember(name: name, .calendar(digest: SecretToken.digest(of: secret))) else {
            _ = try await member(named: name)
            throw LedgerError(kind: .notFound, field: "NAME", "\(name) cannot sign in (disabled, or no password chosen yet), so has no calendar address")
        }
        return secret
    }

    /// The active person whose calendar address has this secret.
    public func member(withCalendarSecret secret: String) async throws -> TeamMember? {
        let digest = SecretToken.digest(of: secret)
        var found: TeamMember?
        for member in try await accounts.members() {
            if let stored = member.calendarDigest, SecretToken.constantTimeEqual(stored, digest), member.canSignIn { found = member }
        }
        return found
    }

    /// Changes what mail the person gets, and in which language; nil leaves a setting as it is.
    /// Opting in to overdue notices starts them from now: what was overdue before is not news.
    @discardableResult
    public func setNotifications(name: String, weekly: Bool?, overdue: Bool?, language: String?) async throws -> TeamMember {
        if let language, !["en", "es"].contains(language) { throw LedgerError(field: "language", "must be en or es") }
        if (weekly == true || overdue == true), try await member(named: name).email == nil {
            throw LedgerError(field: "email", "\(name) has no e-mail address; add one first")
        }
        try await change(name, .notifications(weekly: weekly, overdue: overdue, language: language, now: Self.now()))
        return try await member(named: name)
    }

    /// Sets the person's e-mail address (mail goes there).
    public func setEmail(name: String, email: String?) async throws {
        if let email { try Self.checkEmail(email) }
        try await change(name, .email(email))
    }
}
