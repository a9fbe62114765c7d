import Foundation
import LFMCore
import Testing
@testable import LFMTools

/// `lfm dedupe`'s near duplicates: one-permutation hashing with densification estimates the
/// Jaccard similarity of character 5-gram sets, for long and short texts.
@Suite struct NearDuplicateTests {
    /// A text of `count` random ideographs (no two texts of different seeds share many 5-grams).
    static func ideographs(_ count: Int, seed: UInt64) -> String {
        var rng = SplitMix64(seed: seed)
        return String(String.UnicodeScalarView((0..<count).map { _ in Unicode.Scalar(0x4E00 + UInt32(rng.below(0x5000)))! }))
    }

    /// The true Jaccard similarity of two texts' character 5-gram sets.
    static func jaccard(_ a: String, _ b: String) -> Double {
        func grams(_ s: String) -> Set<String> {
            let c = Array(s)
            return Set((0...(c.count - 5)).map { String(c[$0..<($0 + 5)]) })
        }
        let x = grams(a), y = grams(b)
        return Double(x.intersection(y).count) / Double(x.union(y).count)
    }

    static func rec(_ s: String) -> JSONValue {
        .object(JSONObject(["instruction": .string(s), "input": .string(""), "output": .string("ok")]))
    }

    @Test func plantedPairsAtNinetyAndThirtyPercent() throws {
        let a = Self.ideographs(400, seed: 1)
        // The last 20 characters replaced: J ≈ 0.89; the second half replaced: J ≈ 0.3.
        let ninety = String(a.prefix(380)) + Self.ideographs(20, seed: 2)
        let thirty = String(a.prefix(180)) + Self.ideographs(220, seed: 3)
        #expect((0.87...0.92).contains(Self.jaccard(a, ninety)))
        #expect((0.25...0.35).contains(Self.jaccard(a, thirty)))
        let records = [a] + (10..<40).map { Self.ideographs(400, seed: UInt64($0)) } + [ninety, thirty]
        let dir = try TempDir()
        let input = try DatasetInput.file(try dir.records("d.jsonl", records.map(Self.rec), jsonl: true))
        let report = try Deduper().find(input, examplesPerKind: 100)
        #expect(report.removedIndexes == [31])
        let near = try #require(report.examples.first)
        #expect(near.kind == .near && near.duplicateOf == 0)
        #expect(abs(near.similarity - Self.jaccard(a, ninety)) < 0.1)
        // The estimate itself, not only the decision.
        let d = Deduper()
        let s = Deduper.similarity(d.signature(Deduper.normalize(a)), d.signature(Deduper.normalize(thirty)))
        #expect(s < 0.5)
    }

    /// 20 characters have 16 shingles: most of the 64 bins get no sample of their own and are
    /// densified. Appending one character (J = 16/17) must still be found, and the estimate must
    /// be unbiased on average (empty bins left equal would inflate it, filled at random deflate it).
    @Test func shortTextsAreDensifiedAndEstimatedWithoutBias() throws {
        let d = Deduper()
        var sum = 0.0
        for seed in 0..<200 as Range<UInt64> {
            let a = Self.ideographs(20, seed: seed + 100)
            let b = a + Self.ideographs(1, seed: seed + 1000)
            let sa = d.signature(Deduper.normalize(a))
            #expect(!sa.contains(.max))
            sum += Deduper.similarity(sa, d.signature(Deduper.normalize(b)))
        }
        #expect(abs(sum / 200 - 16.0 / 17) < 0.03, "mean estimate \(sum / 200)")

        let a = Self.ideographs(20, seed: 7)
        let records = [a, Self.ideographs(20, seed: 8), a + "字", Self.ideographs(20, seed: 9)]
        let dir = try TempDir()
        let report = try Deduper().find(DatasetInput.file(try dir.records("d.json", records.map(Self.rec))))
        #expect(report.removedIndexes == [2] && report.removed[.near] == 1)

        // Texts shorter than a shingle: one shingle, every bin filled from its samples.
        let tiny = d.signature("abc"), other = d.signature("abd")
        #expect(!tiny.contains(.max) && Deduper.similarity(tiny, tiny) == 1 && Deduper.similarity(tiny, other) < 0.2)
        #expect(d.signature("") == [UInt32](repeating: .max, count: Deduper.hashes))
    }

    @Test func densificationCopiesFilledBinsAlongFixedProbes() {
        var slots = [UInt32](repeating: .max, count: 64)
        slots[3] = 30
        slots[40] = 400
        let filled: UInt64 = 1 << 3 | 1 << 40
        slots.withUnsafeMutableBufferPointer { Deduper.densify($0, filled: filled) }
        #expect(slots[3] == 30 && slots[40] == 400)
        #expect(slots.allSatisfy { $0 == 30 || $0 == 400 })
        #expect(slots.contains { $0 == 30 } && slots.filter { $0 == 400 }.count > 1)
        // The probe table is the probe function.
        for bin in [0, 17, 63] { for attempt in [1, 33, 64] { #expect(Int(Deduper.probes[bin * 64 + attempt - 1]) == Deduper.probe(bin, attempt)) } }
        // Each empty bin takes the first filled bin on its own probe sequence.
        for bin in 0..<64 where filled & (1 << UInt64(bin)) == 0 {
            let first = (1...4096).map { Deduper.probe(bin, $0) }.first { $0 == 3 || $0 == 40 }
            #expect(slots[bin] == (first == 3 ? 30 : 400))
        }
    }

    @Test func unrolledShingleHashAndEarlyExitCountAgree() {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<500 {
            let s = (0..<5).map { _ in UInt32(rng.below(0x110000)) }
            s.withUnsafeBufferPointer { #expect(Deduper.shingleHash5($0.baseAddress!) == Deduper.shingleHash($0.baseAddress!, 5)) }
            let a = (0..<64).map { _ in UInt32(rng.below(4)) }, b = (0..<64).map { _ in UInt32(rng.below(4)) }
            let equal = zip(a, b).filter { $0 == $1 }.count
            let head = zip(a.prefix(16), b.prefix(16)).filter { $0 == $1 }.count
            for allowed in [0, 9, 12, 64] {
                let n = a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in DedupeIndex.equalCount(x, y, allowed: allowed) } }
                #expect(n == (16 - head > allowed ? nil : equal))
            }
        }
    }

    /// MinHash, the reference estimator, still works and agrees on clear cases.
    @Test func referenceEstimatorFindsTheSamePlantedPair() throws {
        let a = Self.ideographs(300, seed: 11)
        let records = [a, Self.ideographs(300, seed: 12), String(a.prefix(290)) + "新的结尾字符", Self.ideographs(300, seed: 13)]
        let dir = try TempDir()
        let input = try DatasetInput.file(try dir.records("d.json", records.map(Self.rec)))
        var options = Deduper.Options()
        options.estimator = .minHash
        #expect(try Deduper(options: options).find(input).removedIndexes == [2])
        #expect(try Deduper().find(input).removedIndexes == [2])
    }
}
