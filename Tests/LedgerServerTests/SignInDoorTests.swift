import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import LedgerTestSupport
import Logging
import Synchronization
import Testing
import Workspace
@testable import LedgerServer
import LedgerTeam

/// The sign-in door tried as an attacker would (issue "Every door holds, round 2"): parallel
/// guesses, the time a wrong name takes, bodies from nobody, forged log lines, and where a
/// webhook may point.
@Suite("Sign-in and webhook doors")
struct SignInDoorTests {
    typealias Browser = WorkspaceTests.Browser

    /// A browser with the sign-in form's cookie and token, as one that loaded the page has.
    static func atSignIn(_ client: some TestClientProtocol) async throws -> (Browser, String) {
        var browser = Browser()
        let page = try await browser.get(client, "/team/sign-in")
        return (browser, try WorkspaceTests.csrf(in: page.text))
    }

    @Test(arguments: StoreKind.allCases)
    func parallelGuessesAreCountedBeforeTheyAreChecked(_ kind: StoreKind) async throws {
        let site = try await WorkspaceTests.site(kind)
        try await site.test { client in
            _ = try await WorkspaceTests.signUp("maria", .editor, on: site, client)
            let (browser, token) = try await Self.atSignIn(client)
            func guess(_ name: String) async throws -> HTTPResponse.Status {
                var copy = browser
                return try await copy.post(client, "/team/sign-in", [("csrf", token), ("name", name), ("password", "wrong guess")]).status
            }
            let forMaria = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<20 { group.addTask { try await guess("maria") } }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(forMaria.filter { $0 == .unauthorized }.count == TeamSessions.failuresPerAccount, "checked: \(forMaria)")
            #expect(forMaria.filter { $0 == .tooManyRequests }.count == 20 - TeamSessions.failuresPerAccount)
            // From one address, many names: 5 of them were maria's above.
            let fromOneAddress = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<60 { group.addTask { try await guess("nobody-\(index)") } }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            let checked = fromOneAddress.filter { $0 == .unauthorized }.count
            #expect(checked == TeamSessions.failuresPerAddress - 20, "checked: \(checked) of 60, after 20 for maria")
        }
        await site.ledger.close()
    }

    @Test func anUnknownNameTakesAsLongAsAKnownOne() async throws {
        var configured = try await TestSite(.sqlite)
        configured.configuration.passwordCost = 10
        let site = configured
        try await site.test { client in
            let known = ["ana", "luis", "sofia", "marta", "jorge", "elena"]
            for name in known {
                _ = try await site.ledger.addMember(name: name, role: .viewer, email: nil)
                let member = try await site.ledger.member(named: name)
                #expect(try await site.ledger.accounts.updateMember(name: name, .password(hash: try await PasswordHashing.hash(WorkspaceTests.password, cost: 10),
                                                                                       setupDigest: try #require(member.setupDigest))))
            }
            let (browser, token) = try await Self.atSignIn(client)
            func timed(_ name: String) async throws -> Duration {
                var copy = browser
                let clock = ContinuousClock(), started = clock.now
                let answer = try await copy.post(client, "/team/sign-in", [("csrf", token), ("name", name), ("password", "not it")])
                #expect(answer.status == .unauthorized)
                return clock.now - started
            }
            // Interleaved, so a machine that slows down meanwhile slows both alike.
            var knownTime = Duration.zero, unknownTime = Duration.zero
            for name in known {
                knownTime += try await timed(name)
                unknownTime += try await timed(name + "-nobody")
            }
            let ratio = unknownTime / knownTime
            #expect(ratio > 0.5 && ratio < 2, "unknown names took \(unknownTime), known ones \(knownTime)")
        }
        await site.ledger.close()
    }

    @Test func nobodyNotSignedInGetsALargeBodyRead() async throws {
        let site = try await WorkspaceTests.site(.sqlite)
        let large = String(repeating: "a", count: 4 << 20)
        try await site.test { client in
            // No form cookie: refused before the body.
            var stranger = Browser()
            let refused = try await stranger.post(client, "/team/sign-in", [("csrf", "x"), ("name", large)])
            #expect(refused.status == .forbidden)
            // With the cookie: the sign-in form is small, and nothing larger is read.
            let (browser, token) = try await Self.atSignIn(client)
            var withCookie = browser
            let tooLarge = try await withCookie.post(client, "/team/sign-in", [("csrf", token), ("name", large)])
            #expect(tooLarge.status == .contentTooLarge, "\(tooLarge.status)")
            // Any other form, without a session: 401, whatever the body.
            for path in ["/team/sheets", "/team/settings", "/team/new/followup"] {
                #expect(try await stranger.post(client, path, [("csrf", "x"), ("csv", large)]).status == .unauthorized, "\(path)")
            }
            // The site still answers, and a real sign-in still works.
            #expect(try await client.get("/").status == .ok)
        }
        await site.ledger.close()
    }

    @Test func aLoggedFieldCannotWriteALineOfItsOwn() {
        final class Kept: @unchecked Sendable {
            let lines = Mutex<[String]>([])
        }
        struct Capturing: LogHandler {
            let kept: Kept
            var logLevel: Logger.Level = .trace
            var metadata: Logger.Metadata = [:]
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            func log(event: LogEvent) {
                let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                kept.lines.withLock { $0.append("\(event.message) \(fields)") }
            }
        }
        let kept = Kept()
        let logger = Logger(label: "test") { _ in EscapingLogHandler(Capturing(kept: kept)) }
        let forged = "maria\n2026-12-07T10:00:00+0000 info ledger.server: signed in member=admin\u{1B}[2K\u{2028}"
        logger.notice("sign-in refused \(forged)", metadata: ["member": "\(forged)", "nested": .array([.string("a\rb")])])
        let lines = kept.lines.withLock { $0 }
        #expect(lines.count == 1)
        let line = lines.first
        #expect(line?.contains("\n") == false && line?.contains("\r") == false && line?.contains("\u{1B}") == false && line?.contains("\u{2028}") == false)
        #expect(line?.contains(#"maria\n2026-12-07"#) == true, "escaped, not dropped: \(line ?? "")")
        #expect(line?.contains(#"\u{1B}[2K"#) == true)
    }

    @Test func aWebhookAddressInsideThisNetworkIsRefusedInEveryForm() async throws {
        for url in ["http://127.0.0.1/", "http://127.1:8080/", "http://2130706433/", "http://0x7f.0.0.1/", "http://0177.0.0.1/", "http://0/",
                    "http://0.0.0.0/", "http://10.1.2.3/", "http://172.20.0.1/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data",
                    "http://100.64.0.1/", "http://224.0.0.1/", "http://255.255.255.255/", "http://[::1]/", "http://[::]/", "http://[fe80::1]/",
                    "http://[fd00::1]/", "http://[ff02::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[64:ff9b::a00:1]/",
                    "http://[2002:c0a8:101::1]/", "http://localhost:9000/hook"] {
            let error = await #expect(throws: LedgerError.self, "\(url)") { _ = try await WebhookTarget.check(url, allowPrivate: false) }
            #expect(error?.field == "URL" && error?.message.contains("--allow-private") == true, "\(url): \(String(describing: error))")
            _ = try await WebhookTarget.check(url, allowPrivate: true)
        }
        for url in ["http://user:secret@news.example.org/hook", "https://token@news.example.org/", "ftp://news.example.org/", "http:///path"] {
            await #expect(throws: LedgerError.self, "\(url)") { _ = try await WebhookTarget.check(url, allowPrivate: true) }
        }
        for address in ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "8.8.8.8", "172.32.0.1", "100.128.0.1"] {
            #expect(!WebhookTarget.isPrivate(address), "\(address) is a public address")
        }
        #expect(WebhookTarget.literalAddress("2130706433") == "127.0.0.1")
        #expect(WebhookTarget.literalAddress("0x7f.1") == "127.0.0.1")
        #expect(WebhookTarget.literalAddress("news.example.org") == nil)
        #expect(Webhook(url: "https://user:pw@news.example.org/hook", secret: "s", publicOnly: false, createdAt: 0, deliveredSeq: 0).shownURL
                == "https://news.example.org/hook")
    }

    @Test func aMultipartFormIsReadWholeOrNotAtAll() throws {
        let boundary = "----ledger7MA4YWxkTrZu0gW"
        #expect(MultipartForm.boundary(contentType: "multipart/form-data; boundary=\"\(boundary)\"") == boundary)
        #expect(MultipartForm.boundary(contentType: "application/x-www-form-urlencoded") == nil)
        let csv = "id,title\r\nban-assault-weapons,\"Prohibir; ya\"\r\n"
        let body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntoken\r\n"
            + "--\(boundary)\r\nContent-Disposition: form-data; name=\"csv\"; filename=\"d.csv\"\r\nContent-Type: text/csv\r\n\r\n\(csv)\r\n"
            + "--\(boundary)--\r\n"
        let form = try #require(MultipartForm.form(ByteBuffer(string: body), boundary: boundary))
        #expect(form["csrf"] == "token")
        #expect(form["csv"] == "id,title\nban-assault-weapons,\"Prohibir; ya\"\n", "line ends as the ledger keeps them")
        // Cut short, the form is not read: the half a sheet it holds is not taken for a whole one.
        #expect(MultipartForm.form(ByteBuffer(string: String(body.dropLast(30))), boundary: boundary) == nil)
        var invalid = ByteBuffer(string: "--\(boundary)\r\nContent-Disposition: form-data; name=\"csv\"\r\n\r\n")
        invalid.writeBytes([0xFF, 0xFE, 0x41])
        invalid.writeString("\r\n--\(boundary)--\r\n")
        #expect(MultipartForm.form(invalid, boundary: boundary) == nil, "a part that is not UTF-8 text")
    }

    @Test func theWebhookFormRefusesAPrivateAddressUnlessTheBoxIsTicked() async throws {
        let site = try await WorkspaceTests.site(.sqlite)
        try await site.test { client in
            var admin = try await WorkspaceTests.signUp("lucia", .admin, on: site, client)
            let token = try WorkspaceTests.csrf(in: try await admin.get(client, "/team/webhooks").text)
            for url in ["http://127.0.0.1:9/hook", "http://[::1]:9/hook", "http://10.0.0.7/hook"] {
                let refused = try await admin.post(client, "/team/webhooks", [("csrf", token), ("action", "add"), ("url", url)])
                #expect(refused.status == .unprocessableContent, "\(url)")
                #expect(refused.text.contains("in-house receiver"), "the page says how to allow it")
            }
            let withPassword = try await admin.post(client, "/team/webhooks", [("csrf", token), ("action", "add"), ("url", "http://user:pw@127.0.0.1:9/hook"),
                                                                              ("allow_private", "1")])
            #expect(withPassword.status == .unprocessableContent)
            #expect(try await site.ledger.accounts.webhooks().isEmpty, "nothing refused was kept")
            let allowed = try await admin.post(client, "/team/webhooks", [("csrf", token), ("action", "add"), ("url", "http://127.0.0.1:9/hook"), ("allow_private", "1")])
            #expect(allowed.status == .ok)
            #expect(try await site.ledger.accounts.webhooks().map(\.allowPrivate) == [true])
        }
        await site.ledger.close()
    }
}
