/// A C2SP tlog-tiles resource: a tile of hashes (`tile/<L>/<N>[.p/<W>]`) or an entry
/// bundle (`tile/entries/<N>[.p/<W>]`), with tiles 256 hashes wide (height 8).
public struct TileAddress: Hashable, Sendable, CustomStringConvertible {
    public enum Level: Hashable, Sendable {
        case hashes(Int)
        case entries
    }

    public static let height = 8
    public static let width = 256

    public let level: Level
    public let index: Int64
    /// 256 for a full tile, 1…255 for a partial one.
    public let width: Int

    public init(level: Level, index: Int64, width: Int = TileAddress.width) {
        self.level = level
        self.index = index
        self.width = width
    }

    public var isFull: Bool { width == Self.width }

    /// The path under the log's prefix, e.g. `tile/0/x001/x234/067.p/8`.
    public var path: String {
        let levelText = switch level {
        case .hashes(let level): String(level)
        case .entries: "entries"
        }
        return "tile/\(levelText)/\(Self.indexPath(index))" + (isFull ? "" : ".p/\(width)")
    }

    public var description: String { path }

    /// `1234067` as `x001/x234/067`: three-digit elements, all but the last with an `x`.
    static func indexPath(_ index: Int64) -> String {
        var groups: [String] = []
        var rest = index
        repeat {
            let group = String(rest % 1000)
            groups.insert(String(repeating: "0", count: 3 - group.count) + group, at: 0)
            rest /= 1000
        } while rest > 0
        return groups.dropLast().map { "x" + $0 + "/" }.joined() + groups.last!
    }

    /// Parses the path after `tile/`; nil for anything the spec does not allow (leading
    /// zeroes in a level or width, a width of 0 or 256, an element without its `x`…).
    public init?(path: some StringProtocol) {
        var elements = String(path).split(separator: "/" as Character, omittingEmptySubsequences: false).map(String.init)
        guard elements.count >= 2 else { return nil }
        let levelText = elements.removeFirst()
        if levelText == "entries" {
            level = .entries
        } else {
            guard let level = Self.decimal(levelText), level <= 63 else { return nil }
            self.level = .hashes(level)
        }
        // A partial tile ends in `.p/<W>`: the `.p` sits on the last index element.
        var width = Self.width
        if elements.count >= 2, elements[elements.count - 2].hasSuffix(".p") {
            guard let partial = Self.decimal(elements.removeLast()), (1..<Self.width).contains(partial) else { return nil }
            width = partial
            elements[elements.count - 1].removeLast(2)
        }
        var index: Int64 = 0
        for (position, element) in elements.enumerated() {
            var digits = Substring(element)
            if position < elements.count - 1 {
                guard digits.first == "x" else { return nil }
                digits = digits.dropFirst()
            }
            guard digits.count == 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let group = Int64(digits) else { return nil }
            let (shifted, overflow) = index.multipliedReportingOverflow(by: 1000)
            guard !overflow, shifted <= Int64.max - group else { return nil }
            index = shifted + group
        }
        // The first element may carry no leading zero groups (`x000/…` is not a path).
        guard elements.count == 1 || elements[0] != "x000" else { return nil }
        self.index = index
        self.width = width
    }

    /// A decimal with no leading zeroes (0 itself allowed).
    private static func decimal(_ text: String) -> Int? {
        guard !text.isEmpty, text.count <= 3, text.allSatisfy({ $0.isASCII && $0.isNumber }), text == "0" || text.first != "0" else { return nil }
        return Int(text)
    }

    /// Every tile and bundle a tree of `size` leaves is made of (full and partial), level by level.
    public static func tiles(forTreeSize size: Int64) -> [TileAddress] {
        var tiles: [TileAddress] = []
        var level = 0
        var count = size  // hashes at this tile level
        while count > 0 {
            let full = count / Int64(width)
            tiles += (0..<full).map { TileAddress(level: .hashes(level), index: $0) }
            let rest = Int(count % Int64(width))
            if rest > 0 { tiles.append(TileAddress(level: .hashes(level), index: full, width: rest)) }
            count = full
            level += 1
        }
        let full = size / Int64(width)
        tiles += (0..<full).map { TileAddress(level: .entries, index: $0) }
        if size % Int64(width) > 0 { tiles.append(TileAddress(level: .entries, index: full, width: Int(size % Int64(width)))) }
        return tiles
    }
}
