import Foundation
import Ledger
import Testing
@testable import Reports

/// The public and workspace search: every word typed, in any text of a subject, ignoring
/// case and accents. The folding is ours for Latin text (a search reads every note), so it
/// is checked against Foundation's.
@Suite("Search")
struct SearchTests {
    static func foundationFolded(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// Every text the demo ledger holds, and text that leaves the table: combining marks,
    /// Greek (a final sigma folds by context), Turkish, Cyrillic, Han, emoji.
    static let texts: [String] = {
        func strings(_ value: JSONValue) -> [String] {
            switch value {
            case .string(let text): [text]
            case .array(let values): values.flatMap(strings)
            case .object(let members): members.values.flatMap(strings)
            default: []
            }
        }
        var texts = DemoLedger.drafts.flatMap { strings($0.payload) }
        texts += ["Ciudad Jua\u{301}rez", "ΟΔΥΣΣΕΥΣ ΚΑΙ ΣΟΦΙΑ", "İSTANBUL ıi", "Ещё ЁЖ", "北京 人权", "👩🏽‍⚖️ Jueza", "Straße Œuvre ǅ ŉ",
                  "e\u{301}\u{327}", "\u{301}alone", "", "\r\n", "MAYÚSCULAS Ñ ü ø Ł đ"]
        // Every scalar below U+0300 in runs of 7, so each meets others before and after it.
        let scalars = (0..<UInt32(0x300)).compactMap(Unicode.Scalar.init)
        texts += stride(from: 0, to: scalars.count, by: 7).map { start in
            String(String.UnicodeScalarView(scalars[start..<min(start + 7, scalars.count)]))
        }
        return texts
    }()

    @Test func foldingIsFoundationsFolding() {
        #expect(Self.texts.count > 150)
        for text in Self.texts {
            #expect(SubjectFilter.folded(text) == Self.foundationFolded(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    @Test func aWordIsFoundWhereverItsBytesAre() {
        let cases: [(String, String, Bool)] = [
            ("aaab", "aab", true), ("aaab", "aaab", true), ("aaab", "aaaab", false), ("abc", "", true), ("", "a", false),
            ("justicia para juarez", "juarez", true), ("justicia para juarez", "juarezz", false), ("niño", "nino", false),
            ("北京人权", "人权", true), ("北京人权", "京人", true), ("ab\nab", "b\na", true), ("xyzxyzxy", "zxyx", false),
        ]
        for (text, word, expected) in cases {
            #expect(SubjectFilter.contains(Array(text.utf8), word) == expected, "\(word) in \(text)")
            #expect(SubjectFilter.contains(Array(text.utf8), word) == (word.isEmpty || text.range(of: word) != nil), "as a literal search: \(word) in \(text)")
        }
    }

    @Test func everyWordIsLookedForInEveryTextIgnoringCaseAndAccents() throws {
        let state = TemplateTests.state()
        func found(_ query: String) throws -> [String] {
            try SubjectFilter(parameters: ["q": query]).demands(in: state).map(\.id)
        }
        #expect(try found("JUAREZ") == ["justice-juarez-fire"])
        #expect(try found("ciudad juárez incendio") == ["justice-juarez-fire"], "words from the title in English and in Spanish")
        #expect(try found("Tapachula cuarenta") == ["justice-juarez-fire"], "a word of a follow-up's note and one of the Spanish summary")
        #expect(try found("juarez tapachulaa").isEmpty, "every word must be found")
        #expect(try found("weapons").contains("stop-arms-flow"))
        #expect(try found("nothing-like-this").isEmpty)
        #expect(try found("a").count == state.demands.count, "a one-letter word is in every demand")
    }
}
