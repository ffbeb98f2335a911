import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Logging
import Reports

// MARK: Language

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

// MARK: Errors

/// An error a client can act on: a status, the field at fault and one sentence. Answered as
/// JSON on the API and as a page elsewhere. Nothing from the database reaches it.
struct APIError: Error, HTTPResponseError {
    let status: HTTPResponse.Status
    let field: String?
    let message: String
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, field: String? = nil, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.field = field
        self.message = message
        self.headers = headers
    }

    /// How a ledger error answers a write: bad input is the client's to fix, a busy ledger
    /// is worth a retry, a storage failure is the server's (and is logged, not shown).
    init(_ error: LedgerError) {
        switch error.kind {
        case .invalidInput, .notFound:
            self.init(.badRequest, field: error.field, error.message)
        case .integrity:
            self.init(.conflict, field: error.field, error.message)
        case .busy:
            self.init(.serviceUnavailable, error.message, headers: [.retryAfter: "1"])
        case .storage:
            self.init(.internalServerError, "the ledger could not be read or written; the server log says why")
        }
    }

    struct Body: Encodable {
        struct Detail: Encodable {
            var status: Int
            var field: String?
            var message: String
        }
        var error: Detail
    }

    var jsonText: String {
        (try? ReportJSON.encode(Body(error: .init(status: status.code, field: field, message: message)))) ?? "{}"
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: jsonText + "\n")))
    }
}

// MARK: Responses

enum Responses {
    /// Headers every response carries: pages have inline CSS and no scripts, so the policy
    /// can forbid everything else.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
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

// MARK: Access log

/// One line per request: method, path, status, bytes and time taken. Headers, and so
/// tokens, are never logged; of the query string only the parameters the site reads are
/// (`lang`, `after`, `limit`): any other value, such as a token a client put in the URL,
/// is logged as REDACTED.
/// One line per request, through the request's own logger (which carries its request id).
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context: context, status: response.status.code, bytes: response.body.contentLength, since: start)
            return response
        } catch {
            log(request, context: context, status: (error as? any HTTPResponseError)?.status.code ?? 500, bytes: nil, since: start)
            throw error
        }
    }

    private func log(_ request: Request, context: Context, status: Int, bytes: Int?, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.info("\(request.method) \(AccessLog.loggable(path: request.uri.path, query: request.uri.query)) \(status)", metadata: [
            "method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(status)",
            "bytes": "\(bytes.map(String.init) ?? "-")", "ms": "\(String(format: "%.1f", milliseconds))",
        ])
    }
}

enum AccessLog {
    static let loggedParameters: Set<Substring> = ["lang", "after", "limit"]

    /// The path and query as logged: values of parameters the site does not read are REDACTED.
    static func loggable(path: String, query: String?) -> String {
        guard let query, !query.isEmpty else { return path }
        let parameters = query.split(separator: "&", omittingEmptySubsequences: false).map { parameter in
            let name = parameter.prefix { $0 != "=" }
            return loggedParameters.contains(name) ? String(parameter) : name + "=REDACTED"
        }
        return path + "?" + parameters.joined(separator: "&")
    }
}
