import Foundation
import Hummingbird
import Ledger
import Reports

/// The page's language: `?lang=` when given, else the first of English and Spanish the
/// browser's `Accept-Language` prefers, else English.
struct LanguageChoice: Equatable {
    let language: ReportLanguage
    /// True when the URL chose it: the response then does not vary with the header.
    let explicit: Bool

    init(request: Request) throws {
        if let value = request.uri.queryParameters.get("lang") {
            guard let language = ReportLanguage(rawValue: value.lowercased()) else {
                throw APIError(.badRequest, field: "lang", "must be en or es")
            }
            self.language = language
            explicit = true
            return
        }
        language = Self.negotiate(request.headers[.acceptLanguage] ?? "")
        explicit = false
    }

    /// RFC 9110 §12.5.4: the highest q among en and es wins; ties go to the first listed.
    static func negotiate(_ header: String) -> ReportLanguage {
        var best: (language: ReportLanguage, q: Double)?
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { continue }
            let q = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            guard q > 0, let language = ReportLanguage(rawValue: primary) else { continue }
            if best == nil || q > best!.q { best = (language, q) }
        }
        return best?.language ?? .en
    }
}
