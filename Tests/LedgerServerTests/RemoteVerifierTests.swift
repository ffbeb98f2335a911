import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import LedgerTestSupport
import RemoteVerifier
import Synchronization
import Testing
import Transparency
@testable import LedgerServer

/// The outside check as a library: run in process against a served log, as a witness would.
@Suite("Remote verification, in process")
struct RemoteVerifierTests {
    @Test func aServedLogVerifiesAndGrowsFromWhatWasSeen() async throws {
        let site = try await TestSite(withSecrets: true, signed: true)
        let head = try await site.ledger.store.head().seq
        let internalCount = try await site.ledger.store.entries(after: 0, limit: 10_000).filter { $0.visibility == .internal }.count
        try await site.test(.live) { client in
            let port = try #require(client.port)
            let base = try #require(URL(string: "http://localhost:\(port)/"))
            var checker = RemoteVerification(base: base, verifier: TestSite.signer.verifier)
            let pages = PagesSeen()
            checker.pageChecked = { entries, size in pages.add(entries, size) }
            let first = try await checker.run(previous: nil)
            #expect(first.checkpoint.size == head)
            #expect(first.internalEntries == internalCount && first.publicEntries == Int(head) - internalCount)
            #expect(pages.total == head && pages.sizes == [head])
            #expect(first.previous == nil)
            // What was seen before must be contained: the same checkpoint is.
            let seen = RemoteVerification.State(origin: first.checkpoint.origin, size: first.checkpoint.size, root: first.checkpoint.root.base64,
                                                checkpoint: first.checkpoint.text, seenAt: "2023-07-31")
            #expect(try await checker.run(previous: seen).previous?.size == head)
        }
        await site.ledger.close()
    }

    @Test func anotherKeyOrARewrittenPastIsRefused() async throws {
        let site = try await TestSite(signed: true)
        try await site.test(.live) { client in
            let port = try #require(client.port)
            let base = try #require(URL(string: "http://localhost:\(port)/"))
            let stranger = try SignedNote.Signer(generatingFor: "ledger.example.org/pmpj").verifier
            await #expect { try await RemoteVerification(base: base, verifier: stranger).run(previous: nil) } throws: { error in
                (error as? LedgerError)?.kind == .integrity && "\(error)".contains("does not verify with the key")
            }
            // A checkpoint "seen before" whose root the log does not contain: a rewritten past.
            let checker = RemoteVerification(base: base, verifier: TestSite.signer.verifier)
            let honest = try await checker.run(previous: nil).checkpoint
            let forged = RemoteVerification.State(origin: honest.origin, size: honest.size - 1, root: Data(repeating: 7, count: 32).base64EncodedString(),
                                                  checkpoint: "", seenAt: "2023-07-31")
            await #expect { try await checker.run(previous: forged) } throws: { error in (error as? LedgerError)?.kind == .integrity }
        }
        await site.ledger.close()
    }
}

/// The pages a check reported, from whichever task reported them.
private final class PagesSeen: Sendable {
    private let seen = Mutex<(total: Int64, sizes: Set<Int64>)>((0, []))
    func add(_ entries: Int64, _ size: Int64) { seen.withLock { $0.total += entries; $0.sizes.insert(size) } }
    var total: Int64 { seen.withLock { $0.total } }
    var sizes: Set<Int64> { seen.withLock { $0.sizes } }
}
