import Crypto
import Foundation

/// A SHA-256 hash in an RFC 6962 Merkle tree: a leaf hash, an interior node or a root.
public struct TreeHash: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    public let bytes: [UInt8]

    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = Array(bytes)
    }

    init(digest: SHA256.Digest) {
        bytes = Array(digest)
    }

    /// Standard base64 (RFC 4648, section 4), as checkpoints and proofs write hashes.
    public init?(base64: some StringProtocol) {
        guard let data = Data(base64Encoded: String(base64)), let hash = TreeHash(bytes: data) else { return nil }
        self = hash
    }

    /// 64 hex digits, either case, as the ledger writes entry hashes.
    public init?(hex: some StringProtocol) {
        // Read in place where the text is contiguous (always, for a native String): a
        // tree of a million entries parses a million of these.
        guard let parsed = hex.utf8.withContiguousStorageIfAvailable(Self.parse) ?? Self.parse(Array(hex.utf8)) else { return nil }
        bytes = parsed
    }

    private static func parse(_ digits: some RandomAccessCollection<UInt8>) -> [UInt8]? {
        guard digits.count == 2 * byteCount else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(byteCount)
        var index = digits.startIndex
        while index != digits.endIndex {
            let next = digits.index(after: index)
            guard let high = nibble(digits[index]), let low = nibble(digits[next]) else { return nil }
            bytes.append(high << 4 | low)
            index = digits.index(after: next)
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    public var base64: String { Data(bytes).base64EncodedString() }
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(2 * bytes.count)
        for byte in bytes { text += [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]] }
        return String(decoding: text, as: UTF8.self)
    }
    public var description: String { base64 }

    /// The root of the empty tree: SHA-256 of nothing (RFC 6962, section 2.1).
    public static let empty = TreeHash(digest: SHA256.hash(data: [UInt8]()))

    /// SHA-256(0x00 ‖ data): the hash of a leaf. The ledger's leaf data is an entry's 32-byte hash.
    public static func leaf(_ data: some Collection<UInt8>) -> TreeHash {
        var hasher = SHA256()
        hasher.update(data: leafPrefix)
        if data.withContiguousStorageIfAvailable({ hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }) == nil {
            hasher.update(data: Array(data))
        }
        return TreeHash(digest: hasher.finalize())
    }

    /// SHA-256(0x01 ‖ left ‖ right): the hash of an interior node.
    public static func node(_ left: TreeHash, _ right: TreeHash) -> TreeHash {
        node(left.bytes[...], right.bytes[...])
    }

    /// The same, of two hashes kept elsewhere (a tree's level), without copying them out.
    static func node(_ left: ArraySlice<UInt8>, _ right: ArraySlice<UInt8>) -> TreeHash {
        var hasher = SHA256()
        hasher.update(data: nodePrefix)
        left.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        right.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return TreeHash(digest: hasher.finalize())
    }

    private static let leafPrefix: [UInt8] = [0x00]
    private static let nodePrefix: [UInt8] = [0x01]
}

/// Something a transparency-log text or proof got wrong, said for a person.
public struct TransparencyError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
