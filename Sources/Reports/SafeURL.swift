import Ledger

enum SafeURL {
    /// http and https only: a `javascript:` or `data:` address is shown, never followed.
    static func isLink(_ url: String) -> Bool {
        let lowered = url.lowercased()
        return (lowered.hasPrefix("https://") || lowered.hasPrefix("http://")) && !url.unicodeScalars.contains { $0.properties.generalCategory == .control || $0 == " " }
    }
}
