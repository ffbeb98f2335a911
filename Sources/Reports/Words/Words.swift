import Ledger

/// The one catalog of every word the ledger shows people, by key, in every language: the
/// public pages, the reports, the workspace, the reminders' mail, the form problems and the
/// command line's status table. A key is `section.name` (`site.statusTitle`, `team.signIn`);
/// `{name}` in a text is filled in from the values given. A language is a table here
/// (`Words+English.swift`, …) with every key, which `WordsTests` checks. The labels of the
/// payloads' fields are declared with the fields themselves (`FieldSpec`), so a new field
/// brings its own.
public enum Words {
    public static func catalog(_ language: ReportLanguage) -> [String: String] {
        switch language {
        case .en: english
        case .es: spanish
        }
    }

    /// The text of `key` in `language`, its `{name}` placeholders filled from `values`. A key
    /// missing from the language falls back to English, then to the key itself, so a gap
    /// shows on the page rather than stopping it (and `WordsTests` finds it first).
    public static func text(_ key: String, _ language: ReportLanguage, _ values: [String: String] = [:]) -> String {
        let text = catalog(language)[key] ?? english[key] ?? key
        return values.isEmpty ? text : filled(text, values)
    }

    /// The words of one section, without its prefix: what a template reads as `{{w.name}}`.
    public static func section(_ prefix: String, _ language: ReportLanguage) -> [String: String] {
        let start = prefix + "."
        var words: [String: String] = [:]
        for (key, text) in catalog(language) where key.hasPrefix(start) { words[String(key.dropFirst(start.count))] = text }
        return words
    }

    /// `{name}` replaced by its value, in one pass: a value is never scanned again.
    static func filled(_ text: String, _ values: [String: String]) -> String {
        var result = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}"), let value = values[String(rest[rest.index(after: open)..<close])] else {
                result.append("{")
                rest = rest[rest.index(after: open)...]
                continue
            }
            result += value
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }
}

extension ReportLanguage {
    /// The text of `key` in this language (see `Words`).
    public func text(_ key: String, _ values: [String: String] = [:]) -> String { Words.text(key, self, values) }
}

extension FieldSpec.Label {
    /// A payload field's label in `language`: declared with the field (`FieldSpec`), not in
    /// the catalog, so that a new field brings its own words.
    public func text(_ language: ReportLanguage) -> String { language == .es ? spanish : english }
}
