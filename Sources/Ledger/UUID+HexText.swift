import Foundation
import Transparency

extension UUID {
    /// Parses `8-4-4-4-12` hex digits (either case) without Foundation's scanf-based parser,
    /// which showed in profiles of reading the chain.
    package init?(hexText text: String) {
        // In place where the text is contiguous (always, for a native String): `verify`
        // reads a million of these.
        guard let uuid = text.utf8.withContiguousStorageIfAvailable(Self.uuid) ?? Array(text.utf8).withUnsafeBufferPointer(Self.uuid) else { return nil }
        self.init(uuid: uuid)
    }

    /// How many bytes each dash-separated group of digits holds.
    private static let groupBytes = [4, 2, 2, 2, 6]

    /// The 16 bytes of 8-4-4-4-12 hex digits, either case.
    private static func uuid(_ text: UnsafeBufferPointer<UInt8>) -> uuid_t? {
        guard text.count == 36 else { return nil }
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let read = withUnsafeMutableBytes(of: &uuid) { bytes in
            var start = 0, byte = 0
            for groupBytes in groupBytes {
                if start > 0 {
                    guard text[start] == UInt8(ascii: "-") else { return false }
                    start += 1
                }
                let digits = UnsafeBufferPointer(rebasing: text[start..<start + 2 * groupBytes])
                guard Hex.decode(digits, into: UnsafeMutableRawBufferPointer(rebasing: bytes[byte..<byte + groupBytes])) else { return false }
                start += 2 * groupBytes
                byte += groupBytes
            }
            return true
        }
        return read ? uuid : nil
    }
}
