import AsyncHTTPClient
import Foundation
import Ledger
import NIOCore
import NIOHTTP1
import Transparency

/// `verify --remote URL --key KEY`: checks a ledger served by `ledgerctl serve` as an
/// outsider would, trusting nothing but the verifier key and what it saw before. A library,
/// so that anyone (a witness, a newsroom's own tool) can run the same check in process.
public struct RemoteVerification: Sendable {
    public let base: URL
    public let verifier: SignedNote.Verifier
    /// Told of every page of entries checked, with how many entries it held and the log's
    /// size (`verify --remote --progress`).
    public var pageChecked: (@Sendable (_ entries: Int64, _ of: Int64) -> Void)? = nil
    /// Requests in flight at once.
    let parallelism = 8

    /// - Parameter base: the address `ledgerctl serve` answers on, ending in `/`.
    public init(base: URL, verifier: SignedNote.Verifier) {
        self.base = base
        self.verifier = verifier
    }

    /// What a verifier remembers of a log between runs: the last checkpoint it accepted.
    public struct State: Codable, Sendable {
        public var origin: String
        public var size: Int64
        public var root: String
        public var checkpoint: String
        public var seenAt: String

        public init(origin: String, size: Int64, root: String, checkpoint: String, seenAt: String) {
            (self.origin, self.size, self.root, self.checkpoint, self.seenAt) = (origin, size, root, checkpoint, seenAt)
        }
    }

    public struct Outcome: Sendable {
        public let checkpoint: Checkpoint
        public let publicEntries: Int
        public let internalEntries: Int
        public let tiles: Int
        public let previous: State?
    }

    /// Throws `LedgerError(kind: .integrity)` naming the first thing that does not hold.
    /// - Parameter previous: a checkpoint accepted before, which the log must extend;
    ///   `seen` says where it came from ("seen on DATE", "printed in FILE").
    public func run(previous: State?, seen: String? = nil) async throws -> Outcome {
        let seen = seen ?? previous.map { "seen on \($0.seenAt)" } ?? ""
        let note = try await text("log/checkpoint")
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint(signedNote: note, verifier: verifier) } catch {
            throw LedgerError(kind: .integrity, "the checkpoint at \(url("log/checkpoint")) does not verify with the key: \(error.message)")
        }
        let size = checkpoint.size
        // The level-0 tiles and entry bundles: every leaf, and every entry hash.
        let level0 = TileAddress.tiles(forTreeSize: size).filter { $0.level == .hashes(0) }
        let bundles = TileAddress.tiles(forTreeSize: size).filter { $0.level == .entries }
        // The entries pages are fetched and hashed while the tiles are checked.
        async let fetchedPages = inParallel(Array(stride(from: Int64(0), to: size, by: Int(Self.pageSize)))) { after in
            let items = try await page(after: after)
            pageChecked?(Int64(items.count), size)
            return items
        }
        let tileData = try await fetchAll(level0 + bundles)
        var tree = MerkleTree()
        for (tile, bundle) in zip(level0, bundles) {
            let hashes = tileData[tile]!, entries = tileData[bundle]!
            guard hashes.count == tile.width * TreeHash.byteCount else {
                throw LedgerError(kind: .integrity, "\(tile.path) has \(hashes.count) bytes, not \(tile.width) hashes")
            }
            var offset = 0
            for position in 0..<tile.width {
                let leafIndex = tile.index * Int64(TileAddress.width) + Int64(position)
                guard offset + 2 <= entries.count else { throw LedgerError(kind: .integrity, "\(bundle.path) ends before leaf \(leafIndex)") }
                let length = Int(entries[offset]) << 8 | Int(entries[offset + 1])
                guard length == TreeHash.byteCount, offset + 2 + length <= entries.count, let data = TreeHash(bytes: entries[offset + 2..<offset + 2 + length]) else {
                    throw LedgerError(kind: .integrity, "\(bundle.path): leaf \(leafIndex) is not a 32-byte entry hash")
                }
                offset += 2 + length
                guard TreeHash.leaf(data.bytes).bytes[...] == hashes[position * 32..<(position + 1) * 32] else {
                    throw LedgerError(kind: .integrity, "leaf \(leafIndex) (seq \(leafIndex + 1)): its entry hash in \(bundle.path) does not hash to \(tile.path)")
                }
                tree.append(leafData: data)
            }
            guard offset == entries.count else { throw LedgerError(kind: .integrity, "\(bundle.path) has bytes after its last entry") }
        }
        guard (try tree.root()) == checkpoint.root else {
            throw LedgerError(kind: .integrity, "the tiles do not hash to the root checkpoint \(size) signed: the log served is not the log signed")
        }
        // The tiles above level 0 must be the ones the leaves make.
        let upper = TileAddress.tiles(forTreeSize: size).filter { if case .hashes(let level) = $0.level { level > 0 } else { false } }
        for (tile, data) in try await fetchAll(upper) where tree.tileData(tile) != data {
            throw LedgerError(kind: .integrity, "\(tile.path) is not the hash of the tiles below it")
        }
        // Every entry through the public API: public ones in full, hashed again; internal
        // ones as their hash. Pages are fetched and hashed in parallel, then each entry must
        // be its leaf, and a public one must link to the leaf before it.
        let pages = try await fetchedPages
        var seq: Int64 = 0, publicCount = 0, internalCount = 0
        for after in stride(from: Int64(0), to: size, by: Int(Self.pageSize)) {
            let items = pages[after]!
            guard !items.isEmpty else {
                throw LedgerError(kind: .integrity, "the entries API ends at seq \(seq), but the checkpoint signed \(size) entries")
            }
            for item in items where item.seq <= size {
                guard item.seq == seq + 1 else { throw LedgerError(kind: .integrity, "the entries API skips from seq \(seq) to \(item.seq)") }
                seq = item.seq
                // Compared as bytes: the hex of a million leaves would cost more than the check.
                guard TreeHash(hex: item.hash) == tree.leafData(at: seq - 1) else {
                    throw LedgerError(kind: .integrity, "seq \(seq): \(item.prevHash == nil ? "internal" : "public") entry hash does not match leaf \(seq - 1)")
                }
                if let prevHash = item.prevHash {
                    let linked = seq == 1 ? prevHash == ChainHash.genesis : TreeHash(hex: prevHash) == tree.leafData(at: seq - 2)
                    guard linked else {
                        throw LedgerError(kind: .integrity, "seq \(seq): prev_hash does not link to leaf \(seq - 2)")
                    }
                    publicCount += 1
                } else {
                    internalCount += 1
                }
            }
        }
        guard seq == size else { throw LedgerError(kind: .integrity, "the entries API ends at seq \(seq), but the checkpoint signed \(size) entries") }
        // What this verifier saw before must still be there.
        if let previous {
            guard previous.origin == checkpoint.origin else {
                throw LedgerError(field: "--state", "is for the log \(previous.origin), not \(checkpoint.origin)")
            }
            guard previous.size <= size else {
                throw LedgerError(kind: .integrity, "checkpoint \(size) is smaller than checkpoint \(previous.size) \(seen): the log was cut short or forked")
            }
            let oldRoot = TreeHash(base64: previous.root)
            do throws(TransparencyError) {
                guard let oldRoot else { throw TransparencyError("the stored root is not a hash") }
                if previous.size > 0 {
                    try ProofVerification.checkConsistency(oldSize: previous.size, newSize: size, oldRoot: oldRoot, newRoot: checkpoint.root,
                                                           proof: tree.consistencyProof(from: previous.size, to: size))
                }
            } catch {
                throw LedgerError(kind: .integrity, "checkpoint \(size) is not consistent with \(previous.size) \(seen): \(error.message)")
            }
        }
        return Outcome(checkpoint: checkpoint, publicEntries: publicCount, internalEntries: internalCount,
                       tiles: level0.count + bundles.count + upper.count, previous: previous)
    }

    // MARK: HTTP

    func url(_ path: String) -> URL { URL(string: path, relativeTo: base)!.absoluteURL }

    /// The most one answer may hold: a page of a thousand entries is a few hundred KB.
    static let answerLimit = 64 << 20

    /// One GET through AsyncHTTPClient: 60 s for the whole request, its answer read up to
    /// `answerLimit` (at 1M entries a run makes about 8,000 of them).
    func fetch(_ path: String) async throws -> [UInt8] {
        let address = url(path)
        var request = HTTPClientRequest(url: address.absoluteString)
        request.headers.add(name: "Cache-Control", value: "no-cache")
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            let status = Int(response.status.code)
            guard status == 200 else {
                throw LedgerError(kind: status == 404 ? .integrity : .storage, field: "--remote", "\(address) answered \(status)")
            }
            return Array(try await response.body.collect(upTo: Self.answerLimit).readableBytesView)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(kind: .storage, field: "--remote", "cannot fetch \(address): \(error)")
        }
    }

    func text(_ path: String) async throws -> String { String(decoding: try await fetch(path), as: UTF8.self) }

    func json(_ bytes: [UInt8], _ path: String) throws -> JSONValue {
        do { return try JSONValue.parse(Data(bytes)) } catch {
            throw LedgerError(kind: .integrity, field: "--remote", "\(url(path)) is not JSON: \(error)")
        }
    }

    func fetchAll(_ tiles: [TileAddress]) async throws -> [TileAddress: [UInt8]] {
        try await inParallel(tiles) { tile in try await fetch("log/" + tile.path) }
    }

    /// `work` for each key, `parallelism` at a time.
    func inParallel<Key: Hashable & Sendable, Value: Sendable>(_ keys: [Key], _ work: @escaping @Sendable (Key) async throws -> Value) async throws -> [Key: Value] {
        try await withThrowingTaskGroup(of: (Key, Value).self) { group in
            var results: [Key: Value] = [:]
            var pending = keys[...]
            for _ in 0..<parallelism {
                guard let key = pending.popFirst() else { break }
                group.addTask { (key, try await work(key)) }
            }
            while let (key, value) = try await group.next() {
                results[key] = value
                if let next = pending.popFirst() { group.addTask { (next, try await work(next)) } }
            }
            return results
        }
    }

    static let pageSize: Int64 = 1_000

    /// An entry as the entries API shows it: a public one (checked to hash to its stated
    /// hash) carries its prev_hash; an internal one only its hash.
    struct PageItem: Sendable {
        let seq: Int64
        let hash: String
        let prevHash: String?
    }

    /// One page of `/api/v1/entries`, each public entry hashed again: straight from its
    /// bytes when the page is canonical JSON as this program serves it, else parsed.
    func page(after: Int64) async throws -> [PageItem] {
        let path = "api/v1/entries?after=\(after)&limit=\(Self.pageSize)"
        let bytes = try await fetch(path)
        guard let items = CanonicalEntryScan.pageItems(bytes) else { return try Self.parsedPage(try json(bytes, path), after: after) }
        return try items.map { item in
            if let (seq, hash) = CanonicalEntryScan.internalItem(item) { return PageItem(seq: seq, hash: hash, prevHash: nil) }
            guard let scan = CanonicalEntryScan(item) else {
                return try Self.parsedPage(.object(["entries": .array([try json(Array(item), path)])]), after: after)[0]
            }
            guard scan.computedHash == scan.hash else {
                throw LedgerError(kind: .integrity, "seq \(scan.seq): the public entry does not hash to the hash it states")
            }
            return PageItem(seq: scan.seq, hash: scan.hash, prevHash: scan.prevHash)
        }
    }

    /// A page read the general way: any JSON layout, each public entry parsed and hashed.
    static func parsedPage(_ page: JSONValue, after: Int64) throws -> [PageItem] {
        guard case .object(let object) = page, case .array(let items)? = object["entries"] else {
            throw LedgerError(kind: .integrity, "the entries API after seq \(after) is not a page of entries")
        }
        return try items.map { item in
            guard case .object(let fields) = item, case .int(let seq)? = fields["seq"], case .string(let hash)? = fields["hash"] else {
                throw LedgerError(kind: .integrity, "an item after seq \(after) in the entries API has no seq or hash")
            }
            guard fields["payload"] != nil else { return PageItem(seq: seq, hash: hash, prevHash: nil) }
            let entry: Entry
            do { entry = try Entry(exchangeJSON: item) } catch {
                throw LedgerError(kind: .integrity, "seq \(seq): the public entry cannot be read: \(error)")
            }
            guard entry.computedHash == entry.hash else {
                throw LedgerError(kind: .integrity, "seq \(seq): the public entry does not hash to the hash it states")
            }
            return PageItem(seq: seq, hash: entry.hash, prevHash: entry.prevHash)
        }
    }

    // MARK: State

    /// Where the state of a log is kept by default: the user's state directory, one file per origin.
    public static func defaultStatePath(origin: String) -> String {
        let environment = ProcessInfo.processInfo.environment
        let folder = environment["XDG_STATE_HOME"].map { $0 + "/ledgerctl" }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state/ledgerctl"
        let safeName = String(origin.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || "-.".unicodeScalars.contains($0) ? Character($0) : "_" })
        return folder + "/" + safeName + ".json"
    }

    public static func readState(_ path: String) throws -> State? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do { return try JSONDecoder().decode(State.self, from: data) } catch {
            throw LedgerError(field: "--state", "\(path) is not a state file ledgerctl wrote: \(error.localizedDescription)")
        }
    }

    public static func writeState(_ state: State, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            // Written whole, then renamed: a crash never leaves half a state.
            try encoder.encode(state).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw LedgerError(kind: .storage, field: "--state", "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
