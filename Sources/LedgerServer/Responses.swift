import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Reports

/// What every response shares: security headers, and the answers built the same way on
/// every route.
enum Responses {
    /// Every response's policy, set by Hummingbird's `ContentSecurityMiddleware` with
    /// `X-Content-Type-Options: nosniff`: pages have inline CSS and no scripts, so the policy
    /// can forbid everything else. Forms go to this site only (the public search and filter
    /// form is a GET to its own page).
    static let contentSecurityPolicy: ContentSecurityPolicy = [
        .defaultSrc(.none), .styleSrc(.unsafeInline), .imgSrc(.self, .scheme(.init(rawValue: "data:"))),
        .baseURI(.none), .formAction(.self), .frameAncestors(.none),
    ]

    /// What the middleware does not set: links to elsewhere carry no address of ours.
    static let securityHeaders: HTTPFields = [
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
