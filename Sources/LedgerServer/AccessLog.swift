import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Logging

/// One line per request: method, path, status, bytes and time taken. Headers, and so
/// tokens, are never logged; of the query string only the parameters the site reads are
/// (`lang`, `after`, `limit`): any other value, such as a token a client put in the URL,
/// is logged as REDACTED. Written through the request's own logger, which carries its
/// request id.
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
            "method": "\(request.method)", "path": "\(AccessLog.loggable(path: request.uri.path))", "status": "\(status)",
            "bytes": "\(bytes.map(String.init) ?? "-")", "ms": "\(String(format: "%.1f", milliseconds))",
        ])
    }
}

enum AccessLog {
    // Search words (`q`) are what a reader typed: not logged.
    static let loggedParameters: Set<Substring> = ["lang", "after", "limit", "page", "status", "basis", "kind", "actor", "country", "visibility", "overdue"]

    /// A path as logged: a workspace set-up link's secret is REDACTED (it lets whoever holds
    /// it choose the person's password).
    static func loggable(path: String) -> String {
        let setup = "/team/setup/"
        return path.hasPrefix(setup) ? setup + "REDACTED" : path
    }

    /// The path and query as logged: values of parameters the site does not read are REDACTED.
    static func loggable(path: String, query: String?) -> String {
        let path = loggable(path: path)
        guard let query, !query.isEmpty else { return path }
        let parameters = query.split(separator: "&", omittingEmptySubsequences: false).map { parameter in
            let name = parameter.prefix { $0 != "=" }
            return loggedParameters.contains(name) ? String(parameter) : name + "=REDACTED"
        }
        return path + "?" + parameters.joined(separator: "&")
    }
}
