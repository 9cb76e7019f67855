/// A UTC instant with microsecond resolution: the `received_at` of a record.
///
/// Formatting and parsing are done by hand because they sit on hot paths
/// (every record written or read carries one) and Foundation's formatters are
/// orders of magnitude slower than a few integer operations.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    /// RFC 3339 UTC with exactly six fractional digits, e.g. `2026-11-29T15:27:41.123456Z`.
    public var description: String {
        var writer = JSONWriter(reservingCapacity: 27)
        appendRFC3339(to: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Appends the RFC 3339 form (see `description`), without quotes.
    public func appendRFC3339(to writer: inout JSONWriter) {
        writer.write(reserving: 27) { out in
            writeDateAndTime(to: out)
            out[19] = UInt8(ascii: ".")
            writeDigits(microsecondOfSecond, count: 6, to: out + 20)
            out[26] = UInt8(ascii: "Z")
            return 27
        }
    }

    /// Microseconds past the whole second, 0..<1,000,000 (before 1970 too).
    public var microsecondOfSecond: Int64 {
        let remainder = microsecondsSinceEpoch % 1_000_000
        return remainder < 0 ? remainder + 1_000_000 : remainder
    }

    /// Writes `YYYY-MM-DDTHH:MM:SS` (19 bytes, UTC) at `out`: the part every
    /// format here shares (records' `received_at`, storm payloads' times).
    public func writeDateAndTime(to out: UnsafeMutablePointer<UInt8>) {
        let micros = microsecondsSinceEpoch
        var days = micros / Self.microsPerDay
        var microsOfDay = micros % Self.microsPerDay
        if microsOfDay < 0 {
            microsOfDay += Self.microsPerDay
            days -= 1
        }
        let (year, month, day) = CivilDate.fromDaysSinceEpoch(days)
        let secondsOfDay = microsOfDay / 1_000_000
        writeDigits(Int64(year), count: 4, to: out)
        out[4] = UInt8(ascii: "-")
        writeDigits(Int64(month), count: 2, to: out + 5)
        out[7] = UInt8(ascii: "-")
        writeDigits(Int64(day), count: 2, to: out + 8)
        out[10] = UInt8(ascii: "T")
        writeDigits(secondsOfDay / 3600, count: 2, to: out + 11)
        out[13] = UInt8(ascii: ":")
        writeDigits(secondsOfDay / 60 % 60, count: 2, to: out + 14)
        out[16] = UInt8(ascii: ":")
        writeDigits(secondsOfDay % 60, count: 2, to: out + 17)
    }

    /// Parses RFC 3339: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; a lower-case
    /// `t`/`z` and a space for `T` are accepted, and fractions beyond microseconds
    /// are truncated. A bare date `YYYY-MM-DD` means midnight UTC.
    public init?(rfc3339 text: String) {
        var text = text
        let parsed = text.withUTF8 { Timestamp(rfc3339Bytes: UnsafeRawBufferPointer($0)) }
        guard let parsed else { return nil }
        self = parsed
    }

    public init?(rfc3339Bytes bytes: UnsafeRawBufferPointer) {
        var reader = DigitReader(bytes: bytes)
        guard let year = reader.number(digits: 4), reader.skip("-"),
              let month = reader.number(digits: 2), reader.skip("-"),
              let day = reader.number(digits: 2),
              (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year)
        else { return nil }
        let days = CivilDate.daysSinceEpoch(year: year, month: month, day: day)
        if reader.isAtEnd {
            self.init(microsecondsSinceEpoch: days * Self.microsPerDay)
            return
        }
        guard reader.skip("T") || reader.skip("t") || reader.skip(" "),
              let hour = reader.number(digits: 2), reader.skip(":"),
              let minute = reader.number(digits: 2), reader.skip(":"),
              let second = reader.number(digits: 2),
              hour < 24, minute < 60, second < 61
        else { return nil }
        var micros: Int64 = 0
        if reader.skip(".") {
            var scale: Int64 = 100_000
            var digitCount = 0
            while let digit = reader.digit() {
                micros += Int64(digit) * scale
                scale /= 10
                digitCount += 1
            }
            guard digitCount > 0 else { return nil }
        }
        var offsetSeconds: Int64 = 0
        if reader.skip("Z") || reader.skip("z") {
            offsetSeconds = 0
        } else if let sign = reader.sign(),
                  let offsetHours = reader.number(digits: 2), reader.skip(":"),
                  let offsetMinutes = reader.number(digits: 2),
                  offsetHours < 24, offsetMinutes < 60 {
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard reader.isAtEnd else { return nil }
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetSeconds
        self.init(microsecondsSinceEpoch: seconds * 1_000_000 + micros)
    }

    static let microsPerDay: Int64 = 86_400_000_000
}

/// Writes the last `count` decimal digits of `value` (>= 0), zero-padded, at `out`.
public func writeDigits(_ value: Int64, count: Int, to out: UnsafeMutablePointer<UInt8>) {
    var rest = value
    for index in stride(from: count - 1, through: 0, by: -1) {
        out[index] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
        rest /= 10
    }
}

/// Reads fixed-width ASCII digits and separators from a byte buffer.
private struct DigitReader {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    var isAtEnd: Bool { index == bytes.count }

    mutating func digit() -> Int64? {
        guard index < bytes.count else { return nil }
        let byte = bytes[index]
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        index += 1
        return Int64(byte - UInt8(ascii: "0"))
    }

    mutating func number(digits: Int) -> Int64? {
        var value: Int64 = 0
        for _ in 0..<digits {
            guard let digit = digit() else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    mutating func sign() -> Int64? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }
}

/// Proleptic Gregorian calendar arithmetic (Howard Hinnant's days-from-civil).
public enum CivilDate {
    public static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public static func fromDaysSinceEpoch(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
