import Crypto
import Foundation

/// C2SP signed-note with Ed25519 (signature type 0x01): the signing and verifier keys in
/// their text forms, signing a note, and opening one.
public enum SignedNote {
    static let ed25519: UInt8 = 0x01
    static let signaturePrefix = "\u{2014} "

    /// Key names are non-empty, with no Unicode space and no `+`.
    public static func isValidKeyName(_ name: some StringProtocol) -> Bool {
        !name.isEmpty && !name.contains("+") && !name.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 }
    }

    /// SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4], big-endian.
    static func keyID(name: String, publicKey: [UInt8]) -> UInt32 {
        let digest = Array(SHA256.hash(data: Array(name.utf8) + [0x0A, ed25519] + publicKey))
        return digest.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func hex8(_ id: UInt32) -> String {
        let digits = String(id, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// A note's text and its signature lines, split at the last blank line.
    public struct Parsed: Sendable {
        /// The signed text, ending in a newline.
        public let text: String
        public let signatures: [(name: String, keyID: UInt32, signature: [UInt8])]
    }

    /// Splits a signed note; throws when it is not one (no signature, a control character,
    /// a malformed signature line).
    public static func parse(_ note: String) throws(TransparencyError) -> Parsed {
        guard !note.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
            throw TransparencyError("the note contains a control character")
        }
        guard note.hasSuffix("\n"), let separator = note.range(of: "\n\n", options: .backwards) else {
            throw TransparencyError("the note has no signatures (no blank line before a line starting with \u{2014})")
        }
        let text = String(note[..<separator.lowerBound]) + "\n"
        var signatures: [(String, UInt32, [UInt8])] = []
        for line in note[separator.upperBound...].dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix(signaturePrefix) else { throw TransparencyError("a signature line must start with \u{2014} and a space: \(line.prefix(40))") }
            let fields = line.dropFirst(signaturePrefix.count).split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, isValidKeyName(fields[0]), let raw = Data(base64Encoded: String(fields[1])), raw.count > 4 else {
                throw TransparencyError("malformed signature line: \(line.prefix(60))")
            }
            let bytes = Array(raw)
            signatures.append((String(fields[0]), bytes.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }, Array(bytes.dropFirst(4))))
        }
        guard !signatures.isEmpty else { throw TransparencyError("the note has no signatures") }
        return Parsed(text: text, signatures: signatures)
    }

    /// The key that signs a log's notes. Its text form is signed-note's
    /// `PRIVATE+KEY+<name>+<key id>+<base64(0x01 ‖ 32-byte seed)>`, as Go's
    /// golang.org/x/mod/sumdb/note writes it.
    public struct Signer: Sendable {
        public let name: String
        public let keyID: UInt32
        /// The 32-byte seed (swift-crypto's key type is not Sendable; the seed is).
        private let seed: [UInt8]
        private var key: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: seed) }

        /// A new random key for `name`.
        public init(generatingFor name: String) throws(TransparencyError) {
            guard SignedNote.isValidKeyName(name) else {
                throw TransparencyError("the key name must not be empty and must not contain spaces or '+': \(name)")
            }
            self.init(name: name, key: Curve25519.Signing.PrivateKey())
        }

        private init(name: String, key: Curve25519.Signing.PrivateKey) {
            self.name = name
            seed = Array(key.rawRepresentation)
            keyID = SignedNote.keyID(name: name, publicKey: Array(key.publicKey.rawRepresentation))
        }

        public init(privateKeyText text: String) throws(TransparencyError) {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            // The base64 key may itself contain '+': only the first four separate fields.
            let parts = trimmed.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
            guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY" else {
                throw TransparencyError("not a signing key: it must read PRIVATE+KEY+<name>+<key id>+<key>, as `ledgerctl key generate` writes it")
            }
            let name = String(parts[2])
            guard SignedNote.isValidKeyName(name), parts[3].count == 8, let id = UInt32(parts[3], radix: 16),
                  let raw = Data(base64Encoded: String(parts[4])), raw.count == 33, raw.first == SignedNote.ed25519,
                  let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw.dropFirst()) else {
                throw TransparencyError("the signing key is malformed (only Ed25519 keys, type 0x01, are used)")
            }
            self.init(name: name, key: key)
            guard keyID == id else { throw TransparencyError("the signing key's id \(parts[3]) does not match its key") }
        }

        public var privateKeyText: String {
            "PRIVATE+KEY+\(name)+\(SignedNote.hex8(keyID))+" + Data([SignedNote.ed25519] + key.rawRepresentation).base64EncodedString()
        }

        public var verifier: Verifier {
            Verifier(name: name, keyID: keyID, publicKey: Array(key.publicKey.rawRepresentation))
        }

        /// `text` (ending in a newline) with a blank line and this key's signature line.
        public func sign(_ text: String) throws(TransparencyError) -> String {
            guard text.hasSuffix("\n"), !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
                throw TransparencyError("a note's text must end in a newline and contain no control characters")
            }
            let signature: Data
            do { signature = try key.signature(for: Data(text.utf8)) } catch { throw TransparencyError("signing failed: \(error)") }
            let idBytes = withUnsafeBytes(of: keyID.bigEndian) { Array($0) }
            return text + "\n" + SignedNote.signaturePrefix + name + " " + Data(idBytes + signature).base64EncodedString() + "\n"
        }
    }

    /// A published verifier key: `<name>+<key id>+<base64(0x01 ‖ 32-byte public key)>`.
    public struct Verifier: Sendable, Hashable {
        public let name: String
        public let keyID: UInt32
        public let publicKey: [UInt8]

        init(name: String, keyID: UInt32, publicKey: [UInt8]) {
            self.name = name
            self.keyID = keyID
            self.publicKey = publicKey
        }

        public init(text: String) throws(TransparencyError) {
            let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, SignedNote.isValidKeyName(parts[0]), parts[1].count == 8, let id = UInt32(parts[1], radix: 16),
                  let raw = Data(base64Encoded: String(parts[2])) else {
                throw TransparencyError("not a verifier key: it must read <name>+<8 hex digits>+<base64 key>, as `ledgerctl key generate` prints it")
            }
            guard raw.count == 33, raw.first == SignedNote.ed25519 else {
                throw TransparencyError("the verifier key is not an Ed25519 key (type 0x01)")
            }
            let name = String(parts[0])
            let publicKey = Array(raw.dropFirst())
            guard SignedNote.keyID(name: name, publicKey: publicKey) == id else {
                throw TransparencyError("the verifier key's id \(parts[1]) does not match its name and key")
            }
            self.init(name: name, keyID: id, publicKey: publicKey)
        }

        public var text: String {
            "\(name)+\(SignedNote.hex8(keyID))+" + Data([SignedNote.ed25519] + publicKey).base64EncodedString()
        }

        /// The note's text, when this key signed it. Signatures by other keys are ignored,
        /// as the spec requires; a bad signature by this key, or none, is refused.
        public func open(_ note: String) throws(TransparencyError) -> String {
            let parsed = try SignedNote.parse(note)
            let mine = parsed.signatures.filter { $0.name == name && $0.keyID == keyID }
            guard !mine.isEmpty else {
                throw TransparencyError("the note is not signed by \(name)+\(SignedNote.hex8(keyID)) (signed by \(parsed.signatures.map(\.name).joined(separator: ", ")))")
            }
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else {
                throw TransparencyError("the verifier key is not a valid Ed25519 key")
            }
            for signature in mine where !key.isValidSignature(signature.signature, for: Data(parsed.text.utf8)) {
                throw TransparencyError("the signature by \(name) does not match the note: it was altered or signed by another key")
            }
            return parsed.text
        }
    }
}
