import Crypto

/// An exported entry read straight from its bytes, without building JSON values: the bytes
/// must be exactly the canonical form the ledger writes (RFC 8785 with the exchange keys in
/// order, integers only), and are hashed as they are. For verifiers that read many entries
/// (`verify --remote`); anything else gives nil, and the caller reads it the slow way,
/// which says what is wrong with it.
public struct CanonicalEntryScan: Sendable {
    public let seq: Int64
    /// The hash the entry states.
    public let hash: String
    public let prevHash: String
    /// SHA-256 of the bytes without the `hash` member: equal to `hash` when intact.
    public let computedHash: String

    public init?(_ bytes: ArraySlice<UInt8>) {
        guard String(validating: bytes, as: UTF8.self) != nil else { return nil }
        var scanner = Scanner(bytes: bytes)
        guard scanner.literal(#"{"author":"#), scanner.string() != nil,
              scanner.literal(#","effective":"#), scanner.string() != nil else { return nil }
        let hashMemberStart = scanner.index
        guard scanner.literal(#","hash":"#), let hashRange = scanner.string(), Self.isHex(bytes[hashRange]) else { return nil }
        let hashMemberEnd = scanner.index
        guard scanner.literal(#","id":"#), scanner.string() != nil,
              scanner.literal(#","payload":"#), scanner.value(),
              scanner.literal(#","prev_hash":"#), let prevRange = scanner.string(), Self.isHex(bytes[prevRange]),
              scanner.literal(#","recorded_at":"#), scanner.string() != nil,
              scanner.literal(#","salt":"#), scanner.string() != nil,
              scanner.literal(#","schema":"#), scanner.integer() != nil,
              scanner.literal(#","seq":"#), let seqRange = scanner.integer(), let seq = Int64(String(decoding: bytes[seqRange], as: UTF8.self)),
              scanner.literal(#","subject":"#), scanner.string() != nil,
              scanner.literal(#","type":"#), scanner.string() != nil,
              scanner.literal(#","visibility":"#), scanner.string() != nil,
              scanner.literal("}"), scanner.index == bytes.endIndex else { return nil }
        var hasher = SHA256()
        hasher.update(data: bytes[bytes.startIndex..<hashMemberStart])
        hasher.update(data: bytes[hashMemberEnd...])
        self.seq = seq
        hash = String(decoding: bytes[hashRange], as: UTF8.self)
        prevHash = String(decoding: bytes[prevRange], as: UTF8.self)
        computedHash = hasher.finalize().hexString
    }

    /// An internal entry as the entries API shows it: `{"hash":…,"seq":…,"visibility":"internal"}`.
    public static func internalItem(_ bytes: ArraySlice<UInt8>) -> (seq: Int64, hash: String)? {
        var scanner = Scanner(bytes: bytes)
        guard scanner.literal(#"{"hash":"#), let hashRange = scanner.string(), isHex(bytes[hashRange]),
              scanner.literal(#","seq":"#), let seqRange = scanner.integer(), let seq = Int64(String(decoding: bytes[seqRange], as: UTF8.self)),
              scanner.literal(#","visibility":"internal"}"#), scanner.index == bytes.endIndex else { return nil }
        return (seq, String(decoding: bytes[hashRange], as: UTF8.self))
    }

    /// The items of an entries page written as the server writes it
    /// (`{"entries":[…],"next_after":…}`, canonical), each as its bytes; nil otherwise.
    public static func pageItems(_ page: [UInt8]) -> [ArraySlice<UInt8>]? {
        var scanner = Scanner(bytes: page[...])
        guard scanner.literal(#"{"entries":["#) else { return nil }
        var items: [ArraySlice<UInt8>] = []
        if !scanner.literal("]") {
            repeat {
                let start = scanner.index
                guard scanner.peek == UInt8(ascii: "{"), scanner.value() else { return nil }
                items.append(page[start..<scanner.index])
            } while scanner.literal(",")
            guard scanner.literal("]") else { return nil }
        }
        guard scanner.literal(#","next_after":"#), scanner.literal("null") || scanner.integer() != nil,
              scanner.literal("}"), scanner.literal("\n") || scanner.index == page.endIndex else { return nil }
        return items
    }

    /// 64 lowercase hex digits.
    static func isHex(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.count == 64 && bytes.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// Reads canonical JSON forward; each method consumes what it accepts.
    struct Scanner {
        let bytes: ArraySlice<UInt8>
        var index: Int

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            index = bytes.startIndex
        }

        var peek: UInt8? { index < bytes.endIndex ? bytes[index] : nil }

        mutating func literal(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard bytes.endIndex - index >= count else { return false }
            let matches = text.withUTF8Buffer { expected in
                expected.indices.allSatisfy { bytes[index + $0] == expected[$0] }
            }
            if matches { index += count }
            return matches
        }

        /// A canonical string; the range of its content (between the quotes).
        mutating func string() -> Range<Int>? {
            guard peek == UInt8(ascii: "\"") else { return nil }
            index += 1
            let start = index
            while let byte = peek {
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return start..<(index - 1)
                }
                guard byte >= 0x20 else { return nil }
                if byte == UInt8(ascii: "\\") {
                    guard index + 1 < bytes.endIndex else { return nil }
                    switch bytes[index + 1] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                         UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        index += 2
                    case UInt8(ascii: "u"):
                        // Only the control characters without a short form, in lowercase.
                        // `\u00` and two lowercase hex digits: 00–1f.
                        guard index + 5 < bytes.endIndex, bytes[index + 2] == 0x30, bytes[index + 3] == 0x30,
                              bytes[index + 4] == 0x30 || bytes[index + 4] == 0x31, let low = Self.lowercaseHexValue(bytes[index + 5]) else { return nil }
                        let value = (bytes[index + 4] == 0x31 ? 16 : 0) + low
                        guard ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(value) else { return nil }
                        index += 6
                    default:
                        return nil
                    }
                } else {
                    index += 1
                }
            }
            return nil
        }

        static func lowercaseHexValue(_ byte: UInt8) -> Int? {
            switch byte {
            case 0x30...0x39: Int(byte - 0x30)
            case 0x61...0x66: Int(byte - 0x61 + 10)
            default: nil
            }
        }

        /// An integer without leading zeros, fraction or exponent; `-0` is not one.
        mutating func integer() -> Range<Int>? {
            let start = index
            if peek == UInt8(ascii: "-") { index += 1 }
            guard let first = peek, (0x30...0x39).contains(first) else { index = start; return nil }
            index += 1
            if first == 0x30 {
                guard bytes[start] != UInt8(ascii: "-") else { index = start; return nil }
            } else {
                while let byte = peek, (0x30...0x39).contains(byte) { index += 1 }
            }
            if let byte = peek, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { index = start; return nil }
            return start..<index
        }

        /// Any canonical value: objects with ASCII keys in strictly increasing order.
        mutating func value() -> Bool {
            switch peek {
            case UInt8(ascii: "\"")?: return string() != nil
            case UInt8(ascii: "t")?: return literal("true")
            case UInt8(ascii: "f")?: return literal("false")
            case UInt8(ascii: "n")?: return literal("null")
            case UInt8(ascii: "[")?:
                index += 1
                if literal("]") { return true }
                repeat { guard value() else { return false } } while literal(",")
                return literal("]")
            case UInt8(ascii: "{")?:
                index += 1
                if literal("}") { return true }
                var previous: ArraySlice<UInt8>?
                repeat {
                    guard let key = string() else { return false }
                    let name = bytes[key]
                    // Escaped or non-ASCII keys sort by UTF-16 units: left to the slow way.
                    guard name.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "\\") }) else { return false }
                    if let previous, !previous.lexicographicallyPrecedes(name) { return false }
                    previous = name
                    guard literal(":"), value() else { return false }
                } while literal(",")
                return literal("}")
            default:
                return integer() != nil
            }
        }
    }
}
