import Foundation

/// `multipart/form-data` (RFC 7578), as a browser sends a form with a file: each part's
/// name and content. Only what the workspace's upload needs: no nested parts, no encodings
/// but the raw bytes browsers send.
public enum Multipart {
    /// The boundary named in a Content-Type header, if it is multipart/form-data.
    public static func boundary(contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() where part.lowercased().hasPrefix("boundary=") {
            var value = String(part.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty || value.count > 70 ? nil : value
        }
        return nil
    }

    /// The form's fields, files as their text; nil when the body is not well formed or a
    /// part is not UTF-8 text.
    public static func form(_ body: [UInt8], boundary: String) -> FormValues? {
        let delimiter = Array(("--" + boundary).utf8)
        var positions: [Int] = []
        var index = 0
        while let found = find(delimiter, in: body, from: index) {
            positions.append(found)
            index = found + delimiter.count
        }
        guard positions.count >= 2 else { return nil }
        var pairs: [(name: String, value: String)] = []
        for (start, end) in zip(positions, positions.dropFirst()) {
            var part = Array(body[(start + delimiter.count)..<end])
            // Each part starts after the delimiter's CRLF and ends before the next one's CRLF.
            guard part.starts(with: [13, 10]) else { return nil }
            part.removeFirst(2)
            if part.suffix(2) == [13, 10] { part.removeLast(2) }
            guard let split = find([13, 10, 13, 10], in: part, from: 0),
                  let head = String(bytes: part[..<split], encoding: .utf8),
                  let value = String(bytes: part[(split + 4)...], encoding: .utf8) else { return nil }
            guard let disposition = head.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-disposition:") }),
                  let name = parameter("name", in: String(disposition)) else { return nil }
            pairs.append((name, FormValues.normalised(value)))
        }
        return FormValues(pairs: pairs)
    }

    static func parameter(_ name: String, in header: String) -> String? {
        for piece in header.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where piece.hasPrefix(name + "=") {
            var value = String(piece.dropFirst(name.count + 1))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0] && Array(haystack[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }
}
