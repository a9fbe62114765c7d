import Foundation
import LFMCore
import Testing
@testable import LFMTools

/// `lfm stats` measures each text in one fused pass (``TextMeasure``); it must give the numbers
/// of the separate functions it replaces.
@Suite struct TextMeasureTests {
    static let pieces = ["hello", " ", "world", "你好", "，", "。", "　", "Ünïcödé", "×", "÷", "ß", "Ωμέγα", "Привет", "٣",
                         "😀", "👍🏽", "\n", "\t", "\"", "\\", "123", "4.5e6", "ｆｕｌｌ", "ｶﾀｶﾅ", "한국어", "ひらがな", "\u{200B}",
                         "\u{00A0}", "\u{0085}", "\u{4DB5}", "\u{4DFF}", "\u{4E00}", "\u{9FFF}", "\u{A000}", "\u{3400}", "ⅫⅣ", "½", "–", "—", "e\u{301}", "𠀀", "\u{7F}", "a1b2", "_", "Ǆ", "ɏ",
                         "\u{3000}", "\u{303F}", "\u{3040}", "\u{FF00}", "\u{FF3F}", "\u{FF40}", "\u{FF60}", "\u{FF61}", "\u{FFEF}", "！"]

    static func expected(_ text: String) -> TextMeasure {
        var cjk = 0, latin = 0
        StatsCollector.countScripts(text, cjk: &cjk, latin: &latin)
        return TextMeasure(scalars: text.scalarCount, cjkCharacters: cjk, latinLetters: latin,
                           estimatedTokens: EstimatedTokenCounter.estimate(text))
    }

    @Test("every piece alone")
    func pieces() {
        for piece in Self.pieces { #expect(TextMeasure(piece) == Self.expected(piece), "\(piece.debugDescription)") }
        #expect(TextMeasure("") == TextMeasure(scalars: 0, cjkCharacters: 0, latinLetters: 0, estimatedTokens: 0))
    }

    @Test("random mixes of the pieces")
    func mixes() {
        var rng = SplitMix64(seed: 15)
        for _ in 0..<3000 {
            let text = (0..<rng.below(40)).map { _ in Self.pieces[rng.below(Self.pieces.count)] }.joined()
            #expect(TextMeasure(text) == Self.expected(text), "\(text.debugDescription)")
        }
    }

    @Test("ASCII runs (counted 8 bytes at a time) around every ASCII byte and CJK text")
    func asciiRuns() {
        for byte in 0..<128 {
            let c = String(UnicodeScalar(UInt8(byte)))
            for text in [c, "abcdefg" + c + "hij", "1234567" + c + " 中", "中 " + c + "x7,;.()[]", String(repeating: c, count: 17)] {
                #expect(TextMeasure(text) == Self.expected(text), "\(text.debugDescription)")
            }
        }
        var rng = SplitMix64(seed: 33)
        let other = ["中文", "，", "é", "😀", "\u{3000}"]
        for _ in 0..<3000 {
            var text = ""
            for _ in 0..<rng.below(12) {
                if rng.below(3) == 0 { text += other[rng.below(other.count)] }
                for _ in 0..<rng.below(20) { text.unicodeScalars.append(UnicodeScalar(UInt8(rng.below(128)))) }
            }
            #expect(TextMeasure(text) == Self.expected(text), "\(text.debugDescription)")
        }
    }

    @Test("the duplicate hash separates texts, not just their concatenation")
    func hashSeparatesTexts() {
        func hash(_ texts: [String]) -> UInt64 {
            var h = TextsHasher()
            for t in texts { h.combine(t) }
            return h.value
        }
        #expect(hash(["ab", "c"]) != hash(["a", "bc"]))
        #expect(hash(["中文", ""]) != hash(["中文"]))
        #expect(hash(["same text 文本", "x"]) == hash(["same text 文本", "x"]))
        #expect(hash([String(repeating: "x", count: 16)]) != hash([String(repeating: "x", count: 17)]))
    }

    @Test("StableHasher.combine(UInt64) is FNV-1a over the 8 little-endian bytes")
    func stableHasherWords() {
        var rng = SplitMix64(seed: 9)
        let values: [UInt64] = [0, 1, 0xFF, 0x100, 0xFFFF, 0x1_0000, 0x4E2D, 0x10FFFF, .max] + (0..<2000).map { i in
            let v = rng.next()
            return i % 3 == 0 ? v & 0xFFFF : i % 3 == 1 ? v & 0xFF_FFFF : v
        }
        for value in values {
            var fast = StableHasher(seed: 7)
            fast.combine(value)
            var slow = StableHasher(seed: 7)
            slow.combine(withUnsafeBytes(of: value.littleEndian) { Array($0) })
            #expect(fast.value == slow.value, "\(value)")
        }
    }

    @Test("dedupe's fast normalization equals the general one wherever it answers")
    func fastNormalizationMatches() {
        var rng = SplitMix64(seed: 21)
        let ranges: [ClosedRange<UInt32>] = [0x00...0x7F, 0x80...0xFF, 0x2000...0x206F, 0x3000...0x303F, 0xFF00...0xFFEF,
                                             0x4E00...0x9FFF, 0x4E00...0x4E20]
        var answered = 0
        for round in 0..<4000 {
            var text = String.UnicodeScalarView()
            for _ in 0..<rng.below(30) {
                let range = ranges[rng.below(ranges.count)]
                if let s = Unicode.Scalar(range.lowerBound + UInt32(rng.below(Int(range.upperBound - range.lowerBound) + 1))) { text.append(s) }
            }
            if round % 10 == 0 { text.append("ŉ") }  // outside the table: general path
            let string = String(text)
            if let fast = fastNormalize(string) {
                answered += 1
                #expect(fast == Deduper.normalizeGeneral(string), "\(string.debugDescription)")
            }
        }
        #expect(answered > 1000)
        #expect(fastNormalize("Ｈｅｌｌｏ，　世界！ ABC") == Deduper.normalizeGeneral("Ｈｅｌｌｏ，　世界！ ABC"))
        #expect(fastNormalize("Café ÀÉ “quoted”…") == Deduper.normalizeGeneral("Café ÀÉ “quoted”…"))
        #expect(fastNormalize("cafe\u{301}") == nil)  // a combining mark: general path
    }
}

/// ``Deduper/normalizeFast(_:into:)`` as a text, or nil for the general path.
func fastNormalize(_ text: String) -> String? {
    var scalars: [UInt32] = []
    return Deduper.normalizeFast(text, into: &scalars) ? Deduper.string(ofScalars: scalars) : nil
}
