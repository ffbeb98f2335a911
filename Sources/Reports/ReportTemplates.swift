import Foundation
import Ledger
import Mustache

/// The templates every HTML page, HTML report and Atom feed is rendered through, compiled
/// into the binary from Sources/Reports/Templates. `{{name}}` escapes what it prints, so
/// untrusted text (titles, notes, sources) cannot become markup; the templates never use
/// the unescaped forms. A coalition brands its pages and reports by putting files of the
/// same names in a folder (`--templates DIR`): each replaces the built-in one.
public struct ReportTemplates: Sendable {
    /// Every template's name, the file name without `.mustache`.
    public static var names: [String] { builtInTexts.keys.sorted() }

    /// The built-in templates (a test parses every one).
    public static let builtIn: ReportTemplates = {
        do {
            return try ReportTemplates(texts: builtInTexts, origin: { "built-in template \($0).mustache" })
        } catch {
            preconditionFailure("\(error)")
        }
    }()

    private let library: MustacheLibrary

    /// The built-in templates, with every `NAME.mustache` in `directory` in place of the
    /// built-in one of that name. A file that does not parse, or a name no page uses, is an
    /// error naming the file (and the line).
    public init(overridesIn directory: String) throws(LedgerError) {
        let folder = URL(fileURLWithPath: directory)
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "mustache" }
        } catch {
            throw LedgerError(kind: .notFound, field: "templates", "cannot read the folder \(directory)")
        }
        var texts = Self.builtInTexts
        for file in files {
            let name = file.deletingPathExtension().lastPathComponent
            guard texts[name] != nil else {
                throw LedgerError(field: "templates", "\(file.path): no page uses a template named '\(name)' (the names are \(Self.names.joined(separator: ", ")))")
            }
            guard let data = try? Data(contentsOf: file), let text = String(data: data, encoding: .utf8) else {
                throw LedgerError(field: "templates", "\(file.path) is not readable UTF-8 text")
            }
            texts[name] = text
        }
        let overridden = Dictionary(uniqueKeysWithValues: files.map { ($0.deletingPathExtension().lastPathComponent, $0.path) })
        try self.init(texts: texts, origin: { overridden[$0] ?? "built-in template \($0).mustache" })
    }

    private init(texts: [String: String], origin: (String) -> String) throws(LedgerError) {
        Self.registerEscaping
        var library = MustacheLibrary()
        for (name, text) in texts.sorted(by: { $0.key < $1.key }) {
            do {
                library.register(try MustacheTemplate(string: text), named: name)
            } catch let error as MustacheTemplate.ParserError {
                throw LedgerError(field: "templates", "\(origin(name)), line \(error.context.lineNumber), column \(error.context.columnNumber): \(error.error) in “\(error.context.line.trimmingCharacters(in: .whitespaces))”")
            } catch {
                throw LedgerError(field: "templates", "\(origin(name)): \(error)")
            }
        }
        self.library = library
    }

    /// Renders `view` (a struct of stored properties, read by name) through `name`.
    func render(_ name: String, _ view: Any) -> String {
        library.render(TemplateView.tree(view) ?? [String: Any](), withTemplate: name) ?? ""
    }

    /// The escaping of every built-in page (`{{% CONTENT_TYPE: LEDGER_HTML }}`): HTML's five
    /// characters, and control characters and bidirectional overrides replaced, which XML
    /// (the Atom feed) forbids and which could make text read differently from what it is.
    struct LedgerHTML: MustacheContentType {
        func escapeText(_ text: String) -> String { HTMLText.escape(text) }
    }

    private static let registerEscaping: Void = {
        MustacheContentTypes.register(LedgerHTML(), named: "LEDGER_HTML")
    }()

    static let builtInTexts: [String: String] = [
        "commitment-badge": PackageResources.commitment_badge_mustache,
        "demand-badge": PackageResources.demand_badge_mustache,
        "feed-atom": PackageResources.feed_atom_mustache,
        "head": PackageResources.head_mustache,
        "integrity-warning": PackageResources.integrity_warning_mustache,
        "report": PackageResources.report_mustache,
        "report-chart": PackageResources.report_chart_mustache,
        "report-style": PackageResources.report_style_mustache,
        "site-change": PackageResources.site_change_mustache,
        "site-commitment": PackageResources.site_commitment_mustache,
        "site-commitments": PackageResources.site_commitments_mustache,
        "site-demand": PackageResources.site_demand_mustache,
        "site-error": PackageResources.site_error_mustache,
        "site-page": PackageResources.site_page_mustache,
        "site-status": PackageResources.site_status_mustache,
        "site-style": PackageResources.site_style_mustache,
        "site-timeline": PackageResources.site_timeline_mustache,
        "source-links": PackageResources.source_links_mustache,
    ].mapValues { String(decoding: $0, as: UTF8.self) }
}
