import Foundation
import Ledger
import Testing
@testable import Reports

/// The one word catalog: every language has every key, the same placeholders, and every key
/// the code asks for by name.
@Suite("Word catalog")
struct WordsTests {
    @Test func everyKeyIsInEveryLanguageWithTheSamePlaceholders() {
        let keys = Set(Words.english.keys)
        #expect(keys.count > 300)
        for language in ReportLanguage.allCases {
            let catalog = Words.catalog(language)
            #expect(Set(catalog.keys) == keys, "\(language): \(Set(catalog.keys).symmetricDifference(keys).sorted())")
            for (key, text) in catalog {
                #expect(!text.isEmpty, "\(language) \(key)")
                #expect(Self.placeholders(text) == Self.placeholders(Words.english[key] ?? ""), "\(language) \(key)")
            }
        }
    }

    /// Every `text("section.name")` written in the sources names a key of the catalog.
    @Test func everyKeyTheCodeNamesExists() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources").standardized
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        let named = try Regex(#"text\("([a-zA-Z]+\.[a-zA-Z0-9]+)""#)
        var asked = 0
        for file in files {
            for match in try String(contentsOf: file, encoding: .utf8).matches(of: named) {
                let key = String(match.output[1].substring!)
                asked += 1
                #expect(Words.english[key] != nil, "\(file.lastPathComponent) asks for \(key), which the catalog lacks")
            }
        }
        #expect(asked > 20)
    }

    @Test func placeholdersAreFilledOnceAndOthersKept() {
        #expect(Words.filled("{a} and {b}", ["a": "{b}", "b": "x"]) == "{b} and x")
        #expect(Words.filled("{unknown} {a}", ["a": "1"]) == "{unknown} 1")
        #expect(ReportLanguage.es.date(CalendarDay("2023-06-30")!) == "30 de junio de 2023")
        #expect(ReportLanguage.en.days(1) == "1 day" && ReportLanguage.es.days(3) == "3 días")
    }

    static func placeholders(_ text: String) -> Set<String> {
        Set(text.matches(of: /\{([a-z]+)\}/).map { String($0.output.1) })
    }
}
