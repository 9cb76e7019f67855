import EventModel

/// Random version-4 GUIDs drawn from a caller's seeded generator, so a storm's
/// keys repeat exactly for the same seed.
public enum Identifiers {
    /// A lower-case GUID with dashes (`Key` style): `e1c32fbf-5ef4-4080-a671-cf6ef75f359a`.
    public static func uuid(using generator: inout some RandomNumberGenerator) -> String {
        guidText(generator.next(), generator.next(), dashes: true)
    }

    /// A lower-case GUID without dashes (.NET format "N", the 2018 `EventId` style):
    /// `3e5af0113e674ae597c579cb35ed8630`.
    public static func guidN(using generator: inout some RandomNumberGenerator) -> String {
        guidText(generator.next(), generator.next(), dashes: false)
    }

    private static func guidText(_ high: UInt64, _ low: UInt64, dashes: Bool) -> String {
        // Version 4 and RFC 4122 variant bits, as .NET's Guid.NewGuid() sets them.
        let high = (high & ~0xF000) | 0x4000
        let low = (low & ~(0xC000 << 48)) | (0x8000 << 48)
        let hex: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: dashes ? 36 : 32) { out in
            var count = 0
            for nibble in 0..<32 {
                if dashes, nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 {
                    out[count] = UInt8(ascii: "-")
                    count += 1
                }
                let word = nibble < 16 ? high : low
                let shift = UInt64(60 - 4 * (nibble % 16))
                out[count] = hex.utf8Start[Int((word >> shift) & 0xF)]
                count += 1
            }
            return count
        }
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
