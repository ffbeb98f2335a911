import Crypto
import Foundation

/// The one canonical encoding of the ledger: RFC 8785 (JCS) restricted to the values the
/// ledger allows (no floating point). Object members sorted by UTF-16 code units, no
/// insignificant white space, the shortest string escapes. Every store hashes these bytes.
extension JSONValue {
    public var canonicalText: String { String(decoding: canonicalBytes, as: UTF8.self) }

    /// Built as bytes: every hash and every stored payload goes through here.
    public var canonicalBytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        Self.appendCanonical(self, to: &output)
        return output
    }

    static func appendCanonical(_ value: JSONValue, to output: inout [UInt8]) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let number): output.append(contentsOf: String(number).utf8)
        case .string(let text): appendCanonicalString(text, to: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                appendCanonical(item, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (index, key) in keys.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                appendCanonicalString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                appendCanonical(members[key]!, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Escapes only `"`, `\` and the C0 controls (short forms where JSON has them); every
    /// other character is its own UTF-8 bytes.
    static func appendCanonicalString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

/// SHA-256 as lowercase hex, the only digest the chain uses.
public enum ChainHash {
    /// `prev_hash` of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    public static func sha256Hex(_ text: String) -> String { sha256Hex(Array(text.utf8)) }

    public static func sha256Hex(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).hexString }
}

extension Sequence where Element == UInt8 {
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(64)
        for byte in self {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
