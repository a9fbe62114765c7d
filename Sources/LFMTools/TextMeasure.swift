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
        asciiClasses.withUnsafeBufferPointer { measure(bytes, classes: $0.baseAddress!) }
    }

    private static func measure(_ bytes: UnsafeBufferPointer<UInt8>, classes: UnsafePointer<UInt8>) -> TextMeasure {
        var scalars = 0, cjkScript = 0, latin = 0
        var cjkTokens = 0, words = 0, symbols = 0
        // perf: CJK Unified Ideographs, counted once for both counts at the end.
        var ideographs = 0
        var inWord = false
        var i = 0
        let n = bytes.count
        guard let p = bytes.baseAddress else { return TextMeasure(scalars: 0, cjkCharacters: 0, latinLetters: 0, estimatedTokens: 0) }
        while i < n {
            let c = p[i]
            if c < 0x80, i &+ 8 <= n {
                // perf: the ASCII bytes at i (up to 8) classified at once in a UInt64 (SWAR), the
                // same counts as the class table below (TextMeasureTests compare both).
                let ascii = asciiRun(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self), inWord: inWord)
                scalars &+= ascii.length
                latin &+= ascii.letters
                words &+= ascii.words
                symbols &+= ascii.symbols
                inWord = ascii.inWord
                i &+= ascii.length
                continue
            }
            scalars &+= 1
            if c < 0x80 {
                // perf: branch-free counting from the class table, no bounds or overflow checks.
                let k = Int(classes[Int(c)])
                let alnum = k >> 1 & 1
                latin &+= k & 1
                words &+= alnum & (inWord ? 0 : 1)
                inWord = alnum != 0
                symbols &+= k >> 2
                i &+= 1
                continue
            }
            // perf: CJK Unified Ideographs U+4E00-U+9FFF (most of a Chinese text) are E4 B8-BF xx
            // and E5-E9 xx xx: a CJK character for both counts, no decoding.
            if c &- 0xE5 < 5 || (c == 0xE4 && p[i &+ 1] >= 0xB8) {
                ideographs &+= 1
                inWord = false
                i &+= 3
                continue
            }
            // perf: CJK punctuation U+3000-U+303F (E3 80 xx: `。`, `　`) and full-width forms
            // U+FF00-U+FF60 (EF BC xx, EF BD 80-A0: `，`, `！`): a CJK token, not a CJK
            // character of the script counts (below), no decoding.
            if (c == 0xE3 && p[i &+ 1] == 0x80) || (c == 0xEF && (p[i &+ 1] == 0xBC || (p[i &+ 1] == 0xBD && p[i &+ 2] <= 0xA0))) {
                cjkTokens &+= 1
                inWord = false
                i &+= 3
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
        return TextMeasure(scalars: scalars, cjkCharacters: cjkScript + ideographs, latinLetters: latin,
                           estimatedTokens: cjkTokens + ideographs + symbols + Int((Double(words) * 1.3).rounded(.up)))
    }
}

extension TextMeasure {
    /// The leading ASCII bytes of `word` (8 bytes little-endian, its first byte ASCII), counted
    /// as ``measure(_:classes:)`` counts them one by one: their number, letters, visible symbols
    /// (not space, control or DEL) and words begun (a letter or digit after a non-alphanumeric,
    /// or after the end of a word when `inWord` is false), and whether the last one is alphanumeric.
    @inline(__always)
    static func asciiRun(_ word: UInt64, inWord: Bool) -> (length: Int, letters: Int, symbols: Int, words: Int, inWord: Bool) {
        let high: UInt64 = 0x8080_8080_8080_8080
        let ones: UInt64 = 0x0101_0101_0101_0101
        let nonASCII = word & high
        let length = nonASCII == 0 ? 8 : nonASCII.trailingZeroBitCount >> 3
        // Bytes after the run become 0: no class (not a letter, digit or visible symbol).
        let keep: UInt64 = length == 8 ? ~0 : (1 << UInt64(length &* 8)) &- 1
        let x = word & keep
        // Each byte is < 0x80, so adding up to 0x7F never carries into the next byte: the high
        // bit of x + (0x80 - b) says x >= b.
        let folded = x | 0x2020_2020_2020_2020
        let letter = (folded &+ 0x1F &* ones) & ~(folded &+ 0x05 &* ones) & high & keep
        let digit = (x &+ 0x50 &* ones) & ~(x &+ 0x46 &* ones) & high
        let alnum = letter | digit
        let symbol = (x &+ 0x5F &* ones) & ~(x &+ 0x01 &* ones) & ~alnum & high
        let before = alnum << 8 | (inWord ? 0x80 : 0)
        let starts = alnum & ~before
        let last = length &* 8 &- 1
        // perf: bytes summed by a multiply (no popcnt instruction in the baseline x86-64 build):
        // letters in the low nibble, symbols in the high one (at most 8 each), word starts apart.
        let classes = ((letter >> 7 | symbol >> 3) &* ones) >> 56
        let words = ((starts >> 7) &* ones) >> 56
        return (length, Int(classes & 0xF), Int(classes >> 4), Int(words), (alnum >> UInt64(last)) & 1 != 0)
    }
}

/// The hash of a sequence of texts for counting duplicates: ``ContentHasher`` with each text as
/// one piece (its length first, so ("ab", "c") and ("a", "bc") differ). For in-memory sets only.
struct TextsHasher {
    private var content = ContentHasher()
    mutating func combine(_ text: String) { content.combine(tag: 0x54, text) }
    var value: UInt64 { content.value }
}
