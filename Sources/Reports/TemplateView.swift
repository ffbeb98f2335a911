/// A view as the templates read it. swift-mustache finds `{{name}}` by reflecting the struct
/// on the stack, afresh for every name and every level it climbs; a report of thousands of
/// items spent most of its time there. So each view is turned, once, into dictionaries of
/// its stored properties (arrays into arrays), and each name is a hash lookup. A nil optional
/// is left out, so the template looks further up for it, as mustache does with a struct. A
/// page's own fields are laid over its frame's.
package enum TemplateView {
    package static func tree(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            return mirror.children.first.flatMap { tree($0.value) }
        case .struct, .class:
            var fields: [String: Any] = [:]
            if let page = value as? any SitePageView, let frame = tree(page.frame) as? [String: Any] { fields = frame }
            for child in mirror.children {
                guard let label = child.label, !(value is any SitePageView && label == "frame") else { continue }
                if let converted = tree(child.value) { fields[label] = converted }
            }
            return fields
        case .collection:
            return mirror.children.compactMap { tree($0.value) }
        default:
            // Text, numbers, flags, and dictionaries (which mustache reads by key already).
            return value
        }
    }
}
