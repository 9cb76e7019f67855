/// A set of bytes as two 64-bit masks (ASCII) and one flag for 0x80...0xFF: a
/// membership test is a shift and a mask, with no table in memory.
struct ByteSet: Sendable {
    private var low: UInt64 = 0
    private var high: UInt64 = 0
    private var includesNonASCII = false

    private init(_ ascii: String, nonASCII: Bool = false) {
        for byte in ascii.utf8 { insert(byte) }
        includesNonASCII = nonASCII
    }

    private mutating func insert(_ byte: UInt8) {
        if byte < 64 { low |= 1 << UInt64(byte) } else { high |= 1 << UInt64(byte - 64) }
    }

    @inline(__always)
    func contains(_ byte: UInt8) -> Bool {
        if byte < 64 { return low >> UInt64(byte) & 1 != 0 }
        if byte < 128 { return high >> UInt64(byte &- 64) & 1 != 0 }
        return includesNonASCII
    }

    private static let alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    private static let visibleASCII = String(decoding: (0x21...0x7E).map { UInt8($0) }, as: UTF8.self)

    /// tchar (RFC 9110 §5.6.2).
    static let token = ByteSet(alphanumerics + "!#$%&'*+-.^_`|~")
    /// field-vchar, SP and HTAB (RFC 9110 §5.5): the bytes of a field value or reason phrase.
    static let fieldValue = ByteSet(visibleASCII + " \t", nonASCII: true)
    /// The bytes of an origin-form target: pchar, "/", "?" (RFC 3986 §3.3, §3.4).
    static let target = ByteSet(alphanumerics + "-._~" + "!$&'()*+,;=" + ":@" + "/?%")
    /// qdtext (RFC 9110 §5.6.4).
    static let quotedText = ByteSet(visibleASCII.filter { $0 != "\"" && $0 != "\\" } + " \t", nonASCII: true)
    /// What may follow a backslash in a quoted-string (RFC 9110 §5.6.4).
    static let quotedPair = fieldValue
}

extension UInt8 {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")

    /// A C0 control or DEL (RFC 5234 CTL).
    var isControl: Bool { self < 0x20 || self == 0x7F }

    /// The value of a hexadecimal digit, or nil.
    var hexValue: Int? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(self &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(self &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(self &- UInt8(ascii: "A") &+ 10)
        default: nil
        }
    }

    /// ASCII lower case (field names are case-insensitive, RFC 9110 §5.1).
    var lowercasedASCII: UInt8 { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self) ? self | 0x20 : self }
}
