import Foundation
import LedgerTestSupport
import Testing
@testable import Ledger
import LedgerTeam

/// Writes to the team's tables that straddle each other, on both stores: each changes only
/// what it means to, so a disable, a reset or a removal is never undone by a stale copy.
@Suite("Team writes that race")
struct TeamRaceTests {
    static let trials = 200

    /// A person with a password and a calendar address, as a settings page would find them.
    static func signedUp(_ name: String, on ledger: Ledger) async throws -> String {
        _ = try await ledger.addMember(name: name, role: .editor, email: "\(name)@example.org")
        let member = try await ledger.member(named: name)
        #expect(try await ledger.accounts.updateMember(name: name, .password(hash: "$2b$04$" + String(repeating: "a", count: 53),
                                                                         setupDigest: try #require(member.setupDigest))))
        return try await ledger.resetCalendar(name: name)
    }

    @Test(arguments: StoreKind.allCases)
    func aDisableOrResetIsNeverUndoneByTheirOwnSettingsSave(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await kind.makeLedger(in: directory)
        for trial in 0..<Self.trials {
            let name = "p\(trial)"
            _ = try await Self.signedUp(name, on: ledger)
            let resets = trial % 2 == 1
            // Their own save of the settings page, at the same moment as the admin's command.
            @Sendable func save() async throws { _ = try await ledger.setNotifications(name: name, weekly: true, overdue: true, language: "es") }
            @Sendable func end() async throws { if resets { _ = try await ledger.resetMember(name: name) } else { try await ledger.disableMember(name: name) } }
            async let saved: Void = save()
            async let ended: Void = end()
            _ = try await (saved, ended)
            let member = try await ledger.member(named: name)
            if resets {
                #expect(member.passwordHash == nil && member.calendarDigest == nil, "trial \(trial): the reset held")
            } else {
                #expect(member.isDisabled && !member.canSignIn, "trial \(trial): the disable held")
            }
            #expect(member.language == "es" && member.notifyWeekly && member.notifyOverdue, "trial \(trial): the settings held too")
        }
        await ledger.close()
    }

    @Test(arguments: StoreKind.allCases)
    func aStaleCopyWritesNothingBack(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await kind.makeLedger(in: directory)
        _ = try await Self.signedUp("maria", on: ledger)
        try await ledger.disableMember(name: "maria")
        // A calendar address asked for by a request that began before the disable.
        await #expect(throws: LedgerError.self) { _ = try await ledger.resetCalendar(name: "maria") }
        #expect(try await ledger.member(named: "maria").isDisabled)
        // A first password from a set-up link that a second reset has replaced since.
        _ = try await ledger.resetMember(name: "maria")
        let replaced = try #require(try await ledger.member(named: "maria").setupDigest)
        _ = try await ledger.resetMember(name: "maria")
        #expect(try await !ledger.accounts.updateMember(name: "maria", .password(hash: "x", setupDigest: replaced)))
        #expect(try await ledger.member(named: "maria").passwordHash == nil)
        await ledger.close()
    }

    @Test(arguments: StoreKind.allCases)
    func anEndedSessionStaysEnded(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await kind.makeLedger(in: directory)
        _ = try await Self.signedUp("maria", on: ledger)
        let session = TeamSession(digest: SecretToken.digest(of: "s"), member: "maria", csrfToken: "t", createdAt: Ledger.now(), lastSeenAt: Ledger.now())
        try await ledger.accounts.addSession(session)
        try await ledger.disableMember(name: "maria")
        // The page that was being served as the disable ran marks the session used.
        try await ledger.accounts.touchSession(digest: session.digest, at: Ledger.now() + 1)
        let stored = try #require(try await ledger.accounts.session(digest: session.digest))
        #expect(stored.endedAt != nil && !stored.isLive(at: Ledger.now()))
        await ledger.close()
    }

    @Test(arguments: StoreKind.allCases)
    func aRemovedWebhookStaysRemovedWhateverADeliveryInFlightSaves(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await kind.makeLedger(in: directory)
        for trial in 0..<Self.trials {
            var inFlight = try await ledger.addWebhook(url: "https://news.example.org/hook/\(trial)", publicOnly: false)
            inFlight.deliveredSeq += 1
            inFlight.lastError = nil
            let copy = inFlight
            async let removed: Void = ledger.removeWebhook(id: copy.id)
            async let saved: Void = ledger.accounts.saveWebhookProgress(copy)
            _ = try await (removed, saved)
            let stored = try #require(try await ledger.accounts.webhooks().first { $0.id == copy.id })
            #expect(!stored.isActive, "trial \(trial): the removal held")
        }
        let error = await #expect(throws: LedgerError.self) { try await ledger.removeWebhook(id: 1) }
        #expect(error?.kind == .notFound, "a removed hook cannot be removed again")
        await ledger.close()
    }

    @Test(arguments: StoreKind.allCases)
    func aResetEndsTheCalendarAddressForGood(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await kind.makeLedger(in: directory)
        let calendar = try await Self.signedUp("maria", on: ledger)
        #expect(try await ledger.member(withCalendarSecret: calendar)?.name == "maria")
        _ = try await ledger.resetMember(name: "maria")
        // Even once the new password is chosen, the old address stays dead.
        let member = try await ledger.member(named: "maria")
        #expect(try await ledger.accounts.updateMember(name: "maria", .password(hash: "$2b$04$" + String(repeating: "b", count: 53),
                                                                           setupDigest: try #require(member.setupDigest))))
        #expect(try await ledger.member(withCalendarSecret: calendar) == nil)
        await ledger.close()
    }

    @Test(arguments: StoreKind.allCases)
    func anAddressThatCouldNameASecondRecipientIsRefused(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await kind.makeLedger(in: directory)
        for bad in ["x>,attacker@evil.example", "a@b.org, c@d.org", "a@b.org;c@d.org", "<a@b.org>", "a b@c.org", "\"a\"@b.org", "a@b", "a@@b.org",
                    "a@b.org\n", "a@-b.org", ".a@b.org", "a@b..org"] {
            let error = await #expect(throws: LedgerError.self, "\(bad.debugDescription)") {
                _ = try await ledger.addMember(name: "jo", role: .viewer, email: bad)
            }
            #expect(error?.field == "email", "\(bad.debugDescription): \(String(describing: error))")
        }
        #expect(try await ledger.accounts.members().isEmpty, "nothing was added")
        _ = try await ledger.addMember(name: "jo", role: .viewer, email: "jo.o'neil+ledger@prensa.example.mx")
        await #expect(throws: LedgerError.self) { try await ledger.setEmail(name: "jo", email: "jo@example.org>, x@evil.example") }
        #expect(try await ledger.member(named: "jo").email == "jo.o'neil+ledger@prensa.example.mx")
        await ledger.close()
    }
}
