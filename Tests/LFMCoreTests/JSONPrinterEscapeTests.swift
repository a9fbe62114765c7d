import Foundation
import Testing
@testable import LFMCore

/// ``JSONPrinter/writeString(_:into:)`` finds the bytes to escape 8 at a time: the same bytes
/// as escaping byte by byte, wherever the special bytes fall in a word.
@Suite struct JSONPrinterEscapeTests {
    /// Byte-by-byte escaping (the printer before the 8-byte scan).
    static func reference(_ s: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in s.utf8 {
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                JSONPrinter.writeEscape(byte, into: &out)
            } else {
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    @Test func sameBytesAsEscapingOneByOne() {
        let pieces = ["a", "Z", " ", "\"", "\\", "\n", "\t", "\u{1}", "\u{1F}", "\u{7F}", "!", "#", "[", "]", "]", "^",
                      "é", "数", "据", "😀", "\u{2028}", "ab", "12345678"]
        var rng = SplitMix64Test(seed: 9)
        for _ in 0..<3000 {
            let s = (0..<rng.below(40)).map { _ in pieces[rng.below(pieces.count)] }.joined()
            var out: [UInt8] = []
            JSONPrinter.writeString(s, into: &out)
            #expect(out == Self.reference(s), "\(Array(s.utf8))")
        }
        // Every byte value at every position of an 8-byte word.
        for byte in UInt8(0)..<0x80 {
            for position in 0..<9 {
                let s = String(repeating: "x", count: position) + String(UnicodeScalar(byte)) + "yyyyyyyy"
                var out: [UInt8] = []
                JSONPrinter.writeString(s, into: &out)
                #expect(out == Self.reference(s))
            }
        }
        #expect(JSONPrinter.quoted("数据 \"q\"\n\\") == #""数据 \"q\"\n\\""#)
    }

    struct SplitMix64Test {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func below(_ n: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(n))
        }
    }
}
