import Foundation
import Mustache
import Reports

/// The workspace's templates, compiled into the binary from Sources/Workspace/Templates.
/// Every page declares `{{% CONTENT_TYPE: WORKSPACE_HTML }}`, so each `{{value}}` is
/// HTML-escaped the way the public pages are; the templates never use the unescaped forms.
struct WorkspaceTemplates: Sendable {
    static let shared = WorkspaceTemplates()

    static let texts: [String: String] = [
        "team-frame": PackageResources.team_frame_mustache,
        "team-style": PackageResources.team_style_mustache,
        "team-field": PackageResources.team_field_mustache,
        "team-item": PackageResources.team_item_mustache,
        "team-sign-in": PackageResources.team_sign_in_mustache,
        "team-setup": PackageResources.team_setup_mustache,
        "team-message": PackageResources.team_message_mustache,
        "team-home": PackageResources.team_home_mustache,
        "team-list": PackageResources.team_list_mustache,
        "team-form": PackageResources.team_form_mustache,
        "team-review": PackageResources.team_review_mustache,
        "team-entry": PackageResources.team_entry_mustache,
        "team-new": PackageResources.team_new_mustache,
        "team-people": PackageResources.team_people_mustache,
        "team-settings": PackageResources.team_settings_mustache,
        "team-sheets": PackageResources.team_sheets_mustache,
        "team-sheet-review": PackageResources.team_sheet_review_mustache,
        "team-webhooks": PackageResources.team_webhooks_mustache,
        "mail-html": PackageResources.mail_html_mustache,
    ].mapValues { String(decoding: $0, as: UTF8.self) }

    private let library: MustacheLibrary

    private init() {
        MustacheContentTypes.register(Escaping(), named: "WORKSPACE_HTML")
        var library = MustacheLibrary()
        for (name, text) in Self.texts {
            do {
                library.register(try MustacheTemplate(string: text), named: name)
            } catch {
                preconditionFailure("built-in template \(name).mustache: \(error)")
            }
        }
        self.library = library
    }

    /// A page's own fields laid over its frame's, so templates say `{{title}}`, not `{{frame.title}}`.
    func render(_ name: String, _ view: Any) -> String {
        var fields = TemplateView.tree(view) as? [String: Any] ?? [:]
        if let frame = fields.removeValue(forKey: "frame") as? [String: Any] {
            fields = frame.merging(fields) { _, own in own }
        }
        return library.render(fields, withTemplate: name) ?? ""
    }

    struct Escaping: MustacheContentType {
        func escapeText(_ text: String) -> String { HTMLText.escape(text) }
    }
}
