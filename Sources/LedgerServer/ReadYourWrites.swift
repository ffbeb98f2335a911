import Foundation
import HTTPTypes
import Hummingbird
import Logging
import LedgerTeam

/// A reader never sees a head older than the one their own write returned, even when the
/// pages come from a replica that has not replayed it yet (`serve --read-database`), or
/// from another server of the same ledger that has not heard of it yet.
///
/// A write's answer carries the head it reached: the `ledger_seq` cookie (browsers send it
/// back), and the `Ledger-Head` header with the body's seqs (a script sends it back as
/// `Ledger-Min-Seq: SEQ`). A public read with either waits until the view shows that head.
enum ReadYourWrites {
    static let cookieName = "ledger_seq"
    static let minimumHeader = HTTPField.Name("Ledger-Min-Seq")!
    static let headHeader = HTTPField.Name("Ledger-Head")!

    /// The cookie and header a write's answer carries (an hour is more than any replica lag).
    static func fields(head seq: Int64, secure: Bool) -> HTTPFields {
        [
            .setCookie: "\(cookieName)=\(seq); Path=/; Max-Age=3600; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : ""),
            headHeader: String(seq),
        ]
    }

    /// The head the request asks to see, the larger of its header and its cookie; a value
    /// that is not a positive number is ignored, as if not sent.
    static func minimumSeq(_ request: Request) -> Int64? {
        let candidates = [request.headers[minimumHeader], TeamSessions.cookies(request)[cookieName]]
        return candidates.compactMap { $0.flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) } }.filter { $0 > 0 }.max()
    }
}

/// Brings the public view to the head a public read asks for before the read is answered: on
/// the public route groups only (the workspace reads the primary itself).
struct ReadYourWritesMiddleware<Context: RequestContext>: RouterMiddleware {
    let view: PublicView

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .get || request.method == .head, let seq = ReadYourWrites.minimumSeq(request) {
            do {
                try await view.show(atLeast: seq)
            } catch {
                // The page is still answered, from what the view has.
                context.logger.warning("could not bring the view to the head asked for", metadata: ["seq": "\(seq)", "error": "\(error)"])
            }
        }
        return try await next(request, context)
    }
}
