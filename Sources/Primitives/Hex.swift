/// Lower-case hexadecimal text.
public enum Hex {
    /// `value` as 16 lower-case hex digits, zero-padded: two of them make a
    /// GUID in its "N" form (32 digits, no dashes).
    public static func digits(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
