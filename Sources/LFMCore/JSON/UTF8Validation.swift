import CJSONScan

/// UTF-8 validation: a fast yes/no check for the parser's strings, and the position of the first
/// bad byte for the error message.
///
/// perf: the standard library validates the bytes of every `String` it creates, one scalar at a
/// time. On Chinese-heavy files (most bytes in 3-byte sequences) that check, plus a second scan in
/// the parser, was the largest cost of parsing. ``isValid(_:count:)`` checks long strings 16
/// bytes at a time with `SIMD16<UInt8>` compares (the simdjson/simdutf idea, without their
/// table lookups, which Swift's SIMD types cannot express) and short ones with a shift-based DFA
/// (one table load and one shift per byte, no branch per byte); a string it accepts is created without the standard library's second check
/// (``String/init(validatedUTF8:isASCII:)``).
enum UTF8Validation {
    // DFA states are shift amounts (multiples of 6). Row `table[byte]` holds, in its bits
    // `state ..< state + 6`, the state after reading `byte` in `state`; Swift's masking shift
    // `&>>` uses the amount modulo 64 (one instruction on x86 and ARM), so `table[byte] &>> state`
    // is the next state in its low 6 bits and the upper bits are ignored by the next shift. Missing transitions are 0, the error state,
    // which only leads to itself.
    private static let error: UInt64 = 0
    private static let accept: UInt64 = 6
    /// One, two, three continuation bytes (0x80-0xBF) still to come.
    private static let tail1: UInt64 = 12, tail2: UInt64 = 18, tail3: UInt64 = 24
    /// After E0 (next A0-BF: no overlongs), ED (80-9F: no surrogates), F0 (90-BF: no overlongs),
    /// F4 (80-8F: nothing above U+10FFFF).
    private static let afterE0: UInt64 = 30, afterED: UInt64 = 36, afterF0: UInt64 = 42, afterF4: UInt64 = 48

    nonisolated(unsafe) private static let table: UnsafePointer<UInt64> = {
        let t = UnsafeMutablePointer<UInt64>.allocate(capacity: 256)  // lives as long as the process
        t.initialize(repeating: 0, count: 256)
        func set(_ bytes: ClosedRange<Int>, from: UInt64, to: UInt64) {
            for b in bytes { t[b] |= to << from }
        }
        set(0x00...0x7F, from: accept, to: accept)
        for (bytes, firstOfSpecial) in [(0x80...0x8F, [afterED, afterF4]), (0x90...0x9F, [afterED, afterF0]), (0xA0...0xBF, [afterE0, afterF0])] {
            set(bytes, from: tail1, to: accept)
            set(bytes, from: tail2, to: tail1)
            set(bytes, from: tail3, to: tail2)
            for state in firstOfSpecial { set(bytes, from: state, to: state == afterE0 || state == afterED ? tail1 : tail2) }
        }
        set(0xC2...0xDF, from: accept, to: tail1)
        set(0xE0...0xE0, from: accept, to: afterE0)
        set(0xE1...0xEC, from: accept, to: tail2)
        set(0xED...0xED, from: accept, to: afterED)
        set(0xEE...0xEF, from: accept, to: tail2)
        set(0xF0...0xF0, from: accept, to: afterF0)
        set(0xF1...0xF3, from: accept, to: tail3)
        set(0xF4...0xF4, from: accept, to: afterF4)
        return UnsafePointer(t)
    }()

    /// True when `count` bytes at `p` are well-formed UTF-8 (RFC 3629: no overlong forms, no
    /// surrogates, nothing above U+10FFFF): exactly what `String(validating:as:)` accepts.
    /// Strings of 64 bytes or more are checked 16 bytes at a time (``blockErrors(_:)``).
    static func isValid(_ p: UnsafePointer<UInt8>, count n: Int) -> Bool {
        // perf: 32 bytes at a time with table lookups (CJSONScan) where the CPU has AVX2.
        if n >= 16, JSONScan.available { return cjs_utf8_valid(p, Int64(n)) != 0 }
        return isValidPortable(p, count: n)
    }

    /// ``isValid(_:count:)`` without the AVX2 kernel (what runs on other CPUs; tested on its own).
    static func isValidPortable(_ p: UnsafePointer<UInt8>, count n: Int) -> Bool {
        guard n >= 64 else { return dfaState(p, count: n) & 63 == accept }
        // The first 16 bytes by the DFA (a sequence may run on past them: the blocks check that),
        // then blocks, which look back 3 bytes; the last block may overlap the one before.
        guard dfaState(p, count: 16) & 63 != error else { return false }
        var bad = SIMDMask<SIMD16<Int8>>(repeating: false)
        var i = 16
        while i + 16 <= n {
            let highBits = UnsafeRawPointer(p + i - 8).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_0000
                | UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) | UnsafeRawPointer(p + i + 8).loadUnaligned(as: UInt64.self)
            if highBits & 0x8080_8080_8080_8080 != 0 { bad .|= blockErrors(p + i) }
            i += 16
        }
        if i < n { bad .|= blockErrors(p + n - 16) }
        guard !any(bad) else { return false }
        // Not cut short at the end.
        return p[n - 1] < 0xC0 && p[n - 2] < 0xE0 && p[n - 3] < 0xF0
    }

    typealias Bytes16 = SIMD16<UInt8>

    /// The bytes among the 16 at `p` that break UTF-8, given the 3 bytes before them (which
    /// must be readable). Valid UTF-8 is exactly: no byte C0, C1 or F5-FF; a continuation byte
    /// (80-BF) where, and only where, a lead byte 1, 2 or 3 bytes before requires one (C0+ one
    /// before, E0+ two before, F0+ three before); and after E0, ED, F0, F4 the second byte in
    /// A0-BF, 80-9F, 90-BF, 80-8F (no overlong forms, surrogates or scalars above U+10FFFF).
    @inline(__always)
    static func blockErrors(_ p: UnsafePointer<UInt8>) -> SIMDMask<SIMD16<Int8>> {
        // perf: vector constants, not scalar operands (the scalar forms were not vectorised).
        let x80 = Bytes16(repeating: 0x80), x8F = Bytes16(repeating: 0x8F), x90 = Bytes16(repeating: 0x90)
        let x9F = Bytes16(repeating: 0x9F), xA0 = Bytes16(repeating: 0xA0), xC0 = Bytes16(repeating: 0xC0)
        let xC1 = Bytes16(repeating: 0xC1), xE0 = Bytes16(repeating: 0xE0), xED = Bytes16(repeating: 0xED)
        let xF0 = Bytes16(repeating: 0xF0), xF4 = Bytes16(repeating: 0xF4), xF5 = Bytes16(repeating: 0xF5)
        func load(_ q: UnsafePointer<UInt8>) -> Bytes16 { UnsafeRawPointer(q).loadUnaligned(as: Bytes16.self) }
        let byte = load(p), before1 = load(p - 1), before2 = load(p - 2), before3 = load(p - 3)
        let isContinuation = (byte .>= x80) .& (byte .< xC0)
        let needsContinuation = (before1 .>= xC0) .| (before2 .>= xE0) .| (before3 .>= xF0)
        var bad = isContinuation .^ needsContinuation
        bad .|= (byte .== xC0) .| (byte .== xC1) .| (byte .>= xF5)
        bad .|= (before1 .== xE0) .& (byte .< xA0)
        bad .|= (before1 .== xED) .& (byte .> x9F)
        bad .|= (before1 .== xF0) .& (byte .< x90)
        bad .|= (before1 .== xF4) .& (byte .> x8F)
        return bad
    }

    /// The DFA's state after `count` bytes from `accept` (error is 0 in the low 6 bits).
    @inline(__always)
    private static func dfaState(_ p: UnsafePointer<UInt8>, count n: Int) -> UInt64 {
        let t = table
        var state = accept
        var i = 0
        while i + 8 <= n {
            if state & 63 == accept {
                let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                if w & 0x8080_8080_8080_8080 == 0 {
                    i += 8
                    continue
                }
            }
            state = t[Int(p[i])] &>> state
            state = t[Int(p[i + 1])] &>> state
            state = t[Int(p[i + 2])] &>> state
            state = t[Int(p[i + 3])] &>> state
            state = t[Int(p[i + 4])] &>> state
            state = t[Int(p[i + 5])] &>> state
            state = t[Int(p[i + 6])] &>> state
            state = t[Int(p[i + 7])] &>> state
            if state & 63 == error { return error }
            i += 8
        }
        while i < n {
            state = t[Int(p[i])] &>> state
            i += 1
        }
        return state
    }

    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        return isValid(base, count: bytes.count)
    }

    static func firstInvalidOffset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            var minScalar: UInt32
            var scalar: UInt32
            switch b {
            case 0xC2...0xDF: length = 2; scalar = UInt32(b & 0x1F); minScalar = 0x80
            case 0xE0...0xEF: length = 3; scalar = UInt32(b & 0x0F); minScalar = 0x800
            case 0xF0...0xF4: length = 4; scalar = UInt32(b & 0x07); minScalar = 0x10000
            default: return i
            }
            if i + length > n { return i }
            for k in 1..<length {
                let c = bytes[i + k]
                if c & 0xC0 != 0x80 { return i }
                scalar = scalar << 6 | UInt32(c & 0x3F)
            }
            if scalar < minScalar || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return i }
            i += length
        }
        return nil
    }
}

// The standard library's own initializer for bytes it already knows to be valid UTF-8 (what its
// inlinable code calls after validating). It is `@usableFromInline`, so its symbol is part of the
// library's ABI; it is not public API, hence the `@_silgen_name`. Never call it with bytes that
// `UTF8Validation.isValid` has not accepted.
@_silgen_name("$sSS18_uncheckedFromUTF8_7isASCIISSSRys5UInt8VG_SbtFZ")
private func _stdlibStringUncheckedFromUTF8(_ input: UnsafeBufferPointer<UInt8>, isASCII: Bool) -> String

extension String {
    /// A string from bytes already validated as UTF-8 (by ``UTF8Validation/isValid(_:count:)``, or
    /// ASCII: every byte < 0x80 when `isASCII`), without validating them again.
    @inline(__always)
    init(validatedUTF8 bytes: UnsafeBufferPointer<UInt8>, isASCII: Bool) {
        self = _stdlibStringUncheckedFromUTF8(bytes, isASCII: isASCII)
    }
}
