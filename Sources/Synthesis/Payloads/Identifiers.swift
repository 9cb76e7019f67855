import EventModel

/// Random version-4 GUIDs drawn from a caller's seeded generator, so a storm's
/// keys repeat exactly for the same seed; written as `GUIDText`, as replay
/// writes its fresh ones.
public enum Identifiers {
    /// A lower-case GUID with dashes (`Key` style): `e1c32fbf-5ef4-4080-a671-cf6ef75f359a`.
    public static func uuid(using generator: inout some RandomNumberGenerator) -> String {
        GUIDText.dashed(generator.next(), generator.next())
    }

    /// A lower-case GUID without dashes (.NET format "N", the 2018 `EventId` style):
    /// `3e5af0113e674ae597c579cb35ed8630`.
    public static func guidN(using generator: inout some RandomNumberGenerator) -> String {
        GUIDText.plain(generator.next(), generator.next())
    }
}

/// The two documented `EventId` styles (docs/orchestrator-webhooks.md §2).
public enum EventIdStyle: String, Sendable, Hashable, CaseIterable {
    /// Decimal digits in a string, e.g. `"307348658"` (2023+ samples; hookreel's default).
    case numeric
    /// 32 lower-case hex digits, e.g. `"3e5af0113e674ae597c579cb35ed8630"` (2018 samples).
    case guid
}

/// Hands out unique `EventId`s in one style.
public struct EventIdGenerator: Sendable {
    public let style: EventIdStyle
    private var nextNumber: UInt64

    /// The numeric style starts at a 9-digit number drawn from `generator`
    /// (like the `307348658` of the samples) and counts up by one, which makes
    /// ids unique by construction.
    public init(style: EventIdStyle, using generator: inout some RandomNumberGenerator) {
        self.style = style
        nextNumber = style == .numeric ? 100_000_000 + generator.next() % 800_000_000 : 0
    }

    /// The next id. The guid style draws 128 bits from `generator`; the numeric
    /// style draws nothing.
    public mutating func next(using generator: inout some RandomNumberGenerator) -> String {
        switch style {
        case .numeric:
            defer { nextNumber += 1 }
            return String(nextNumber)
        case .guid:
            return Identifiers.guidN(using: &generator)
        }
    }
}
