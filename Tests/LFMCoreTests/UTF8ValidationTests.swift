import Testing
import TestSupport
@testable import LFMCore

/// `UTF8Validation.isValid` decides which bytes become a `String` without the standard library's
/// own check, so it must accept exactly what `String(validating:as:)` accepts.
@Suite struct UTF8ValidationTests {
    /// Deterministic pseudo-random bytes biased towards the bytes that matter for UTF-8.
    struct Bytes {
        var rng: SplitMix
        init(state: UInt64) { rng = SplitMix(seed: state) }
        mutating func next() -> UInt64 { rng.next() }
        static let edges: [UInt8] = [0x00, 0x22, 0x41, 0x5C, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1,
                                     0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
        static let scalars: [[UInt8]] = [[0x41], [0x20], [0xC3, 0xA9], [0xE4, 0xB8, 0xAD], [0xE3, 0x80, 0x82],
                                         [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80], [0xF0, 0x9F, 0x98, 0x80], [0xF4, 0x8F, 0xBF, 0xBF]]

        /// Mostly valid text (ASCII, Chinese, emoji) of `length` scalars with a few random bytes.
        mutating func text(scalars length: Int, corruptions: Int) -> [UInt8] {
            var out: [UInt8] = []
            for _ in 0..<length { out += Self.scalars[Int(next() % UInt64(Self.scalars.count))] }
            for _ in 0..<corruptions where !out.isEmpty {
                let at = Int(next() % UInt64(out.count))
                out[at] = next() % 2 == 0 ? Self.edges[Int(next() % UInt64(Self.edges.count))] : UInt8(truncatingIfNeeded: next())
            }
            return out
        }
    }

    static func ours(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { UTF8Validation.isValid($0) }
    }

    static func stdlib(_ bytes: [UInt8]) -> Bool { String(validating: bytes, as: UTF8.self) != nil }

    @Test("agrees with String(validating:) on every 1- and 2-byte input and random 3- and 4-byte ones")
    func shortInputs() {
        for a in 0...255 {
            #expect(Self.ours([UInt8(a)]) == Self.stdlib([UInt8(a)]))
            for b in 0...255 where Self.ours([UInt8(a), UInt8(b)]) != Self.stdlib([UInt8(a), UInt8(b)]) {
                Issue.record("differs on \(a) \(b)")
            }
        }
        var rng = Bytes(state: 1)
        for _ in 0..<200_000 {
            let n = 3 + Int(rng.next() % 2)
            let bytes = (0..<n).map { _ in rng.next() % 2 == 0 ? Bytes.edges[Int(rng.next() % 27)] : UInt8(truncatingIfNeeded: rng.next()) }
            if Self.ours(bytes) != Self.stdlib(bytes) { Issue.record("differs on \(bytes)") }
        }
    }

    @Test("agrees with String(validating:) on long mixed text, valid and corrupted", arguments: [0, 1, 2, 5])
    func longInputs(corruptions: Int) {
        var rng = Bytes(state: UInt64(100 + corruptions))
        var valid = 0
        for round in 0..<4000 {
            // Lengths around the 16-byte blocks and the 64-byte threshold of the vector path.
            let bytes = rng.text(scalars: 5 + round % 120, corruptions: corruptions)
            let expected = Self.stdlib(bytes)
            if expected { valid += 1 }
            if Self.ours(bytes) != expected { Issue.record("differs on \(bytes)") }
            // Cut at every place near the end: a sequence cut short must be rejected.
            for cut in 1...4 where bytes.count > cut {
                let prefix = Array(bytes.dropLast(cut))
                if Self.ours(prefix) != Self.stdlib(prefix) { Issue.record("differs on \(prefix)") }
            }
        }
        if corruptions == 0 { #expect(valid == 4000) }
    }

    @Test("the parser reports the first invalid byte inside long Chinese strings")
    func parserRejectsBadBytes() throws {
        let text = String(repeating: "中文句子，", count: 40)
        for offset in [0, 3, 17, 63, 64, 65, 100, 580] {
            // The error names the first byte of the broken sequence.
            let lead = offset - offset % 3
            var bytes = Array("{\"a\": \"\(text)\"}".utf8)
            bytes[7 + offset] = 0xFF
            #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(bytes) }
            do { _ = try JSONParser.parse(bytes) } catch { #expect(error.offset == 7 + lead, "offset \(offset)") }
            bytes = Array("{\"a\": \"\\n\(text)\"}".utf8)
            bytes[9 + offset] = 0xC0
            do { _ = try JSONParser.parse(bytes); Issue.record("accepted 0xC0 at \(offset)") } catch { #expect(error.offset == 9 + lead, "offset \(offset)") }
        }
        let parsed = try JSONParser.parse(Array("{\"a\": \"\\t\(text)\\\"\"}".utf8))
        #expect(parsed["a"]?.stringValue == "\t" + text + "\"")
    }
}
