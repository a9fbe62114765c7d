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
