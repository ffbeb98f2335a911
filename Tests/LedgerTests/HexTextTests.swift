import Foundation
import Testing
import Transparency
@testable import Ledger

/// The hex readers `verify` runs a million times: they must agree with Foundation and refuse
/// what it refuses.
@Suite("Hex text")
struct HexTextTests {
    @Test func uuidsReadAsFoundationReadsThem() {
        for _ in 0..<200 {
            let uuid = UUID()
            #expect(UUID(hexText: uuid.uuidString) == uuid)
            #expect(UUID(hexText: uuid.uuidString.lowercased()) == uuid)
        }
        let text = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
        #expect(UUID(hexText: text) == UUID(uuidString: text))
        // A Substring's text is not a native String: the copying path.
        let bridged = String(Substring("x" + text).dropFirst())
        #expect(UUID(hexText: bridged) == UUID(uuidString: text))
    }

    @Test(arguments: [
        "", "7c9e6679-7425-40de-944b-e07fc1f90ae", "7c9e6679-7425-40de-944b-e07fc1f90ae77",
        "7c9e6679x7425-40de-944b-e07fc1f90ae7", "7c9e6679-7425-40de-944b_e07fc1f90ae7",
        "7c9e667-97425-40de-944b-e07fc1f90ae7", "7g9e6679-7425-40de-944b-e07fc1f90ae7",
        "7c9e6679-7425-40de-944b-e07fc1f90aé", "{7c9e6679-7425-40de-944b-e07fc1f90ae7}",
        "7c9e66797425-40de-944b-e07fc1f90ae7-",
    ])
    func malformedUUIDsAreRefused(_ text: String) {
        #expect(UUID(hexText: text) == nil)
        #expect(UUID(uuidString: text) == nil, "Foundation refuses it too")
    }

    @Test func treeHashesReadAndWriteHex() throws {
        let text = "1ebc90e0a58f69f38ecb966b0ec30ce0a79ad68784b72895d14ca21f249e8e26"
        let hash = try #require(TreeHash(hex: text))
        #expect(hash.hex == text)
        #expect(TreeHash(hex: text.uppercased()) == hash)
        #expect(hash.bytes.count == 32 && hash.bytes.first == 0x1e && hash.bytes.last == 0x26)
        #expect(TreeHash(bytes: hash.bytes) == hash && TreeHash(base64: hash.base64) == hash)
        #expect(Set([hash, TreeHash(hex: text)!]).count == 1)
        #expect(TreeHash(hex: String(text.dropLast())) == nil)
        #expect(TreeHash(hex: text + "0") == nil)
        #expect(TreeHash(hex: "g" + text.dropFirst()) == nil)
        #expect(TreeHash(hex: text.dropFirst(2) + "zz") == nil)
        #expect(TreeHash(bytes: hash.bytes.dropLast()) == nil)
    }
}
