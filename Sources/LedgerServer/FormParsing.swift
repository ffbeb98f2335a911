import Foundation
import Hummingbird
import MultipartKit
import NIOCore
import Workspace

/// The workspace's forms as the server reads them: urlencoded (below) and
/// `multipart/form-data` (RFC 7578), as a browser sends a form with a file, read by
/// MultipartKit's parser once the body is whole and within the route's size limit: each
/// part's name and its content as text.
enum MultipartForm {
    /// The boundary named in a Content-Type header, if it is multipart/form-data.
    static func boundary(contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() where part.lowercased().hasPrefix("boundary=") {
            var value = String(part.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty || value.count > 70 ? nil : value
        }
        return nil
    }

    /// The form's fields, files as their text; nil when the body is not a whole multipart
    /// form (its closing boundary missing: cut short) or a part is not UTF-8 text.
    static func form(_ body: ByteBuffer, boundary: String) -> FormValues? {
        guard endsWithClosingBoundary(body, boundary) else { return nil }
        let parser = MultipartParser(boundary: boundary)
        var pairs: [(name: String, value: String)] = []
        var name: String?
        var content = ByteBuffer()
        var wellFormed = true
        parser.onHeader = { field, value in
            if field.lowercased() == "content-disposition" { name = parameter("name", in: value) }
        }
        parser.onBody = { part in content.writeBuffer(&part) }
        parser.onPartComplete = {
            if let name, let text = String(validating: content.readableBytesView, as: UTF8.self) {
                pairs.append((name, FormValues.normalised(text)))
            } else {
                wellFormed = false
            }
            (name, content) = (nil, ByteBuffer())
        }
        do { try parser.execute(body) } catch { return nil }
        return wellFormed && !pairs.isEmpty ? FormValues(pairs: pairs) : nil
    }

    /// `--BOUNDARY--`, then at most line ends: a body cut short never passes for a whole one.
    static func endsWithClosingBoundary(_ body: ByteBuffer, _ boundary: String) -> Bool {
        let closing = Array("--\(boundary)--".utf8)
        var end = body.readableBytesView.endIndex
        let bytes = body.readableBytesView
        while end > bytes.startIndex, bytes[end - 1] == 13 || bytes[end - 1] == 10 { end -= 1 }
        guard end - bytes.startIndex >= closing.count else { return false }
        return bytes[(end - closing.count)..<end].elementsEqual(closing)
    }

    static func parameter(_ name: String, in header: String) -> String? {
        for piece in header.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where piece.hasPrefix(name + "=") {
            var value = String(piece.dropFirst(name.count + 1))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}

extension FormValues {
    /// Parses an `application/x-www-form-urlencoded` body or a query string; nil when it is
    /// not valid percent-encoded UTF-8.
    init?(urlEncoded text: String) {
        var pairs: [(name: String, value: String)] = []
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decoded(pieces[0]), let value = Self.decoded(pieces.count > 1 ? pieces[1] : "") else { return nil }
            // Browsers send line breaks as CRLF; the ledger, and the pages that show a value
            // again (a carriage return would be shown as U+FFFD), use LF.
            pairs.append((name, Self.normalised(value)))
        }
        self.init(pairs: pairs)
    }

    private static func decoded(_ text: some StringProtocol) -> String? {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
