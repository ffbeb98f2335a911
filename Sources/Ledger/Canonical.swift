import Crypto
import Foundation
import Transparency

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
            let keys = members.keys.sorted(by: utf16Precedes)
            for (index, key) in keys.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                appendCanonicalString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                appendCanonical(members[key]!, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// RFC 8785 orders keys by UTF-16 code units. For ASCII keys (all of the ledger's own)
    /// that is byte order, compared without walking UTF-16 views.
    static func utf16Precedes(_ a: String, _ b: String) -> Bool {
        if a.utf8.allSatisfy({ $0 < 0x80 }) && b.utf8.allSatisfy({ $0 < 0x80 }) {
            return a.utf8.lexicographicallyPrecedes(b.utf8)
        }
        return a.utf16.lexicographicallyPrecedes(b.utf16)
    }

    /// Escapes only `"`, `\` and the C0 controls (short forms where JSON has them); every
    /// other character is its own UTF-8 bytes.
    static func appendCanonicalString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            // Runs of bytes that need no escape are copied whole: most text has none.
            var runStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
                case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
                case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }
}

/// The canonical JSON object of an entry's columns, written straight out with its keys in
/// their (fixed) RFC 8785 order instead of through a dictionary: every hash of the chain
/// is computed here, from an `Entry` or from a stored row. Golden vectors guard it.
enum CanonicalEntry {
    // The keys in UTF-16 order; `hash` (only in the exchange format) falls after `effective`.
    static func bytes(seq: Int64, id: String, type: String, schema: Int, subject: String, effective: String,
                      recordedAt: String, author: String, visibility: String, salt: String, prevHash: String,
                      hash: String? = nil, payload: (inout [UInt8]) -> Void) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(768)
        append(to: &output, seq: seq, id: id, type: type, schema: schema, subject: subject, effective: effective, recordedAt: recordedAt,
               author: author, visibility: visibility, salt: salt, prevHash: prevHash, hash: hash, payload: payload)
        return output
    }

    /// The same, written at the end of `output` (a page of many entries is one buffer).
    static func append(to output: inout [UInt8], seq: Int64, id: String, type: String, schema: Int, subject: String, effective: String,
                       recordedAt: String, author: String, visibility: String, salt: String, prevHash: String,
                       hash: String? = nil, payload: (inout [UInt8]) -> Void) {
        func key(_ name: StaticString, first: Bool = false) {
            if !first { output.append(UInt8(ascii: ",")) }
            output.append(UInt8(ascii: "\""))
            output.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            output.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        func string(_ text: String) { JSONValue.appendCanonicalString(text, to: &output) }
        output.append(UInt8(ascii: "{"))
        key("author", first: true); string(author)
        key("effective"); string(effective)
        if let hash { key("hash"); string(hash) }
        key("id"); string(id)
        key("payload"); payload(&output)
        key("prev_hash"); string(prevHash)
        key("recorded_at"); string(recordedAt)
        key("salt"); string(salt)
        key("schema"); output.append(contentsOf: String(schema).utf8)
        key("seq"); output.append(contentsOf: String(seq).utf8)
        key("subject"); string(subject)
        key("type"); string(type)
        key("visibility"); string(visibility)
        output.append(UInt8(ascii: "}"))
    }
}

/// SHA-256 as lowercase hex, the only digest the chain uses.
public enum ChainHash {
    /// `prev_hash` of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    public static func sha256Hex(_ text: String) -> String { sha256Hex(Array(text.utf8)) }

    public static func sha256Hex(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).hexString }
}

extension ContiguousBytes {
    /// Lowercase hex, two digits a byte.
    var hexString: String { withUnsafeBytes(Hex.encode) }
}
