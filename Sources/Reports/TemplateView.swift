/// A view as the templates read it. swift-mustache finds `{{name}}` by reflecting the struct
/// on the stack, afresh for every name and every level it climbs; a report of thousands of
/// items spent most of its time there. So each view is turned, once, into dictionaries of
/// its stored properties (arrays into arrays), and each name is a hash lookup. A nil optional
/// is left out, so the template looks further up for it, as mustache does with a struct. A
/// page's own fields are laid over its frame's.
package enum TemplateView {
    package static func tree(_ value: Any) -> Any? {
        if let fielded = value as? any TemplateFields { return fielded.templateFields }
        return reflected(value)
    }

    /// `tree` by reflection: what a `TemplateFields` type must give.
    package static func reflected(_ value: Any) -> Any? {
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

/// A view that a report holds thousands of gives its fields itself, as `TemplateView.tree`
/// would find them by reflection (`TemplateTests` compares the two): reflecting them was a
/// fifth of a report's time.
package protocol TemplateFields {
    var templateFields: [String: Any] { get }
}

extension Dictionary where Key == String, Value == Any {
    /// Sets `value` unless it is nil: a nil optional is left out, as reflection leaves it.
    mutating func set(_ key: String, _ value: Any?) {
        if let value { self[key] = value }
    }
}
