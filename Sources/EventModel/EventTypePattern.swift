/// A glob over event types, as `--type` takes it: `*` matches any run of
/// characters (dots included) and `?` one character, e.g. `job.*`,
/// `queueItem.transaction*`.
public struct EventTypePattern: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    private let pattern: [UInt8]

    public init(_ text: String) {
        self.text = text
        pattern = Array(text.utf8)
    }

    public var description: String { text }

    /// Whether the pattern could match any type in the catalog (for "did you mean" warnings).
    public var matchesSomeKnownType: Bool {
        EventCatalog.all.contains { matches($0.type.rawValue) }
    }

    public func matches(_ type: String) -> Bool {
        var type = type
        return type.withUTF8 { matches($0) }
    }

    /// Matches UTF-8 bytes; iterative with single backtrack point, so linear-ish in practice.
    public func matches(_ subject: UnsafeBufferPointer<UInt8>) -> Bool {
        var p = 0, s = 0
        var starP = -1, starS = 0
        while s < subject.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                starP = p
                starS = s
                p += 1
            } else if p < pattern.count, pattern[p] == UInt8(ascii: "?") || pattern[p] == subject[s] {
                p += 1
                s += 1
            } else if starP >= 0 {
                p = starP + 1
                starS += 1
                s = starS
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}
