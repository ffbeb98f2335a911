import Crypto
import Foundation

/// A SHA-256 hash in an RFC 6962 Merkle tree: a leaf hash, an interior node or a root.
///
/// Its 32 bytes are kept inline, not in an array: `verify` makes about three of these per
/// entry (the leaf data, the leaf, a node), a million times over.
public struct TreeHash: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    private var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// The 32 bytes, as a new array (for proofs and receipts; the tree reads them in place).
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try Swift.withUnsafeBytes(of: storage, body)
    }

    /// Fills the 32 bytes with `fill`; nil when it says they are not a hash.
    private init?(filling fill: (UnsafeMutableRawBufferPointer) -> Bool) {
        guard Swift.withUnsafeMutableBytes(of: &storage, fill) else { return nil }
    }

    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        self.init(filling: { $0.copyBytes(from: bytes); return true })
    }

    init(digest: SHA256.Digest) {
        self.init(filling: { target in digest.withUnsafeBytes { target.copyMemory(from: $0) }; return true })!
    }

    /// Standard base64 (RFC 4648, section 4), as checkpoints and proofs write hashes.
    public init?(base64: some StringProtocol) {
        guard let data = Data(base64Encoded: String(base64)), let hash = TreeHash(bytes: data) else { return nil }
        self = hash
    }

    /// 64 hex digits, either case, as the ledger writes entry hashes.
    public init?(hex: some StringProtocol) {
        guard hex.utf8.count == 2 * Self.byteCount else { return nil }
        // Read in place where the text is contiguous (always, for a native String): a
        // tree of a million entries parses a million of these.
        guard let parsed = hex.utf8.withContiguousStorageIfAvailable({ digits in TreeHash(filling: { Hex.decode(digits, into: $0) }) })
                ?? TreeHash(filling: { target in Array(hex.utf8).withUnsafeBufferPointer { Hex.decode($0, into: target) } }) else { return nil }
        self = parsed
    }

    public var base64: String { withUnsafeBytes { Data($0) }.base64EncodedString() }
    public var hex: String { withUnsafeBytes(Hex.encode) }
    public var description: String { base64 }

    public static func == (left: TreeHash, right: TreeHash) -> Bool {
        left.storage.0 == right.storage.0 && left.storage.1 == right.storage.1
            && left.storage.2 == right.storage.2 && left.storage.3 == right.storage.3
    }

    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    /// The root of the empty tree: SHA-256 of nothing (RFC 6962, section 2.1).
    public static let empty = TreeHash(digest: SHA256.hash(data: [UInt8]()))

    /// SHA-256(0x00 ‖ data): the hash of a leaf. The ledger's leaf data is an entry's 32-byte hash.
    public static func leaf(_ data: some Collection<UInt8>) -> TreeHash {
        if let hash = data.withContiguousStorageIfAvailable({ leaf(UnsafeRawBufferPointer($0)) }) { return hash }
        return Array(data).withUnsafeBytes { leaf($0) }
    }

    /// The same, of data kept elsewhere (a tree's leaf, another hash), without copying it out.
    package static func leaf(_ data: UnsafeRawBufferPointer) -> TreeHash {
        var hasher = SHA256()
        hasher.update(data: leafPrefix)
        hasher.update(bufferPointer: data)
        return TreeHash(digest: hasher.finalize())
    }

    /// SHA-256(0x01 ‖ left ‖ right): the hash of an interior node.
    public static func node(_ left: TreeHash, _ right: TreeHash) -> TreeHash {
        left.withUnsafeBytes { left in right.withUnsafeBytes { right in node(left, right) } }
    }

    /// The same, of two hashes kept elsewhere (a tree's level), without copying them out.
    static func node(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> TreeHash {
        var hasher = SHA256()
        hasher.update(data: nodePrefix)
        hasher.update(bufferPointer: left)
        hasher.update(bufferPointer: right)
        return TreeHash(digest: hasher.finalize())
    }

    private static let leafPrefix: [UInt8] = [0x00]
    private static let nodePrefix: [UInt8] = [0x01]
}

/// Hexadecimal digits, either case: entry hashes and UUIDs are read from them.
package enum Hex {
    /// The value of one digit, or nil for any other byte.
    @inline(__always)
    private static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Lowercase hex of `bytes`, two digits a byte, written straight into the string.
    package static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: 2 * bytes.count) { text in
            for index in bytes.indices {
                text[2 * index] = digit(bytes[index] >> 4)
                text[2 * index + 1] = digit(bytes[index] & 0x0f)
            }
            return 2 * bytes.count
        }
    }

    @inline(__always)
    private static func digit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    /// Decodes `digits` (two per byte) into all of `bytes`; false if any is not a hex digit
    /// or the counts do not match.
    package static func decode(_ digits: UnsafeBufferPointer<UInt8>, into bytes: UnsafeMutableRawBufferPointer) -> Bool {
        guard digits.count == 2 * bytes.count else { return false }
        for index in 0..<bytes.count {
            guard let high = value(of: digits[2 * index]), let low = value(of: digits[2 * index + 1]) else { return false }
            bytes[index] = high << 4 | low
        }
        return true
    }
}

/// Something a transparency-log text or proof got wrong, said for a person.
public struct TransparencyError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
