import Foundation
import Ledger
import LedgerSynthetic
import LedgerTestSupport
import Testing

/// Thousands of generated import lines, seeded so a failure repeats: batches of valid
/// entries (with hostile but legal text) and batches with one broken line. The oracle:
/// a batch is accepted, and then the chain verifies and no public output carries an
/// internal id or raw markup; or it is refused as bad input and the ledger is
/// byte-identical.
@Suite("Import fuzz")
struct ImportFuzzTests {
    /// Marks everything internal, so a leak is a plain substring search.
    static let secret = "qqinternalqq"

    /// Legal text that a careless renderer would turn into markup or break on.
    static let trickyText = [
        "<script>alert(1)</script>", "\"quoted\" & 'apostrophes' <b>bold</b>", "]]> --> <!-- <![CDATA[", "Ünïcödé 🙂 — ñ",
        "two\nlines", "a\ttab", "javascript:alert(1) is just words here", "[click](javascript:alert(1))", "=SUM(A1:A9)",
        "<img src=x onerror=alert(1)>", "&amp; &lt;already&gt;", "%s %n %x",
    ]

    /// What one generated batch is expected to do.
    enum Outcome { case accepted, refusedInput, refusedChain }

    /// The model of the ledger the generator keeps, to write entries that are valid or,
    /// on purpose, not.
    struct Generator {
        var random: SplitMix64
        var last: Entry
        var publicSubjects: [(id: String, since: String)]
        var publicCommitments: [String]
        var internalSubjects: [String]
        var actors: [String]
        var count = 0

        init(seed: UInt64, entries: [Entry]) {
            random = SplitMix64(seed: seed)
            last = entries.last!
            publicSubjects = entries.filter { ($0.type == .demandRecorded || $0.type == .commitmentRecorded) && $0.visibility == .public }
                .map { ($0.subject, $0.effective.day.description) }
            publicCommitments = entries.filter { $0.type == .commitmentRecorded && $0.visibility == .public }.map(\.subject)
            internalSubjects = entries.filter { $0.type.definesSubject != nil && $0.visibility == .internal }.map(\.subject)
            actors = entries.filter { $0.type == .actorRegistered && $0.visibility == .public }.map(\.subject)
        }

        mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        mutating func chance(_ percent: Int) -> Bool { random.next() % 100 < UInt64(percent) }

        /// A day in the second half of 2023, after `since`.
        mutating func day(after since: String) -> String {
            let start = CalendarDay(since)!
            return start.adding(days: Int(random.next() % 150) + 1).description
        }

        mutating func draft(_ type: EntryType, _ subject: String, on effective: String, _ visibility: Visibility,
                            _ payload: [String: JSONValue]) -> EntryDraft {
            EntryDraft(type: type, subject: subject, effective: EffectiveTime(effective)!,
                       author: "fuzz", visibility: visibility, payload: .object(payload))
        }

        /// One valid entry.
        mutating func valid() -> EntryDraft {
            count += 1
            switch random.next() % 6 {
            case 0:
                let (subject, since) = pick(publicSubjects)
                return draft(.followupLogged, subject, on: day(after: since), .public, ["note": .string(pick(trickyText)), "kind": .string("evidence"),
                                                                                         "sources": .array([.string("https://example.org/a?b=1&c=%C3%B1")])])
            case 1:
                let subject = pick(internalSubjects + publicSubjects.map(\.id))
                return draft(.followupLogged, subject, on: "2023-12-20", .internal, ["note": .string("\(secret) note \(count)")])
            case 2:
                let id = "\(secret)-d\(count)"
                internalSubjects.append(id)
                return draft(.demandRecorded, id, on: "2023-08-01", .internal, ["title": .string("\(secret) demand"), "by": .array([.string(pick(actors))])])
            case 3:
                let id = "fuzz-actor-\(count)"
                actors.append(id)
                return draft(.actorRegistered, id, on: "2023-01-10", .public, ["name": .string(pick(trickyText).replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\t", with: " ")), "kind": .string("organisation")])
            case 4:
                return draft(.statusChanged, pick(publicCommitments), on: "2023-12-01", .public, [
                    "status": .string(pick(CommitmentStatus.allCases).rawValue), "basis": .string(pick(Basis.allCases).rawValue),
                    "rationale": .string(pick(trickyText)), "sources": .array([.string("https://www.cndh.org.mx/")]),
                ])
            default:
                let id = "fuzz-demand-\(count)"
                publicSubjects.append((id, "2023-07-01"))
                return draft(.demandRecorded, id, on: "2023-07-01", .public, ["title": .string(pick(trickyText).replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\t", with: " ")),
                                                                               "targets": .array([.string(pick(actors))])])
            }
        }

        /// One entry this program must refuse, and how.
        mutating func broken() -> (EntryDraft, Outcome, recordedAt: String?) {
            let (subject, since) = pick(publicSubjects)
            let on = day(after: since)
            func note(_ text: String) -> [String: JSONValue] { ["note": .string(text)] }
            switch random.next() % 14 {
            case 0: return (draft(.followupLogged, subject, on: on, .public, note("bell\u{07}")), .refusedInput, nil)
            case 1: return (draft(.followupLogged, subject, on: on, .public, note("\u{202E}")), .refusedInput, nil)
            case 2: return (draft(.followupLogged, subject, on: on, .public, note("a\u{2029}b")), .refusedInput, nil)
            case 3: return (draft(.followupLogged, subject, on: on, .public, note("\u{FFFF}")), .refusedInput, nil)
            case 4: return (draft(.followupLogged, subject, on: on, .public, note("\u{200B}\u{200B}")), .refusedInput, nil)
            case 5:
                let source = pick(["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "https://e.org/<x>", "https://e.org/a b", "https://e.org/%zz"])
                return (draft(.followupLogged, subject, on: on, .public, ["note": .string("n"), "sources": .array([.string(source)])]), .refusedInput, nil)
            case 6: return (draft(.demandRecorded, "fuzz-bad-\(count)", on: on, .public, ["title": .string("t"), "by": .array([.string("no-such-actor")])]), .refusedInput, nil)
            case 7: return (draft(.followupLogged, pick(internalSubjects), on: "2023-12-20", .public, note("\(secret) leak")), .refusedInput, nil)
            case 8: return (draft(.followupLogged, subject, on: "2099-01-01", .public, note("future")), .refusedInput, nil)
            case 9: return (draft(.followupLogged, subject, on: "2019-01-01", .public, note("before its subject")), .refusedInput, nil)
            case 10: return (draft(.demandRecorded, subject, on: on, .public, ["title": .string("again")]), .refusedInput, nil)
            case 11: return (draft(.followupLogged, subject, on: on, .public, ["note": .string("n"), "mood": .string("x")]), .refusedInput, nil)
            case 12: return (draft(.followupLogged, subject, on: on, .public, note("recorded before the last entry")), .refusedInput, "2001-01-01T00:00:00.000Z")
            default: return (draft(.followupLogged, subject, on: on, .public, note("hash left stale")), .refusedChain, nil)
            }
        }

        /// A batch continuing `last`: all valid, or valid with one broken line somewhere.
        mutating func batch() -> (entries: [Entry], outcome: Outcome) {
            let size = Int(random.next() % 30) + 1
            let brokenAt = chance(50) ? Int(random.next() % UInt64(size)) : nil
            var entries: [Entry] = []
            var outcome = Outcome.accepted
            var previous = last
            let saved = self
            for position in 0..<size {
                var entry: Entry
                if position == brokenAt {
                    let (draft, expected, recordedAt) = broken()
                    outcome = expected
                    entry = Crafted.following(previous, draft)
                    if let recordedAt {
                        entry.recordedAt = recordedAt
                        entry.hash = entry.computedHash
                    }
                    if expected == .refusedChain { entry.payload = .object(["note": .string("changed after hashing")]) }
                } else {
                    entry = Crafted.following(previous, valid())
                }
                entries.append(entry)
                previous = entry
            }
            if outcome == .accepted {
                last = previous
            } else {
                // A refused batch leaves the ledger, and so the model, as it was.
                let random = self.random
                self = saved
                self.random = random
            }
            return (entries, outcome)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func generatedImportsAreAcceptedWholeOrRefusedWithNothingWritten(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        var snapshot = try await cli.snapshot()
        var generator = Generator(seed: 20_230_630 &+ (kind == .sqlite ? 0 : 1), entries: try Crafted.entries(exported: snapshot))
        let file = cli.directory.appendingPathComponent("batch.jsonl")
        var lines = 0, accepted = 0, refused = 0
        for round in 0..<160 {
            let (entries, outcome) = generator.batch()
            lines += entries.count
            try Crafted.file(entries).write(to: file, atomically: true, encoding: .utf8)
            let checksum = kind == .sqlite ? try fileChecksum(cli.database) : nil
            let result = try await cli.run("import", file.path)
            switch outcome {
            case .accepted:
                #expect(result.status == 0, "round \(round): a valid batch was refused: \(result.stderr)")
                accepted += 1
                snapshot = try await cli.snapshot()
                if accepted % 10 == 0 { try await checkPublicOutputs(cli, round: round) }
            case .refusedInput, .refusedChain:
                #expect(result.status == (outcome == .refusedInput ? 65 : 1), "round \(round): \(result.stderr)")
                #expect(result.stderr.contains("line "), "round \(round): the refusal names no line: \(result.stderr)")
                #expect(try await cli.snapshot() == snapshot, "round \(round): a refused import wrote something")
                if let checksum { #expect(try fileChecksum(cli.database) == checksum, "round \(round): the file changed") }
                refused += 1
            }
            if result.status != 0 && outcome == .accepted { break }
        }
        try await checkPublicOutputs(cli, round: -1)
        #expect(lines > 2_000, "thousands of lines")
        #expect(accepted > 40 && refused > 40, "both outcomes were exercised (\(accepted) accepted, \(refused) refused)")
    }

    /// The chain verifies; the public view carries no internal marker and no raw markup.
    func checkPublicOutputs(_ cli: CLI, round: Int) async throws {
        try await cli.ok("verify")
        var outputs = [
            ("status --public --json", try await cli.ok("status", "--public", "--json").stdout),
            ("log --public", try await cli.ok("log", "--public", "--limit", "5000", "--json").stdout),
        ]
        for month in ["2023-07", "2023-12"] {
            for format in ["html", "md", "text"] {
                outputs.append(("report \(month) \(format)", try await cli.ok("report", "monthly", month, "--audience", "public", "--format", format).stdout))
            }
        }
        for (name, output) in outputs {
            #expect(!output.contains(Self.secret), "round \(round): \(name) shows an internal entry")
            // Markdown escapes with a backslash (`\<script`), HTML with entities.
            if name.hasSuffix("html") || name.hasSuffix("md") {
                #expect(output.range(of: #"(?<!\\)<(script|img)"#, options: .regularExpression) == nil, "round \(round): \(name) carries raw markup")
            }
        }
    }
}
