/// 128 bits as the GUID text Orchestrator writes: lower-case hex with the
/// version-4 and RFC 4122 variant bits set, as .NET's `Guid.NewGuid()` sets
/// them. Storms write their `Key`s and guid-style `EventId`s with it, replay
/// its fresh `Key`s and `EventId`s, so all look alike.
public enum GUIDText {
    /// With dashes, the `Key` style: `e1c32fbf-5ef4-4080-a671-cf6ef75f359a`.
    public static func dashed(_ high: UInt64, _ low: UInt64) -> String {
        String(unsafeUninitializedCapacity: dashedLength) { write(high, low, dashes: true, to: $0.baseAddress!) }
    }

    /// Without dashes (.NET format "N"), the 2018 `EventId` style:
    /// `3e5af0113e674ae597c579cb35ed8630`.
    public static func plain(_ high: UInt64, _ low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 32) { write(high, low, dashes: false, to: $0.baseAddress!) }
    }

    /// As `dashed`, between double quotes: a JSON string, for a body rewrite.
    static func quotedDashed(_ high: UInt64, _ low: UInt64) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: dashedLength + 2) { out, count in
            let quote = UInt8(ascii: "\"")
            out[0] = quote
            let written = write(high, low, dashes: true, to: out.baseAddress! + 1)
            out[written + 1] = quote
            count = written + 2
        }
    }

    private static let dashedLength = 36

    /// Writes the text at `out`; returns its length (36 or 32).
    private static func write(_ high: UInt64, _ low: UInt64, dashes: Bool, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let high = (high & ~0xF000) | 0x4000
        let low = (low & ~(0xC000 << 48)) | (0x8000 << 48)
        let hex: StaticString = "0123456789abcdef"
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
