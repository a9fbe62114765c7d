import CJSONScan

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// perf: the AVX2 kernels of `CJSONScan` (find a string's end and check its UTF-8 in one pass,
/// 32 bytes at a time, simdjson's table-lookup UTF-8 check), used when this CPU has AVX2. Elsewhere
/// the portable Swift paths of ``JSONParser`` and ``UTF8Validation`` run (same results).
enum JSONScan {
    /// Whether the kernels may run on this CPU (checked once).
    static let available: Bool = cjs_available() != 0
}

extension JSONParser {
    /// A string (`start` is just after its opening quote) through the AVX2 kernel: the closing
    /// quote and the UTF-8 check in one pass; escapes checked while finding the end, then decoded
    /// into the scratch buffer. Returns nil, having consumed nothing, when anything is unusual (a
    /// control byte, invalid UTF-8, a bad escape, the buffer ending first): the byte-wise path then
    /// starts over from `start` and reports errors exactly as before.
    @inline(__always)
    mutating func parseStringScanned(from start: Int) -> String? {
        let r = cjs_scan_string(base + start, Int64(end - start))
        guard r.stop >= 0, r.valid != 0 else { return nil }
        let stop = start + Int(r.stop)
        if base[stop] == UInt8(ascii: "\"") {
            position = stop + 1
            return String(validatedUTF8: UnsafeBufferPointer(start: base + start, count: stop - start), isASCII: r.ascii != 0)
        }
        guard base[stop] == UInt8(ascii: "\\") else { return nil }
        return parseEscapedScanned(from: start, firstEscape: stop, ascii: r.ascii != 0)
    }

    @inline(__always)
    private static func isHex(_ c: UInt8) -> Bool {
        c &- 0x30 < 10 || (c | 0x20) &- 0x61 < 6
    }

    @inline(__always)
    private static func hex4(_ p: UnsafePointer<UInt8>) -> UInt32 {
        var value: UInt32 = 0
        for i in 0..<4 {
            let c = p[i]
            value = value << 4 | UInt32(c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10)
        }
        return value
    }

    /// The rest of ``parseStringScanned(from:)`` for a string with escapes. Pass 1 finds the closing
    /// quote, checking each escape and the UTF-8 of the runs between them (a run is checked up to
    /// and including the backslash or quote after it, so a sequence cut by an escape is invalid,
    /// as it is in the raw text); pass 2 copies the runs and decodes the escapes, with the same
    /// surrogate rules as ``parseEscapedString(from:)`` (lone surrogates become U+FFFD).
    private mutating func parseEscapedScanned(from start: Int, firstEscape: Int, ascii runsASCII: Bool) -> String? {
        var p = firstEscape
        var ascii = runsASCII
        while true {
            // base[p] is a backslash.
            guard p + 1 < end else { return nil }
            switch base[p + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                 UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                p += 2
            case UInt8(ascii: "u"):
                guard p + 6 <= end, Self.isHex(base[p + 2]), Self.isHex(base[p + 3]), Self.isHex(base[p + 4]), Self.isHex(base[p + 5]) else { return nil }
                p += 6
            default:
                return nil
            }
            let r = cjs_scan_string(base + p, Int64(end - p))
            guard r.stop >= 0, r.valid != 0 else { return nil }
            if r.ascii == 0 { ascii = false }
            p += Int(r.stop)
            if base[p] == UInt8(ascii: "\"") { break }
            guard base[p] == UInt8(ascii: "\\") else { return nil }
        }
        let close = p
        // The decoded text is never longer than the raw text.
        let rawCount = close - start
        if scratch.count < rawCount {
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: repeatElement(0, count: rawCount))
        }
        let base = self.base
        var count = 0
        scratch.withUnsafeMutableBufferPointer { buffer in
            let out = buffer.baseAddress!
            var q = start
            while q < close {
                let run: Int
                if let hit = memchr(base + q, 0x5C, close - q) {
                    run = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
                } else {
                    run = close
                }
                if run > q {
                    (out + count).update(from: base + q, count: run - q)
                    count += run - q
                }
                guard run < close else { break }
                let e = base[run + 1]
                q = run + 2
                switch e {
                case UInt8(ascii: "\""): out[count] = 0x22
                case UInt8(ascii: "\\"): out[count] = 0x5C
                case UInt8(ascii: "/"): out[count] = 0x2F
                case UInt8(ascii: "b"): out[count] = 0x08
                case UInt8(ascii: "f"): out[count] = 0x0C
                case UInt8(ascii: "n"): out[count] = 0x0A
                case UInt8(ascii: "r"): out[count] = 0x0D
                case UInt8(ascii: "t"): out[count] = 0x09
                default:
                    // \uXXXX (checked in pass 1).
                    var scalar = Self.hex4(base + q)
                    q += 4
                    if scalar >= 0xD800 && scalar <= 0xDBFF {
                        if q + 1 < close, base[q] == UInt8(ascii: "\\"), base[q + 1] == UInt8(ascii: "u") {
                            let low = Self.hex4(base + q + 2)
                            if low >= 0xDC00 && low <= 0xDFFF {
                                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                                q += 6
                            } else {
                                scalar = 0xFFFD
                            }
                        } else {
                            scalar = 0xFFFD
                        }
                    } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                        scalar = 0xFFFD
                    }
                    if scalar < 0x80 {
                        out[count] = UInt8(scalar)
                    } else {
                        ascii = false
                        if scalar < 0x800 {
                            out[count] = UInt8(0xC0 | scalar >> 6)
                            out[count + 1] = UInt8(0x80 | scalar & 0x3F)
                            count += 1
                        } else if scalar < 0x10000 {
                            out[count] = UInt8(0xE0 | scalar >> 12)
                            out[count + 1] = UInt8(0x80 | (scalar >> 6) & 0x3F)
                            out[count + 2] = UInt8(0x80 | scalar & 0x3F)
                            count += 2
                        } else {
                            out[count] = UInt8(0xF0 | scalar >> 18)
                            out[count + 1] = UInt8(0x80 | (scalar >> 12) & 0x3F)
                            out[count + 2] = UInt8(0x80 | (scalar >> 6) & 0x3F)
                            out[count + 3] = UInt8(0x80 | scalar & 0x3F)
                            count += 3
                        }
                    }
                }
                count += 1
            }
        }
        position = close + 1
        return scratch.withUnsafeBufferPointer { String(validatedUTF8: UnsafeBufferPointer(rebasing: $0[0..<count]), isASCII: ascii) }
    }
}
