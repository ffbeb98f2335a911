import Foundation
import Testing
import Transparency

@Suite struct SignedNoteTests {
    /// The example of C2SP signed-note, section "Ed25519 signatures".
    static let specKey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
    static let specNote = """
        This is an example message.

        — example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=

        """

    @Test func theSpecsExampleVerifies() throws {
        let verifier = try SignedNote.Verifier(text: Self.specKey)
        #expect(verifier.name == "example.com/foo")
        #expect(verifier.text == Self.specKey)
        #expect(try verifier.open(Self.specNote) == "This is an example message.\n")
        #expect(throws: TransparencyError.self) { try verifier.open(Self.specNote.replacingOccurrences(of: "example message", with: "exemplary message")) }
    }

    /// A key pair written by Go's golang.org/x/mod/sumdb/note.GenerateKey.
    @Test func keysWrittenByGoAreRead() throws {
        let signer = try SignedNote.Signer(privateKeyText: "PRIVATE+KEY+x.org/a+0f557fe2+AesjUkUJQMP7zWROorXqxJGymslLCYk70/Ol7Td8pqI7\n")
        #expect(signer.verifier.text == "x.org/a+0f557fe2+AUPOG77CuyLFdvzgGSkT04DXbET8TWyh14NfJUfD/lY1")
        #expect(signer.privateKeyText == "PRIVATE+KEY+x.org/a+0f557fe2+AesjUkUJQMP7zWROorXqxJGymslLCYk70/Ol7Td8pqI7")
    }

    /// Base64 uses '+': a key whose encoding contains it must still read (found by hand:
    /// the first key `key generate` wrote could not be read back).
    @Test func keysWithPlusInTheirBase64() throws {
        var found = 0
        for _ in 0..<64 where found < 3 {
            let signer = try SignedNote.Signer(generatingFor: "ledger.example.org/pmpj")
            guard signer.verifier.text.dropFirst(signer.name.count + 10).contains("+") else { continue }
            found += 1
            #expect(try SignedNote.Verifier(text: signer.verifier.text) == signer.verifier)
            #expect(try SignedNote.Signer(privateKeyText: signer.privateKeyText).verifier == signer.verifier)
        }
        #expect(found > 0)
    }

    @Test func signAndOpen() throws {
        let signer = try SignedNote.Signer(generatingFor: "ledger.example.org/pmpj")
        let again = try SignedNote.Signer(privateKeyText: signer.privateKeyText)
        #expect(again.verifier == signer.verifier)
        let checkpoint = Checkpoint(origin: "ledger.example.org/pmpj", size: 28, root: .leaf([1, 2, 3]))
        let note = try signer.sign(checkpoint.text)
        #expect(try Checkpoint(signedNote: note, verifier: signer.verifier) == checkpoint)
        // Another key with the same name is another key: its signature is not ours.
        let impostor = try SignedNote.Signer(generatingFor: "ledger.example.org/pmpj")
        #expect(throws: TransparencyError.self) { try Checkpoint(signedNote: impostor.sign(checkpoint.text), verifier: signer.verifier) }
        // A signature by an unknown key beside ours is ignored, as the spec asks.
        let cosigned = note + "\u{2014} witness.example AAAAAAAA\n"
        #expect(try Checkpoint(signedNote: cosigned, verifier: signer.verifier) == checkpoint)
        // Any change to the text breaks it.
        #expect(throws: TransparencyError.self) { try Checkpoint(signedNote: note.replacingOccurrences(of: "\n28\n", with: "\n27\n"), verifier: signer.verifier) }
        #expect(throws: TransparencyError.self) { try SignedNote.Signer(generatingFor: "has space") }
        #expect(throws: TransparencyError.self) { try SignedNote.Signer(generatingFor: "a+b") }
        #expect(throws: TransparencyError.self) { try SignedNote.Verifier(text: "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k") }
    }

    @Test func receiptsRoundTrip() throws {
        let signer = try SignedNote.Signer(generatingFor: "ledger.example.org/pmpj")
        var tree = MerkleTree()
        for index in 0..<28 { tree.append(leafData: .leaf([UInt8(index)])) }
        let checkpoint = Checkpoint(origin: signer.name, size: 28, root: try tree.root())
        let receipt = TlogProof(extra: tree.leafData(at: 11).bytes, index: 11, proof: try tree.inclusionProof(index: 11, size: 28),
                                signedCheckpoint: try signer.sign(checkpoint.text))
        let parsed = try TlogProof(text: receipt.text)
        #expect(parsed == receipt)
        #expect(receipt.text.hasPrefix("c2sp.org/tlog-proof@v1\nextra "))
        #expect(try parsed.check(leafData: tree.leafData(at: 11).bytes, verifier: signer.verifier) == checkpoint)
        #expect(throws: TransparencyError.self) { try parsed.check(leafData: tree.leafData(at: 12).bytes, verifier: signer.verifier) }
        #expect(throws: TransparencyError.self) { try TlogProof(text: receipt.text.replacingOccurrences(of: "index 11", with: "index 011")) }
        #expect(throws: TransparencyError.self) { try TlogProof(text: "c2sp.org/tlog-proof@v2\nindex 1\n\n") }
    }
}
