import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Reports

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
