import Foundation
import Ledger
import LedgerStores
import Reports
import Transparency

/// The verifiability issue's rows: signing a checkpoint and making a receipt at any size
/// (O(log n) on the kept tree), what keeping the tree adds to an append, and `verify
/// --remote` against a local server next to `verify` on the database.
extension Scenarios {
    mutating func transparency(size: Int, sqlite: String) async throws {
        Self.progress("checkpoints and receipts (\(size) entries)")
        let keyPath = folder.appendingPathComponent("bench-\(size).key").path
        try? FileManager.default.removeItem(atPath: keyPath)
        let signer = try SignedNote.Signer(generatingFor: "bench.example/log")
        try Data(signer.privateKeyText.utf8).write(to: URL(fileURLWithPath: keyPath))
        let judged = size == Self.targetSize

        let ledger = try await Ledger.open(.sqlite(path: sqlite), create: false)
        // The tree is built once per process from the stored hashes, then kept.
        let buildStart = ContinuousClock.now
        _ = try await ledger.withMerkleTree { $0.size }
        let build = Stats.seconds(ContinuousClock.now - buildStart)
        _ = try await ledger.signCheckpoint(with: signer)

        // Signing: the root at the head and the Ed25519 signature over the checkpoint.
        var signing: [Double] = []
        for _ in 0..<200 {
            let start = ContinuousClock.now
            _ = try await ledger.withMerkleTree { tree in
                try signer.sign(Checkpoint(origin: signer.name, size: tree.size, root: try tree.root()).text)
            }
            signing.append(Stats.seconds(ContinuousClock.now - start) * 1_000)
        }
        figures.append(Figure(
            scenario: "checkpoint sign", store: "memory", entries: size, unit: "ms", ours: Stats.median(signing), better: .lower,
            target: judged ? "≤ 1 ms" : nil, met: judged ? Stats.median(signing) <= 1 : nil,
            note: String(format: "root + Ed25519 on the kept tree; p99 %.3f ms; tree built once in %.2f s", Stats.percentile(signing, 99), build)))

        // Receipts: the latest checkpoint read, the inclusion proof of a random entry.
        var receipts: [Double] = []
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let seq = Int64.random(in: 1...Int64(size), using: &generator)
            let start = ContinuousClock.now
            _ = try await ledger.receipt(seq: seq)
            receipts.append(Stats.seconds(ContinuousClock.now - start) * 1_000)
        }
        figures.append(Figure(
            scenario: "receipt", store: "sqlite", entries: size, unit: "ms", ours: Stats.median(receipts), better: .lower,
            target: judged ? "≤ 1 ms" : nil, met: judged ? Stats.median(receipts) <= 1 : nil,
            note: String(format: "latest checkpoint read + inclusion proof; p99 %.3f ms", Stats.percentile(receipts, 99))))

        // An append, with and without bringing the tree up to it, interleaved.
        let records = try await ledger.records()
        guard let subject = records.records.first(where: { $0.type == .demandRecorded && $0.visibility == .public && !$0.isRetracted })?.subject else {
            throw BenchError("the synthetic ledger has no public demand")
        }
        var plain: [Double] = [], withTree: [Double] = []
        for index in 0..<(2 * appends) {
            let draft = EntryDraft(type: .followupLogged, subject: subject, effective: EffectiveTime(day: .today()), author: "bench",
                                   payload: .object(["note": .string("Tree benchmark follow-up \(index)."), "kind": .string("meeting")]))
            let start = ContinuousClock.now
            let appended = try await ledger.append([draft])
            // As the server does before signing: the tree brought up to the new entry.
            if index % 2 == 1 { _ = try await ledger.withMerkleTree(atLeast: appended.entries[0].seq) { try $0.root() } }
            let elapsed = Stats.seconds(ContinuousClock.now - start) * 1_000
            if index % 2 == 1 { withTree.append(elapsed) } else { plain.append(elapsed) }
        }
        let overhead = Stats.median(withTree) / Stats.median(plain)
        figures.append(Figure(
            scenario: "append + tree", store: "sqlite", entries: size, unit: "ms", ours: Stats.median(withTree), baselineName: "append alone",
            baseline: Stats.median(plain), better: .lower, target: "≤ 1.1x", met: overhead <= 1.1,
            note: String(format: "median of %d each, interleaved", appends)))
        _ = try await ledger.signCheckpoint(with: signer)
        await ledger.close()

        // verify --remote of the whole log from a local server, next to verify on the file.
        Self.progress("verify --remote (\(size) entries)")
        let port = try Self.freePort()
        let server = try Command.start(ledgerctl, ["serve", "--port", String(port), "--database", sqlite, "--log-level", "warning", "--signing-key", keyPath],
                                       log: folder.appendingPathComponent("serve-log.log"))
        defer { server.terminate(); server.waitUntilExit() }
        let base = "http://127.0.0.1:\(port)"
        let deadline = ContinuousClock.now + .seconds(900)
        // A new server publishes the first edition of every month's report in the background
        // (a fold-sized pass each); the oldest month comes last. Timed once it is quiet.
        let reopened = try await Ledger.open(.sqlite(path: sqlite), create: false)
        let months = PublicSite.reportMonths(records: try await reopened.records(audience: .public), today: .today())
        await reopened.close()
        guard let oldest = months.last else { throw BenchError("the synthetic ledger has no public month") }
        while (try? Command.run("curl", ["-sf", "-o", "/dev/null", base + "/reports/\(oldest)/editions/1"])) == nil {
            guard server.isRunning, ContinuousClock.now < deadline else { throw BenchError("ledgerctl serve did not start or publish its report editions") }
            try await Task.sleep(for: .milliseconds(500))
        }
        let quiet = Stats.seconds(ContinuousClock.now - (deadline - .seconds(900)))
        var remote: [Double] = [], local: [Double] = []
        for run in 0..<runs {
            let state = folder.appendingPathComponent("remote-state-\(run).json").path
            try? FileManager.default.removeItem(atPath: state)
            remote.append(try Command.run(ledgerctl, ["verify", "--remote", base, "--key", signer.verifier.text, "--state", state]).seconds)
            local.append(try Command.run(ledgerctl, ["verify", "--skip-snapshots", "--database", sqlite]).seconds)
        }
        let ratio = Stats.median(remote) / Stats.median(local)
        figures.append(Figure(
            scenario: "verify --remote", store: "sqlite", entries: size, unit: "s", ours: Stats.median(remote), baselineName: "local verify",
            baseline: Stats.median(local), better: .lower, target: "≤ 2x", met: ratio <= 2,
            note: String(format: "tiles, bundles and every public entry over HTTP from a local ledgerctl serve (which took %.0f s to start and publish every month's first report edition)", quiet)))
    }
}
