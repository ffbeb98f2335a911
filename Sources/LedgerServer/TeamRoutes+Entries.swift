import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Logging
import NIOCore
import Reports
import Sheets
import Workspace
import LedgerTeam

/// The pages of the ledger: what needs attention, the lists, the entry forms and what they write, one entry.
extension TeamRoutes {
    func state() async throws -> (LedgerRecords, LedgerState) {
        let records = try await ledger.records()
        return (records, await teamState.state(of: records, on: .today()))
    }

    func home(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let (_, person) = try context.person()
        let (records, state) = try await state()
        return Self.page(.ok, await pages(request).homePage(state: state, records: records, person: person, today: .today()), language: language(request))
    }

    func list(_ request: Request, context: LedgerRequestContext, kind: SubjectKind) async throws -> Response {
        let (_, person) = try context.person()
        let filter = try Routes.filter(request)
        let (_, state) = try await state()
        return Self.page(.ok, await pages(request).listPage(kind, state: state, filter: filter, person: person, today: .today()), language: language(request))
    }

    func newIndex(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let (_, person) = try context.person()
        return Self.page(.ok, await pages(request).newIndexPage(person: person), language: language(request))
    }

    /// `GET /team/new/KIND`: the empty form, or one started from a link (`?subject=`,
    /// `?demand=`, `?basis=`, `?seq=` for the entry to amend).
    func newForm(_ request: Request, context: LedgerRequestContext, kind: FormKind) async throws -> Response {
        let (_, person) = try context.person()
        let (records, state) = try await state()
        let query = request.uri.queryParameters
        var form = FormValues()
        if let seq = query.get("seq").flatMap({ Int64($0) }), kind.amendsEntries, let record = records.record(seq: seq) {
            form = EntryForm.values(of: record)
            form.set("target_seq", [String(seq)])
        } else if !kind.amendsEntries {
            form.set("effective", [CalendarDay.today().description])
        }
        if let subject = query.get("subject") { form.set("subject", [subject]) }
        if let demand = query.get("demand") { form.set("demands", [demand]) }
        if let basis = query.get("basis") { form.set("basis", [basis]) }
        return Self.page(.ok, await pages(request).formPage(kind, form: form, records: records, state: state, person: person), language: language(request))
    }

    /// `POST /team/new/KIND`: `action=review` checks the form and shows the entry to be
    /// written (or the form again, each problem beside its field); `action=confirm` writes
    /// it (its id comes from the review page, so a second click writes nothing more);
    /// `action=edit` goes back to the form with the values kept.
    func submit(_ request: Request, context: LedgerRequestContext, kind: FormKind) async throws -> Response {
        let form = try context.postedForm()
        let (current, person) = try context.person()
        let pages = await pages(request)
        let (records, state) = try await state()
        let action = form["action"] ?? "review"
        // A second click on "Record it" (or a resent form) finds the entry its first wrote.
        if action == "confirm", let id = form["draft_id"].flatMap(UUID.init(uuidString:)),
           let stored = try await ledger.store.entries(withIDs: [id]).first, stored.author == current.member.name {
            return Self.redirect(link("/team/entries/\(stored.seq)?written=1", request))
        }
        let result = EntryForm.read(kind, form, author: current.member.name, records: records)
        guard action != "edit", let draft = result.draft else {
            return Self.page(action == "edit" ? .ok : .unprocessableContent,
                             pages.formPage(kind, form: form, problems: action == "edit" ? [:] : result.problems, records: records, state: state, person: person),
                             language: pages.language)
        }
        guard action == "confirm" else {
            return Self.page(.ok, pages.reviewPage(kind, result: result, form: form, records: records, state: state, person: person), language: pages.language)
        }
        if let refusal = try await writesRefused(request, person: person) { return refusal }
        let written: Ledger.AppendResult
        do {
            written = try await ledger.append([draft])
        } catch let error as LedgerError where error.kind == .invalidInput || error.kind == .notFound {
            // The ledger moved since the review (someone else wrote): judged again, shown on the form.
            return Self.page(.unprocessableContent, pages.formPage(kind, form: form, problems: [EntryForm.inputName(error.field): error],
                                                                  records: records, state: state, person: person), language: pages.language)
        }
        let seq = written.entries[0].seq
        if written.added > 0 {
            logger.info("appended from the workspace", metadata: ["author": "\(current.member.name)", "seq": "\(seq)", "type": "\(draft.type.rawValue)"])
            do { try await view.written(upTo: seq) } catch { logger.warning("refresh after write failed", metadata: ["error": "\(error)"]) }
        }
        // With the key, the page after links to the entry's receipt: sign a checkpoint
        // covering it first, as an API write does.
        if configuration.signer != nil && draft.visibility == .public {
            do { _ = try await checkpointer.covering(seq) } catch {
                logger.error("could not sign a checkpoint for the write", metadata: ["error": "\(error)"])
            }
        }
        return Self.redirect(link("/team/entries/\(seq)?written=1", request), cookies: [readYourWritesCookie(seq)])
    }

    /// The public pages this person opens next show at least `seq` (`ReadYourWrites`).
    func readYourWritesCookie(_ seq: Int64) -> String {
        ReadYourWrites.fields(head: seq, secure: configuration.secureCookies)[.setCookie] ?? ""
    }

    /// When the server may not write: a ledger that failed verification, or opened read-only.
    func writesRefused(_ request: Request, person: WorkspacePages.Person) async throws -> Response? {
        let pages = await pages(request)
        if let warning = try await view.warningOnceVerified() {
            return Self.page(.serviceUnavailable, pages.messagePage(heading: "forbidden", text: warning.text(pages.language), person: person), language: pages.language)
        }
        if configuration.readOnly {
            return Self.page(.serviceUnavailable, pages.messagePage(heading: "forbidden", text: "readOnly", person: person),
                             language: pages.language)
        }
        return nil
    }

    func entry(_ request: Request, context: LedgerRequestContext, seqText: String) async throws -> Response {
        let (_, person) = try context.person()
        let pages = await pages(request)
        let (records, state) = try await state()
        guard let seq = Int64(seqText), let record = records.record(seq: seq) else {
            return Self.page(.notFound, pages.messagePage(heading: "notFound", text: "notFoundText", person: person), language: pages.language)
        }
        return Self.page(.ok, pages.entryPage(record, state: state, person: person, justWritten: request.uri.queryParameters.get("written") != nil,
                                              receiptsServed: configuration.signer != nil), language: pages.language)
    }
}
