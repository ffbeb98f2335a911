import Crypto
import Foundation

/// The one canonical encoding of the ledger: RFC 8785 (JCS) restricted to the values the
/// ledger allows (no floating point). Object members sorted by UTF-16 code units, no
/// insignificant white space, the shortest string escapes. Every store hashes these bytes.
extension JSONValue {
    public var canonicalText: String {
        var output = ""
        output.reserveCapacity(256)
        Self.appendCanonical(self, to: &output)
        return output
    }

    static func appendCanonical(_ value: JSONValue, to output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .int(let number): output += String(number)
        case .string(let text): appendCanonicalString(text, to: &output)
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                appendCanonical(item, to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            let keys = members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (index, key) in keys.enumerated() {
                if index > 0 { output += "," }
                appendCanonicalString(key, to: &output)
                output += ":"
                appendCanonical(members[key]!, to: &output)
            }
            output += "}"
        }
    }

    static func appendCanonicalString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}

/// SHA-256 as lowercase hex, the only digest the chain uses.
public enum ChainHash {
    /// `prev_hash` of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    public static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).hexString
    }
}

extension Sequence where Element == UInt8 {
    var hexString: String {
        var output = ""
        for byte in self {
            output += byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }
        return output
    }
}
