import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Reports

/// What every response shares: security headers, and the answers built the same way on
/// every route.
enum Responses {
    /// Headers every response carries: pages have inline CSS and no scripts, so the policy
    /// can forbid everything else. Forms go to this site only (the public search and
    /// filter form is a GET to its own page).
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        .xContentTypeOptions: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
    ]

    /// True when the client's `If-None-Match` already names `etag` (or `*`); weak tags
    /// compare by their opaque part, as RFC 9110 says for If-None-Match.
    static func notModified(_ request: Request, etag: String) -> Bool {
        guard let header = request.headers[.ifNoneMatch] else { return false }
        return header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || (tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag) == etag
        }
    }

    static func cached(_ page: PublicView.Rendered, request: Request, choice: LanguageChoice?) -> Response {
        var headers = securityHeaders
        headers[.eTag] = page.etag
        // Revalidate every time: a 304 is cheap and a new entry shows at once.
        headers[.cacheControl] = "no-cache"
        if let choice {
            headers[.contentLanguage] = choice.language.rawValue
            if !choice.explicit { headers[.vary] = "Accept-Language" }
        }
        if notModified(request, etag: page.etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = page.contentType
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: page.body))
    }

    static func text(_ status: HTTPResponse.Status, _ text: String, contentType: String, extra: HTTPFields = [:]) -> Response {
        var headers = securityHeaders
        headers[.contentType] = contentType
        for field in extra { headers[field.name] = field.value }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
