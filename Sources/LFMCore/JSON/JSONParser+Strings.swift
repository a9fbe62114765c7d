/// String scanning: the fast path without escapes, escapes and surrogates, UTF-8 checks.
extension JSONParser {
    /// Advances `p` over plain string bytes, 8 at a time while 8 remain; ORs the words seen into
    /// `high` (a set high bit means non-ASCII bytes may be present; a false alarm only picks the
    /// validating String initializer).
    @inline(__always)
    func skipPlain(_ p: inout Int, _ high: inout UInt64) {
        while p + 8 <= end {
            let w = UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self)
            high |= w
            let m = Self.specialMask(w)
            if m != 0 {
                p += m.trailingZeroBitCount >> 3
                return
            }
            p += 8
        }
    }

    mutating func parseString() throws(Failure) -> String {
        position += 1  // opening quote
        let start = position
        if useKernels, let string = parseStringScanned(from: start) { return string }
        if let string = parsePlainString16(from: start) { return string }
        var p = position
        var high: UInt64 = 0
        // Fast path: no escapes.
        while true {
            skipPlain(&p, &high)
            guard p < end else { break }
            let c = base[p]
            if c == UInt8(ascii: "\"") {
                let bytes = UnsafeBufferPointer(start: base + start, count: p - start)
                position = p + 1
                if high & 0x8080_8080_8080_8080 != 0 { return try decodeUTF8(bytes, at: start) }
                return String(validatedUTF8: bytes, isASCII: true)
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 {
                throw .syntax(offset: origin + p, message: "control character (byte 0x\(String(c, radix: 16))) inside a string: escape it as \\n, \\t or \\u00XX")
            }
            high |= UInt64(c)
            p += 1
        }
        guard p < end else { throw .truncated }
        return try parseEscapedString(from: start)
    }

    /// perf: a string without escapes, 16 bytes at a time: finds the closing quote and checks
    /// the UTF-8 in the same pass (``UTF8Validation/blockErrors(_:)`` on each block, up to and
    /// including the quote, so a sequence cut short by it is caught). Returns nil, having
    /// consumed nothing, when it cannot finish: a backslash, a control byte, invalid UTF-8, fewer
    /// than 16 bytes left in the buffer, or non-ASCII bytes in the 3 bytes before the string
    /// (the blocks look back 3 bytes). The byte-wise path then starts over and reports errors.
    @inline(__always)
    mutating func parsePlainString16(from start: Int) -> String? {
        typealias Bytes16 = SIMD16<UInt8>
        guard start >= 3, base[start - 2] < 0x80, base[start - 3] < 0x80 else { return nil }
        let quote = Bytes16(repeating: 0x22), backslash = Bytes16(repeating: 0x5C), space = Bytes16(repeating: 0x20)
        var bad = SIMDMask<SIMD16<Int8>>(repeating: false)
        var high = Bytes16(repeating: 0)
        var p = start
        var close = -1
        while p + 16 <= end {
            let block = UnsafeRawPointer(base + p).loadUnaligned(as: Bytes16.self)
            let stop = unsafeBitCast((block .== quote) .| (block .== backslash) .| (block .< space), to: SIMD2<UInt64>.self)
            if stop[0] | stop[1] == 0 {
                bad .|= UTF8Validation.blockErrors(base + p)
                high |= block
                p += 16
                continue
            }
            let k = stop[0] != 0 ? stop[0].trailingZeroBitCount >> 3 : 8 + (stop[1].trailingZeroBitCount >> 3)
            close = p + k
            break
        }
        if close < 0 {
            // Fewer than 16 bytes left in the buffer (the end of a JSON Lines line).
            var q = p
            while q < end, base[q] >= 0x20, base[q] != 0x22, base[q] != 0x5C { q += 1 }
            guard q < end else { return nil }
            close = q
        }
        guard base[close] == UInt8(ascii: "\"") else { return nil }
        if close - 15 >= start {
            // The 16 bytes ending with the quote (they may overlap blocks already checked).
            let block = UnsafeRawPointer(base + close - 15).loadUnaligned(as: Bytes16.self)
            bad .|= UTF8Validation.blockErrors(base + close - 15)
            high |= block
        } else if !UTF8Validation.isValid(base + start, count: close - start) {
            return nil
        } else {
            high |= Bytes16(repeating: close > start && !Self.isASCII(base + start, count: close - start) ? 0x80 : 0)
        }
        let errors = unsafeBitCast(bad, to: SIMD2<UInt64>.self)
        guard errors[0] | errors[1] == 0 else { return nil }
        let highs = unsafeBitCast(high, to: SIMD2<UInt64>.self)
        position = close + 1
        let bytes = UnsafeBufferPointer(start: base + start, count: close - start)
        return String(validatedUTF8: bytes, isASCII: (highs[0] | highs[1]) & 0x8080_8080_8080_8080 == 0)
    }

    @inline(__always)
    static func isASCII(_ p: UnsafePointer<UInt8>, count: Int) -> Bool {
        var or: UInt8 = 0
        for i in 0..<count { or |= p[i] }
        return or < 0x80
    }

    func decodeUTF8(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) throws(Failure) -> String {
        if UTF8Validation.isValid(bytes) { return String(validatedUTF8: bytes, isASCII: false) }
        let bad = UTF8Validation.firstInvalidOffset(bytes) ?? 0
        throw .syntax(offset: origin + start + bad, message: "invalid UTF-8 byte 0x\(String(bytes[bad], radix: 16, uppercase: true)); save the file as UTF-8")
    }

    mutating func parseEscapedString(from start: Int) throws(Failure) -> String {
        var out: [UInt8] = []
        swap(&out, &scratch)
        defer { swap(&out, &scratch) }
        out.removeAll(keepingCapacity: true)
        var p = start
        var high: UInt64 = 0
        while true {
            // Copy the run of plain bytes up to the next quote, backslash or control byte.
            let runStart = p
            skipPlain(&p, &high)
            while p < end {
                let c = base[p]
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 { break }
                high |= UInt64(c)
                p += 1
                if p + 8 <= end { skipPlain(&p, &high) }
            }
            if p > runStart { out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: p - runStart)) }
            guard p < end else { throw .truncated }
            let c = base[p]
            if c == UInt8(ascii: "\"") {
                position = p + 1
                let ascii = high & 0x8080_8080_8080_8080 == 0
                // The text between the escapes is copied unchanged and escapes decode to whole
                // scalars, so the result is valid UTF-8 exactly when the raw text is (a sequence
                // cut by an escape is invalid in both); on an error, report its offset there.
                if !ascii, !UTF8Validation.isValid(base + start, count: p - start) {
                    _ = try decodeUTF8(UnsafeBufferPointer(start: base + start, count: p - start), at: start)
                }
                return out.withUnsafeBufferPointer { String(validatedUTF8: $0, isASCII: ascii) }
            }
            if c < 0x20 {
                throw .syntax(offset: origin + p, message: "control character (byte 0x\(String(c, radix: 16))) inside a string: escape it as \\n, \\t or \\u00XX")
            }
            // A backslash.
            guard p + 1 < end else { throw .truncated }
            let e = base[p + 1]
            p += 2
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try readHex4(at: p)
                p += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    // A high surrogate must be followed by \uDC00-\uDFFF.
                    if p + 1 < end, base[p] == UInt8(ascii: "\\"), base[p + 1] == UInt8(ascii: "u") {
                        let low = try readHex4(at: p + 2)
                        if (0xDC00...0xDFFF).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            p += 6
                        } else {
                            scalar = 0xFFFD
                        }
                    } else if p + 6 > end && !complete {
                        throw .truncated
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    scalar = 0xFFFD
                }
                let unicode = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                if scalar >= 0x80 { high |= 0x80 }
                UTF8.encode(unicode) { out.append($0) }
            default:
                throw .syntax(offset: origin + p - 1, message: "invalid escape '\\\(Character(Unicode.Scalar(e)))' in a string")
            }
        }
    }

    func readHex4(at p: Int) throws(Failure) -> UInt32 {
        guard p + 4 <= end else { throw .truncated }
        var value: UInt32 = 0
        for i in 0..<4 {
            let c = base[p + i]
            let digit: UInt32
            switch c {
            case 0x30...0x39: digit = UInt32(c - 0x30)
            case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
            default: throw .syntax(offset: origin + p + i, message: "invalid \\u escape: expected 4 hex digits")
            }
            value = value << 4 | digit
        }
        return value
    }
}
