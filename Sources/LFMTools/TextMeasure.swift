import LFMCore

/// What `lfm stats` needs to know about one text, from one pass over its UTF-8 bytes: its
/// length in Unicode scalars, its CJK characters and Latin letters (``StatsCollector/countScripts``),
/// and the estimated token count (``EstimatedTokenCounter/estimate(_:)``). Same numbers as
/// those functions (tested against them), without decoding the text three times.
struct TextMeasure: Equatable {
    var scalars = 0
    var cjkCharacters = 0
    var latinLetters = 0
    var estimatedTokens = 0

    init(scalars: Int, cjkCharacters: Int, latinLetters: Int, estimatedTokens: Int) {
        self.scalars = scalars
        self.cjkCharacters = cjkCharacters
        self.latinLetters = latinLetters
        self.estimatedTokens = estimatedTokens
    }

    init(_ text: String) {
        var copy = text
        self = copy.withUTF8 { Self.measure($0) }
    }

    /// ASCII classes: bit 0 letter, bit 1 letter or digit, bit 2 visible symbol (not space,
    /// control or DEL).
    private static let asciiClasses: [UInt8] = (0..<128).map { c -> UInt8 in
        let letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
        let digit = c >= 48 && c <= 57
        return (letter ? 1 : 0) | (letter || digit ? 2 : 0) | (!letter && !digit && c > 32 && c != 127 ? 4 : 0)
    }

    private static func measure(_ bytes: UnsafeBufferPointer<UInt8>) -> TextMeasure {
        var scalars = 0, cjkScript = 0, latin = 0
        var cjkTokens = 0, words = 0, symbols = 0
        var inWord = false
        var i = 0
        let n = bytes.count
        let classes = asciiClasses
        while i < n {
            let c = bytes[i]
            scalars += 1
            if c < 0x80 {
                // perf: branch-free counting from the class table.
                let k = Int(classes[Int(c)])
                let alnum = k >> 1 & 1
                latin += k & 1
                words += alnum & (inWord ? 0 : 1)
                inWord = alnum != 0
                symbols += k >> 2
                i += 1
                continue
            }
            // perf: CJK Unified Ideographs U+4E00-U+9FFF (most of a Chinese text) are E4 B8-BF xx
            // and E5-E9 xx xx: a CJK character for both counts, no decoding.
            if c &- 0xE5 < 5 || (c == 0xE4 && bytes[i + 1] >= 0xB8) {
                cjkScript += 1
                cjkTokens += 1
                inWord = false
                i += 3
                continue
            }
            // A String holds valid UTF-8: the lead byte gives the length.
            let v: UInt32
            if c < 0xE0 {
                v = UInt32(c & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F)
                i += 2
            } else if c < 0xF0 {
                v = UInt32(c & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
                i += 3
            } else {
                v = UInt32(c & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12 | UInt32(bytes[i + 2] & 0x3F) << 6 | UInt32(bytes[i + 3] & 0x3F)
                i += 4
            }
            // perf: CJK Unified Ideographs, most of a Chinese text: a CJK character for both counts.
            if CJK.isUnifiedIdeograph(v) {
                cjkScript += 1
                cjkTokens += 1
                inWord = false
                continue
            }
            let cjk = EstimatedTokenCounter.isCJK(v)
            // Scripts (StatsCollector.countScripts).
            if v >= 0xC0 && v <= 0x24F && v != 0xD7 && v != 0xF7 {
                latin += 1
            } else if cjk, CJK.isLetter(v) {
                cjkScript += 1
            }
            // Tokens (EstimatedTokenCounter.estimate).
            if cjk {
                inWord = false
                cjkTokens += 1
            } else {
                let properties = Unicode.Scalar(v)!.properties
                if properties.isAlphabetic || properties.numericType != nil {
                    if !inWord { words += 1; inWord = true }
                } else {
                    inWord = false
                    if !properties.isWhitespace { symbols += 1 }
                }
            }
        }
        return TextMeasure(scalars: scalars, cjkCharacters: cjkScript, latinLetters: latin,
                           estimatedTokens: cjkTokens + symbols + Int((Double(words) * 1.3).rounded(.up)))
    }
}

/// A fast 64-bit hash of a sequence of texts for counting duplicates (wyhash-style: 16 bytes per
/// multiply, where FNV-1a took one multiply per byte). Each text is fed with its length, so
/// ("ab", "c") and ("a", "bc") differ. Not stable across versions: for in-memory sets only.
struct TextsHasher {
    private var state: UInt64 = 0x243F_6A88_85A3_08D3
    private static let p0: UInt64 = 0xA076_1D64_78BD_642F
    private static let p1: UInt64 = 0xE703_7ED1_A0B4_28DB

    @inline(__always)
    private mutating func mix(_ a: UInt64, _ b: UInt64) {
        let r = (a ^ state ^ Self.p0).multipliedFullWidth(by: b ^ Self.p1)
        state = r.high ^ r.low
    }

    mutating func combine(_ text: String) {
        var copy = text
        copy.withUTF8 { bytes in
            let n = bytes.count
            mix(0x54, UInt64(n))
            guard let base = UnsafeRawPointer(bytes.baseAddress) else { return }
            var i = 0
            while i + 16 <= n {
                mix(base.loadUnaligned(fromByteOffset: i, as: UInt64.self), base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
                i += 16
            }
            if i < n {
                var tail: (UInt64, UInt64) = (0, 0)
                withUnsafeMutableBytes(of: &tail) { $0.baseAddress!.copyMemory(from: base + i, byteCount: n - i) }
                mix(tail.0, tail.1)
            }
        }
    }

    var value: UInt64 {
        let r = (state ^ 0x8EBC_6AF0_9C88_C6E3).multipliedFullWidth(by: Self.p1)
        return r.high ^ r.low
    }
}
