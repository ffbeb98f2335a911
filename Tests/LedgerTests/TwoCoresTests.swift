import Synchronization
import Testing
@testable import Ledger

@Suite("Two cores")
struct TwoCoresTests {
    /// Counts the instances alive, to see that a map that throws ends exactly what it made.
    final class Tracked: Sendable {
        static let alive = Atomic<Int>(0)
        let value: Int
        init(_ value: Int) {
            self.value = value
            Self.alive.add(1, ordering: .relaxed)
        }
        deinit { Self.alive.subtract(1, ordering: .relaxed) }
    }

    struct Refused: Error, Equatable { let item: Int }

    @Test func mapKeepsOrderAndThrowsTheFirstErrorHavingEndedWhatItMade() async throws {
        let items = Array(0..<1_001)
        #expect(await TwoCores.map(items) { "item \($0)" } == items.map { "item \($0)" })
        #expect(await TwoCores.map(Array(items.prefix(10))) { $0 * 2 } == items.prefix(10).map { $0 * 2 })

        // Both halves failing, only the first, only the second, at either end.
        for failing in [[300, 700], [300], [700], [0], [1_000]] {
            await #expect(throws: Refused(item: failing[0])) {
                _ = try await TwoCores.map(items) { (item) throws(Refused) -> Tracked in
                    if failing.contains(item) { throw Refused(item: item) }
                    return Tracked(item)
                }
            }
            #expect(Tracked.alive.load(ordering: .relaxed) == 0, "failing at \(failing)")
        }

        var kept: [Tracked]? = await TwoCores.map(items) { Tracked($0) }
        #expect(kept?.map(\.value) == items)
        #expect(Tracked.alive.load(ordering: .relaxed) == items.count)
        kept = nil
        #expect(Tracked.alive.load(ordering: .relaxed) == 0)
    }
}
