/// The one table of CJK (Chinese, Japanese, Korean) code points in lfm: what the token estimate
/// counts as one token a character, what `lfm stats` counts as CJK script, and which characters
/// take two terminal columns. Every module asks here instead of keeping its own ranges.
public enum CJK {
    /// Han (unified, extension A, compatibility, supplementary planes), kana, Hangul syllables
    /// and jamo, CJK punctuation and half/full-width forms: one token each in the estimate.
    @inlinable
    public static func contains(_ v: UInt32) -> Bool {
        // perf: CJK Unified Ideographs, most of a Chinese text, first.
        if isUnifiedIdeograph(v) { return true }
        return (0x3400...0x4DBF).contains(v) || (0x3040...0x30FF).contains(v)
            || (0xAC00...0xD7AF).contains(v) || (0x1100...0x11FF).contains(v) || (0xF900...0xFAFF).contains(v)
            || (0x20000...0x2FA1F).contains(v) || punctuation.contains(v) || (0xFF00...0xFFEF).contains(v)
    }

    /// CJK Unified Ideographs (U+4E00-U+9FFF) in one compare: the fast path of every hot loop.
    @inlinable
    public static func isUnifiedIdeograph(_ v: UInt32) -> Bool { v &- 0x4E00 < 0x5200 }

    /// CJK letters: ``contains(_:)`` without the CJK punctuation and the full-width ASCII forms
    /// (what `lfm stats` counts as CJK script).
    @inlinable
    public static func isLetter(_ v: UInt32) -> Bool {
        v >= 0x1100 && contains(v) && !punctuation.contains(v) && !fullWidthASCII.contains(v)
    }

    /// Characters a terminal draws two columns wide (East Asian Wide and Fullwidth: Hangul jamo
    /// and syllables, CJK radicals to Yi, compatibility ideographs, vertical and full-width forms,
    /// emoji, the supplementary ideograph planes).
    @inlinable
    public static func isWide(_ v: UInt32) -> Bool {
        (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || fullWidthASCII.contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
    }

    /// CJK Symbols and Punctuation (、。「」 and the ideographic space).
    public static let punctuation: ClosedRange<UInt32> = 0x3000...0x303F
    /// Full-width ASCII and full-width brackets (ＡＢＣ！).
    public static let fullWidthASCII: ClosedRange<UInt32> = 0xFF00...0xFF60
}
